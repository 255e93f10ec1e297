import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvidenceManifest, type ObjectResolver, verifyPackage } from '../../lambdas/adapters/evidence';
import type { PackageSink } from '../../lambdas/adapters/package-store';
import { type PackageContext, packagePrefix, type WrittenPackages, writeReviewPackage } from '../../lambdas/package/package';
import { parseCsv } from '../../lambdas/shared/athena-csv';
import { fixture } from './fixtures';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function memorySink(bucket: string): PackageSink & { objects: Map<string, { body: Buffer; type: string }> } {
  const objects = new Map<string, { body: Buffer; type: string }>();
  return {
    bucket,
    objects,
    async put(key, body, type) {
      const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
      objects.set(key, { body: b, type });
      return { sha256: hex(b) };
    },
  };
}

async function query(parquet: Buffer, sql: string): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-pq-'));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    writeFileSync(join(dir, 't.parquet'), parquet);
    return (await con.runAndReadAll(sql.replace('$FILE', `'${join(dir, 't.parquet')}'`))).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('review package', () => {
  const data = fixture();
  const lakeBody = Buffer.from('lake object bytes');
  const lakeKey = 'orders/source=vendor-a/trade_date=2026-07-01/part-00000000000000aa.parquet';
  let results: ReturnType<typeof memorySink>;
  let evidence: ReturnType<typeof memorySink>;
  let written: WrittenPackages;
  let root: string;

  const ctx = (over: Partial<PackageContext> = {}): PackageContext => ({
    period: '2026Q3',
    runId: 'run-1',
    generatedAt: '2026-10-05T11:00:00.000Z',
    codeVersion: 'abc1234',
    thresholds: { path: 'config/thresholds.json', version: '2026-11-21.1', sha256: hex('thresholds') },
    sql: [{ name: 'pi', path: 'sql/metrics/pi.sql', sha256: hex('sql') }],
    inputs: [{ bucket: 'lake', key: lakeKey, sha256: hex(lakeBody), rows: 3 }],
    queryExecutionIds: ['qe-1'],
    metrics: data.metrics,
    findings: data.findings,
    outcomes: data.outcomes,
    ...(data.monitoring ? { monitoring: { 'vendor-a': data.monitoring } } : {}),
    sink: results,
    evidenceSink: evidence,
    ...over,
  });

  beforeAll(async () => {
    results = memorySink('results');
    evidence = memorySink('evidence');
    written = await writeReviewPackage(ctx());
    root = mkdtempSync(join(tmpdir(), 'bestex-pkg-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const file = (source: string, name: string) => results.objects.get(`packages/2026Q3/${source}/${name}`)?.body as Buffer;

  it('writes one package per source under packages/<period>/<source>/, and the manifest to the evidence bucket', () => {
    const names = [
      'report.html',
      'findings.csv',
      'metrics.csv',
      'breaches.csv',
      'metrics.parquet',
      'breaches.parquet',
      'evidence.json',
      'evidence.json.sha256',
    ];
    expect([...results.objects.keys()].sort()).toEqual(
      ['vendor-a', 'vendor-b'].flatMap((s) => names.map((n) => `packages/2026Q3/${s}/${n}`)).sort(),
    );
    expect(written.keys.sort()).toEqual([...results.objects.keys()].sort());
    expect([...evidence.objects.keys()].sort()).toEqual([
      'packages/2026Q3/vendor-a/run-1/evidence.json',
      'packages/2026Q3/vendor-a/run-1/evidence.json.sha256',
      'packages/2026Q3/vendor-b/run-1/evidence.json',
      'packages/2026Q3/vendor-b/run-1/evidence.json.sha256',
    ]);
    expect(evidence.objects.get('packages/2026Q3/vendor-a/run-1/evidence.json')?.body.equals(file('vendor-a', 'evidence.json'))).toBe(true);
    expect(results.objects.get('packages/2026Q3/vendor-a/report.html')?.type).toBe('text/html; charset=utf-8');
  });

  it('puts exactly the source’s breaches, with their figures, in breaches.csv and breaches.parquet', async () => {
    const parsed = parseCsv(file('vendor-a', 'breaches.csv').toString('utf8'), 'breaches.csv');
    if (!parsed.ok) throw new Error(parsed.reason);
    const h = parsed.value.header;
    expect(parsed.value.rows).toHaveLength(1);
    const rec = Object.fromEntries(h.map((c, i) => [c, parsed.value.rows[0]?.[i]]));
    expect(rec).toMatchObject({
      period: '2026Q3',
      source: 'vendor-a',
      rule_id: 'pi-market',
      symbol: 'AAPL',
      order_category: 'market',
      status: 'breach',
      value: '-0.00002501839588',
      benchmark: '0.0015',
      difference: '-0.00152501839588',
      ci_lower: null,
      ci_upper: '-0.0011',
      p_adjusted: '0.0012',
      family_size: '3',
      n_orders: '1013',
      severity: 'high',
    });
    const pq = await query(
      file('vendor-a', 'breaches.parquet'),
      'SELECT rule_id, value, n_orders, ci_lower, p_adjusted, family_size FROM read_parquet($FILE)',
    );
    expect(pq).toEqual([
      { rule_id: 'pi-market', value: -0.00002501839588, n_orders: 1013n, ci_lower: null, p_adjusted: 0.0012, family_size: 3n },
    ]);
    // The same column types as the review_breaches table (they had drifted to VARCHAR here).
    const types = await query(
      file('vendor-a', 'breaches.parquet'),
      "SELECT column_name, column_type AS data_type FROM (DESCRIBE SELECT * FROM read_parquet($FILE)) WHERE column_name IN ('p_adjusted', 'family_size', 'n_eff') ORDER BY 1",
    );
    expect(types).toEqual([
      { column_name: 'family_size', data_type: 'BIGINT' },
      { column_name: 'n_eff', data_type: 'DOUBLE' },
      { column_name: 'p_adjusted', data_type: 'DOUBLE' },
    ]);
    const b = await query(file('vendor-b', 'breaches.parquet'), 'SELECT count(*) AS n FROM read_parquet($FILE)');
    expect(b).toEqual([{ n: 1n }]);
  });

  it('puts the source’s review_metrics rows in metrics.csv and metrics.parquet, values intact', async () => {
    const own = data.metrics.filter((r) => r.source === 'vendor-a');
    const expectedSum = own.reduce((s, r) => s + (r.value ?? 0), 0);
    const [agg] = await query(
      file('vendor-a', 'metrics.parquet'),
      'SELECT count(*) AS n, sum(value) AS total, count(DISTINCT source) AS sources, sum(excl_stale_nbbo) AS stale FROM read_parquet($FILE)',
    );
    expect(agg?.n).toBe(BigInt(own.length));
    expect(agg?.sources).toBe(1n);
    expect(agg?.total as number).toBeCloseTo(expectedSum, 9);
    expect(agg?.stale).toBe(BigInt(own.reduce((s, r) => s + r.excl_stale_nbbo, 0)));
    const csv = file('vendor-a', 'metrics.csv').toString('utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'period,source,symbol,order_category,venue,size_bucket,sp500,metric,value,n_orders,n_executions,std_dev,n_eff,excl_no_nbbo,excl_stale_nbbo,excl_crossed_or_locked_nbbo,excl_negative_exec_time,excl_orphan_execution',
    );
    expect(csv).toHaveLength(own.length + 1);
  });

  it('writes findings.csv for people: figures in their units, the sentence, no raw floats', () => {
    const parsed = parseCsv(file('vendor-a', 'findings.csv').toString('utf8'), 'findings.csv');
    if (!parsed.ok) throw new Error(parsed.reason);
    const h = parsed.value.header;
    const rows = parsed.value.rows.map((r) => Object.fromEntries(h.map((c, i) => [c, r[i]])));
    expect(rows.map((r) => r.finding_id)).toEqual([
      '2026Q3/vendor-a/pi-market',
      '2026Q3/vendor-a/speed-market',
      '2026Q3/vendor-a/fill-limit',
      '2026Q3/vendor-a/eq-market',
    ]);
    expect(rows[0]).toMatchObject({
      figure: '−$0.00003/share',
      benchmark: '$0.0030/share',
      gap: '$0.0030/share below',
      benchmark_source: 'peer vendor-b',
    });
    expect(rows[0]?.customer_cost).toBe('$41,100 (13.7M shares × $0.0030/share)');
    expect(file('vendor-a', 'findings.csv').toString('utf8')).not.toMatch(/\d\.\d{7,}/);
  });

  it('records every output’s hash and size, the inputs, SQL, thresholds and code version in evidence.json', () => {
    const body = file('vendor-a', 'evidence.json');
    const m = JSON.parse(body.toString('utf8')) as EvidenceManifest;
    expect(file('vendor-a', 'evidence.json.sha256').toString()).toBe(`${hex(body)}  evidence.json\n`);
    expect(m).toMatchObject({
      period: '2026Q3',
      source: 'vendor-a',
      runId: 'run-1',
      codeVersion: 'abc1234',
      package: { bucket: 'results', prefix: 'packages/2026Q3/vendor-a/' },
      evidence: { bucket: 'evidence', key: 'packages/2026Q3/vendor-a/run-1/evidence.json' },
      inputs: [{ bucket: 'lake', key: lakeKey, sha256: hex(lakeBody), rows: 3 }],
      queryExecutionIds: ['qe-1'],
      thresholds: { version: '2026-11-21.1' },
    });
    expect(m.outputs.map((o) => o.key.split('/').pop())).toEqual([
      'breaches.csv',
      'breaches.parquet',
      'findings.csv',
      'metrics.csv',
      'metrics.parquet',
      'report.html',
    ]);
    for (const o of m.outputs) {
      const stored = results.objects.get(o.key)?.body as Buffer;
      expect(o.sha256).toBe(hex(stored));
      expect(o.bytes).toBe(stored.byteLength);
    }
  });

  it('verifies once fetched, and names the file when one byte of an output changes', async () => {
    const pkg = join(root, 'vendor-a');
    for (const [key, { body }] of results.objects) {
      if (key.startsWith('packages/2026Q3/vendor-a/')) {
        mkdirSync(pkg, { recursive: true });
        writeFileSync(join(pkg, key.slice('packages/2026Q3/vendor-a/'.length)), body);
      }
    }
    // The lake as the package step saw it; the Object Lock side of verify is test/cli/verify-package.test.ts.
    const lake: ObjectResolver = async (ref) => (ref.bucket === 'lake' && ref.key === lakeKey ? lakeBody : undefined);
    const manifest = JSON.parse(readFileSync(join(pkg, 'evidence.json'), 'utf8')) as EvidenceManifest;
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'sql/metrics'), { recursive: true });
    mkdirSync(join(repo, 'config'), { recursive: true });
    writeFileSync(join(repo, 'sql/metrics/pi.sql'), 'sql');
    writeFileSync(join(repo, 'config/thresholds.json'), 'thresholds');

    const ok = await verifyPackage(pkg, manifest, { resolveInput: lake, repoRoot: repo });
    expect(ok.issues).toEqual([]);
    expect(ok.checked).toEqual({ input: 1, output: 6, sql: 1, thresholds: 1 });

    const target = join(pkg, 'metrics.parquet');
    const bytes = readFileSync(target);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    writeFileSync(target, bytes);
    const bad = await verifyPackage(pkg, manifest, { resolveInput: lake, repoRoot: repo });
    expect(bad.issues.map((i) => `${i.artifact} ${i.name} ${i.problem}`)).toEqual(['output metrics.parquet changed']);
  });

  it('writes dry runs under dry-run/ and nothing to the evidence bucket', async () => {
    const r = memorySink('results');
    const e = memorySink('evidence');
    const w = await writeReviewPackage(ctx({ dryRun: true, sink: r, evidenceSink: e, sources: ['vendor-a'] }));
    expect(packagePrefix('2026Q3', 'vendor-a', true)).toBe('dry-run/packages/2026Q3/vendor-a/');
    expect(w.keys.every((k) => k.startsWith('dry-run/packages/2026Q3/vendor-a/'))).toBe(true);
    expect(e.objects.size).toBe(0);
    const m = JSON.parse(r.objects.get('dry-run/packages/2026Q3/vendor-a/evidence.json')?.body.toString() ?? '{}');
    expect(m.evidence).toBeUndefined();
    expect(r.objects.get('dry-run/packages/2026Q3/vendor-a/report.html')?.body.toString()).toContain('DRY RUN');
  });

  it('fails loudly when the store did not keep the bytes it was given', async () => {
    const liar: PackageSink = { bucket: 'results', put: async () => ({ sha256: hex('something else') }) };
    await expect(writeReviewPackage(ctx({ sink: liar, sources: ['vendor-a'] }))).rejects.toThrow(
      /s3:\/\/results\/packages\/2026Q3\/vendor-a\/report\.html was stored with sha256 .* re-run the package step/,
    );
  });
});
