/**
 * Seeded synthetic market for the regulatory and exception tests: NBBO quotes per symbol (with a
 * few crossed, locked and stale stretches), orders of every kind (market, marketable and resting
 * limit, IOC/OPG/CLS, directed), routes (some orders with none), executions with and without fees,
 * venue records and the S&P 500 list. Rows are plain objects in the canonical schema's columns.
 */

/** The project's one seeded generator (mulberry32), so a seed means the same draws everywhere. */
import { seededRandom as rng } from '../../lambdas/core/review/stats';
import type { LakeRows, Row } from './lake';

export { rng };

export interface SymbolSpec {
  symbol: string;
  price: number;
  sp500: boolean;
}

export interface GenOptions {
  seed: number;
  days: string[];
  sources: string[];
  symbols: SymbolSpec[];
  ordersPerDay: number;
  /** Seconds between quote updates. */
  quoteStep: number;
  /** Quote window per day, minutes from 13:30Z. */
  minutes: number;
  /** Time-in-force values to draw from (default: mostly DAY, some IOC, GTC, OPG, CLS, FOK). */
  tifs?: readonly string[];
  /** Plant crossed, locked and stale quotes (default true). */
  quoteFaults?: boolean;
  /** Share of directed orders (default 0.1). */
  directedShare?: number;
}

export const VENUES = [
  { venue: 'XNYS', name: 'New York Stock Exchange', venue_type: 'EXCHANGE', pfof: 0, fee: 0.003, rebate: 0.0015 },
  { venue: 'XNAS', name: 'Nasdaq Stock Market', venue_type: 'EXCHANGE', pfof: 0, fee: 0.003, rebate: 0.002 },
  { venue: 'ARCX', name: 'NYSE Arca', venue_type: 'EXCHANGE', pfof: 0, fee: 0.003, rebate: 0.0021 },
  { venue: 'WHSL', name: 'Wholesale  Market   Maker & Co', venue_type: 'WHOLESALER', pfof: 0.0012, fee: 0, rebate: 0 },
  { venue: 'DRKP', name: 'Dark Pool ATS', venue_type: 'ATS', pfof: 0, fee: 0.001, rebate: 0 },
] as const;

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const iso = (ms: number): string => new Date(ms).toISOString();

export function generate(o: GenOptions): LakeRows {
  const rand = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const quotes: Row[] = [];
  const orders: Row[] = [];
  const routes: Row[] = [];
  const executions: Row[] = [];
  let oid = 0;
  let eid = 0;
  let rid = 0;
  for (const day of o.days) {
    const t0 = Date.parse(`${day}T13:30:00Z`);
    const t1 = t0 + o.minutes * 60_000;
    // Per symbol: a quote path, kept for the order generator below.
    const paths = new Map<string, { ts: number; bid: number; ask: number }[]>();
    for (const s of o.symbols) {
      const path: { ts: number; bid: number; ask: number }[] = [];
      let mid = s.price * (0.95 + 0.1 * rand());
      const tick = mid >= 1 ? 0.01 : 0.0001;
      // A stale stretch: no quote for 40 s somewhere in the window.
      const gapAt = t0 + Math.floor(rand() * (o.minutes * 60 - 100)) * 1000;
      for (let ts = t0 - 5000; ts < t1 + 120_000; ts += o.quoteStep * 1000) {
        if (o.quoteFaults !== false && ts > gapAt && ts < gapAt + 40_000) continue;
        mid = Math.max(tick * 10, mid * (1 + (rand() - 0.5) * 0.001));
        const half = tick * (1 + Math.floor(rand() * 3)) * 0.5;
        let bid = r6(Math.round((mid - half) / tick) * tick);
        let ask = r6(Math.round((mid + half) / tick) * tick);
        if (ask <= bid) ask = r6(bid + tick);
        const u = rand();
        const faults = o.quoteFaults !== false;
        if (faults && u < 0.01)
          [bid, ask] = [ask, bid]; // crossed
        else if (faults && u < 0.02) ask = bid; // locked
        path.push({ ts, bid, ask });
        quotes.push({ symbol: s.symbol, ts: iso(ts), bid, ask, bid_size: 100 * (1 + Math.floor(rand() * 9)), ask_size: 100 });
        // Same-instant update: the later line wins (the as-of tie rule).
        if (rand() < 0.02) {
          const b2 = r6(bid - tick);
          path.push({ ts, bid: b2, ask });
          quotes.push({ symbol: s.symbol, ts: iso(ts), bid: b2, ask, bid_size: 100, ask_size: 100 });
        }
      }
      paths.set(s.symbol, path);
    }
    const quoteAt = (sym: string, t: number): { ts: number; bid: number; ask: number } | undefined => {
      const p = paths.get(sym) ?? [];
      let best: { ts: number; bid: number; ask: number } | undefined;
      for (const q of p) if (q.ts <= t) best = q;
      return best;
    };
    for (const source of o.sources) {
      for (let k = 0; k < o.ordersPerDay; k++) {
        const s = pick(o.symbols);
        const received = t0 + Math.floor(rand() * (o.minutes * 60_000 - 10_000));
        const q = quoteAt(s.symbol, received) ?? { ts: received, bid: s.price, ask: s.price + 0.01 };
        const side = pick(['B', 'B', 'S', 'SS', 'SX'] as const);
        const buy = side === 'B';
        const mkt = rand() < 0.4;
        const tif = pick(o.tifs ?? ['DAY', 'DAY', 'DAY', 'DAY', 'IOC', 'GTC', 'OPG', 'CLS', 'FOK']);
        // Sizes spread over every Rule 605 bucket.
        const notional = pick([100, 600, 3000, 7000, 15000, 30000, 120000, 400000]);
        const qty = Math.max(1, Math.round((notional * (0.6 + 0.8 * rand())) / s.price));
        const tick = q.ask >= 1 ? 0.01 : 0.0001;
        const marketable = mkt || rand() < 0.5;
        const limit = mkt
          ? null
          : r6(
              buy
                ? marketable
                  ? q.ask + tick * Math.floor(rand() * 3)
                  : q.bid - tick
                : marketable
                  ? q.bid - tick * Math.floor(rand() * 3)
                  : q.ask + tick,
            );
        const id = `${source}-o${++oid}`;
        const directed = rand() < (o.directedShare ?? 0.1) ? 'Y' : 'N';
        const order: Row = {
          source,
          order_id: id,
          symbol: s.symbol,
          side,
          order_type: mkt ? 'MKT' : 'LMT',
          limit_price: limit,
          tif,
          qty,
          received_ts: iso(received),
          directed,
          vendor_nbb: rand() < 0.5 ? q.bid : null,
          vendor_nbo: rand() < 0.5 ? q.ask : null,
          canceled_ts: null,
        };
        orders.push(order);
        // Routing: usually 1-2 routes; 15 % of orders have none (the executions stand in).
        const legs = rand() < 0.15 ? [] : Array.from({ length: rand() < 0.3 ? 2 : 1 }, () => pick(VENUES).venue);
        const legQty = legs.length === 2 ? [Math.ceil(qty / 2), Math.floor(qty / 2)] : [qty];
        const legIds: string[] = [];
        legs.forEach((venue, j) => {
          const route_id = `${source}-r${++rid}`;
          legIds.push(route_id);
          if ((legQty[j] ?? 0) > 0)
            routes.push({ source, route_id, order_id: id, venue, sent_ts: iso(received + 5 + j), qty: legQty[j], route_type: 'IOC' });
        });
        // Fills: marketable orders fill in 20-900 ms; resting limits fill a third of the time, later.
        const fills = marketable ? 1 + (rand() < 0.3 ? 1 : 0) : rand() < 0.33 ? 1 : 0;
        let left = qty;
        for (let f = 0; f < fills && left > 0; f++) {
          const fq = f === fills - 1 ? left : Math.max(1, Math.floor(left / 2));
          left -= fq;
          const at = received + (marketable ? 20 + Math.floor(rand() * 880) : 5_000 + Math.floor(rand() * 60_000));
          const qq = quoteAt(s.symbol, at) ?? q;
          const u = rand();
          // Mostly at the quote, some improved, a few outside it.
          const px = buy
            ? qq.ask - (u < 0.3 ? tick / 2 : 0) + (u > 0.95 ? tick : 0)
            : qq.bid + (u < 0.3 ? tick / 2 : 0) - (u > 0.95 ? tick : 0);
          const venue = legs[f % Math.max(1, legs.length)] ?? pick(VENUES).venue;
          const liquidity = marketable ? 'R' : 'A';
          executions.push({
            source,
            exec_id: `${source}-e${++eid}`,
            order_id: id,
            route_id: legIds[f % Math.max(1, legIds.length)] ?? null,
            venue,
            exec_ts: iso(at),
            price: r6(px),
            qty: fq,
            liquidity: rand() < 0.1 ? null : liquidity,
            fee: rand() < 0.4 ? r6((liquidity === 'A' ? -0.002 : 0.003) * fq) : null,
          });
        }
      }
    }
  }
  const venues: Row[] = [];
  for (const source of o.sources) {
    for (const v of VENUES) {
      venues.push({
        source,
        venue: v.venue,
        name: v.name,
        venue_type: v.venue_type,
        approved: 'Y',
        pfof_per_share: v.pfof,
        fee_per_share: v.fee,
        rebate_per_share: v.rebate,
        effective_from: '2026-01-02',
      });
    }
  }
  const reference: Row[] = o.symbols
    .filter((s) => s.sp500)
    .map((s) => ({ source: 'firm', list: 'SP500', symbol: s.symbol, effective_from: '2020-01-01' }));
  return { quotes, orders, routes, executions, venues, reference };
}

export const SYMBOLS: SymbolSpec[] = [
  { symbol: 'AAPL', price: 190, sp500: true },
  { symbol: 'MSFT', price: 410, sp500: true },
  { symbol: 'KO', price: 61, sp500: true },
  { symbol: 'F', price: 12, sp500: true },
  { symbol: 'PLUG', price: 3.2, sp500: false },
  { symbol: 'SNDL', price: 0.85, sp500: false },
  { symbol: 'BRK.B', price: 455, sp500: true },
  { symbol: 'GME', price: 24, sp500: false },
];
