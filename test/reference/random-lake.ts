/**
 * Seeded random lakes for the property tests: few symbols, sources and venues, and coarse time
 * and price grids, so that ties (quote and order at the same instant, two quotes at one instant),
 * locked, crossed and stale quotes, orphans, sub-millisecond and negative execution times, routed
 * and unrouted orders and venue term changes all occur often.
 */
import { seededRandom } from '../../lambdas/core/review/stats';
import { emptyLake, type LakeData, micros, type OrderRow, tradeDate } from './lake';

/** The project's one seeded generator (mulberry32), under the name the generators here use. */
export const rng = seededRandom;

export interface RandomLakeOptions {
  orders?: number;
  quotesPerSymbolDay?: number;
  /**
   * Also place instants just before the end of regular hours (16:00 New York) and around New
   * York midnight (a trade-date boundary), and add directed orders, fees and rebates.
   */
  edges?: boolean;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function randomLake(seed: number, opts: RandomLakeOptions = {}): LakeData {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const d = emptyLake();
  const symbols = ['AAA', 'BBB', 'CCC'].slice(0, int(1, 3));
  const sources = ['acme-sor', 'bolt-sor'].slice(0, int(1, 2));
  const venues = ['XNAS', 'XNYS', 'EDGX'];
  // 2026-06-30 lies before the period and must be ignored.
  const days = ['2026-06-30', '2026-07-01', '2026-07-02'];
  // 14:00 UTC is mid-morning in New York; 19:59:50 UTC straddles the 16:00 close (EDT); 03:59:50
  // UTC straddles New York midnight, so one grid spans two trade dates.
  const anchors = opts.edges ? ['T14:00:00Z', 'T14:00:00Z', 'T19:59:50Z', 'T03:59:50Z'] : ['T14:00:00Z'];
  const base = (day: string): number => micros(`${day}${opts.edges ? pick(anchors) : (anchors[0] as string)}`);
  const basePrice: Record<string, number> = { AAA: 20, BBB: 100, CCC: 400 };
  // Grid of instants: every 250 ms over 40 s, sometimes half a millisecond later.
  const instant = (day: string): number => base(day) + int(0, 160) * 250_000 + (r() < 0.1 ? 500 : 0);

  let line = 0;
  for (const symbol of symbols) {
    for (const day of days) {
      const n = int(0, opts.quotesPerSymbolDay ?? 14);
      const file = pick(['sip/quotes/a.csv', 'sip/quotes/b.csv']);
      for (let i = 0; i < n; i++) {
        const bid = round6((basePrice[symbol] as number) + int(-5, 5) * 0.01);
        const spread = pick([0.01, 0.01, 0.02, 0.05, 0, -0.01]);
        const ts = instant(day);
        d.quotes.push({
          source: 'sip',
          source_key: r() < 0.5 ? file : 'sip/quotes/c.csv',
          source_line: ++line,
          symbol,
          ts,
          bid,
          ask: round6(bid + spread),
          trade_date: tradeDate(ts),
        });
        // A second quote at the same instant, in another file or later in the same one, so file
        // order (key, then line) must decide which one is the NBBO.
        if (opts.edges && r() < 0.3) {
          const other = d.quotes[d.quotes.length - 1] as (typeof d.quotes)[number];
          const tieBid = round6(bid + pick([-0.02, 0.01, 0.03]));
          const otherFile = other.source_key === 'sip/quotes/c.csv' ? file : 'sip/quotes/c.csv';
          d.quotes.push({
            ...other,
            // (by the line's parity, not a draw: the lakes' other edges keep their random stream)
            source_key: line % 2 === 0 ? otherFile : other.source_key,
            source_line: ++line,
            bid: tieBid,
            ask: round6(tieBid + pick([0.01, 0.02])),
          });
        }
      }
    }
  }

  let oid = 0;
  let xid = 0;
  let rid = 0;
  const lineage = (source: string, kind: 'executions' | 'routes') => ({
    source,
    source_key: `${source}/${kind}/f.csv`,
    source_line: ++line,
  });
  // One builder per row kind, for the orders' own rows and the orphans alike (lineage and ids counted here).
  const execution = (source: string, order_id: string, venue: string, exec_ts: number, price: number, qty: number, extra = {}) =>
    d.executions.push({
      ...lineage(source, 'executions'),
      exec_id: `x${++xid}`,
      order_id,
      venue,
      exec_ts,
      price,
      qty,
      trade_date: tradeDate(exec_ts),
      ...extra,
    });
  const route = (source: string, order_id: string, venue: string, sent_ts: number, qty: number) =>
    d.routes.push({
      ...lineage(source, 'routes'),
      route_id: `r${++rid}`,
      order_id,
      venue,
      sent_ts,
      qty,
      trade_date: tradeDate(sent_ts),
    });
  const nOrders = opts.orders ?? 12;
  for (const source of sources) {
    // Ids are unique per source only (the business key is source + id): each source numbers its
    // own, so one id names different orders in two sources, often on one date.
    [oid, xid, rid] = [0, 0, 0];
    for (let i = 0; i < int(0, nOrders); i++) {
      const symbol = pick(symbols);
      const day = pick(days);
      const side = pick(['B', 'B', 'S', 'SS', 'SX'] as const);
      const order_type = pick(['MKT', 'LMT', 'LMT'] as const);
      const px = basePrice[symbol] as number;
      const received_ts = instant(day);
      const o: OrderRow = {
        source,
        source_key: `${source}/orders/f.csv`,
        source_line: ++line,
        order_id: `o${++oid}`,
        symbol,
        side,
        order_type,
        limit_price: order_type === 'LMT' ? round6(px + int(-8, 8) * 0.01) : null,
        tif: pick(['DAY', 'DAY', 'DAY', 'IOC', 'OPG', 'CLS']),
        qty: pick([1, 5, 10, 100, 250, 1000, 3000]),
        received_ts,
        canceled_ts: r() < 0.3 ? received_ts + 5_000_000 : null,
        trade_date: tradeDate(received_ts),
        ...(opts.edges ? { directed: r() < 0.1 ? ('Y' as const) : ('N' as const) } : {}),
      };
      d.orders.push(o);
      const nx = pick([0, 0, 1, 1, 2, 3]);
      const execVenues: string[] = [];
      for (let j = 0; j < nx; j++) {
        const exec_ts = received_ts + pick([0, 500, 1000, 250_000, 2_500_000, 20_000_000, -1_000_000]);
        const venue = pick(venues);
        execVenues.push(venue);
        execution(
          source,
          o.order_id,
          venue,
          exec_ts,
          round6(px + int(-6, 6) * 0.01),
          pick([1, 10, 50, 100, 200]),
          opts.edges ? { fee: pick([null, 0.3, -0.2, 0]) } : {},
        );
      }
      if (r() < 0.4) {
        for (let j = 0; j < int(1, 2); j++) {
          const sent_ts = received_ts + 1000;
          route(source, o.order_id, pick([...execVenues, ...venues]), sent_ts, pick([10, 100, 500]));
        }
      }
    }
    // Orphans: an execution and a route whose order is not in the lake.
    if (r() < 0.5) {
      const exec_ts = instant(pick(days));
      execution(source, 'missing', pick(venues), exec_ts, 100, 7);
    }
    if (r() < 0.3) {
      const sent_ts = instant(pick(days));
      route(source, 'missing', pick(venues), sent_ts, 9);
    }
    for (const venue of venues) {
      const terms = int(0, 2);
      const froms = ['2026-01-01', '2026-07-02'];
      for (let j = 0; j < terms; j++) {
        d.venues.push({
          source,
          source_key: `${source}/venues/v.csv`,
          source_line: ++line,
          venue,
          venue_type: 'EXCHANGE',
          approved: 'Y',
          pfof_per_share: pick([0, 0.001, 0.0025]),
          effective_from: froms[j] as string,
        });
      }
    }
  }
  for (const symbol of symbols) {
    if (r() < 0.5)
      d.reference.push({
        source: 'firm',
        source_key: 'firm/reference/sp.csv',
        source_line: ++line,
        list: 'SP500',
        symbol,
        effective_from: pick(['2020-01-01', '2026-07-02']),
      });
    if (r() < 0.2)
      d.reference.push({
        source: 'firm',
        source_key: 'firm/reference/x.csv',
        source_line: ++line,
        list: 'R2000',
        symbol,
        effective_from: '2020-01-01',
      });
  }
  return d;
}
