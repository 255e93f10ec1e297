/**
 * A second, deliberately plain implementation of the figures layer (order_figures and
 * execution_figures, docs/metrics.md), used only by tests to check sql/enrich. Loops, a binary
 * search for the as-of quote, maps: nothing shared with the SQL but the definitions, written
 * again from docs/figures-contract.md. Times are integer microseconds throughout.
 */
import type { ExecutionRow, LakeData, Micros, OrderRow } from './lake';
import { type BookQuote, quoteBook } from './quote-book';
import { sizeBucket } from './size-bucket';

export interface FigureParams {
  maxQuoteAgeS: number;
}

const HORIZONS = [1, 5, 15, 60, 300] as const;

export type FigureRow = Record<string, string | number | boolean | null>;

type Quote = BookQuote;

const nyClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
/** Minutes after New York midnight of an instant. */
function nyMinutes(us: Micros): number {
  const [h, m] = nyClock.format(new Date(Math.floor(us / 1000))).split(':');
  return Number(h) * 60 + Number(m);
}

const usableMid = (q: Quote): number | null => (q.status === 'ok' ? ((q.bid as number) + (q.ask as number)) / 2 : null);

interface OrderFacts {
  o: OrderRow;
  s: 1 | -1;
  q: Quote;
  mid: number | null;
  category: string;
  regular: boolean;
  directed: 'Y' | 'N';
  covered: boolean;
  receiptExclusion: string | null;
  sizeBucket: string | null;
  notional: number | null;
  sp500: 'Y' | 'N';
}

/** Weighted mean over the items whose value is not null; null when there are none. */
function wmean<T>(items: T[], value: (x: T) => number | null, weight: (x: T) => number): number | null {
  let s = 0;
  let w = 0;
  for (const x of items) {
    const v = value(x);
    if (v === null) continue;
    s += v * weight(x);
    w += weight(x);
  }
  return w > 0 ? s / w : null;
}

export function referenceFigures(data: LakeData, p: FigureParams): { orders: FigureRow[]; executions: FigureRow[] } {
  const book = quoteBook(data.quotes, p.maxQuoteAgeS);
  const terms = (source: string, venue: string, date: string) => {
    let best: (typeof data.venues)[number] | null = null;
    for (const v of data.venues) {
      if (v.source !== source || v.venue !== venue || v.effective_from > date) continue;
      if (!best || v.effective_from > best.effective_from) best = v;
    }
    return best;
  };
  const onSp500 = (symbol: string, date: string) =>
    data.reference.some((r) => r.list === 'SP500' && r.symbol === symbol && r.effective_from <= date);

  const facts = new Map<string, OrderFacts>();
  for (const o of data.orders) {
    const s: 1 | -1 = o.side === 'B' ? 1 : -1;
    const q = book(o.symbol, o.trade_date, o.received_ts);
    const mid = usableMid(q);
    let category: string;
    if (o.tif === 'OPG' || o.tif === 'CLS') category = 'other';
    else if (o.order_type === 'MKT') category = 'market';
    else if (q.status !== 'ok') category = 'other';
    else if (s === 1 ? (o.limit_price as number) >= (q.ask as number) : (o.limit_price as number) <= (q.bid as number))
      category = 'marketable_limit';
    else category = 'non_marketable_limit';
    const minutes = nyMinutes(o.received_ts);
    const regular = minutes >= 9 * 60 + 30 && minutes < 16 * 60;
    const directed = o.directed ?? 'N';
    const covered = (category === 'market' || category === 'marketable_limit') && regular && directed === 'N' && q.status === 'ok';
    let receiptExclusion: string | null = null;
    if (directed === 'Y') receiptExclusion = 'directed';
    else if (!regular) receiptExclusion = 'outside_regular_hours';
    else if (category === 'non_marketable_limit' || o.tif === 'OPG' || o.tif === 'CLS') receiptExclusion = 'not_marketable';
    else if (q.status !== 'ok') receiptExclusion = q.status;
    const notional = mid === null ? null : o.qty * mid;
    facts.set(`${o.source}|${o.trade_date}|${o.order_id}`, {
      o,
      s,
      q,
      mid,
      category,
      regular,
      directed,
      covered,
      receiptExclusion,
      sizeBucket: notional === null ? null : sizeBucket(notional),
      notional,
      sp500: onSp500(o.symbol, o.trade_date) ? 'Y' : 'N',
    });
  }

  const executions: FigureRow[] = [];
  const fillsOf = new Map<string, FigureRow[]>();
  for (const x of data.executions) {
    const f = facts.get(`${x.source}|${x.trade_date}|${x.order_id}`);
    const vt = terms(x.source, x.venue, x.trade_date);
    const row = executionRow(x, f, vt, book);
    executions.push(row);
    if (f) {
      const k = `${x.source}|${x.trade_date}|${x.order_id}`;
      const list = fillsOf.get(k) ?? [];
      list.push(row);
      fillsOf.set(k, list);
    }
  }

  const orders: FigureRow[] = [];
  for (const [k, f] of facts) {
    const fills = fillsOf.get(k) ?? [];
    const routes = data.routes.filter((r) => r.source === f.o.source && r.trade_date === f.o.trade_date && r.order_id === f.o.order_id);
    orders.push(orderRow(f, fills, routes, (venue) => terms(f.o.source, venue, f.o.trade_date)?.pfof_per_share ?? 0));
  }
  return { orders, executions };
}

function executionRow(
  x: ExecutionRow,
  f: OrderFacts | undefined,
  vt: LakeData['venues'][number] | null,
  book: ReturnType<typeof quoteBook>,
): FigureRow {
  const row: FigureRow = {
    source: x.source,
    trade_date: x.trade_date,
    exec_id: x.exec_id,
    order_id: x.order_id,
    exec_us: x.exec_ts,
    price: x.price,
    qty: x.qty,
    fee: x.fee ?? null,
    venue: x.venue,
    venue_type: vt?.venue_type ?? null,
    venue_approved: vt?.approved ?? null,
    pfof_per_share: vt ? vt.pfof_per_share : null,
    pfof_venue: (vt?.pfof_per_share ?? 0) > 0,
    fee_per_share_paid: x.fee === null || x.fee === undefined ? null : x.fee / x.qty,
    covered: false,
  };
  if (!f) {
    row.exclusion_reason = 'orphan_execution';
    for (const h of HORIZONS) row[`mid_${h}s_status`] = 'orphan_execution';
    return row;
  }
  const { o, s } = f;
  const atExec = book(o.symbol, x.trade_date, x.exec_ts);
  const midExec = usableMid(atExec);
  const later = Object.fromEntries(HORIZONS.map((h) => [h, book(o.symbol, x.trade_date, x.exec_ts + h * 1_000_000)])) as Record<
    (typeof HORIZONS)[number],
    ReturnType<typeof book>
  >;
  const mids = Object.fromEntries(HORIZONS.map((h) => [h, usableMid(later[h])])) as Record<(typeof HORIZONS)[number], number | null>;
  const fillMs = (x.exec_ts - o.received_ts) / 1000;
  Object.assign(row, {
    symbol: o.symbol,
    side: o.side,
    side_sign: s,
    order_type: o.order_type,
    order_category: f.category,
    size_bucket: f.sizeBucket,
    sp500: f.sp500,
    regular_hours: f.regular,
    directed: f.directed,
    covered: f.covered,
    exclusion_reason: f.receiptExclusion ?? (x.exec_ts < o.received_ts ? 'negative_exec_time' : null),
    received_us: o.received_ts,
    nbbo_status: f.q.status,
    nbb_receipt: f.q.bid,
    nbo_receipt: f.q.ask,
    mid_receipt: f.mid,
    quoted_spread_receipt: f.q.status === 'ok' ? (f.q.ask as number) - (f.q.bid as number) : null,
    nbb_exec: atExec.bid,
    nbo_exec: atExec.ask,
    mid_exec: midExec,
    exec_quote_status: atExec.status,
    fill_time_ms: fillMs,
    exec_time_ms: f.covered && fillMs >= 0 ? fillMs : null,
    price_improvement: f.covered ? (s === 1 ? (f.q.ask as number) - x.price : x.price - (f.q.bid as number)) : null,
    effective_spread: f.covered ? 2 * s * (x.price - (f.mid as number)) : null,
    outside_nbbo_amount: atExec.status === 'ok' ? (s === 1 ? x.price - (atExec.ask as number) : (atExec.bid as number) - x.price) : null,
  });
  for (const h of HORIZONS) {
    const m = mids[h];
    row[`mid_${h}s`] = m;
    row[`mid_${h}s_status`] = later[h].status;
    row[`markout_${h}s`] = m === null ? null : s * (m - x.price);
    row[`price_impact_${h}s`] = m === null || midExec === null ? null : s * (m - midExec);
  }
  row.realized_spread_15s = f.covered && mids[15] !== null ? 2 * s * (x.price - mids[15]) : null;
  row.realized_spread_60s = f.covered && mids[60] !== null ? 2 * s * (x.price - mids[60]) : null;
  return row;
}

function orderRow(f: OrderFacts, fills: FigureRow[], routes: LakeData['routes'], pfofOf: (venue: string) => number): FigureRow {
  const { o } = f;
  const q = (r: FigureRow) => r.qty as number;
  const num = (name: string) => (r: FigureRow) => r[name] as number | null;
  const shares = fills.reduce((a, r) => a + q(r), 0);
  const first = fills.length ? Math.min(...fills.map((r) => r.exec_us as number)) : null;
  const pis = fills.filter((r) => r.price_improvement !== null);
  const row: FigureRow = {
    source: o.source,
    trade_date: o.trade_date,
    order_id: o.order_id,
    symbol: o.symbol,
    side: o.side,
    side_sign: f.s,
    order_type: o.order_type,
    tif: o.tif,
    limit_price: o.limit_price,
    qty: o.qty,
    received_us: o.received_ts,
    canceled_us: o.canceled_ts,
    directed: f.directed,
    order_category: f.category,
    size_bucket: f.sizeBucket,
    sp500: f.sp500,
    regular_hours: f.regular,
    covered: f.covered,
    nbbo_status: f.q.status,
    exclusion_reason: f.receiptExclusion ?? (first !== null && first < o.received_ts ? 'negative_exec_time' : null),
    nbb: f.q.bid,
    nbo: f.q.ask,
    mid: f.mid,
    quoted_spread: f.q.status === 'ok' ? (f.q.ask as number) - (f.q.bid as number) : null,
    quote_age_ms: f.q.ts === null ? null : (o.received_ts - f.q.ts) / 1000,
    notional: f.notional,
    executions: fills.length,
    shares_executed: shares,
    first_fill_us: first,
    first_fill_ms: first === null ? null : (first - o.received_ts) / 1000,
    filled: fills.length > 0,
    canceled_unfilled: o.canceled_ts !== null && fills.length === 0,
    unfilled_shares: Math.max(o.qty - shares, 0),
    routed_shares: routes.reduce((a, r) => a + r.qty, 0),
    pfof_routed_shares: routes.filter((r) => pfofOf(r.venue) > 0).reduce((a, r) => a + r.qty, 0),
    pfof_executed_shares: fills.filter((r) => r.pfof_venue === true).reduce((a, r) => a + q(r), 0),
    avg_price: wmean(fills, num('price'), q),
    price_improvement: wmean(fills, num('price_improvement'), q),
    effective_spread: wmean(fills, num('effective_spread'), q),
    realized_spread_15s: wmean(fills, num('realized_spread_15s'), q),
    realized_spread_60s: wmean(fills, num('realized_spread_60s'), q),
    exec_time_ms: wmean(fills, num('exec_time_ms'), q),
    shares_improved: pis.length ? pis.filter((r) => (r.price_improvement as number) > 0).reduce((a, r) => a + q(r), 0) : null,
    shares_at_quote: pis.length ? pis.filter((r) => r.price_improvement === 0).reduce((a, r) => a + q(r), 0) : null,
    shares_outside_quote: pis.length ? pis.filter((r) => (r.price_improvement as number) < 0).reduce((a, r) => a + q(r), 0) : null,
    improvement_amount: pis.length ? pis.reduce((a, r) => a + Math.max(r.price_improvement as number, 0) * q(r), 0) : null,
    outside_amount: pis.length ? pis.reduce((a, r) => a + Math.max(-(r.price_improvement as number), 0) * q(r), 0) : null,
    resting_time_to_fill_ms:
      f.category === 'non_marketable_limit'
        ? wmean(fills, (r) => ((r.fill_time_ms as number) >= 0 ? (r.fill_time_ms as number) : null), q)
        : null,
    net_price_improvement: pis.length
      ? pis.reduce((a, r) => a + (r.price_improvement as number) * q(r) - ((r.fee as number | null) ?? 0), 0) /
        pis.reduce((a, r) => a + q(r), 0)
      : null,
  };
  for (const h of HORIZONS) {
    row[`markout_${h}s`] = wmean(fills, num(`markout_${h}s`), q);
    row[`price_impact_${h}s`] = wmean(fills, num(`price_impact_${h}s`), q);
  }
  return row;
}
