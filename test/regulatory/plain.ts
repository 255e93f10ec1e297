/**
 * A second, deliberately plain implementation of the Rule 605 and Rule 606 figures, straight from
 * metrics.md and the SEC texts: loops over the generated rows and a binary search for the NBBO in
 * effect. Used only by tests, to check the SQL's output; it shares no code with it.
 */

import { lastAtOrBefore } from '../reference/quote-book';
import { sizeBucket } from '../reference/size-bucket';
import type { LakeRows, Row } from './lake';
import { tradeDateOf } from './lake';

interface Quote {
  ts: number;
  bid: number;
  ask: number;
}

export type QuoteIndex = Map<string, Quote[]>;

/** Quotes per symbol by time; equal times keep file (input) order, so the last one wins. */
export function indexQuotes(quotes: readonly Row[]): QuoteIndex {
  const idx: QuoteIndex = new Map();
  quotes.forEach((q) => {
    const list = idx.get(String(q.symbol)) ?? [];
    list.push({ ts: Date.parse(String(q.ts)), bid: Number(q.bid), ask: Number(q.ask) });
    idx.set(String(q.symbol), list);
  });
  for (const list of idx.values()) {
    const withPos = list.map((q, i) => ({ q, i }));
    withPos.sort((a, b) => a.q.ts - b.q.ts || a.i - b.i);
    list.splice(0, list.length, ...withPos.map((x) => x.q));
  }
  return idx;
}

/** The last quote with ts <= t (binary search). */
export function asOf(idx: QuoteIndex, symbol: string, t: number): Quote | undefined {
  const list = idx.get(symbol);
  return list ? lastAtOrBefore(list, t) : undefined;
}

export const usable = (q: Quote | undefined, t: number, maxAgeS: number): q is Quote =>
  q !== undefined && q.bid < q.ask && (t - q.ts) / 1000 <= maxAgeS;

const ms = (iso: unknown): number => Date.parse(String(iso));
const isBuy = (o: Row): boolean => o.side === 'B';

export type Category = 'market' | 'marketable_limit' | 'non_marketable_limit' | 'other';

export function category(o: Row, idx: QuoteIndex, maxAgeS: number): Category {
  if (o.tif === 'OPG' || o.tif === 'CLS') return 'other';
  if (o.order_type === 'MKT') return 'market';
  const t = ms(o.received_ts);
  const q = asOf(idx, String(o.symbol), t);
  if (!usable(q, t, maxAgeS)) return 'other';
  const lim = Number(o.limit_price);
  return (isBuy(o) && lim >= q.ask) || (!isBuy(o) && lim <= q.bid) ? 'marketable_limit' : 'non_marketable_limit';
}

/** On the SP500 list since the first day of the month of `date`. */
export function sp500(reference: readonly Row[], symbol: string, date: string): 'Y' | 'N' {
  const first = `${date.slice(0, 7)}-01`;
  return reference.some((r) => r.list === 'SP500' && r.symbol === symbol && String(r.effective_from) <= first) ? 'Y' : 'N';
}

const key = (...p: (string | number)[]): string => p.join('|');
const orderKey = (source: unknown, date: string, id: unknown): string => key(String(source), date, String(id));

// ── Rule 606 ────────────────────────────────────────────────────────────────────────────────────

export interface Plain606Section {
  total: number;
  nd: number;
  ndByType: Record<Category, number>;
  /** venue → type → orders routed, shares routed, net USD */
  venues: Map<string, Record<Category, { orders: Set<string>; shares: number; net: number }>>;
}

const emptyTypes = <T>(f: () => T): Record<Category, T> => ({ market: f(), marketable_limit: f(), non_marketable_limit: f(), other: f() });

function termsOf(venues: readonly Row[], source: string, venue: string, date: string): { pfof: number; fee: number; rebate: number } {
  let best: Row | undefined;
  for (const v of venues) {
    if (v.source !== source || v.venue !== venue || String(v.effective_from) > date) continue;
    if (!best || String(v.effective_from) > String(best.effective_from)) best = v;
  }
  return { pfof: Number(best?.pfof_per_share ?? 0), fee: Number(best?.fee_per_share ?? 0), rebate: Number(best?.rebate_per_share ?? 0) };
}

/** Per `${year}-${mon}|${Y/N}` section: the Rule 606 counts and per-venue routing of one period [start, end). */
export function plain606(rows: LakeRows, start: string, end: string, maxAgeS: number): Map<string, Plain606Section> {
  const idx = indexQuotes(rows.quotes ?? []);
  const out = new Map<string, Plain606Section>();
  const routesBy = new Map<string, Row[]>();
  for (const r of rows.routes ?? []) {
    const k = orderKey(r.source, tradeDateOf(String(r.sent_ts)), r.order_id);
    routesBy.set(k, [...(routesBy.get(k) ?? []), r]);
  }
  const execsBy = new Map<string, Row[]>();
  for (const e of rows.executions ?? []) {
    const k = orderKey(e.source, tradeDateOf(String(e.exec_ts)), e.order_id);
    execsBy.set(k, [...(execsBy.get(k) ?? []), e]);
  }
  for (const o of rows.orders ?? []) {
    const date = tradeDateOf(String(o.received_ts));
    if (date < start || date >= end) continue;
    const sk = key(`${Number(date.slice(0, 4))}-${Number(date.slice(5, 7))}`, sp500(rows.reference ?? [], String(o.symbol), date));
    let s = out.get(sk);
    if (!s) {
      s = { total: 0, nd: 0, ndByType: emptyTypes(() => 0), venues: new Map() };
      out.set(sk, s);
    }
    s.total++;
    if ((o.directed ?? 'N') !== 'N') continue;
    const cat = category(o, idx, maxAgeS);
    s.nd++;
    s.ndByType[cat]++;
    const ok = orderKey(o.source, date, o.order_id);
    const execs = execsBy.get(ok) ?? [];
    const legs = routesBy.get(ok) ?? execs;
    const slot = (venue: string) => {
      let v = s.venues.get(venue);
      if (!v) {
        v = emptyTypes(() => ({ orders: new Set<string>(), shares: 0, net: 0 }));
        s.venues.set(venue, v);
      }
      return v[cat];
    };
    for (const l of legs) {
      const v = slot(String(l.venue));
      v.orders.add(ok);
      v.shares += Number(l.qty);
      v.net += Number(l.qty) * termsOf(rows.venues ?? [], String(o.source), String(l.venue), date).pfof;
    }
    for (const e of execs) {
      const t = termsOf(rows.venues ?? [], String(o.source), String(e.venue), date);
      const q = Number(e.qty);
      const fee = e.fee === null || e.fee === undefined ? null : Number(e.fee);
      slot(String(e.venue)).net += fee !== null ? -fee : e.liquidity === 'A' ? q * t.rebate : -q * t.fee;
    }
  }
  return out;
}

// ── Rule 605 ────────────────────────────────────────────────────────────────────────────────────

export interface Plain605Cell {
  orders: number;
  qty: number;
  notional: number;
  shares: number;
  midQ: number;
  atOrBetter: number;
  improved: number;
  piQ: number;
  esQ: number;
  quotedQ: number;
  rs15Q: number;
  rs15MidQ: number;
  rs60Q: number;
  rs60MidQ: number;
  timeQ: number;
  timeShares: number;
}

/** Sums per `${sp500}|${M/ML}|${size}` (with 199999 = every size under $200,000) for one month. */
export function plain605Sums(rows: LakeRows, start: string, end: string, maxAgeS: number): Map<string, Plain605Cell> {
  const idx = indexQuotes(rows.quotes ?? []);
  const out = new Map<string, Plain605Cell>();
  const cell = (k: string): Plain605Cell => {
    let c = out.get(k);
    if (!c) {
      c = {
        orders: 0,
        qty: 0,
        notional: 0,
        shares: 0,
        midQ: 0,
        atOrBetter: 0,
        improved: 0,
        piQ: 0,
        esQ: 0,
        quotedQ: 0,
        rs15Q: 0,
        rs15MidQ: 0,
        rs60Q: 0,
        rs60MidQ: 0,
        timeQ: 0,
        timeShares: 0,
      };
      out.set(k, c);
    }
    return c;
  };
  for (const o of rows.orders ?? []) {
    const date = tradeDateOf(String(o.received_ts));
    if (date < start || date >= end) continue;
    if (['IOC', 'FOK', 'OPG', 'CLS'].includes(String(o.tif))) continue;
    const t = ms(o.received_ts);
    const q = asOf(idx, String(o.symbol), t);
    if (!usable(q, t, maxAgeS)) continue;
    const buy = isBuy(o);
    const lim = Number(o.limit_price);
    const type = o.order_type === 'MKT' ? 'M' : (buy && lim >= q.ask) || (!buy && lim <= q.bid) ? 'ML' : null;
    if (!type) continue;
    const mid = (q.bid + q.ask) / 2;
    const notional = Number(o.qty) * mid;
    const size = sizeBucket(notional);
    const cells = [key(sp500(rows.reference ?? [], String(o.symbol), date), type, size)];
    if (size !== '200000') cells.push(key(sp500(rows.reference ?? [], String(o.symbol), date), type, '199999'));
    const s = buy ? 1 : -1;
    const fills = (rows.executions ?? []).filter(
      (e) => e.source === o.source && e.order_id === o.order_id && tradeDateOf(String(e.exec_ts)) === date,
    );
    for (const k of cells) {
      const c = cell(k);
      c.orders++;
      c.qty += Number(o.qty);
      c.notional += notional;
      for (const e of fills) {
        const p = Number(e.price);
        const n = Number(e.qty);
        const tx = ms(e.exec_ts);
        const pi = buy ? q.ask - p : p - q.bid;
        c.shares += n;
        c.midQ += mid * n;
        if (pi >= 0) c.atOrBetter += n;
        if (pi > 0) c.improved += n;
        c.piQ += pi * n;
        c.esQ += 2 * s * (p - mid) * n;
        c.quotedQ += (q.ask - q.bid) * n;
        for (const [tau, sum, midSum] of [
          [15_000, 'rs15Q', 'rs15MidQ'],
          [60_000, 'rs60Q', 'rs60MidQ'],
        ] as const) {
          const later = asOf(idx, String(o.symbol), tx + tau);
          if (usable(later, tx + tau, maxAgeS)) {
            c[sum] += 2 * s * (p - (later.bid + later.ask) / 2) * n;
            c[midSum] += mid * n;
          }
        }
        const time = tx - t;
        if (time >= 0) {
          c.timeQ += time * n;
          c.timeShares += n;
        }
      }
    }
  }
  return out;
}

/** The twelve Rule 605 figures of a cell (fractions, as the file writes them); null = no data. */
export function plain605Figures(c: Plain605Cell): Record<string, number | null> {
  const div = (a: number, b: number): number | null => (b === 0 ? null : a / b);
  return {
    AvgOrderQty: c.qty / c.orders,
    AvgOrderSize: c.notional / c.orders,
    ExctdOrderMidPtAvg: div(c.midQ, c.shares),
    PctExctdAtQuotOrBetter: div(c.atOrBetter, c.shares),
    PctExctdPI: div(c.improved, c.shares),
    WghtdAvgPctPI: div(c.piQ, c.midQ),
    AvgEffctvSprdPct: div(c.esQ, c.midQ),
    AvgPctQuotSprd: div(c.quotedQ, c.midQ),
    AvgEFQPct: div(c.esQ, c.quotedQ),
    AvgRealSprdPct15sec: div(c.rs15Q, c.rs15MidQ),
    AvgRealSprdPct1min: div(c.rs60Q, c.rs60MidQ),
    WghtdAvgExctnTime: div(c.timeQ, c.timeShares),
  };
}
