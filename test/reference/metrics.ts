/**
 * A second, deliberately plain implementation of every metric in docs/metrics.md, used only by
 * tests to check sql/metrics/*.sql. Loops over rows, a binary search for the as-of quote, maps
 * of accumulators: nothing shared with the SQL except the definitions, written again.
 */
import type { ReviewMetricRow } from '../../lambdas/shared/metrics';
import type { ExecutionRow, LakeData, Micros, OrderRow } from './lake';
import { type NbboStatus, quoteBook } from './quote-book';
import { sizeBucket } from './size-bucket';

export interface ReferenceParams {
  period: string;
  startDate: string;
  endDate: string;
  maxQuoteAgeS: number;
}

type Status = NbboStatus;
interface Nbbo {
  status: Status;
  bid: number | null;
  ask: number | null;
}

const TAUS = [1, 5, 15, 60, 300] as const;
type Tau = (typeof TAUS)[number];

/** [by symbol, by category, by venue, by size bucket, by S&P 500] */
type GroupingSet = readonly [boolean, boolean, boolean, boolean, boolean];
const NON_VENUE_SETS: GroupingSet[] = [
  [false, false, false, false, false],
  [true, false, false, false, false],
  [false, true, false, false, false],
  [false, false, false, true, false],
  [false, false, false, false, true],
  [true, true, false, false, false],
  [false, true, false, false, true],
];
const VENUE_SETS: GroupingSet[] = [
  [false, false, true, false, false],
  [false, true, true, false, false],
  [false, false, true, false, true],
  [false, true, true, false, true],
];

/** Milliseconds from a to b, exact (fractional: metrics.md never truncates a latency). */
const diffMs = (a: Micros, b: Micros): number => (b - a) / 1000;

/** Minutes after midnight in America/New_York. */
const nyClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const nyMinutes = (us: Micros): number => {
  const [h, m] = nyClock
    .format(new Date(Math.floor(us / 1000)))
    .split(':')
    .map(Number) as [number, number];
  return h * 60 + m;
};
/** Regular trading hours: 09:30 <= t < 16:00 America/New_York. */
const regularHours = (us: Micros): boolean => nyMinutes(us) >= 570 && nyMinutes(us) < 960;

class WeightedValues {
  values: number[] = [];
  weights: number[] = [];
  add(x: number, w: number): void {
    this.values.push(x);
    this.weights.push(w);
  }
  get n(): number {
    return this.values.length;
  }
  sumW(): number {
    let s = 0;
    for (const w of this.weights) s += w;
    return s;
  }
  mean(): number | null {
    const W = this.sumW();
    if (this.n === 0 || W === 0) return null;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += (this.weights[i] as number) * (this.values[i] as number);
    return s / W;
  }
  nEff(): number | null {
    const W = this.sumW();
    if (this.n === 0 || W <= 0) return null;
    let w2 = 0;
    for (const w of this.weights) w2 += w * w;
    return (W * W) / w2;
  }
  /** Weighted standard deviation with reliability weights (the sample SD when all weights are equal). */
  stdDev(): number | null {
    const W = this.sumW();
    const mean = this.mean();
    if (mean === null || W <= 0) return null;
    let w2 = 0;
    let ss = 0;
    for (let i = 0; i < this.n; i++) {
      const w = this.weights[i] as number;
      w2 += w * w;
      ss += w * ((this.values[i] as number) - mean) ** 2;
    }
    const denom = W - w2 / W;
    return denom > 0 ? Math.sqrt(ss / denom) : null;
  }
}

type Excl = Record<Exclude<Status, 'ok'>, number>;
const excl0 = (): Excl => ({ no_nbbo: 0, stale_nbbo: 0, crossed_or_locked_nbbo: 0 });

/** One per-execution figure of a group: its values, the orders behind them, what was left out. */
class Figure {
  values = new WeightedValues();
  orders = new Set<string>();
  excl: Excl = excl0();
  negative = 0;
}

const perTau = (): Record<Tau, Figure> => ({ 1: new Figure(), 5: new Figure(), 15: new Figure(), 60: new Figure(), 300: new Figure() });

interface Group {
  key: string[];
  isVenue: boolean;
  hasVenueSplit: boolean;
  orders: number;
  sharesOrdered: number;
  ordersExecutions: number;
  sorOrders: number;
  sorOrderExecutions: number;
  filled: WeightedValues;
  canceled: WeightedValues;
  limitFill: WeightedValues;
  limitOrders: number;
  limitExecutions: number;
  firstFill: number[];
  firstFillExecutions: number;
  firstFillNegative: number;
  executions: number;
  sharesExecuted: number;
  execOrders: Set<string>;
  orphans: number;
  sorExecutions: number;
  sorExecOrders: Set<string>;
  sorShares: number;
  pfofShares: number;
  rebates: number;
  pi: WeightedValues;
  improved: WeightedValues;
  atQuote: WeightedValues;
  outside: WeightedValues;
  eff: WeightedValues;
  quoted: WeightedValues;
  pctEff: WeightedValues;
  pctQuoted: WeightedValues;
  wpi: WeightedValues;
  netPi: WeightedValues;
  spreadOrders: Set<string>;
  spreadExcl: Excl;
  execTime: Figure;
  resting: Figure;
  markout: Record<Tau, Figure>;
  realized: Record<15 | 60, Figure>;
  impact: Record<Tau, Figure>;
  flow: number;
  flowPfof: number;
  flowAffiliated: number;
  flowUsd: number;
  flowOrders: Set<string>;
}

function newGroup(key: string[]): Group {
  return {
    key,
    isVenue: key[4] !== '*',
    hasVenueSplit: key[1] === '*' && key[3] === '*',
    orders: 0,
    sharesOrdered: 0,
    ordersExecutions: 0,
    sorOrders: 0,
    sorOrderExecutions: 0,
    filled: new WeightedValues(),
    canceled: new WeightedValues(),
    limitFill: new WeightedValues(),
    limitOrders: 0,
    limitExecutions: 0,
    firstFill: [],
    firstFillExecutions: 0,
    firstFillNegative: 0,
    executions: 0,
    sharesExecuted: 0,
    execOrders: new Set(),
    orphans: 0,
    sorExecutions: 0,
    sorExecOrders: new Set(),
    sorShares: 0,
    pfofShares: 0,
    rebates: 0,
    pi: new WeightedValues(),
    improved: new WeightedValues(),
    atQuote: new WeightedValues(),
    outside: new WeightedValues(),
    eff: new WeightedValues(),
    quoted: new WeightedValues(),
    pctEff: new WeightedValues(),
    pctQuoted: new WeightedValues(),
    wpi: new WeightedValues(),
    netPi: new WeightedValues(),
    spreadOrders: new Set(),
    spreadExcl: excl0(),
    execTime: new Figure(),
    resting: new Figure(),
    markout: perTau(),
    realized: { 15: new Figure(), 60: new Figure() },
    impact: perTau(),
    flow: 0,
    flowPfof: 0,
    flowAffiliated: 0,
    flowUsd: 0,
    flowOrders: new Set(),
  };
}

interface OrderFacts {
  order: OrderRow;
  key: string;
  s: 1 | -1;
  nbbo: Nbbo;
  category: string;
  sizeBucket: string;
  sp500: 'Y' | 'N';
  directed: boolean;
  regular: boolean;
  /** Market or marketable limit, regular hours, not directed, usable NBBO at receipt. */
  covered: boolean;
  executions: ExecutionRow[];
  hasRoutes: boolean;
}

function inPeriod(date: string, p: ReferenceParams): boolean {
  return date >= p.startDate && date < p.endDate;
}

interface VenueTerms {
  pfof: number;
  rebate: number | null;
  affiliated: boolean;
}

interface Prepared {
  facts: Map<string, OrderFacts>;
  executions: ExecutionRow[];
  routes: LakeData['routes'];
  nbboAt: ReturnType<typeof quoteBook>;
  termsAt: (source: string, venue: string, date: string) => VenueTerms;
}

function prepare(data: LakeData, p: ReferenceParams): Prepared {
  const orders = data.orders.filter((o) => inPeriod(o.trade_date, p));
  const executions = data.executions.filter((x) => inPeriod(x.trade_date, p));
  const routes = data.routes.filter((r) => inPeriod(r.trade_date, p));
  const quotes = data.quotes.filter((q) => inPeriod(q.trade_date, p));
  const nbboAt = quoteBook(quotes, p.maxQuoteAgeS);

  // The source's record for the venue with the latest effective_from on or before the date.
  const termsAt = (source: string, venue: string, date: string): VenueTerms => {
    let best: LakeData['venues'][number] | null = null;
    for (const v of data.venues) {
      if (v.source !== source || v.venue !== venue || v.effective_from > date) continue;
      if (!best || v.effective_from > best.effective_from) best = v;
    }
    return {
      pfof: best?.pfof_per_share ?? 0,
      rebate: best?.rebate_per_share ?? null,
      affiliated: best?.affiliated === 'Y',
    };
  };
  const isSp500 = (symbol: string, date: string): boolean =>
    data.reference.some((r) => r.list === 'SP500' && r.symbol === symbol && r.effective_from <= date);

  // Orders and their facts at receipt.
  const facts = new Map<string, OrderFacts>();
  for (const o of orders) {
    const s: 1 | -1 = o.side === 'B' ? 1 : -1;
    const nb = nbboAt(o.symbol, o.trade_date, o.received_ts);
    let category: string;
    if (o.tif === 'OPG' || o.tif === 'CLS') category = 'other';
    else if (o.order_type === 'MKT') category = 'market';
    else if (nb.status !== 'ok') category = 'other';
    else {
      const marketable = s === 1 ? (o.limit_price as number) >= (nb.ask as number) : (o.limit_price as number) <= (nb.bid as number);
      category = marketable ? 'marketable_limit' : 'non_marketable_limit';
    }
    // The size bucket needs a usable mid at receipt (metrics.md); without one it is 'unknown'.
    const mid = nb.status === 'ok' ? ((nb.bid as number) + (nb.ask as number)) / 2 : null;
    const directed = o.directed === 'Y';
    const regular = regularHours(o.received_ts);
    facts.set(`${o.source}|${o.order_id}`, {
      order: o,
      key: `${o.source}|${o.order_id}`,
      s,
      nbbo: nb,
      category,
      sizeBucket: mid === null ? 'unknown' : sizeBucket(o.qty * mid),
      sp500: isSp500(o.symbol, o.trade_date) ? 'Y' : 'N',
      directed,
      regular,
      covered: (category === 'market' || category === 'marketable_limit') && regular && !directed && nb.status === 'ok',
      executions: [],
      hasRoutes: false,
    });
  }
  for (const x of executions) facts.get(`${x.source}|${x.order_id}`)?.executions.push(x);
  for (const r of routes) {
    const f = facts.get(`${r.source}|${r.order_id}`);
    if (f) f.hasRoutes = true;
  }

  return { facts, executions, routes, nbboAt, termsAt };
}

/** Per-order facts at receipt, for checking the order_quality view. */
export function referenceOrders(
  data: LakeData,
  p: ReferenceParams,
): {
  source: string;
  order_id: string;
  order_category: string;
  size_bucket: string;
  nbbo_status: Status;
  sp500: string;
  executions: number;
}[] {
  return [...prepare(data, p).facts.values()].map((f) => ({
    source: f.order.source,
    order_id: f.order.order_id,
    order_category: f.category,
    size_bucket: f.sizeBucket,
    nbbo_status: f.nbbo.status,
    sp500: f.sp500,
    executions: f.executions.length,
  }));
}

const midOf = (nb: Nbbo): number => ((nb.bid as number) + (nb.ask as number)) / 2;

export function referenceMetrics(data: LakeData, p: ReferenceParams): ReviewMetricRow[] {
  const { facts, executions, routes, nbboAt, termsAt } = prepare(data, p);
  const groups = new Map<string, Group>();
  const groupsOf = (source: string, f: OrderFacts | null, venue: string | null): Group[] => {
    const sets = venue === null ? NON_VENUE_SETS : VENUE_SETS;
    const out: Group[] = [];
    for (const [bySym, byCat, byVenue, bySize, bySp] of sets) {
      if (!f && (bySym || byCat || bySize || bySp)) continue;
      const key = [
        source,
        bySym && f ? f.order.symbol : '*',
        byCat && f ? f.category : '*',
        byVenue && venue !== null ? venue : '*',
        bySize && f ? f.sizeBucket : '*',
        bySp && f ? f.sp500 : '*',
      ];
      const k = key.join('|');
      let g = groups.get(k);
      if (!g) {
        // Groups keep [source, symbol, category, size, venue, sp500].
        g = newGroup([key[0], key[1], key[2], key[4], key[3], key[5]] as string[]);
        groups.set(k, g);
      }
      out.push(g);
    }
    return out;
  };

  // Order-level figures. Directed orders count in the volumes only, never in a routing figure.
  for (const f of facts.values()) {
    const o = f.order;
    const nx = f.executions.length;
    const shx = f.executions.reduce((a, x) => a + x.qty, 0);
    let first: number | null = null;
    for (const x of f.executions) if (first === null || x.exec_ts < first) first = x.exec_ts;
    for (const g of groupsOf(o.source, f, null)) {
      g.orders += 1;
      g.sharesOrdered += o.qty;
      g.ordersExecutions += nx;
      if (!f.directed) {
        g.sorOrders += 1;
        g.sorOrderExecutions += nx;
        g.filled.add(nx > 0 ? 100 : 0, 1);
        g.canceled.add(nx === 0 && o.canceled_ts !== null ? 100 : 0, 1);
        if (f.category === 'non_marketable_limit') {
          g.limitOrders += 1;
          g.limitExecutions += nx;
          g.limitFill.add((100 * shx) / o.qty, o.qty);
        }
      }
      if (first !== null && f.covered) {
        const ms = diffMs(o.received_ts, first);
        if (ms >= 0) {
          g.firstFill.push(ms);
          g.firstFillExecutions += nx;
        } else g.firstFillNegative += 1;
      }
    }
  }

  // Execution-level figures.
  for (const x of executions) {
    const f = facts.get(`${x.source}|${x.order_id}`) ?? null;
    const gs = [...groupsOf(x.source, f, null), ...groupsOf(x.source, f, x.venue)];
    if (!f) {
      for (const g of gs) g.orphans += 1;
      continue;
    }
    const o = f.order;
    const ordKey = f.key;
    const terms = termsAt(x.source, x.venue, x.trade_date);
    const ms = diffMs(o.received_ts, x.exec_ts);
    // Markouts and price impact: covered fills, and every non-directed fill of a non-marketable
    // limit or other order (shown in that category's own rows only).
    const markoutScope = f.covered || ((f.category === 'non_marketable_limit' || f.category === 'other') && !f.directed);
    const atExec = nbboAt(o.symbol, x.trade_date, x.exec_ts);
    const later: Partial<Record<Tau, Nbbo>> = {};
    for (const tau of TAUS) later[tau] = nbboAt(o.symbol, x.trade_date, x.exec_ts + tau * 1_000_000);
    // Net of the fee the vendor reported on the fill (none reported: nothing deducted).
    const feePerShare = x.fee !== undefined && x.fee !== null ? x.fee / x.qty : 0;
    const rebate = x.fee !== undefined && x.fee !== null ? Math.max(-x.fee, 0) : x.liquidity === 'A' ? x.qty * (terms.rebate ?? 0) : 0;
    for (const g of gs) {
      g.executions += 1;
      g.sharesExecuted += x.qty;
      g.execOrders.add(ordKey);
      if (!f.directed) {
        g.sorExecutions += 1;
        g.sorExecOrders.add(ordKey);
        g.sorShares += x.qty;
        if (terms.pfof > 0) g.pfofShares += x.qty;
        g.rebates += rebate;
      }
      if (f.covered) {
        const nbb = f.nbbo.bid as number;
        const nbo = f.nbbo.ask as number;
        const mid = (nbb + nbo) / 2;
        const pi = f.s === 1 ? nbo - x.price : x.price - nbb;
        const eff = 2 * f.s * (x.price - mid);
        const q = nbo - nbb;
        g.pi.add(pi, x.qty);
        g.improved.add(pi > 0 ? 100 : 0, x.qty);
        g.atQuote.add(pi === 0 ? 100 : 0, x.qty);
        g.outside.add(pi < 0 ? 100 : 0, x.qty);
        g.eff.add(eff, x.qty);
        g.quoted.add(q, x.qty);
        g.pctEff.add((100 * eff) / mid, x.qty * mid);
        g.pctQuoted.add((100 * q) / mid, x.qty * mid);
        g.wpi.add((100 * pi) / mid, x.qty * mid);
        g.netPi.add(pi - feePerShare, x.qty);
        g.spreadOrders.add(ordKey);
        if (ms >= 0) {
          g.execTime.values.add(ms, x.qty);
          g.execTime.orders.add(ordKey);
        } else g.execTime.negative += 1;
        for (const tau of [15, 60] as const) {
          const nb = later[tau] as Nbbo;
          if (nb.status !== 'ok') g.realized[tau].excl[nb.status] += 1;
          else {
            g.realized[tau].values.add(2 * f.s * (x.price - midOf(nb)), x.qty);
            g.realized[tau].orders.add(ordKey);
          }
        }
      } else if (!f.directed && f.regular && o.tif !== 'OPG' && o.tif !== 'CLS' && f.nbbo.status !== 'ok') {
        g.spreadExcl[f.nbbo.status] += 1;
      }
      if (f.category === 'non_marketable_limit' && !f.directed) {
        if (ms >= 0) {
          g.resting.values.add(ms, x.qty);
          g.resting.orders.add(ordKey);
        } else g.resting.negative += 1;
      }
      // A row over all categories takes covered fills only.
      if (markoutScope && (g.key[2] !== '*' || f.covered)) {
        for (const tau of TAUS) {
          const nb = later[tau] as Nbbo;
          if (nb.status !== 'ok') g.markout[tau].excl[nb.status] += 1;
          else {
            g.markout[tau].values.add(f.s * (midOf(nb) - x.price), x.qty);
            g.markout[tau].orders.add(ordKey);
          }
          const first = atExec.status !== 'ok' ? atExec.status : nb.status;
          if (first !== 'ok') g.impact[tau].excl[first] += 1;
          else {
            g.impact[tau].values.add(f.s * (midOf(nb) - midOf(atExec)), x.qty);
            g.impact[tau].orders.add(ordKey);
          }
        }
      }
    }
  }

  // Venue flow of non-directed orders: an order's routes, or its executions when it has none.
  const flows: { f: OrderFacts; venue: string; qty: number; date: string }[] = [];
  for (const r of routes) {
    const f = facts.get(`${r.source}|${r.order_id}`);
    if (f && !f.directed) flows.push({ f, venue: r.venue, qty: r.qty, date: r.trade_date });
  }
  for (const f of facts.values()) {
    if (f.hasRoutes || f.directed) continue;
    for (const x of f.executions) flows.push({ f, venue: x.venue, qty: x.qty, date: x.trade_date });
  }
  for (const fl of flows) {
    const terms = termsAt(fl.f.order.source, fl.venue, fl.date);
    for (const g of [...groupsOf(fl.f.order.source, fl.f, null), ...groupsOf(fl.f.order.source, fl.f, fl.venue)]) {
      g.flow += fl.qty;
      if (terms.pfof > 0) g.flowPfof += fl.qty;
      if (terms.affiliated) g.flowAffiliated += fl.qty;
      g.flowUsd += fl.qty * terms.pfof;
      if (fl.qty > 0) g.flowOrders.add(fl.f.key);
    }
  }

  return emit(groups, p);
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

function emit(groups: Map<string, Group>, p: ReferenceParams): ReviewMetricRow[] {
  const out: ReviewMetricRow[] = [];
  const byParent = new Map<string, Group[]>();
  const parentKey = (g: Group): string => [g.key[0], g.key[1], g.key[2], g.key[3], g.key[5]].join('|');
  for (const g of groups.values()) {
    if (!g.isVenue) continue;
    const list = byParent.get(parentKey(g)) ?? [];
    list.push(g);
    byParent.set(parentKey(g), list);
  }
  for (const g of groups.values()) {
    const [source, symbol, order_category, size_bucket, venue, sp500] = g.key as [string, string, string, string, string, string];
    const parent = g.isVenue ? groups.get([source, symbol, order_category, '*', size_bucket, sp500].join('|')) : undefined;
    const row = (
      metric: ReviewMetricRow['metric'],
      value: number | null,
      nOrders: number,
      nExecutions: number,
      spread: WeightedValues | null,
      excl: Partial<Record<'no' | 'stale' | 'crossed' | 'neg' | 'orphan', number>> = {},
    ): void => {
      const e = { no: 0, stale: 0, crossed: 0, neg: 0, orphan: 0, ...excl };
      if (value === null && e.no + e.stale + e.crossed + e.neg + e.orphan === 0) return;
      out.push({
        period: p.period,
        source,
        symbol,
        order_category,
        venue,
        size_bucket,
        sp500,
        metric,
        value,
        n_orders: nOrders,
        n_executions: nExecutions,
        std_dev: spread ? spread.stdDev() : null,
        n_eff: spread ? spread.nEff() : null,
        excl_no_nbbo: e.no,
        excl_stale_nbbo: e.stale,
        excl_crossed_or_locked_nbbo: e.crossed,
        excl_negative_exec_time: e.neg,
        excl_orphan_execution: e.orphan,
      });
    };
    // The figures tables record a later mid only as usable or not (mid_<tau> NULL), without the
    // reason, so the horizon figures count no exclusion by reason (docs/metrics.md).
    const figure = (metric: ReviewMetricRow['metric'], fig: Figure, reasons = true): void =>
      row(metric, fig.values.mean(), fig.orders.size, fig.values.n, fig.values, {
        no: reasons ? fig.excl.no_nbbo : 0,
        stale: reasons ? fig.excl.stale_nbbo : 0,
        crossed: reasons ? fig.excl.crossed_or_locked_nbbo : 0,
        neg: fig.negative,
        orphan: g.orphans,
      });
    const orphan = { orphan: g.orphans };
    const spreadExcl = {
      no: g.spreadExcl.no_nbbo,
      stale: g.spreadExcl.stale_nbbo,
      crossed: g.spreadExcl.crossed_or_locked_nbbo,
      orphan: g.orphans,
    };
    const nSpread = g.pi.n;
    const nSpreadOrders = g.spreadOrders.size;
    if (!g.isVenue) {
      row('orders', g.orders, g.orders, g.ordersExecutions, null);
      row('shares_ordered', g.sharesOrdered, g.orders, g.ordersExecutions, null);
      row('fill_rate_pct', g.filled.mean(), g.sorOrders, g.sorOrderExecutions, g.filled);
      row('cancel_rate_pct', g.canceled.mean(), g.sorOrders, g.sorOrderExecutions, g.canceled);
      row('limit_fill_rate_pct', g.limitFill.mean(), g.limitOrders, g.limitExecutions, g.limitFill);
      const sorted = [...g.firstFill].sort((a, b) => a - b);
      const ff = new WeightedValues();
      for (const v of sorted) ff.add(v, 1);
      row('median_exec_time_ms', percentile(sorted, 0.5), sorted.length, g.firstFillExecutions, ff, { neg: g.firstFillNegative });
      row('p95_exec_time_ms', percentile(sorted, 0.95), sorted.length, g.firstFillExecutions, ff, { neg: g.firstFillNegative });
    }
    row('executions', g.executions, g.execOrders.size, g.executions, null, orphan);
    row('shares_executed', g.sharesExecuted, g.execOrders.size, g.executions, null, orphan);
    row('price_improvement_per_share', g.pi.mean(), nSpreadOrders, nSpread, g.pi, spreadExcl);
    row('pct_shares_price_improved', g.improved.mean(), nSpreadOrders, nSpread, g.improved, spreadExcl);
    row('pct_shares_at_quote', g.atQuote.mean(), nSpreadOrders, nSpread, g.atQuote, spreadExcl);
    row('pct_shares_outside_quote', g.outside.mean(), nSpreadOrders, nSpread, g.outside, spreadExcl);
    row('net_price_improvement_per_share', g.netPi.mean(), nSpreadOrders, nSpread, g.netPi, spreadExcl);
    row('avg_effective_spread', g.eff.mean(), nSpreadOrders, nSpread, g.eff, spreadExcl);
    row('avg_quoted_spread', g.quoted.mean(), nSpreadOrders, nSpread, g.quoted, spreadExcl);
    const effMean = g.eff.mean();
    const qMean = g.quoted.mean();
    const eq = effMean !== null && qMean !== null && qMean !== 0 ? (100 * effMean) / qMean : null;
    row('eq_ratio_pct', eq, nSpreadOrders, nSpread, null, spreadExcl);
    row('spread_capture_pct', eq === null ? null : 100 - eq, nSpreadOrders, nSpread, null, spreadExcl);
    row('pct_effective_spread', g.pctEff.mean(), nSpreadOrders, nSpread, g.pctEff, spreadExcl);
    row('pct_quoted_spread', g.pctQuoted.mean(), nSpreadOrders, nSpread, g.pctQuoted, spreadExcl);
    row('weighted_pct_price_improvement', g.wpi.mean(), nSpreadOrders, nSpread, g.wpi, spreadExcl);
    figure('avg_exec_time_ms', g.execTime);
    figure('resting_time_to_fill_ms', g.resting);
    for (const tau of TAUS) {
      figure(`markout_${tau}s_per_share`, g.markout[tau], false);
      figure(`price_impact_${tau}s_per_share`, g.impact[tau], false);
    }
    figure('realized_spread_15s', g.realized[15], false);
    figure('realized_spread_60s', g.realized[60], false);
    if (g.isVenue) {
      const total = parent?.flow ?? 0;
      row('venue_share_pct', total > 0 ? (100 * g.flow) / total : null, g.flowOrders.size, g.executions, null, orphan);
    } else {
      row('pfof_venue_share_pct', g.flow > 0 ? (100 * g.flowPfof) / g.flow : null, g.flowOrders.size, g.executions, null, orphan);
      row(
        'affiliated_venue_share_pct',
        g.flow > 0 ? (100 * g.flowAffiliated) / g.flow : null,
        g.flowOrders.size,
        g.executions,
        null,
        orphan,
      );
      row(
        'pfof_venue_share_executed_pct',
        g.sorShares > 0 ? (100 * g.pfofShares) / g.sorShares : null,
        g.sorExecOrders.size,
        g.sorExecutions,
        null,
        orphan,
      );
      if (g.hasVenueSplit) {
        let sq = 0;
        for (const v of byParent.get(parentKey(g)) ?? []) sq += (100 * v.flow) ** 2;
        row('venue_hhi', g.flow > 0 ? sq / g.flow ** 2 : null, g.flowOrders.size, g.executions, null, orphan);
      }
    }
    row('pfof_received_usd', g.flowUsd, g.flowOrders.size, g.executions, null, orphan);
    row('order_flow_payments_usd', g.flowUsd + g.rebates, g.flowOrders.size, g.executions, null, orphan);
  }
  return out;
}
