/**
 * A hand-worked lake for the review SQL (sql/review/*.sql), shared by findings-sql.test.ts and
 * pfof-matched-cells.test.ts. NBBO 20.00 × 20.04, mid 20.02. Two market orders in one cell (same
 * symbol, size bucket, half hour): P1 100 sh at 20.04 at the PFOF wholesaler, 2 ms; N1 60 sh at
 * 20.02 and 40 at 20.03 at XNAS, first fill 4 ms. P2 100 sh at 20.03 at the wholesaler 40 minutes
 * later, 1 ms, alone in its half hour. D1 is directed: no routing decision. The tests work out
 * every expected number beside it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, SQL_DIR } from '../../lib/engine';
import { athenaParams, enrichLake } from '../metrics/compare';
import { emptyLake, type LakeData, micros, writeLake } from '../reference/lake';

export const DAY = '2026-07-01';
const T0 = micros(`${DAY}T14:00:00Z`); // 10:00 New York
const MS = 1000;

export function pfofLake(): LakeData {
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

/** Writes the lake, enriches it and runs each named sql/review file for 2026Q3; rows by file name. */
export async function runReviewSql(names: readonly string[]): Promise<Record<string, Record<string, unknown>[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-review-sql-'));
  const lakeDir = join(dir, 'lake');
  await writeLake(lakeDir, pfofLake());
  const engine = await openEngine({ lakeDir });
  try {
    await enrichLake(engine, lakeDir, 10);
    const p = { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: 10 };
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const name of names)
      out[name] = (await engine.query(readFileSync(join(SQL_DIR, 'review', `${name}.sql`), 'utf8'), athenaParams(p))).rows;
    return out;
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
