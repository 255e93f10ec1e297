/**
 * sql/review/pfof_matched_cells.sql on a hand-worked lake: every expected number is worked out in
 * the comment beside it. Two market orders in one cell (same symbol, size bucket, half hour),
 * one filled at a PFOF wholesaler and one at an exchange; a third order in the next half hour
 * that only the wholesaler filled; a directed order, which is no routing decision.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, SQL_DIR } from '../../lib/engine';
import { athenaParams, enrichLake } from '../metrics/compare';
import { emptyLake, type LakeData, micros, writeLake } from '../reference/lake';

const DAY = '2026-07-01';
const T0 = micros(`${DAY}T14:00:00Z`); // 10:00 New York
const MS = 1000;

function lake(): LakeData {
  const d = emptyLake();
  let line = 0;
  const L = (source: string) => ({ source, source_key: `${source}/f.csv`, source_line: ++line });
  const quote = (at: number, bid: number, ask: number) =>
    d.quotes.push({ ...L('sip'), symbol: 'AAA', ts: T0 + at, bid, ask, trade_date: DAY });
  quote(0, 20.0, 20.04); // mid 20.02
  quote(40 * 60_000 * MS, 20.0, 20.04); // 10:40, for the next half hour
  const order = (order_id: string, at: number, directed: 'Y' | 'N' = 'N') =>
    d.orders.push({
      ...L('m-src'),
      order_id,
      symbol: 'AAA',
      side: 'B',
      order_type: 'MKT',
      limit_price: null,
      tif: 'DAY',
      qty: 100,
      received_ts: T0 + at,
      canceled_ts: null,
      trade_date: DAY,
      directed,
    });
  const exec = (exec_id: string, order_id: string, venue: string, at: number, price: number, qty: number, fee: number | null = null) =>
    d.executions.push({ ...L('m-src'), exec_id, order_id, venue, exec_ts: T0 + at, price, qty, trade_date: DAY, fee });
  const venue = (v: string, pfof: number) =>
    d.venues.push({ ...L('m-src'), venue: v, venue_type: 'EXCHANGE', approved: 'Y', pfof_per_share: pfof, effective_from: '2026-01-01' });
  venue('WHSL', 0.002);
  venue('XNAS', 0);
  order('P1', 10 * MS); // 100 sh × $20.02 = $2,002: bucket 1000
  exec('X1', 'P1', 'WHSL', 12 * MS, 20.04, 100); // at the quote: PI 0, 2 ms
  order('N1', 20 * MS);
  exec('X2', 'N1', 'XNAS', 24 * MS, 20.02, 60, 0.18); // PI 0.02, fee 0.003/sh, 4 ms
  exec('X3', 'N1', 'XNAS', 26 * MS, 20.03, 40); // PI 0.01, 6 ms
  order('P2', 40 * 60_000 * MS + 5 * MS); // 10:40: the 10:30 cell
  exec('X4', 'P2', 'WHSL', 40 * 60_000 * MS + 6 * MS, 20.03, 100);
  order('D1', 30 * MS, 'Y'); // directed: not counted
  exec('X5', 'D1', 'XNAS', 31 * MS, 20.0, 100);
  return d;
}

let rows: Record<string, unknown>[] = [];
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-pfof-cells-'));
  const lakeDir = join(dir, 'lake');
  await writeLake(lakeDir, lake());
  const engine = await openEngine({ lakeDir });
  try {
    await enrichLake(engine, lakeDir, 10);
    const sql = readFileSync(join(SQL_DIR, 'review', 'pfof_matched_cells.sql'), 'utf8');
    const p = { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: 10 };
    rows = (await engine.query(sql, athenaParams(p))).rows;
  } finally {
    engine.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const find = (time: string, pfof: string) => {
  const r = rows.filter((x) => x.time_bucket === time && x.pfof_venue === pfof);
  expect(r, `${time} ${pfof}`).toHaveLength(1);
  return r[0] as Record<string, number | string>;
};

describe('PFOF vs non-PFOF venues in matched cells', () => {
  it('puts orders of one symbol, size bucket and half hour in one cell, and marks it matched', () => {
    expect(rows).toHaveLength(3);
    const pfof = find('10:00', 'Y');
    const other = find('10:00', 'N');
    expect(pfof.matched).toBe('Y');
    expect(other.matched).toBe('Y');
    expect(find('10:30', 'Y').matched).toBe('N');
    for (const r of rows) {
      expect(r.size_bucket).toBe('1000');
      expect(r.order_category).toBe('market');
    }
  });
  it('sums share-weighted and order-level figures per venue class', () => {
    const pfof = find('10:00', 'Y');
    expect(pfof.n_orders).toBe(1);
    expect(pfof.price_improvement_shares_sum).toBeCloseTo(0, 12);
    expect(pfof.exec_time_ms_shares_sum).toBeCloseTo(100 * 2, 9);
    const other = find('10:00', 'N');
    expect(other.n_orders).toBe(1); // the directed order is left out
    expect(other.n_executions).toBe(2);
    expect(other.shares).toBe(100);
    // Σ q·PI = 60 × 0.02 + 40 × 0.01 = 1.6; Σ q·PI² = 60 × 0.0004 + 40 × 0.0001 = 0.028
    expect(other.price_improvement_shares_sum).toBeCloseTo(1.6, 12);
    expect(other.price_improvement_shares_sum_sq).toBeCloseTo(0.028, 12);
    // the order's mean 0.016, and its square
    expect(other.price_improvement_order_sum).toBeCloseTo(0.016, 12);
    expect(other.price_improvement_order_sum_sq).toBeCloseTo(0.016 ** 2, 12);
    // net of the $0.18 fee on 60 shares: 1.6 − 0.18
    expect(other.net_price_improvement_shares_sum).toBeCloseTo(1.42, 12);
    // effective spread 2(P − 20.02): 60 × 0 + 40 × 0.02 = 0.8
    expect(other.effective_spread_shares_sum).toBeCloseTo(0.8, 12);
    // 60 × 4 ms + 40 × 6 ms, exact
    expect(other.exec_time_ms_shares_sum).toBeCloseTo(480, 9);
    expect(other.exec_time_orders).toBe(1);
  });
});
