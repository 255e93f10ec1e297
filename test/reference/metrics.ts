/**
 * A second, deliberately plain implementation of every metric in docs/metrics.md, used only by
 * tests to check sql/metrics/*.sql. Loops over rows, a binary search for the as-of quote, maps
 * of accumulators: nothing shared with the SQL except the definitions, written again.
 */
import type { ReviewMetricRow } from '../../lambdas/shared/metrics';
import type { ExecutionRow, LakeData, Micros, OrderRow, QuoteRow } from './lake';

export interface ReferenceParams {
  period: string;
  startDate: string;
  endDate: string;
  maxQuoteAgeS: number;
}

type Status = 'ok' | 'no_nbbo' | 'stale_nbbo' | 'crossed_or_locked_nbbo';
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

/** Milliseconds from a to b, truncated toward zero (Trino date_diff). */
const diffMs = (a: Micros, b: Micros): number => Math.trunc((b - a) / 1000);

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

interface Group {
  key: string[];
  isVenue: boolean;
  hasVenueSplit: boolean;
  orders: number;
  sharesOrdered: number;
  ordersExecutions: number;
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
  pi: WeightedValues;
  improved: WeightedValues;
  atQuote: WeightedValues;
  outside: WeightedValues;
  eff: WeightedValues;
  quoted: WeightedValues;
  pctEff: WeightedValues;
  pctQuoted: WeightedValues;
  wpi: WeightedValues;
  spreadOrders: Set<string>;
  spreadExcl: Record<Exclude<Status, 'ok'>, number>;
  execTime: WeightedValues;
  execTimeOrders: Set<string>;
  negativeExecTime: number;
  markout: Record<Tau, WeightedValues>;
  realized: Record<15 | 60, WeightedValues>;
  markoutOrders: Record<Tau, Set<string>>;
  markoutExcl: Record<Tau, Record<Exclude<Status, 'ok'>, number>>;
  flow: number;
  flowPfof: number;
  flowUsd: number;
  flowOrders: Set<string>;
}

const excl0 = (): Record<Exclude<Status, 'ok'>, number> => ({ no_nbbo: 0, stale_nbbo: 0, crossed_or_locked_nbbo: 0 });

function newGroup(key: string[]): Group {
  return {
    key,
    isVenue: key[4] !== '*',
    hasVenueSplit: key[1] === '*' && key[3] === '*',
    orders: 0,
    sharesOrdered: 0,
    ordersExecutions: 0,
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
    pi: new WeightedValues(),
    improved: new WeightedValues(),
    atQuote: new WeightedValues(),
    outside: new WeightedValues(),
    eff: new WeightedValues(),
    quoted: new WeightedValues(),
    pctEff: new WeightedValues(),
    pctQuoted: new WeightedValues(),
    wpi: new WeightedValues(),
    spreadOrders: new Set(),
    spreadExcl: excl0(),
    execTime: new WeightedValues(),
    execTimeOrders: new Set(),
    negativeExecTime: 0,
    markout: {
      1: new WeightedValues(),
      5: new WeightedValues(),
      15: new WeightedValues(),
      60: new WeightedValues(),
      300: new WeightedValues(),
    },
    realized: { 15: new WeightedValues(), 60: new WeightedValues() },
    markoutOrders: { 1: new Set(), 5: new Set(), 15: new Set(), 60: new Set(), 300: new Set() },
    markoutExcl: { 1: excl0(), 5: excl0(), 15: excl0(), 60: excl0(), 300: excl0() },
    flow: 0,
    flowPfof: 0,
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
  executions: ExecutionRow[];
  hasRoutes: boolean;
}

function sizeBucket(notional: number | null): string {
  if (notional === null) return 'unknown';
  const bounds: [number, string][] = [
    [250, '0'],
    [1000, '250'],
    [5000, '1000'],
    [10000, '5000'],
    [20000, '10000'],
    [50000, '20000'],
    [200000, '50000'],
  ];
  for (const [upper, name] of bounds) if (notional < upper) return name;
  return '200000';
}

/** The last quote at or before t on the same symbol and trade date (ties: last in file order). */
function makeQuoteBook(quotes: QuoteRow[], maxAgeS: number): (symbol: string, date: string, t: Micros) => Nbbo & { ts: Micros | null } {
  const bySymbolDay = new Map<string, QuoteRow[]>();
  for (const q of quotes) {
    const k = `${q.symbol}|${q.trade_date}`;
    let list = bySymbolDay.get(k);
    if (!list) {
      list = [];
      bySymbolDay.set(k, list);
    }
    list.push(q);
  }
  for (const list of bySymbolDay.values()) {
    list.sort(
      (a, b) => a.ts - b.ts || (a.source_key < b.source_key ? -1 : a.source_key > b.source_key ? 1 : 0) || a.source_line - b.source_line,
    );
  }
  return (symbol, date, t) => {
    const list = bySymbolDay.get(`${symbol}|${date}`) ?? [];
    let lo = 0;
    let hi = list.length; // first index with ts > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as QuoteRow).ts <= t) lo = mid + 1;
      else hi = mid;
    }
    const q = lo > 0 ? list[lo - 1] : undefined;
    if (!q) return { status: 'no_nbbo', bid: null, ask: null, ts: null };
    let status: Status = 'ok';
    if (diffMs(q.ts, t) > maxAgeS * 1000) status = 'stale_nbbo';
    else if (q.bid >= q.ask) status = 'crossed_or_locked_nbbo';
    return { status, bid: q.bid, ask: q.ask, ts: q.ts };
  };
}

function inPeriod(date: string, p: ReferenceParams): boolean {
  return date >= p.startDate && date < p.endDate;
}

interface Prepared {
  facts: Map<string, OrderFacts>;
  executions: ExecutionRow[];
  routes: LakeData['routes'];
  nbboAt: ReturnType<typeof makeQuoteBook>;
  pfofAt: (source: string, venue: string, date: string) => number;
}

function prepare(data: LakeData, p: ReferenceParams): Prepared {
  const orders = data.orders.filter((o) => inPeriod(o.trade_date, p));
  const executions = data.executions.filter((x) => inPeriod(x.trade_date, p));
  const routes = data.routes.filter((r) => inPeriod(r.trade_date, p));
  const quotes = data.quotes.filter((q) => inPeriod(q.trade_date, p));
  const nbboAt = makeQuoteBook(quotes, p.maxQuoteAgeS);

  const pfofAt = (source: string, venue: string, date: string): number => {
    let best: { from: string; pfof: number } | null = null;
    for (const v of data.venues) {
      if (v.source !== source || v.venue !== venue || v.effective_from > date) continue;
      if (!best || v.effective_from > best.from) best = { from: v.effective_from, pfof: v.pfof_per_share };
    }
    return best ? best.pfof : 0;
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
    const mid = nb.bid !== null && nb.ask !== null ? (nb.bid + nb.ask) / 2 : null;
    const notional = mid !== null ? o.qty * mid : o.limit_price !== null ? o.qty * o.limit_price : null;
    facts.set(`${o.source}|${o.order_id}`, {
      order: o,
      key: `${o.source}|${o.order_id}`,
      s,
      nbbo: nb,
      category,
      sizeBucket: sizeBucket(notional),
      sp500: isSp500(o.symbol, o.trade_date) ? 'Y' : 'N',
      executions: [],
      hasRoutes: false,
    });
  }
  for (const x of executions) facts.get(`${x.source}|${x.order_id}`)?.executions.push(x);
  for (const r of routes) {
    const f = facts.get(`${r.source}|${r.order_id}`);
    if (f) f.hasRoutes = true;
  }

  return { facts, executions, routes, nbboAt, pfofAt };
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

export function referenceMetrics(data: LakeData, p: ReferenceParams): ReviewMetricRow[] {
  const { facts, executions, routes, nbboAt, pfofAt } = prepare(data, p);
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

  // Order-level figures.
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
      g.filled.add(nx > 0 ? 100 : 0, 1);
      g.canceled.add(nx === 0 && o.canceled_ts !== null ? 100 : 0, 1);
      if (f.category === 'non_marketable_limit') {
        g.limitOrders += 1;
        g.limitExecutions += nx;
        g.limitFill.add((100 * shx) / o.qty, o.qty);
      }
      if (first !== null) {
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
    const covered = f.category === 'market' || f.category === 'marketable_limit';
    const candidate = o.tif !== 'OPG' && o.tif !== 'CLS';
    const ms = diffMs(o.received_ts, x.exec_ts);
    const mks: Partial<Record<Tau, Nbbo>> = {};
    if (covered) for (const tau of TAUS) mks[tau] = nbboAt(o.symbol, x.trade_date, x.exec_ts + tau * 1_000_000);
    for (const g of gs) {
      g.executions += 1;
      g.sharesExecuted += x.qty;
      g.execOrders.add(ordKey);
      if (covered && f.nbbo.status === 'ok') {
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
        g.spreadOrders.add(ordKey);
      } else if (candidate && f.nbbo.status !== 'ok') {
        g.spreadExcl[f.nbbo.status] += 1;
      }
      if (ms >= 0) {
        g.execTime.add(ms, x.qty);
        g.execTimeOrders.add(ordKey);
      } else g.negativeExecTime += 1;
      if (covered) {
        for (const tau of TAUS) {
          const nb = mks[tau] as Nbbo;
          if (nb.status !== 'ok') {
            g.markoutExcl[tau][nb.status] += 1;
            continue;
          }
          const midTau = ((nb.bid as number) + (nb.ask as number)) / 2;
          g.markout[tau].add(f.s * (midTau - x.price), x.qty);
          if (tau === 15 || tau === 60) g.realized[tau].add(2 * f.s * (x.price - midTau), x.qty);
          g.markoutOrders[tau].add(ordKey);
        }
      }
    }
  }

  // Venue flow: an order's routes, or its executions when it has none.
  const flows: { f: OrderFacts; venue: string; qty: number; date: string }[] = [];
  for (const r of routes) {
    const f = facts.get(`${r.source}|${r.order_id}`);
    if (f) flows.push({ f, venue: r.venue, qty: r.qty, date: r.trade_date });
  }
  for (const f of facts.values()) {
    if (f.hasRoutes) continue;
    for (const x of f.executions) flows.push({ f, venue: x.venue, qty: x.qty, date: x.trade_date });
  }
  for (const fl of flows) {
    const pfof = pfofAt(fl.f.order.source, fl.venue, fl.date);
    for (const g of [...groupsOf(fl.f.order.source, fl.f, null), ...groupsOf(fl.f.order.source, fl.f, fl.venue)]) {
      g.flow += fl.qty;
      if (pfof > 0) g.flowPfof += fl.qty;
      g.flowUsd += fl.qty * pfof;
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
      row('fill_rate_pct', g.filled.mean(), g.orders, g.ordersExecutions, g.filled);
      row('cancel_rate_pct', g.canceled.mean(), g.orders, g.ordersExecutions, g.canceled);
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
    row('avg_exec_time_ms', g.execTime.mean(), g.execTimeOrders.size, g.execTime.n, g.execTime, {
      neg: g.negativeExecTime,
      orphan: g.orphans,
    });
    const names: Record<Tau, ReviewMetricRow['metric']> = {
      1: 'markout_1s_per_share',
      5: 'markout_5s_per_share',
      15: 'markout_15s_per_share',
      60: 'markout_60s_per_share',
      300: 'markout_300s_per_share',
    };
    for (const tau of TAUS) {
      const ex = g.markoutExcl[tau];
      const e = { no: ex.no_nbbo, stale: ex.stale_nbbo, crossed: ex.crossed_or_locked_nbbo, orphan: g.orphans };
      row(names[tau], g.markout[tau].mean(), g.markoutOrders[tau].size, g.markout[tau].n, g.markout[tau], e);
      if (tau === 15 || tau === 60) {
        row(
          tau === 15 ? 'realized_spread_15s' : 'realized_spread_60s',
          g.realized[tau].mean(),
          g.markoutOrders[tau].size,
          g.realized[tau].n,
          g.realized[tau],
          e,
        );
      }
    }
    if (g.isVenue) {
      const total = parent?.flow ?? 0;
      row('venue_share_pct', total > 0 ? (100 * g.flow) / total : null, g.flowOrders.size, g.executions, null, orphan);
    } else {
      row('pfof_venue_share_pct', g.flow > 0 ? (100 * g.flowPfof) / g.flow : null, g.flowOrders.size, g.executions, null, orphan);
      if (g.hasVenueSplit) {
        let sq = 0;
        for (const v of byParent.get(parentKey(g)) ?? []) sq += (100 * v.flow) ** 2;
        row('venue_hhi', g.flow > 0 ? sq / g.flow ** 2 : null, g.flowOrders.size, g.executions, null, orphan);
      }
    }
    row('pfof_received_usd', g.flowUsd, g.flowOrders.size, g.executions, null, orphan);
  }
  return out;
}
