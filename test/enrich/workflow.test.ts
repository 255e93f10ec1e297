/**
 * Incremental, idempotent enrichment through the synthesised daily workflow on the local runtime
 * (s3rver, DuckDB standing in for Athena, the handlers in process): the first run enriches the
 * date and records its lineage; a second run finds it fresh and rewrites nothing; a re-drop of an
 * input makes the date stale and the next run replaces the partition's one object.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FiguresRecord } from '../../lambdas/enrich/lineage';
import { LAKE } from '../../lambdas/shared/layout';
import { openEngine, refreshFigureViews } from '../../lib/engine';
import { LocalRuntime } from '../../lib/local/runtime';

let rt: LocalRuntime;
const home = mkdtempSync(join(tmpdir(), 'bestex-enrich-wf-'));
const drops = join(home, 'drops');
beforeAll(async () => {
  rt = await LocalRuntime.start({ home });
});
afterAll(async () => {
  await rt?.stop();
  rmSync(home, { recursive: true, force: true });
});

function file(rel: string, text: string): void {
  const p = join(drops, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

const DAY = '2026-07-01';
const record = async (): Promise<FiguresRecord> => {
  const r = await rt.s3.send(new GetObjectCommand({ Bucket: rt.buckets.lake, Key: LAKE.figuresRecord('bolt-sor', DAY) }));
  return JSON.parse(await (r.Body?.transformToString() ?? Promise.resolve('{}'))) as FiguresRecord;
};
const etag = async (table: string): Promise<string | undefined> =>
  (await rt.s3.send(new HeadObjectCommand({ Bucket: rt.buckets.lake, Key: LAKE.figures(table, 'bolt-sor', DAY) }))).ETag;
async function figures(sql: string): Promise<Record<string, unknown>[]> {
  const e = await openEngine({ lakeDir: rt.bucketDir('lake') });
  try {
    await refreshFigureViews(e, rt.bucketDir('lake'));
    return (await e.query(sql)).rows;
  } finally {
    e.close();
  }
}

describe('enrichment in the daily workflow', () => {
  it('enriches a date once, skips it while fresh, and redoes it after a re-drop', async () => {
    file('sip/quotes/nbbo.csv', 'symbol,ts,bid,ask\nAAPL,2026-07-01T14:00:00Z,190.00,190.04\n');
    file(
      'bolt-sor/orders/day.csv',
      'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts\nO1,AAPL,B,MKT,,DAY,100,2026-07-01T14:00:01Z\n',
    );
    file('bolt-sor/executions/day.csv', 'exec_id,order_id,venue,exec_ts,price,qty\nX1,O1,XNAS,2026-07-01T14:00:01.2505Z,190.03,100\n');
    const loaded = await rt.drop(drops);
    expect(loaded.map((l) => l.manifest?.status)).toEqual(['loaded', 'loaded', 'loaded']);

    const first = await rt.run('exceptions', { date: DAY, dryRun: true });
    expect(first.output.enrichment).toMatchObject({ missing: 1, stale: 0, fresh: 0 });
    const rec = await record();
    // its inputs: the three drop objects, by key and content hash
    expect(rec.inputs.map((i) => i.drop_key).sort()).toEqual([
      'bolt-sor/executions/day.csv',
      'bolt-sor/orders/day.csv',
      'sip/quotes/nbbo.csv',
    ]);
    expect(rec.rows.order_figures).toBe(1);
    // NBO 190.04 − 190.03 = 0.01 improvement; 1.2505 s − 1 s = 250.5 ms, exact
    let x = await figures('SELECT price_improvement, exec_time_ms FROM execution_figures');
    expect(x).toHaveLength(1);
    expect(x[0]?.price_improvement).toBeCloseTo(0.01, 12);
    expect(x[0]?.exec_time_ms).toBe(250.5);
    // staging is cleaned up after the commit
    const staged = await rt.s3.send(new ListObjectsV2Command({ Bucket: rt.buckets.lake, Prefix: LAKE.figuresStagingRoot }));
    expect(staged.Contents ?? []).toEqual([]);

    const tagsBefore = [await etag('order_figures'), await etag('execution_figures')];
    const second = await rt.run('exceptions', { date: DAY, dryRun: true });
    expect(second.output.enrichment).toMatchObject({ units: [], fresh: 1, missing: 0, stale: 0 });
    expect([await etag('order_figures'), await etag('execution_figures')]).toEqual(tagsBefore);

    // The vendor re-drops its executions with a corrected price: the date is stale.
    file('bolt-sor/executions/day.csv', 'exec_id,order_id,venue,exec_ts,price,qty\nX1,O1,XNAS,2026-07-01T14:00:01.2505Z,190.02,100\n');
    rmSync(join(drops, 'sip'), { recursive: true });
    rmSync(join(drops, 'bolt-sor', 'orders'), { recursive: true });
    await rt.drop(drops);
    const third = await rt.run('exceptions', { date: DAY, dryRun: true });
    expect(third.output.enrichment).toMatchObject({ stale: 1, fresh: 0 });
    expect((await record()).fingerprint).not.toBe(rec.fingerprint);
    x = await figures('SELECT price_improvement FROM execution_figures');
    expect(x).toHaveLength(1);
    expect(x[0]?.price_improvement).toBeCloseTo(0.02, 12);
    const o = await figures('SELECT count(*) AS n, max(price_improvement) AS pi FROM order_figures');
    expect(o[0]).toMatchObject({ n: 1 });
    expect(o[0]?.pi).toBeCloseTo(0.02, 12);
  }, 600_000);
});
