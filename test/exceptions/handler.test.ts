import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTelemetry } from '../../lambdas/adapters/powertools';
import type { handler as Handler, prepare as Prepare } from '../../lambdas/exceptions/handler';
import { parseCsv, toAthenaCsv } from '../../lambdas/shared/athena-csv';
import { loadConfig } from '../../lambdas/shared/config';
import { type Engine, openEngine } from '../../lib/engine';
import { runDailyExceptions } from '../../lib/local/exceptions';
import { sqlFiles } from '../../lib/sql-files';
import { enrichLake } from '../metrics/compare';
import { writeLake } from '../regulatory/lake';
import { loggedRecords } from '../support/emf';
import { type S3rverFixture, startS3rver } from '../support/s3rver';
import { DAY, lake } from './planted';

const RESULTS = 'results-test';
const ATHENA = 'athena-test';
let store: S3rverFixture;
let engine: Engine;
let handler: typeof Handler;
let prepare: typeof Prepare;
let metricResults: { name: string; path: string; result: { queryExecutionId: string; outputLocation: string } }[];

async function text(bucket: string, key: string): Promise<string> {
  const body = await store.text(bucket, key);
  if (body === undefined) throw new Error(`no object ${key} in ${bucket}`);
  return body;
}
const keys = (bucket: string): Promise<string[]> => store.keys(bucket);

beforeAll(async () => {
  store = await startS3rver([RESULTS, ATHENA], { tmpPrefix: 'bestex-exc-handler-' });
  const dir = store.dir;
  process.env.BESTEX_S3_ENDPOINT = store.endpoint;
  process.env.BUCKET_RESULTS = RESULTS;
  ({ handler, prepare } = await import('../../lambdas/exceptions/handler'));
  await writeLake(join(dir, 'lake'), lake({ planted: true }));
  engine = await openEngine({ lakeDir: join(dir, 'lake') });
  await enrichLake(engine, join(dir, 'lake'), 10);

  // Stand in for the state machine's Map over sql/exceptions on Athena: the same SQL with the
  // prepared ExecutionParameters, each result written as Athena writes it (quoted CSV).
  const prepared = await prepare({ date: DAY });
  metricResults = [];
  for (const f of sqlFiles('exceptions')) {
    const r = await engine.query(f.sql, prepared.params);
    const key = `daily/${f.name}.csv`;
    const body = toAthenaCsv(
      r.columns,
      r.rows.map((row) => r.columns.map((c) => row[c])),
    );
    await store.put(ATHENA, key, body);
    metricResults.push({
      name: f.name,
      path: f.path,
      result: { queryExecutionId: `q-${f.name}`, outputLocation: `s3://${ATHENA}/${key}` },
    });
  }
});

afterAll(async () => {
  engine?.close();
  await store?.stop();
});

describe('daily exceptions handler (AWS path, on s3rver)', () => {
  it('prepares the day and the parameters from the deployed configuration', async () => {
    const { deployment } = loadConfig();
    const p = await prepare({ date: DAY, dryRun: 'true' });
    expect(p).toEqual({
      date: DAY,
      dryRun: true,
      params: [
        `'${DAY}'`,
        String(deployment.exceptions?.slowFillMs),
        String(deployment.exceptions?.nbboTolerance),
        String(deployment.exceptions?.unfilledTimeoutSeconds),
        String(deployment.ingest.maxQuoteAgeSeconds),
        "'2025-07-01'",
      ],
    });
    await expect(prepare({ date: '2026-13-01' })).rejects.toThrow(/not a trade date/);
  });

  it('on a dry run returns counts and notices and writes nothing', async () => {
    const out = await handler({ date: DAY, dryRun: true, metricResults });
    expect(out.outputs).toEqual({});
    expect(out.counts.length).toBeGreaterThan(0);
    expect(await keys(RESULTS)).toEqual([]);
  });

  it('reads the Athena result CSVs and writes the same CSV and counts as the local run', async () => {
    // The handler's log and EMF lines, as its log group would receive them.
    const captured = new PassThrough();
    const chunks: string[] = [];
    captured.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    routeTelemetry(captured);
    let out: Awaited<ReturnType<typeof handler>>;
    try {
      out = await handler({ date: DAY, metricResults });
    } finally {
      routeTelemetry(undefined);
    }
    expect(out.outputs).toEqual({
      csv: `s3://${RESULTS}/exceptions/${DAY}/exceptions.csv`,
      html: `s3://${RESULTS}/exceptions/${DAY}/report.html`,
    });
    expect(await keys(RESULTS)).toEqual([`exceptions/${DAY}/exceptions.csv`, `exceptions/${DAY}/report.html`]);
    const { deployment } = loadConfig();
    const local = await runDailyExceptions(engine, DAY, {
      settings: deployment.exceptions ?? {},
      maxQuoteAgeSeconds: deployment.ingest.maxQuoteAgeSeconds,
    });
    expect(await text(RESULTS, `exceptions/${DAY}/exceptions.csv`)).toBe(local.csv);
    expect(out.counts).toEqual(local.counts);
    expect(out.notices.map((n) => [n.subject, n.attributes])).toEqual(local.notices.map((n) => [n.subject, n.attributes]));
    expect(out.notices[0]?.message).toContain(`Full report: s3://${RESULTS}/exceptions/${DAY}/report.html`);
    expect(await text(RESULTS, `exceptions/${DAY}/report.html`)).toContain('<h1>Execution exceptions, trade date 2026-07-01</h1>');

    // EMF: one Exceptions data point per source and kind, equal to the rows of exceptions.csv.
    const csv = parseCsv(await text(RESULTS, `exceptions/${DAY}/exceptions.csv`), 'exceptions.csv');
    if (!csv.ok) throw new Error(csv.reason);
    const [si, ki] = [csv.value.header.indexOf('source'), csv.value.header.indexOf('kind')];
    const fromCsv = new Map<string, number>();
    for (const r of csv.value.rows) fromCsv.set(`${r[si]}/${r[ki]}`, (fromCsv.get(`${r[si]}/${r[ki]}`) ?? 0) + 1);
    const emf = loggedRecords(chunks).filter((e) => e._aws && 'Exceptions' in e);
    expect(emf.length).toBeGreaterThan(1);
    for (const e of emf) {
      expect(e._aws?.CloudWatchMetrics[0]?.Namespace).toBe('bestex');
      expect(e._aws?.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'source', 'kind']]);
      expect(e.service).toBe('bestex-exceptions');
    }
    expect(new Map(emf.map((e) => [`${e.source}/${e.kind}`, e.Exceptions]))).toEqual(fromCsv);
  });

  it('says what is wrong with a bad event or a missing result', async () => {
    await expect(handler({ metricResults })).rejects.toThrow(/daily exceptions input is not valid: date/);
    await expect(
      handler({ date: DAY, metricResults: [{ name: 'orphan', result: { outputLocation: `s3://${ATHENA}/nope.csv` } }] }),
    ).rejects.toThrow(/orphan: Athena result s3:\/\/athena-test\/nope.csv does not exist/);
    await expect(
      handler({ date: DAY, metricResults: [{ name: 'orphan', result: { outputLocation: 'athena-test/x.csv' } }] }),
    ).rejects.toThrow(/not an s3:\/\/ URI/);
  });
});
