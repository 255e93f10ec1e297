/**
 * The synthesised daily exceptions state machine, run by the local runtime end to end (s3rver,
 * DuckDB for Athena, the handlers in process): the `prepare` export is found through
 * BESTEX_HANDLER, every exception file runs, the day's CSV and report land in the results bucket,
 * and a dry run writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../lib/local/runtime';
import { sqlFiles } from '../../lib/sql-files';

let rt: LocalRuntime;
const home = mkdtempSync(join(tmpdir(), 'bestex-exc-'));
beforeAll(async () => {
  rt = await LocalRuntime.start({ home });
});
afterAll(async () => {
  await rt?.stop();
  rmSync(home, { recursive: true, force: true });
});

const keys = async (prefix: string) =>
  ((await rt.s3.send(new ListObjectsV2Command({ Bucket: rt.buckets.results, Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();

describe('daily exceptions on the local runtime', () => {
  it('a dry run for a date runs every exception query and writes nothing', async () => {
    const r = await rt.run('exceptions', { date: '2026-07-01', dryRun: true });
    expect(r.queries).toHaveLength(sqlFiles('exceptions').length);
    expect(r.output).toMatchObject({ date: '2026-07-01', dryRun: true, summary: { date: '2026-07-01', outputs: {} } });
    expect(await keys('exceptions/')).toEqual([]);
  }, 300_000);

  it('a run on an empty lake writes the day’s CSV and report and publishes nothing', async () => {
    const r = await rt.run('exceptions', { date: '2026-07-02' });
    expect(r.output).toMatchObject({ date: '2026-07-02', dryRun: false, summary: { counts: [], notices: [] } });
    expect(await keys('exceptions/2026-07-02/')).toEqual(['exceptions/2026-07-02/exceptions.csv', 'exceptions/2026-07-02/report.html']);
  }, 300_000);
});
