/**
 * A hand-built trade date (2026-07-01) for the daily exceptions: a clean baseline that must raise
 * nothing, and one planted case per exception kind (plus near misses that must not fire), each
 * with the id the test expects back. Quotes move once a minute, so every price is easy to check:
 * AAA bid 50.00 + 0.01·(minute mod 5), ask = bid + 0.02; PNY 0.5000 × 0.5004; GAP quoted until
 * 13:50:00 only (stale after 13:50:10).
 */
import type { ExceptionRow } from '../../lambdas/core/exceptions/exceptions';
import type { LakeRows, Row } from '../regulatory/lake';

export const DAY = '2026-07-01';
export const TOLERANCE = 0.005;

/** One exception row with every field set (a medium slow fill of o1), overridden by `over`. */
export const exceptionRow = (over: Partial<ExceptionRow> = {}): ExceptionRow => ({
  trade_date: DAY,
  source: 'acme-sor',
  kind: 'slow_fill',
  severity: 'medium',
  order_id: 'o1',
  exec_id: null,
  symbol: 'AAA',
  venue: 'XNAS',
  detail: 'd',
  value: 2000,
  threshold: 1000,
  ...over,
});

export const at = (hms: string, date = DAY): string => `${date}T${hms}Z`;

export function nbbo(symbol: string, iso: string): { bid: number; ask: number } {
  if (symbol === 'PNY') return { bid: 0.5, ask: 0.5004 };
  const minute = new Date(iso).getUTCMinutes();
  const bid = Math.round((50 + 0.01 * (minute % 5)) * 100) / 100;
  return { bid, ask: Math.round((bid + 0.02) * 100) / 100 };
}

const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** Weekdays before DAY, most recent first. */
export function weekdaysBefore(n: number): string[] {
  const out: string[] = [];
  const d = new Date(`${DAY}T00:00:00Z`);
  while (out.length < n) {
    d.setUTCDate(d.getUTCDate() - 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

interface Builder {
  orders: Row[];
  routes: Row[];
  executions: Row[];
}

let seq = 0;
/** A market or limit order with its route and fills; fills are [delay ms, price offset from the touch, venue?]. */
function order(
  b: Builder,
  o: {
    source: string;
    id: string;
    symbol?: string;
    side?: string;
    type?: 'MKT' | 'LMT';
    limit?: number;
    tif?: string;
    qty?: number;
    received: string;
    canceledAfterMs?: number;
    vendor?: { nbb?: number; nbo?: number } | 'exact';
    fills?: { afterMs: number; offset?: number; venue?: string; id?: string }[];
    route?: string | null;
  },
): void {
  const symbol = o.symbol ?? 'AAA';
  const side = o.side ?? 'B';
  const q = nbbo(symbol, o.received);
  const vendor = o.vendor === 'exact' ? { nbb: q.bid, nbo: q.ask } : (o.vendor ?? {});
  b.orders.push({
    source: o.source,
    order_id: o.id,
    symbol,
    side,
    order_type: o.type ?? 'MKT',
    limit_price: o.type === 'LMT' ? (o.limit ?? null) : null,
    tif: o.tif ?? 'DAY',
    qty: o.qty ?? 100,
    received_ts: o.received,
    directed: 'N',
    vendor_nbb: vendor.nbb ?? null,
    vendor_nbo: vendor.nbo ?? null,
    canceled_ts: o.canceledAfterMs === undefined ? null : plus(o.received, o.canceledAfterMs),
  });
  const venue = o.route === undefined ? 'XNAS' : o.route;
  if (venue)
    b.routes.push({ source: o.source, route_id: `${o.id}-r`, order_id: o.id, venue, sent_ts: plus(o.received, 2), qty: o.qty ?? 100 });
  for (const f of o.fills ?? []) {
    const t = plus(o.received, f.afterMs);
    const fq = nbbo(symbol, t);
    const touch = side === 'B' ? fq.ask : fq.bid;
    const price = Math.round((touch + (f.offset ?? 0)) * 1e6) / 1e6;
    b.executions.push({
      source: o.source,
      exec_id: f.id ?? `${o.id}-e${++seq}`,
      order_id: o.id,
      route_id: venue ? `${o.id}-r` : null,
      venue: f.venue ?? venue ?? 'XNAS',
      exec_ts: t,
      price,
      qty: o.qty ?? 100,
      liquidity: 'R',
      fee: null,
    });
  }
}

function quotes(): Row[] {
  const out: Row[] = [];
  for (let s = 0; s < 1800; s++) {
    const ts = new Date(Date.parse(at('13:30:00')) + s * 1000).toISOString();
    for (const sym of ['AAA', 'PNY']) out.push({ symbol: sym, ts, ...nbbo(sym, ts) });
    if (ts <= at('13:50:00')) out.push({ symbol: 'GAP', ts, bid: 20, ask: 20.02 });
  }
  return out;
}

function venues(): Row[] {
  const v = (source: string, venue: string, approved: string, from: string): Row => ({
    source,
    venue,
    name: `${venue} venue`,
    venue_type: 'EXCHANGE',
    approved,
    pfof_per_share: 0,
    fee_per_share: 0.003,
    rebate_per_share: 0.002,
    effective_from: from,
  });
  return [
    ...['acme-sor', 'bolt-sor'].flatMap((s) => [v(s, 'XNAS', 'Y', '2026-01-02'), v(s, 'ARCX', 'Y', '2026-01-02')]),
    // LATE: not approved at first, approved from mid-June: approved as of the day.
    v('acme-sor', 'LATE', 'N', '2026-01-02'),
    v('acme-sor', 'LATE', 'Y', '2026-06-15'),
    // NEWV: not approved yet on the day; the approval takes effect the day after.
    v('acme-sor', 'NEWV', 'N', '2026-01-02'),
    v('acme-sor', 'NEWV', 'Y', '2026-07-02'),
  ];
}

/** History: 22 weekdays of marketable orders per source; acme fills in 100-300 ms, bolt in 2.8-3.2 s. */
function history(b: Builder, opts: { oldOutliers: boolean }): void {
  weekdaysBefore(22).forEach((d, back) => {
    for (let k = 0; k < 5; k++) {
      const received = at(`14:0${k}:20`, d);
      // The 21st and 22nd weekdays back are outside the 20-day window: huge fills there must not count.
      const acmeMs = opts.oldOutliers && back >= 20 ? 60_000 : 100 + 50 * k;
      order(b, { source: 'acme-sor', id: `h-acme-${d}-${k}`, received, fills: [{ afterMs: acmeMs }] });
      order(b, { source: 'bolt-sor', id: `h-bolt-${d}-${k}`, received, fills: [{ afterMs: 2800 + 100 * k }] });
    }
  });
}

/** The day's clean baseline: marketable orders filled fast at the touch, resting limits, exact vendor NBBOs. */
function baseline(b: Builder): void {
  for (const source of ['acme-sor', 'bolt-sor']) {
    for (let k = 0; k < 12; k++) {
      const received = at(`13:${31 + k}:${15 + k}`);
      const q = nbbo('AAA', received);
      order(b, {
        source,
        id: `${source}-mkt-${k}`,
        received,
        side: k % 2 ? 'S' : 'B',
        vendor: 'exact',
        fills: [{ afterMs: 120 + 10 * k, venue: k % 3 ? 'XNAS' : 'ARCX' }],
      });
      order(b, {
        source,
        id: `${source}-ml-${k}`,
        type: 'LMT',
        limit: q.ask,
        received: plus(received, 5000),
        vendor: 'exact',
        fills: [{ afterMs: 200, offset: -0.01 }], // improved by a cent
      });
      order(b, {
        source,
        id: `${source}-rest-${k}`,
        type: 'LMT',
        limit: q.bid - 0.05,
        received: plus(received, 9000),
        canceledAfterMs: 600_000,
        vendor: 'exact',
      });
    }
    // A resting limit order that fills after 20 s: slow, but not marketable, so not slow_fill.
    order(b, {
      source,
      id: `${source}-rest-fill`,
      type: 'LMT',
      limit: 49.95,
      received: at('13:45:20'),
      fills: [{ afterMs: 20_000, offset: -0.15 }],
    });
    // Sub-dollar stock, vendor NBBO within one tick.
    order(b, {
      source,
      id: `${source}-pny`,
      symbol: 'PNY',
      received: at('13:46:20'),
      vendor: { nbb: 0.5001, nbo: 0.5004 },
      fills: [{ afterMs: 150 }],
    });
  }
  // Approved as of the day thanks to the June record.
  order(b, { source: 'acme-sor', id: 'late-ok', received: at('13:47:20'), route: 'LATE', fills: [{ afterMs: 150 }] });
  // A GTC order from two days before, filled on the day: not an orphan.
  order(b, { source: 'acme-sor', id: 'gtc-1', type: 'LMT', tif: 'GTC', limit: 49, received: at('14:00:00', '2026-06-29'), route: null });
  b.executions.push({
    source: 'acme-sor',
    exec_id: 'gtc-1-e',
    order_id: 'gtc-1',
    venue: 'XNAS',
    exec_ts: at('13:48:10'),
    price: 49,
    qty: 100,
    liquidity: 'A',
    fee: -0.2,
  });
  // Stale NBBO at execution (GAP quotes stop at 13:50:00): even a wild price is not judged.
  order(b, { source: 'bolt-sor', id: 'gap-1', symbol: 'GAP', received: at('13:50:30'), fills: [{ afterMs: 100, offset: 1 }] });
  // Exactly at the tolerance: not outside.
  order(b, { source: 'acme-sor', id: 'edge-1', received: at('13:52:20'), fills: [{ afterMs: 100, offset: TOLERANCE, id: 'edge-1-e' }] });
  // Vendor NBO exactly one tick off: not a mismatch.
  order(b, { source: 'acme-sor', id: 'tick-1', received: at('13:53:20'), vendor: { nbb: 50.03, nbo: 50.06 }, fills: [{ afterMs: 100 }] });
  // Marketable order canceled within the timeout with no fill: fine.
  order(b, { source: 'bolt-sor', id: 'ioc-1', tif: 'IOC', received: at('13:54:20'), canceledAfterMs: 5000 });
}

/** What the planted cases must raise: kind → the ids (exec_id when the row has one, else order_id). */
export const PLANTED: Record<string, string[]> = {
  slow_fill: ['acme-sor:slow-1'],
  unapproved_venue: ['acme-sor:badv-1-e', 'acme-sor:newv-1-e'],
  outside_nbbo: ['acme-sor:out-buy-e', 'bolt-sor:out-sell-e'],
  unfilled_marketable: ['acme-sor:unf-never', 'bolt-sor:unf-late'],
  orphan: ['acme-sor:orph-e', 'bolt-sor:nope-2'],
  nbbo_mismatch: ['acme-sor:mm-bid', 'bolt-sor:mm-pny'],
};

function planted(b: Builder): void {
  // 2.5 s first fill: slow for acme (floor 1 s, its p99 ~0.3 s), not for bolt (its p99 is ~3.2 s).
  order(b, { source: 'acme-sor', id: 'slow-1', received: at('13:55:10'), fills: [{ afterMs: 2500 }] });
  order(b, { source: 'bolt-sor', id: 'slow-bolt-ok', received: at('13:55:10'), fills: [{ afterMs: 2500 }] });
  order(b, { source: 'acme-sor', id: 'badv-1', received: at('13:55:20'), route: 'BADV', fills: [{ afterMs: 100, id: 'badv-1-e' }] });
  order(b, { source: 'acme-sor', id: 'newv-1', received: at('13:55:25'), route: 'NEWV', fills: [{ afterMs: 100, id: 'newv-1-e' }] });
  order(b, { source: 'acme-sor', id: 'out-buy', received: at('13:56:20'), fills: [{ afterMs: 100, offset: 0.02, id: 'out-buy-e' }] });
  order(b, {
    source: 'bolt-sor',
    id: 'out-sell',
    side: 'S',
    received: at('13:56:25'),
    fills: [{ afterMs: 100, offset: -0.03, id: 'out-sell-e' }],
  });
  order(b, { source: 'acme-sor', id: 'unf-never', received: at('13:57:20') });
  const q = nbbo('AAA', at('13:57:25'));
  order(b, { source: 'bolt-sor', id: 'unf-late', type: 'LMT', limit: q.ask + 0.01, received: at('13:57:25'), canceledAfterMs: 120_000 });
  // A resting limit order, never filled nor canceled: not marketable, so not an exception.
  order(b, { source: 'bolt-sor', id: 'unf-resting', type: 'LMT', limit: q.bid - 0.02, received: at('13:57:30') });
  b.executions.push({
    source: 'acme-sor',
    exec_id: 'orph-e',
    order_id: 'nope-1',
    venue: 'XNAS',
    exec_ts: at('13:58:00'),
    price: 50,
    qty: 100,
    liquidity: 'R',
    fee: null,
  });
  b.routes.push({ source: 'bolt-sor', route_id: 'orph-r', order_id: 'nope-2', venue: 'ARCX', sent_ts: at('13:58:05'), qty: 100 });
  const m = nbbo('AAA', at('13:58:20'));
  order(b, {
    source: 'acme-sor',
    id: 'mm-bid',
    received: at('13:58:20'),
    vendor: { nbb: m.bid - 0.02, nbo: m.ask },
    fills: [{ afterMs: 100 }],
  });
  order(b, {
    source: 'bolt-sor',
    id: 'mm-pny',
    symbol: 'PNY',
    received: at('13:58:30'),
    vendor: { nbb: 0.4998, nbo: 0.5004 },
    fills: [{ afterMs: 100 }],
  });
  // Due diligence: new-sor routes orders with no venues record at all (its one order rests unfilled).
  order(b, { source: 'new-sor', id: 'new-1', type: 'LMT', limit: 49, received: at('13:59:20'), route: null });
}

/** Sources the due-diligence check must call stale on the planted day (old-sor's record is from 2025-05-01). */
export const STALE_SOURCES = ['new-sor', 'old-sor'];

export function lake(opts: { planted: boolean }): LakeRows {
  const b: Builder = { orders: [], routes: [], executions: [] };
  history(b, { oldOutliers: true });
  baseline(b);
  const v = venues();
  if (opts.planted) {
    planted(b);
    v.push({ ...(v[0] as Row), source: 'old-sor', effective_from: '2025-05-01' });
  }
  return { ...b, quotes: quotes(), venues: v };
}
