/**
 * Hand-worked cases: every expected number below is computed by hand in the comment beside it
 * (or as the arithmetic written out), never taken from the SQL. Each scenario has its own source,
 * so its rows are isolated by the source column.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewMetricRow } from '../../lambdas/shared/metrics';
import { openEngine } from '../../lib/engine';
import { lake as baseLake, DAY, MS, S, T0 } from '../reference/hand-lake';
import { type ExecutionRow, type LakeData, micros, type OrderRow, writeLake } from '../reference/lake';
import { enrichLake, runMetricSql } from './compare';

let rows: ReviewMetricRow[] = [];
let dir: string;

/** The shared hand-worked lake, plus one scenario only the review metrics need. */
function lake(): LakeData {
  const d = baseLake();
  let line = 100_000;
  const L = (source: string) => ({ source, source_key: `${source}/f.csv`, source_line: ++line });
  const quote = (symbol: string, at: number, bid: number, ask: number) =>
    d.quotes.push({ ...L('sip'), source_key: 'sip/quotes/g.csv', symbol, ts: T0 + at, bid, ask, trade_date: DAY });
  const order = (
    source: string,
    o: Partial<OrderRow> & Pick<OrderRow, 'order_id' | 'symbol' | 'side' | 'order_type' | 'qty'>,
    at: number,
  ) => d.orders.push({ ...L(source), limit_price: null, tif: 'DAY', canceled_ts: null, trade_date: DAY, received_ts: T0 + at, ...o });
  const exec = (
    source: string,
    exec_id: string,
    order_id: string,
    venue: string,
    at: number,
    price: number,
    qty: number,
    extra: Pick<ExecutionRow, 'fee' | 'liquidity'> = {},
  ) => d.executions.push({ ...L(source), exec_id, order_id, venue, exec_ts: T0 + at, price, qty, trade_date: DAY, ...extra });

  // ── venue-src, GGG: exact sub-millisecond times, fees and rebates, an affiliated PFOF venue,
  // a resting limit order, a directed order and one received after the close.
  quote('GGG', 0, 10.0, 10.02); // mid 10.01
  quote('GGG', 1500 * MS, 10.02, 10.04); // mid 10.03
  d.venues.push({
    ...L('venue-src'),
    venue: 'WHSL',
    venue_type: 'WHOLESALER',
    approved: 'Y',
    pfof_per_share: 0.002,
    fee_per_share: 0,
    rebate_per_share: 0,
    affiliated: 'Y',
    effective_from: '2026-01-01',
  });
  d.venues.push({
    ...L('venue-src'),
    venue: 'XNAS',
    venue_type: 'EXCHANGE',
    approved: 'Y',
    pfof_per_share: 0,
    fee_per_share: 0.003,
    rebate_per_share: 0.002,
    affiliated: 'N',
    effective_from: '2026-01-01',
  });
  order('venue-src', { order_id: 'V1', symbol: 'GGG', side: 'B', order_type: 'MKT', qty: 100 }, 500); // 0.5 ms
  exec('venue-src', 'XV1', 'V1', 'WHSL', 1750, 10.01, 100, { liquidity: 'R' }); // 1.25 ms later, improved 0.01
  order('venue-src', { order_id: 'V2', symbol: 'GGG', side: 'B', order_type: 'MKT', qty: 100 }, MS);
  exec('venue-src', 'XV2', 'V2', 'XNAS', 2 * MS, 10.02, 100, { liquidity: 'R', fee: 0.3 }); // at the quote, fee 0.003/sh
  order('venue-src', { order_id: 'V3', symbol: 'GGG', side: 'B', order_type: 'LMT', limit_price: 9.99, qty: 100 }, 0);
  exec('venue-src', 'XV3', 'V3', 'XNAS', S, 9.99, 100, { liquidity: 'A', fee: -0.2 }); // rests 1 s, rebate $0.20
  order('venue-src', { order_id: 'V4', symbol: 'GGG', side: 'B', order_type: 'MKT', qty: 100, directed: 'Y' }, 0);
  exec('venue-src', 'XV4', 'V4', 'XNAS', 3 * MS, 10.02, 100);
  const AFTER_CLOSE = micros('2026-07-01T21:00:00Z') - T0; // 17:00 New York
  quote('GGG', AFTER_CLOSE, 10.0, 10.02);
  order('venue-src', { order_id: 'V5', symbol: 'GGG', side: 'B', order_type: 'MKT', qty: 100 }, AFTER_CLOSE);
  exec('venue-src', 'XV5', 'V5', 'XNAS', AFTER_CLOSE + 5 * MS, 10.0, 100);
  return d;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-metrics-hand-'));
  await writeLake(join(dir, 'lake'), lake());
  const engine = await openEngine({ lakeDir: join(dir, 'lake') });
  await enrichLake(engine, join(dir, 'lake'), 10);
  rows = await runMetricSql(engine, { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: 10 });
  engine.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Where = Partial<Pick<ReviewMetricRow, 'symbol' | 'order_category' | 'venue' | 'size_bucket' | 'sp500'>>;
function get(source: string, metric: string, where: Where = {}): ReviewMetricRow {
  const want = { symbol: '*', order_category: '*', venue: '*', size_bucket: '*', sp500: '*', ...where };
  const found = rows.filter(
    (r) =>
      r.source === source &&
      r.metric === metric &&
      r.symbol === want.symbol &&
      r.order_category === want.order_category &&
      r.venue === want.venue &&
      r.size_bucket === want.size_bucket &&
      r.sp500 === want.sp500,
  );
  if (found.length !== 1) throw new Error(`${found.length} rows for ${source} ${metric} ${JSON.stringify(want)}`);
  return found[0] as ReviewMetricRow;
}
const value = (source: string, metric: string, where: Where = {}): number | null => get(source, metric, where).value;

/** A source's venue shares (%), their HHI (the sum of the squared shares) and the PFOF its venues paid. */
function expectVenueFlow(source: string, shares: Record<string, number>, pfof: { sharePct: number; usd: number }): void {
  for (const [venue, pct] of Object.entries(shares)) expect(value(source, 'venue_share_pct', { venue })).toBeCloseTo(pct, 9);
  const hhi = Object.values(shares).reduce((sum, pct) => sum + pct ** 2, 0);
  expect(value(source, 'venue_hhi')).toBeCloseTo(hhi, 9);
  expect(value(source, 'pfof_venue_share_pct')).toBeCloseTo(pfof.sharePct, 9);
  expect(value(source, 'pfof_received_usd')).toBeCloseTo(pfof.usd, 12);
}

describe('buy, quote tie, partial fill across venues (buy-src)', () => {
  it('takes the NBBO at receipt from the last quote in file order at the same instant (20.03 × 20.07)', () => {
    // PI: 60 sh × (20.07 − 20.05) + 40 sh × (20.07 − 20.07) over 100 sh = 0.012
    expect(value('buy-src', 'price_improvement_per_share')).toBeCloseTo(0.012, 12);
    expect(value('buy-src', 'avg_quoted_spread')).toBeCloseTo(0.04, 12);
  });
  it('splits improved and at-the-quote shares', () => {
    expect(value('buy-src', 'pct_shares_price_improved')).toBeCloseTo(60, 9);
    expect(value('buy-src', 'pct_shares_at_quote')).toBeCloseTo(40, 9);
    expect(value('buy-src', 'pct_shares_outside_quote')).toBe(0);
  });
  it('computes effective spread, E/Q, spread capture and the Rule 605 percentages', () => {
    // effective: 60 × 2(20.05 − 20.05) + 40 × 2(20.07 − 20.05) = 1.6 over 100 sh = 0.016
    expect(value('buy-src', 'avg_effective_spread')).toBeCloseTo(0.016, 12);
    expect(value('buy-src', 'eq_ratio_pct')).toBeCloseTo(40, 9); // 0.016 / 0.04
    expect(value('buy-src', 'spread_capture_pct')).toBeCloseTo(60, 9);
    expect(value('buy-src', 'pct_quoted_spread')).toBeCloseTo((100 * 0.04) / 20.05, 12);
    expect(value('buy-src', 'pct_effective_spread')).toBeCloseTo((100 * 0.016) / 20.05, 12);
    // (Σ improvement·shares − Σ outside·shares) / Σ mid·shares = 1.2 / 2005, in %
    expect(value('buy-src', 'weighted_pct_price_improvement')).toBeCloseTo((100 * 1.2) / 2005, 12);
  });
  it('carries the share-weighted SD and effective n of the per-execution values', () => {
    const r = get('buy-src', 'price_improvement_per_share');
    // mean 0.012; Σw(x−m)² = 60·0.008² + 40·0.012² = 0.0096; Σw = 100, Σw² = 5200
    expect(r.n_eff).toBeCloseTo(10000 / 5200, 12);
    expect(r.std_dev).toBeCloseTo(Math.sqrt(0.0096 / (100 - 5200 / 100)), 12);
    expect(r.n_orders).toBe(1);
    expect(r.n_executions).toBe(2);
  });
  it('times executions and first fills', () => {
    expect(value('buy-src', 'avg_exec_time_ms')).toBeCloseTo((60 * 200 + 40 * 300) / 100, 9);
    expect(value('buy-src', 'median_exec_time_ms')).toBe(200);
  });
  it('marks out after the trade and excludes a stale later NBBO', () => {
    // at +1 s and +5 s the NBBO is 20.10 × 20.12 (mid 20.11, quoted 1.2 s after receipt)
    expect(value('buy-src', 'markout_1s_per_share')).toBeCloseTo((60 * 0.06 + 40 * 0.04) / 100, 12);
    expect(value('buy-src', 'markout_5s_per_share')).toBeCloseTo((60 * 0.06 + 40 * 0.04) / 100, 12);
    // at +15 s that quote is 14 s old (> 10 s): no usable mid, so no figure. The figures tables
    // record a later mid as usable or not (mid_15s NULL), without a reason, so no row at all.
    expect(rows.filter((r) => r.source === 'buy-src' && r.metric === 'realized_spread_15s')).toEqual([]);
    expect(rows.filter((r) => r.source === 'buy-src' && r.metric === 'markout_15s_per_share')).toEqual([]);
  });
  it('gives venue shares, HHI and PFOF from executions when there are no routes, with venue terms as of the trade date', () => {
    // XNYS pays PFOF only from 2026-07-02, after this trade: only XNAS's 60 shares earn it.
    expectVenueFlow('buy-src', { XNAS: 60, XNYS: 40 }, { sharePct: 60, usd: 60 * 0.002 });
    // per venue: the execution figures of that venue alone
    expect(value('buy-src', 'price_improvement_per_share', { venue: 'XNAS' })).toBeCloseTo(0.02, 12);
    expect(value('buy-src', 'price_improvement_per_share', { venue: 'XNYS' })).toBe(0);
  });
  it('puts the order in its groups: S&P 500, market, size bucket by notional at receipt', () => {
    expect(value('buy-src', 'orders', { sp500: 'Y' })).toBe(1);
    expect(value('buy-src', 'orders', { order_category: 'market', symbol: 'AAA' })).toBe(1);
    // 100 sh × mid 20.05 = $2,005 → bucket 1000 ($1,000 – $5,000)
    expect(value('buy-src', 'orders', { size_bucket: '1000' })).toBe(1);
  });
});

describe('sell, short sale, limits, stale and negative times (sell-src)', () => {
  it('signs sells: outside the quote below the NBB is negative improvement', () => {
    // market orders with a usable NBBO: B1 100 sh at −0.01, B5 30 sh at 0 (B4 is stale)
    const r = get('sell-src', 'price_improvement_per_share', { order_category: 'market' });
    expect(r.value).toBeCloseTo((100 * -0.01 + 30 * 0) / 130, 12);
    expect(r.excl_stale_nbbo).toBe(1);
    expect(value('sell-src', 'pct_shares_outside_quote', { order_category: 'market' })).toBeCloseTo((100 * 100) / 130, 9);
    // effective spread of a sell: 2·(−1)·(49.99 − 50.02) = 0.06 and 2·(−1)·(50.00 − 50.02) = 0.04
    expect(value('sell-src', 'avg_effective_spread', { order_category: 'market' })).toBeCloseTo((100 * 0.06 + 30 * 0.04) / 130, 12);
  });
  it('classifies a short sale limit at or through the NBB as marketable and signs it as a sell', () => {
    expect(value('sell-src', 'price_improvement_per_share', { order_category: 'marketable_limit' })).toBeCloseTo(0.01, 12);
    expect(value('sell-src', 'avg_effective_spread', { order_category: 'marketable_limit' })).toBeCloseTo(0.02, 12);
    // all covered: (−1 + 0.5 + 0) / 180
    expect(value('sell-src', 'price_improvement_per_share')).toBeCloseTo((100 * -0.01 + 50 * 0.01 + 30 * 0) / 180, 12);
  });
  it('gives the limit fill rate of non-marketable limits, and fill and cancel rates', () => {
    expect(value('sell-src', 'limit_fill_rate_pct')).toBeCloseTo(50, 9); // 100 of 200 shares
    expect(value('sell-src', 'orders', { order_category: 'market' })).toBe(4); // B1, B4, B5, B6
    expect(value('sell-src', 'fill_rate_pct', { order_category: 'market' })).toBeCloseTo(75, 9);
    expect(value('sell-src', 'cancel_rate_pct', { order_category: 'market' })).toBeCloseTo(25, 9);
  });
  it('excludes an execution before receipt from execution times, with a reason', () => {
    // covered market executions: B1 (500 ms); B4's NBBO is stale, so B4 is not covered and its
    // 100 ms is not router latency evidence; B5 filled 200 ms before receipt: excluded, counted
    const avg = get('sell-src', 'avg_exec_time_ms', { order_category: 'market' });
    expect(avg.value).toBeCloseTo(500, 9);
    expect(avg.excl_negative_exec_time).toBe(1);
    // first fills of covered market orders: 500 (B5's −200 excluded, B4 not covered)
    const med = get('sell-src', 'median_exec_time_ms', { order_category: 'market' });
    expect(med.value).toBeCloseTo(500, 9);
    expect(med.excl_negative_exec_time).toBe(1);
    expect(value('sell-src', 'p95_exec_time_ms', { order_category: 'market' })).toBeCloseTo(500, 9);
  });
  it('keeps a resting limit order out of router latency: its wait is resting_time_to_fill_ms', () => {
    // B3 (non-marketable limit) filled 1.9 s after receipt; B2 (marketable limit) 50 ms
    expect(value('sell-src', 'resting_time_to_fill_ms')).toBeCloseTo(1900, 9);
    expect(value('sell-src', 'resting_time_to_fill_ms', { order_category: 'non_marketable_limit' })).toBeCloseTo(1900, 9);
    // all covered executions: B1 100 sh × 500 ms, B2 50 sh × 50 ms (B5 negative, B4 stale)
    expect(value('sell-src', 'avg_exec_time_ms')).toBeCloseTo((100 * 500 + 50 * 50) / 150, 9);
    expect(
      rows.some((r) => r.source === 'sell-src' && r.metric === 'avg_exec_time_ms' && r.order_category === 'non_marketable_limit'),
    ).toBe(false);
  });
});

describe('unusable NBBO and orphans (bad-src)', () => {
  it('counts crossed, locked and missing NBBOs by reason instead of computing a figure', () => {
    const r = get('bad-src', 'price_improvement_per_share');
    expect(r.value).toBeNull();
    expect(r.excl_crossed_or_locked_nbbo).toBe(3); // C1 crossed, C2 locked, C4 (limit, unclassifiable)
    expect(r.excl_no_nbbo).toBe(1); // C3
    expect(r.excl_orphan_execution).toBe(1);
  });
  it('classifies a limit order with no usable NBBO as other, and counts the orphan beside executions', () => {
    expect(value('bad-src', 'orders', { order_category: 'other' })).toBe(1);
    const x = get('bad-src', 'executions');
    expect(x.value).toBe(4);
    expect(x.excl_orphan_execution).toBe(1);
    expect(get('bad-src', 'executions', { venue: 'XNAS' }).excl_orphan_execution).toBe(1);
  });
});

describe('venue flow from routes (route-src)', () => {
  it('uses routed shares, not executed shares, for venue share, HHI and PFOF', () => {
    expectVenueFlow('route-src', { XNAS: 70, EDGX: 30 }, { sharePct: 30, usd: 30 * 0.003 });
  });
});

describe('latency, conflicts and costs in venue terms (venue-src)', () => {
  it('times covered executions exactly, to the microsecond, and only them', () => {
    // V1 1.25 ms and V2 1 ms (100 sh each); V3 rests, V4 is directed, V5 came after the close
    expect(value('venue-src', 'avg_exec_time_ms')).toBeCloseTo(1.125, 12);
    expect(value('venue-src', 'median_exec_time_ms')).toBeCloseTo(1.125, 12);
    expect(value('venue-src', 'resting_time_to_fill_ms')).toBeCloseTo(1000, 9);
    expect(get('venue-src', 'price_improvement_per_share').n_executions).toBe(2);
  });
  it('nets fees and rebates out of price improvement', () => {
    // V1: 0.01, no fee (WHSL charges none); V2: 0 − 0.30/100
    expect(value('venue-src', 'price_improvement_per_share')).toBeCloseTo(0.005, 12);
    expect(value('venue-src', 'net_price_improvement_per_share')).toBeCloseTo((0.01 - 0.003) / 2, 12);
  });
  it('keeps resting limit orders out of the all-orders markouts but shows them in their own rows', () => {
    // at +5 s the mid is 10.03: V1 +0.02, V2 +0.01; V3 (bought at 9.99) +0.04 in its own row
    expect(value('venue-src', 'markout_5s_per_share')).toBeCloseTo(0.015, 12);
    expect(value('venue-src', 'markout_5s_per_share', { order_category: 'non_marketable_limit' })).toBeCloseTo(0.04, 12);
    // at +1 s: V1 10.01 − 10.01, V2 10.01 − 10.02
    expect(value('venue-src', 'markout_1s_per_share')).toBeCloseTo(-0.005, 12);
  });
  it('measures price impact mid to mid, without the half-spread paid', () => {
    // mid at execution 10.01 for all three; 5 s later 10.03
    expect(value('venue-src', 'price_impact_5s_per_share')).toBeCloseTo(0.02, 12);
    expect(value('venue-src', 'price_impact_5s_per_share', { order_category: 'non_marketable_limit' })).toBeCloseTo(0.02, 12);
    expect(value('venue-src', 'price_impact_1s_per_share')).toBeCloseTo(0, 12);
  });
  it('leaves the directed order out of routing figures but counts it in the volumes', () => {
    expect(value('venue-src', 'executions')).toBe(5);
    expect(value('venue-src', 'orders')).toBe(5);
    expect(get('venue-src', 'fill_rate_pct').n_orders).toBe(4);
    // non-directed executions: WHSL 100 of 400 shares
    expect(value('venue-src', 'pfof_venue_share_executed_pct')).toBeCloseTo(25, 9);
    expect(value('venue-src', 'venue_share_pct', { venue: 'WHSL' })).toBeCloseTo(25, 9);
    expect(value('venue-src', 'venue_share_pct', { venue: 'XNAS' })).toBeCloseTo(75, 9);
  });
  it('counts rebates and fee credits with PFOF as order-flow payments, and flags the affiliate', () => {
    expect(value('venue-src', 'pfof_received_usd')).toBeCloseTo(100 * 0.002, 12);
    // + V3's rebate of $0.20 (Regulatory Notice 21-23)
    expect(value('venue-src', 'order_flow_payments_usd')).toBeCloseTo(0.2 + 0.2, 12);
    expect(value('venue-src', 'affiliated_venue_share_pct')).toBeCloseTo(25, 9);
  });
});
