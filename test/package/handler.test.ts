/**
 * The Package Lambda through the real S3 protocol (s3rver on 127.0.0.1, random port): it reads
 * what Evaluate wrote and the period's lake objects, writes each source's package and evidence,
 * and the fetched package verifies against its Object Lock copy, until one byte of a lake object changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendCommitteeRecord, loadAgendas, loadCommitteeRecords, writeAgenda } from '../../lambdas/adapters/committee-store';
import type { EvidenceManifest } from '../../lambdas/adapters/evidence';
import { differenceId } from '../../lambdas/core/review/committee';
import { type EvaluateFiles, evaluateFiles } from '../../lambdas/evaluate/run';
import { handler } from '../../lambdas/package/handler';
import type { PackageInput, PackageResult } from '../../lambdas/package/run';
import { toAthenaCsvRecords } from '../../lambdas/shared/athena-csv';
import { packageOutputSchema } from '../../lambdas/shared/contracts/package';
import { BUCKET_ROLES, EVIDENCE } from '../../lambdas/shared/layout';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { verifyPackageDir } from '../../lib/cli/support/verify-package';
import { type S3rverFixture, startS3rver } from '../support/s3rver';
import { fixture } from './fixtures';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const B = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `pkg-${r}`])) as Record<(typeof BUCKET_ROLES)[number], string>;

const IN_PERIOD = 'orders/source=vendor-a/trade_date=2026-07-01/part-00000000000000a1.parquet';
const BEFORE = 'orders/source=vendor-a/trade_date=2026-06-30/part-00000000000000a2.parquet';
const VENUES = 'venues/source=vendor-a/part-00000000000000a3.parquet';
const RUN = 'reviews/2026Q3/run-1/';
/** The files of Evaluate's run the package reads. */
const EVALUATED = ['findings', 'outcomes', 'reviewMetricsCsv', 'monitoring', 'cases', 'reconciliation', 'comparison'] as const;
const DIFF_ID = differenceId('2026Q3', {
  dimension: 'source',
  metric: 'price_improvement_per_share',
  symbol: '*',
  order_category: 'market',
  better: 'vendor-b',
  worse: 'vendor-a',
});

async function parquet(dir: string, sql: string): Promise<Buffer> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const f = join(dir, `${Math.random().toString(36).slice(2)}.parquet`);
  try {
    await con.run(`COPY (${sql}) TO '${f}' (FORMAT parquet)`);
    return readFileSync(f);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('package handler on local S3', () => {
  let root: string;
  let store: S3rverFixture;
  let s3: S3Client;
  let repo: string;
  let event: PackageInput;
  let result: PackageResult;

  const put = (bucket: string, key: string, body: Buffer | string) => store.put(bucket, key, body);
  const get = async (bucket: string, key: string): Promise<Buffer> => {
    const b = await store.bytes(bucket, key);
    if (!b) throw new Error(`no object ${key} in ${bucket}`);
    return b;
  };

  beforeAll(async () => {
    store = await startS3rver(
      BUCKET_ROLES.map((r) => B[r]),
      { tmpPrefix: 'bestex-pkg-handler-' },
    );
    root = store.dir;
    s3 = store.s3;
    for (const r of BUCKET_ROLES) process.env[`BUCKET_${r.toUpperCase()}`] = B[r];
    process.env.BESTEX_S3_ENDPOINT = store.endpoint;
    process.env.BESTEX_CODE_VERSION = 'test-sha';

    await put(
      B.lake,
      IN_PERIOD,
      await parquet(root, "SELECT * FROM (VALUES ('o1', 'AAPL'), ('o2', 'MSFT'), ('o3', 'AAPL')) t(order_id, symbol)"),
    );
    await put(B.lake, BEFORE, await parquet(root, "SELECT 'o0' AS order_id"));
    await put(
      B.lake,
      VENUES,
      await parquet(
        root,
        `SELECT * FROM (VALUES
          ('WHSL', 'Wholesaler One', 'WHOLESALER', 'Y', 0.0015, DATE '2026-01-01'),
          ('WHSL', 'Wholesaler One', 'WHOLESALER', 'Y', 0.0, DATE '2026-12-01'),
          ('XNAS', 'Nasdaq', 'EXCHANGE', 'Y', 0.0, DATE '2026-01-01')) t(venue, name, venue_type, approved, pfof_per_share, effective_from)`,
      ),
    );
    await put(B.lake, '_manifests/00000000000000a1.json', JSON.stringify({ rows_read: 3, outputs: [{ key: IN_PERIOD, rows: 3 }] }));
    // Committed loads of the other two files (the manifest is a load's commit record: an unnamed file is not data).
    await put(B.lake, '_manifests/00000000000000a2.json', JSON.stringify({ rows_read: 1, outputs: [{ key: BEFORE, rows: 1 }] }));
    await put(B.lake, '_manifests/00000000000000a3.json', JSON.stringify({ rows_read: 3, outputs: [{ key: VENUES, rows: 3 }] }));
    // Written by no committed load (a killed one): not an input.
    await put(
      B.lake,
      'orders/source=vendor-a/trade_date=2026-07-01/part-00000000000000a1-dead.parquet',
      await parquet(root, "SELECT 'ox' AS order_id"),
    );

    // What Evaluate wrote: metrics without PFOF received, so PFOF can only come from the venues table.
    const data = fixture();
    const metrics = data.metrics.filter((r) => r.metric !== 'pfof_received_usd');
    const written = evaluateFiles('2026Q3', 'run-1', false);
    const files = Object.fromEntries(EVALUATED.map((k) => [k, written[k]])) as Pick<EvaluateFiles, (typeof EVALUATED)[number]>;
    await put(
      B.results,
      files.findings,
      JSON.stringify({
        period: '2026Q3',
        runId: 'run-1',
        evaluatedAt: '2026-10-05T10:00:00.000Z',
        thresholds: { version: '2026-11-21.1', sha256: 'c'.repeat(64) },
        seed: 7,
        findings: data.findings,
        reconciliation: [],
        sources: [],
      }),
    );
    await put(B.results, files.outcomes, JSON.stringify(data.outcomes));
    await put(
      B.results,
      files.reviewMetricsCsv,
      toAthenaCsvRecords(REVIEW_METRIC_COLUMNS, metrics as unknown as Record<string, unknown>[]),
    );
    await put(B.results, files.monitoring, JSON.stringify({ 'vendor-a': data.monitoring }));
    await put(B.results, files.cases, JSON.stringify(data.cases));
    await put(B.results, files.reconciliation, JSON.stringify(data.reconciliation));
    await put(B.results, files.comparison, JSON.stringify({ tables: [], differences: data.differences }));
    await put(B.results, 'monitoring/state.json', '{}');

    // The committee's record so far: the 2026Q2 review left an item undecided; a determination on
    // this review's material difference was recorded ahead of the package (e.g. a re-run).
    await writeAgenda(s3, B.results, {
      period: '2026Q2',
      source: 'vendor-a',
      runId: 'run-0',
      decide_by: '2026-08-05',
      items: [
        {
          item_id: '2026Q2/vendor-a/fill-limit',
          kind: 'finding',
          period: '2026Q2',
          source: 'vendor-a',
          title: 'Limit fill rate.',
          severity: 'medium',
          cost_usd: null,
        },
      ],
    });
    const minuted = await appendCommitteeRecord(s3, { results: B.results, evidence: B.evidence }, [], {
      kind: 'minutes',
      at: '2026-10-05T15:00:00.000Z',
      who: 'jdoe',
      period: '2026Q3',
      meeting_date: '2026-10-05',
      attendees: ['Jane Doe (CCO)'],
      text: '',
    });
    if (!minuted.ok) throw new Error(minuted.reason);
    const decided = await appendCommitteeRecord(s3, { results: B.results }, [minuted.value.record], {
      kind: 'determination',
      at: '2026-10-05T15:10:00.000Z',
      who: 'jdoe',
      period: '2026Q3',
      source: 'vendor-a',
      item_id: DIFF_ID,
      item_kind: 'material_difference',
      decision: 'modify_routing',
      rationale: 'Route market orders away from WHSL.',
      owner: 'Raj Patel',
      case_id: null,
    });
    if (!decided.ok) throw new Error(decided.reason);

    repo = join(root, 'repo');
    mkdirSync(join(repo, 'sql/metrics'), { recursive: true });
    mkdirSync(join(repo, 'config'), { recursive: true });
    const sql = 'SELECT 1 AS x\n';
    const rules = '{"version":"2026-11-21.1","clean_reviews_to_exit":3}\n';
    writeFileSync(join(repo, 'sql/metrics/pi.sql'), sql);
    writeFileSync(join(repo, 'config/thresholds.json'), rules);

    event = {
      period: '2026Q3',
      runId: 'run-1',
      start: '2026-07-01',
      end: '2026-10-01',
      dryRun: 'false',
      sources: [],
      metricResults: [
        {
          name: 'pi',
          path: 'sql/metrics/pi.sql',
          sha256: hex(sql),
          result: { queryExecutionId: 'local-qe-1', outputLocation: `s3://${B.athena}/local-qe-1.csv` },
        },
      ],
      evaluation: {
        period: '2026Q3',
        runId: 'run-1',
        dryRun: false,
        findingCount: 2,
        breachCount: 1,
        sources: [{ source: 'vendor-a', breaches: 2, status: 'heightened' }],
        notices: [],
        outputs: [...Object.values(files), 'monitoring/state.json'],
        files,
        thresholds: { uri: join(repo, 'config/thresholds.json'), version: '2026-11-21.1', sha256: hex(rules) },
      },
    };
    result = await handler(event);
  });

  afterAll(async () => {
    await store?.stop();
  });

  /** A package fetched through the S3 API into <root>/fetched/<period>/<source>/, as `bestex fetch` does. */
  const fetchPackage = async (source: string): Promise<string> => {
    const prefix = `packages/2026Q3/${source}/`;
    const dir = join(root, 'fetched', '2026Q3', source);
    for (const key of await store.keys(B.results, prefix)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, key.slice(prefix.length)), await get(B.results, key));
    }
    return dir;
  };

  it('writes both sources’ packages and returns where they are', () => {
    // The real result against the strict output contract: no field the contract does not name.
    expect(packageOutputSchema.safeParse(result).error).toBeUndefined();
    expect(result.dryRun).toBe(false);
    expect(result.packages.map((p) => [p.source, p.report])).toEqual([
      ['vendor-a', 'packages/2026Q3/vendor-a/report.html'],
      ['vendor-b', 'packages/2026Q3/vendor-b/report.html'],
    ]);
    expect(result.evidenceKeys).toContain(EVIDENCE.manifest('2026Q3', 'vendor-a', 'run-1'));
  });

  it('records the period’s lake objects with rows, Evaluate’s outputs, SQL, query ids and thresholds', async () => {
    const m = JSON.parse((await get(B.results, 'packages/2026Q3/vendor-a/evidence.json')).toString()) as EvidenceManifest;
    expect(m.inputs.map((i) => i.key)).toEqual([
      '_manifests/00000000000000a1.json',
      '_manifests/00000000000000a3.json',
      IN_PERIOD,
      VENUES,
      'committee/records/000001.json',
      'committee/records/000002.json',
    ]);
    expect(m.inputs.find((i) => i.key === IN_PERIOD)?.rows).toBe(3);
    expect(m.inputs.find((i) => i.key === IN_PERIOD)?.sha256).toBe(hex(await get(B.lake, IN_PERIOD)));
    expect(m.outputs.map((o) => o.key)).toContain(`${RUN}outcomes.json`);
    expect(m.outputs.map((o) => o.key)).not.toContain('monitoring/state.json');
    expect(m.sql).toEqual([{ name: 'pi', path: 'sql/metrics/pi.sql', sha256: hex('SELECT 1 AS x\n') }]);
    expect(m.queryExecutionIds).toEqual(['local-qe-1']);
    expect(m.thresholds).toEqual({ path: 'config/thresholds.json', version: '2026-11-21.1', sha256: event.evaluation.thresholds?.sha256 });
    expect(m.codeVersion).toBe('test-sha');
    const locked = await get(B.evidence, EVIDENCE.manifest('2026Q3', 'vendor-a', 'run-1'));
    expect(locked.equals(await get(B.results, 'packages/2026Q3/vendor-a/evidence.json'))).toBe(true);
  });

  it('marks PFOF from the venue record in effect at the end of the period, and reads the exit count', async () => {
    const doc = parseHTML((await get(B.results, 'packages/2026Q3/vendor-a/report.html')).toString()).document;
    const venueRow = (v: string) => doc.querySelector(`#venues tr[data-venue="${v}"]`);
    const whsl = [...(venueRow('WHSL')?.querySelectorAll('td') ?? [])].map((td) => td.textContent?.trim());
    expect(whsl).toContain('$0.0015/share');
    expect(whsl.at(-1)).toBe('PFOF');
    expect(venueRow('XNAS')?.textContent).not.toContain('PFOF');
    expect(doc.querySelector('#monitoring p.verdict')?.textContent).toMatch(/until 3 consecutive clean reviews \(now 0\)\.$/);
  });

  it('shows the determination on file and the earlier review’s open item, and leaves this review’s agenda', async () => {
    const html = (await get(B.results, 'packages/2026Q3/vendor-a/report.html')).toString();
    const doc = parseHTML(html).document;
    const row =
      [...doc.querySelectorAll('#differences tr[data-item]')].find((r) => r.getAttribute('data-item') === DIFF_ID)?.textContent ?? '';
    expect(row).toContain('Modify the routing');
    expect(doc.body.textContent).toContain('2026Q2/vendor-a/fill-limit');
    const agendas = await loadAgendas(s3, B.results);
    const mine = agendas.find((a) => a.period === '2026Q3' && a.source === 'vendor-a');
    expect(mine?.items.map((i) => i.item_id)).toEqual(['2026Q3/vendor-a/pi-market', '2026Q3/vendor-a/speed-market', DIFF_ID]);
    expect(result.agendas).toEqual(['committee/agenda/2026Q3/vendor-a.json', 'committee/agenda/2026Q3/vendor-b.json']);
    expect(result.packages[0]?.link).toMatch(
      /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/s3\/object\/pkg-results\?region=us-east-1&prefix=packages%2F2026Q3%2Fvendor-a%2Freport\.html$/,
    );
    expect((await loadCommitteeRecords(s3, B.results)).length).toBe(2);
  });

  it('verifies the fetched package against its locked copy, and names the lake object when one byte of it changes', async () => {
    const dir = await fetchPackage('vendor-a');
    const opts = { s3, evidenceBucket: B.evidence, repoRoot: repo };
    const ok = await verifyPackageDir(dir, opts);
    expect(ok.issues).toEqual([]);
    expect(ok.notes).toEqual([]);
    expect(ok.checked.input).toBe(6); // two load manifests, two lake files, two committee records
    expect(ok.authority).toBe(`s3://${B.evidence}/${EVIDENCE.manifest('2026Q3', 'vendor-a', 'run-1')}`);

    const bytes = await get(B.lake, IN_PERIOD);
    bytes[10] = (bytes[10] as number) ^ 0x01;
    await put(B.lake, IN_PERIOD, bytes);
    const bad = await verifyPackageDir(dir, opts);
    expect(bad.ok).toBe(false);
    expect(bad.issues.map((i) => i.name)).toEqual([`s3://${B.lake}/${IN_PERIOD}`]);
  });

  it('names the committee record whose bytes changed after the review', async () => {
    const key = 'committee/records/000002.json';
    const bytes = await get(B.results, key);
    await put(B.results, key, Buffer.from(bytes.toString('utf8').replace('away from', 'towards')));
    const dir = await fetchPackage('vendor-a');
    const bad = await verifyPackageDir(dir, { s3, evidenceBucket: B.evidence, repoRoot: repo });
    expect(bad.issues.map((i) => i.name)).toContain(`s3://${B.results}/${key}`);
    await put(B.results, key, bytes);
  });

  it('refuses an input that is not Evaluate’s output, saying which field', async () => {
    await expect(handler({ period: '2026Q3', runId: 'run-2' } as unknown as PackageInput)).rejects.toThrow(
      /does not match its contract.*evaluation/,
    );
    await expect(handler({ ...event, period: '2026Q5' })).rejects.toThrow(/period "2026Q5" is neither a quarter/);
  });
});
