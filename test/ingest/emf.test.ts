/**
 * The metrics a drop produces, read where an operator reads them: the EMF lines of the local run's
 * function log (<home>/logs/functions.jsonl, the stand-in for the function's log group), from the
 * real path: S3 PUT to s3rver → the local queue → the normalise handler with its middlewares.
 * Expected values are counted from the files this test writes, not taken from the manifest; the
 * manifest must agree too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../lambdas/shared/telemetry';
import { type DropResult, LocalRuntime, telemetryLog } from '../../lib/local/runtime';

const HEADER = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';
const row = (id: number, qty = '100') => `E${id},O${id},,XNAS,2026-07-01T14:00:00Z,10.5,${qty},A,`;

/** day1: 5 executions. resend: the same 5 again, 24 new ones and one with a quantity that is not a number. */
const DAY1 = [1, 2, 3, 4, 5].map((i) => row(i));
const RESEND = [...DAY1, ...Array.from({ length: 24 }, (_, k) => row(6 + k)), row(99, 'many')];

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [k: string]: unknown;
}

let home: string;
let results: DropResult[];
let emf: Emf[];
let lines: string[];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'bestex-emf-'));
  const rt = await LocalRuntime.start({ home });
  try {
    const drop = (name: string, files: Record<string, string>) => {
      const dir = join(home, 'in', name);
      for (const [key, body] of Object.entries(files)) {
        mkdirSync(join(dir, key, '..'), { recursive: true });
        writeFileSync(join(dir, key), body);
      }
      return rt.drop(dir);
    };
    results = [
      ...(await drop('1', { 'acme-sor/executions/day1.csv': `${[HEADER, ...DAY1].join('\n')}\n` })),
      ...(await drop('2', { 'acme-sor/executions/day1-resend.csv': `${[HEADER, ...RESEND].join('\n')}\n` })),
      ...(await drop('3', { 'acme-sor/orders/garbage.csv': 'this;is;not;an;orders;file\n1;2;3;4;5;6\n' })),
    ];
  } finally {
    await rt.stop();
  }
  lines = readFileSync(telemetryLog(home), 'utf8').trim().split('\n');
  emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o): o is Emf => '_aws' in o);
}, 120_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The values of one file's EMF line (one line per drop object: the handler emits them together). */
const emitted = (source: string, dataset: string) =>
  emf.filter(
    (e) => e.source === source && e.dataset === dataset && e._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === 'RowsRead'),
  );

describe('EMF metrics of a local drop', () => {
  it('writes log and EMF lines to the local home, one JSON object per line', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(emf.length).toBeGreaterThan(0);
  });

  it('emits in the bestex namespace with the service, source and dataset dimensions', () => {
    const ingest = emitted('acme-sor', 'executions');
    expect(ingest).toHaveLength(2);
    for (const e of ingest) {
      const [cw] = e._aws.CloudWatchMetrics;
      expect(cw?.Namespace).toBe('bestex');
      expect(cw?.Dimensions).toEqual([['service', 'source', 'dataset']]);
      expect(e.service).toBe('bestex-normalise');
      expect(cw?.Metrics.map((m) => m.Name).sort()).toEqual(
        [METRICS.rowsRead, METRICS.rowsWritten, METRICS.rowsRejected, METRICS.rowsDuplicate, METRICS.filesRejected]
          .map((m) => m.name)
          .sort(),
      );
      expect(new Set(cw?.Metrics.map((m) => m.Unit))).toEqual(new Set(['Count']));
    }
  });

  it('reports the rows of each file as counted from the file, and as the manifest says', () => {
    const [first, second] = emitted('acme-sor', 'executions');
    const day1 = new Set(DAY1);
    const expectSecond = {
      RowsRead: RESEND.length,
      RowsDuplicate: RESEND.filter((r) => day1.has(r)).length,
      RowsRejected: RESEND.filter((r) => !/^\d+$/.test(r.split(',')[6] ?? '')).length,
      FilesRejected: 0,
    };
    expect(expectSecond).toEqual({ RowsRead: 30, RowsDuplicate: 5, RowsRejected: 1, FilesRejected: 0 });
    expect(first).toMatchObject({ RowsRead: DAY1.length, RowsWritten: DAY1.length, RowsRejected: 0, RowsDuplicate: 0, FilesRejected: 0 });
    expect(second).toMatchObject({
      ...expectSecond,
      RowsWritten: expectSecond.RowsRead - expectSecond.RowsDuplicate - expectSecond.RowsRejected,
    });
    const manifest = results.find((r) => r.key.endsWith('day1-resend.csv'))?.manifest;
    expect(manifest).toMatchObject({
      rows_read: second?.RowsRead,
      rows_written: second?.RowsWritten,
      rows_rejected: second?.RowsRejected,
      rows_duplicate: second?.RowsDuplicate,
    });
  });

  it('counts a rejected file once under its source and dataset', () => {
    const [garbage] = emitted('acme-sor', 'orders');
    expect(garbage).toMatchObject({ FilesRejected: 1, RowsWritten: 0 });
    expect(results.find((r) => r.key.endsWith('garbage.csv'))?.manifest).toMatchObject({ status: 'rejected' });
  });

  it('logs no row content: no execution id or order id of the files appears in the log', () => {
    const text = lines.join('\n');
    for (const id of ['E1,', 'O1,', 'E99', 'O99', 'many', 'this;is;not']) expect(text).not.toContain(id);
  });
});
