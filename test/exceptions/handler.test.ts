import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client } from '../../lambdas/adapters/aws';
import type { handler as Handler, prepare as Prepare } from '../../lambdas/exceptions/handler';
import { toAthenaCsv } from '../../lambdas/shared/athena-csv';
import { loadConfig } from '../../lambdas/shared/config';
import { type Engine, openEngine } from '../../lib/engine';
import { runDailyExceptions } from '../../lib/local/exceptions';
import { sqlFiles } from '../../lib/sql-files';
import { enrichLake } from '../metrics/compare';
import { writeLake } from '../regulatory/lake';
import { DAY, lake } from './planted';

const RESULTS = 'results-test';
const ATHENA = 'athena-test';
let dir: string;
let server: S3rver;
let s3: S3Client;
let engine: Engine;
let handler: typeof Handler;
let prepare: typeof Prepare;
let metricResults: { name: string; path: string; result: { queryExecutionId: string; outputLocation: string } }[];

const text = async (bucket: string, key: string): Promise<string> =>
  (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '';
const keys = async (bucket: string): Promise<string[]> =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key ?? '').sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-exc-handler-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [
      { name: RESULTS, configs: [] },
      { name: ATHENA, configs: [] },
    ],
  });
  const { port } = (await server.run()) as { port: number };
  process.env.BESTEX_S3_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.BUCKET_RESULTS = RESULTS;
  s3 = makeS3Client(process.env.BESTEX_S3_ENDPOINT);
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
    await s3.send(new PutObjectCommand({ Bucket: ATHENA, Key: key, Body: body }));
    metricResults.push({
      name: f.name,
      path: f.path,
      result: { queryExecutionId: `q-${f.name}`, outputLocation: `s3://${ATHENA}/${key}` },
    });
  }
});

afterAll(async () => {
  engine?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
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
    const out = await handler({ date: DAY, metricResults });
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
