/**
 * The findings' order-level inputs (sql/review/order_cells.sql, venue_cells.sql, fill_time_hist.sql)
 * on a hand-worked lake through the real figures: the lake of pfof-matched-cells.test.ts (NBBO
 * 20.00 × 20.04, mid 20.02; P1 100 sh at 20.04 at the PFOF wholesaler, 2 ms; N1 60 sh at 20.02 and
 * 40 at 20.03 at XNAS, first fill 4 ms; P2 100 sh at 20.03 at the wholesaler 40 minutes later, 1 ms;
 * D1 directed). Every expected number is worked out beside it.
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

const run: Record<string, Record<string, unknown>[]> = {};
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-findings-sql-'));
  const lakeDir = join(dir, 'lake');
  await writeLake(lakeDir, lake());
  const engine = await openEngine({ lakeDir });
  try {
    await enrichLake(engine, lakeDir, 10);
    const p = { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: 10 };
    for (const name of ['order_cells', 'venue_cells', 'fill_time_hist']) {
      const sql = readFileSync(join(SQL_DIR, 'review', `${name}.sql`), 'utf8');
      run[name] = (await engine.query(sql, athenaParams(p))).rows;
    }
  } finally {
    engine.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('order cells', () => {
  it('one cell for the three routed market orders; the directed one is left out', () => {
    const rows = run.order_cells ?? [];
    expect(rows).toHaveLength(1);
    const c = rows[0] as Record<string, number | string>;
    expect([c.source, c.trade_date, c.symbol, c.order_category, c.size_bucket]).toEqual(['m-src', DAY, 'AAA', 'market', '1000']);
    expect(Number(c.orders)).toBe(3);
    expect(Number(c.covered_shares)).toBe(300);
    // Σ PI·q: P1 0 + N1 (60·0.02 + 40·0.01 = 1.6) + P2 100·0.01 = 2.6
    expect(Number(c.pi_amount)).toBeCloseTo(2.6, 9);
    // Σ mid·q = 300 × 20.02; quoted spread 0.04 × 300
    expect(Number(c.mid_amount)).toBeCloseTo(300 * 20.02, 9);
    expect(Number(c.qs_amount)).toBeCloseTo(0.04 * 300, 9);
    // effective spread 2|P − mid|·q: P1 100·0.04 + N1 40·0.02 + P2 100·0.02 = 4 + 0.8 + 2 = 6.8
    expect(Number(c.es_amount)).toBeCloseTo(6.8, 9);
    expect(Number(c.shares_outside_quote)).toBe(0);
    expect(Number(c.filled_orders)).toBe(3);
    // first fills 2 + 4 + 1 ms
    expect(Number(c.fill_ms_n)).toBe(3);
    expect(Number(c.fill_ms_sum)).toBeCloseTo(7, 9);
  });
});

describe('venue cells', () => {
  it('splits executions by half hour, venue and whether the fill was paid for', () => {
    const rows = (run.venue_cells ?? []) as Record<string, number | string>[];
    const at = (venue: string, pfof: string) => rows.filter((r) => r.venue === venue && r.pfof_venue === pfof);
    // Two half-hours at the wholesaler, one at XNAS; the directed D1 is left out.
    expect(at('WHSL', 'Y')).toHaveLength(2);
    expect(at('XNAS', 'N')).toHaveLength(1);
    const x = at('XNAS', 'N')[0] as Record<string, number | string>;
    expect(Number(x.covered_shares)).toBe(100);
    expect(Number(x.pi_amount)).toBeCloseTo(1.6, 9);
    expect(new Set(at('WHSL', 'Y').map((r) => r.tod_bucket)).size).toBe(2);
  });
});

describe('first-fill histogram', () => {
  it('bins ln(1 + ms) in 1 % steps: 1, 2 and 4 ms', () => {
    const bins = (run.fill_time_hist ?? []).map((r) => Number(r.bin)).sort((a, b) => a - b);
    expect(bins).toEqual([1, 2, 4].map((ms) => Math.floor(Math.log1p(ms) / 0.01)).sort((a, b) => a - b));
  });
});
