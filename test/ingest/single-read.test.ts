/**
 * The single-read design of lambdas/normalise/core.ts on the cases it handles after the read:
 * rejected rows rebuilt from the scratch partition (their original fields must come back byte
 * for byte), duplicate keys across trade-date partitions, keys scoped by trade date, and line
 * numbers after an unsplittable record combined with a conflict. Expected values by hand.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CoreResult, normaliseFile } from '../../lambdas/normalise/core';
import { type DatasetName, dataset } from '../../lambdas/shared/schema';
import { useScratchDir } from '../support/scratch';
import { usePreparedCore } from './prepared-core';

const core = usePreparedCore(2);
const scratch = useScratchDir('ingest-single-');
let n = 0;

async function run(name: DatasetName, csv: string): Promise<Extract<CoreResult, { ok: true }>> {
  const path = join(scratch.path, `in${n}.csv`);
  writeFileSync(path, csv);
  const r = await normaliseFile(core.db, {
    path,
    format: 'csv',
    spec: dataset(name),
    source: 'acme-sor',
    key: `acme-sor/${name}/in${n}.csv`,
    ingestedAt: '2026-07-01T00:00:00Z',
    workDir: join(scratch.path, `w${n++}`),
  });
  if (!r.ok) throw new Error(r.reason);
  return r;
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await core.db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

const lakeRows = (r: Extract<CoreResult, { ok: true }>, cols: string) =>
  rows(`SELECT ${cols} FROM read_parquet([${r.files.map((f) => `'${f.path}'`).join(', ')}]) ORDER BY source_line`);

const HEADER = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';

describe('single read', () => {
  it('gives rejected rows back with their original fields, byte for byte', async () => {
    const csv = [
      HEADER,
      'E1,O1,R1,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      // qty '-5' is invalid; the other fields carry quotes, a comma, a backslash, a formula,
      // non-ASCII text and edge spaces, all of which must survive the trip through the scratch file.
      'E2,"O""2, x","R\\2 =next",XNAS, 2026-07-01T13:31:00Z ,Ünï,-5,A,',
      'E3,O3,R3,XNAS,2026-07-01T13:32:00Z,10.5,100,A,0',
    ].join('\n');
    const r = await run('executions', `${csv}\n`);
    expect([r.rows_read, r.rows_written, r.rows_rejected, r.rows_duplicate]).toEqual([3, 2, 1, 0]);
    const q = await rows(`SELECT * FROM read_csv('${r.rejects?.path}', header = true, all_varchar = true)`);
    expect(q).toEqual([
      {
        exec_id: 'E2',
        order_id: 'O"2, x',
        route_id: 'R\\2 =next',
        venue: 'XNAS',
        exec_ts: ' 2026-07-01T13:31:00Z ',
        price: 'Ünï',
        qty: '-5',
        liquidity: 'A',
        fee: null,
        line: '3',
        column: 'price;qty',
        reason: "price 'Ünï' is not a number (at most 12 digits before the decimal point); qty '-5' is not greater than 0",
      },
    ]);
    // Nothing of the rejected row reaches the lake, and lineage is intact for the others.
    expect(await lakeRows(r, 'exec_id, source_key, source_line')).toEqual([
      { exec_id: 'E1', source_key: 'acme-sor/executions/in0.csv', source_line: '2' },
      { exec_id: 'E3', source_key: 'acme-sor/executions/in0.csv', source_line: '4' },
    ]);
  });

  it('finds a conflict whose rows fall on different trade dates (different partition files)', async () => {
    const csv = [
      HEADER,
      'E1,O1,R1,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      'E2,O2,R2,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      'E1,O1,R1,XNAS,2026-07-02T13:30:00Z,10.5,100,A,0',
      'E3,O3,R3,XNAS,2026-07-02T13:30:00Z,10.5,100,A,0',
    ].join('\n');
    const r = await run('executions', `${csv}\n`);
    expect([r.rows_read, r.rows_written, r.rows_rejected, r.rows_duplicate]).toEqual([4, 2, 2, 0]);
    expect(r.files.map((f) => [f.tradeDate, f.rows])).toEqual([
      ['2026-07-01', 1],
      ['2026-07-02', 1],
    ]);
    expect(await lakeRows(r, 'exec_id')).toEqual([{ exec_id: 'E2' }, { exec_id: 'E3' }]);
    const q = await rows(
      `SELECT exec_id, exec_ts, line, "column", reason FROM read_csv('${r.rejects?.path}', header = true, all_varchar = true)`,
    );
    expect(q).toEqual([
      {
        exec_id: 'E1',
        exec_ts: '2026-07-01T13:30:00Z',
        line: '2',
        column: 'exec_id',
        reason: "exec_id 'E1' conflicts with line(s) 4: same key, different content",
      },
      {
        exec_id: 'E1',
        exec_ts: '2026-07-02T13:30:00Z',
        line: '4',
        column: 'exec_id',
        reason: "exec_id 'E1' conflicts with line(s) 2: same key, different content",
      },
    ]);
  });

  it('scopes order keys by trade date: the same order_id on two dates is two orders', async () => {
    const head = 'order_id,symbol,side,qty,order_type,limit_price,tif,received_ts,directed';
    const csv = [
      head,
      'K1,AAPL,B,100,MKT,,DAY,2026-07-01T13:30:00Z,N',
      'K1,AAPL,B,100,MKT,,DAY,2026-07-02T13:30:00Z,N',
      'K1,AAPL,B,100,MKT,,DAY,2026-07-02T13:30:00Z,N',
    ].join('\n');
    const r = await run('orders', `${csv}\n`);
    expect([r.rows_read, r.rows_written, r.rows_rejected, r.rows_duplicate]).toEqual([3, 2, 0, 1]);
    expect(await lakeRows(r, 'order_id, source_line')).toEqual([
      { order_id: 'K1', source_line: '2' },
      { order_id: 'K1', source_line: '3' },
    ]);
  });

  it('keeps true line numbers after an unsplittable record, also in conflict reasons', async () => {
    const csv = [
      HEADER,
      'E1,O1,R1,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      'E2,O2,R2,XNAS',
      'E3,O3,R3,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      'E4,O4,R4,XNAS,2026-07-01T13:30:00Z,10.5,-1,A,0',
      'E3,O3,R3,XNAS,2026-07-01T13:30:00Z,10.6,100,A,0',
      'E1,O1,R1,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
      'E5,O5,R5,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0',
    ].join('\n');
    const r = await run('executions', `${csv}\n`);
    expect([r.rows_read, r.rows_written, r.rows_rejected, r.rows_duplicate]).toEqual([7, 2, 4, 1]);
    expect(await lakeRows(r, 'exec_id, source_line')).toEqual([
      { exec_id: 'E1', source_line: '2' },
      { exec_id: 'E5', source_line: '8' },
    ]);
    const q = await rows(`SELECT exec_id, line, reason FROM read_csv('${r.rejects?.path}', header = true, all_varchar = true)`);
    expect(q.map((x) => [x.exec_id, x.line])).toEqual([
      [null, '3'],
      ['E3', '4'],
      ['E4', '5'],
      ['E3', '6'],
    ]);
    expect(q[1]?.reason).toBe("exec_id 'E3' conflicts with line(s) 6: same key, different content");
    expect(q[3]?.reason).toBe("exec_id 'E3' conflicts with line(s) 4: same key, different content");
    expect(String(q[0]?.reason)).toContain("'E2,O2,R2,XNAS'");
  });
});
