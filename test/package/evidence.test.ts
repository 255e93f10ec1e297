/**
 * Evidence manifest and the hash checks of verifyPackage: inputs in a real s3rver read through the
 * S3 API, SQL and thresholds in a checkout, the package folder with evidence.json and its outputs.
 * Hashes in the fixtures come from node:crypto directly and from coreutils' sha256sum, not from the
 * code under test. What verify trusts (the Object Lock copy) is tested in test/cli/verify-package.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildEvidenceManifest,
  type EvidenceInput,
  type EvidenceManifest,
  fileContent,
  hashContent,
  manifestSidecar,
  type PackageStore,
  parseManifest,
  s3Resolver,
  serializeManifest,
  verifyPackage,
} from '../../lambdas/adapters/evidence';
import { type S3rverFixture, startS3rver } from '../support/s3rver';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('hashing', () => {
  it('matches the FIPS 180-2 test vector, whole and streamed in odd chunks', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect((await hashContent('abc')).sha256).toBe(abc);
    expect(await hashContent(Readable.from([Buffer.from('a'), Buffer.from('bc')]))).toEqual({ sha256: abc, bytes: 3 });
  });

  it('streams a large file to the same digest as coreutils sha256sum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bestex-hash-'));
    try {
      const f = join(dir, 'big.bin');
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
      writeFileSync(f, Buffer.concat(Array.from({ length: 24 }, () => chunk)));
      const expected = execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0];
      const content = await fileContent(f);
      expect(content).toBeDefined();
      expect(await hashContent(content as NonNullable<typeof content>)).toEqual({ sha256: expected, bytes: 24 << 20 });
      expect(await fileContent(join(dir, 'absent'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('evidence manifest', () => {
  const base: EvidenceInput = {
    period: '2026Q3',
    source: 'vendor-a',
    runId: 'r1',
    codeVersion: 'abc1234',
    generatedAt: '2026-10-05T11:00:00.000Z',
    inputs: [
      { bucket: 'lake', key: 'orders/b.parquet', sha256: hex('b'), rows: 2 },
      { bucket: 'lake', key: 'orders/a.parquet', sha256: hex('a') },
      { bucket: 'lake', key: 'orders/a.parquet', sha256: hex('a') },
    ],
    sql: [{ name: 'pi', path: 'sql/metrics/pi.sql', sha256: hex('select 1') }],
    thresholds: { path: 'config/thresholds.json', version: 'v1', sha256: hex('{}') },
    queryExecutionIds: ['q2', 'q1', 'q2'],
    outputs: [{ bucket: 'results', key: 'packages/2026Q3/vendor-a/report.html', sha256: hex('<html>'), bytes: 6 }],
  };

  it('sorts and de-duplicates, so the same review gives the same bytes', () => {
    const m = buildEvidenceManifest(base);
    expect(m.schema).toBe('bestex.evidence/v1');
    expect(m.inputs.map((i) => i.key)).toEqual(['orders/a.parquet', 'orders/b.parquet']);
    expect(m.queryExecutionIds).toEqual(['q1', 'q2']);
    const shuffled = buildEvidenceManifest({ ...base, inputs: [...base.inputs].reverse(), queryExecutionIds: ['q1', 'q2'] });
    expect(serializeManifest(shuffled)).toBe(serializeManifest(m));
  });

  it('refuses an object listed twice with different hashes, and a malformed hash, naming them', () => {
    expect(() =>
      buildEvidenceManifest({ ...base, inputs: [...base.inputs, { bucket: 'lake', key: 'orders/a.parquet', sha256: hex('x') }] }),
    ).toThrow(/input s3:\/\/lake\/orders\/a\.parquet is listed twice with different SHA-256/);
    expect(() => buildEvidenceManifest({ ...base, thresholds: { ...base.thresholds, sha256: 'ABC' } })).toThrow(
      /thresholds\.sha256: must be a lower-case hex SHA-256/,
    );
  });

  it('writes a sidecar that coreutils can check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bestex-sidecar-'));
    try {
      const body = serializeManifest(buildEvidenceManifest(base));
      writeFileSync(join(dir, 'evidence.json'), body);
      writeFileSync(join(dir, 'evidence.json.sha256'), manifestSidecar(body));
      expect(execFileSync('sha256sum', ['-c', 'evidence.json.sha256'], { cwd: dir, encoding: 'utf8' })).toContain('evidence.json: OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verifyPackage', () => {
  let store: S3rverFixture;
  let s3: S3Client;
  let root: string;
  let repo: string;
  let pkg: string;
  let manifest: EvidenceManifest;
  const prefix = 'packages/2026Q3/vendor-a/';
  const lakeKey = 'orders/source=vendor-a/trade_date=2026-07-01/part-0123456789abcdef.parquet';
  const manifestKey = '_manifests/0123456789abcdef.json';
  const priorKey = 'review_metrics/period=2026Q3/r1.parquet';
  const files: Record<string, string | Buffer> = {
    lake: Buffer.from('PAR1 pretend parquet bytes PAR1'),
    manifest: '{"outputs":[{"key":"x","rows":2}]}',
    prior: 'period,source\n2026Q3,vendor-a\n',
    sql: 'SELECT 1\n',
    thresholds: '{"version":"v1"}\n',
    report: '<html>report</html>',
    csv: 'a,b\n1,2\n',
  };

  const write = (path: string, body: string | Buffer) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  const flipByte = (path: string, at = 0) => {
    const b = readFileSync(path);
    b[at] = (b[at] as number) ^ 0x01;
    writeFileSync(path, b);
  };
  const put = (bucket: string, key: string, body: string | Buffer) => store.put(bucket, key, body);
  const get = async (bucket: string, key: string): Promise<Buffer> => {
    const b = await store.bytes(bucket, key);
    if (!b) throw new Error(`no object ${key} in ${bucket}`);
    return b;
  };
  const flipObject = async (bucket: string, key: string, at = 0) => {
    const b = await get(bucket, key);
    b[at] = (b[at] as number) ^ 0x01;
    await put(bucket, key, b);
  };

  beforeAll(async () => {
    store = await startS3rver(['lake', 'results'], { tmpPrefix: 'bestex-verify-' });
    root = store.dir;
    s3 = store.s3;
  });
  afterAll(async () => {
    await store?.stop();
  });

  beforeEach(async () => {
    repo = mkdtempSync(join(root, 'repo-'));
    pkg = join(mkdtempSync(join(root, 'fetched-')), 'vendor-a');
    await put('lake', lakeKey, files.lake as Buffer);
    await put('lake', manifestKey, files.manifest as string);
    await put('results', priorKey, files.prior as string);
    write(join(repo, 'sql/metrics/pi.sql'), files.sql as string);
    write(join(repo, 'config/thresholds.json'), files.thresholds as string);
    write(join(pkg, 'report.html'), files.report as string);
    write(join(pkg, 'metrics.csv'), files.csv as string);
    manifest = buildEvidenceManifest({
      period: '2026Q3',
      source: 'vendor-a',
      runId: 'r1',
      codeVersion: 'abc1234',
      generatedAt: '2026-10-05T11:00:00.000Z',
      package: { bucket: 'results', prefix },
      evidence: { bucket: 'evidence', key: `${prefix}r1/evidence.json` },
      inputs: [
        { bucket: 'lake', key: lakeKey, sha256: hex(files.lake as Buffer), rows: 2 },
        { bucket: 'lake', key: manifestKey, sha256: hex(files.manifest as string) },
      ],
      sql: [{ name: 'pi', path: 'sql/metrics/pi.sql', sha256: hex(files.sql as string) }],
      thresholds: { path: 'config/thresholds.json', version: 'v1', sha256: hex(files.thresholds as string) },
      queryExecutionIds: ['q1'],
      outputs: [
        { bucket: 'results', key: priorKey, sha256: hex(files.prior as string), bytes: 31 },
        { bucket: 'results', key: `${prefix}report.html`, sha256: hex(files.report as string), bytes: 19 },
        { bucket: 'results', key: `${prefix}metrics.csv`, sha256: hex(files.csv as string), bytes: 8 },
      ],
    });
    const body = serializeManifest(manifest);
    write(join(pkg, 'evidence.json'), body);
    write(join(pkg, 'evidence.json.sha256'), `${hex(body)}  evidence.json\n`);
  });
  afterEach(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(dirname(pkg), { recursive: true, force: true });
  });

  const verify = () => verifyPackage(pkg, manifest, { resolveInput: s3Resolver(s3), repoRoot: repo });

  it('passes a fresh package, every hash checked', async () => {
    const r = await verify();
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checked).toEqual({ input: 2, output: 3, sql: 1, thresholds: 1 });
  });

  it('fails naming the input when one byte of a lake object changes', async () => {
    await flipObject('lake', lakeKey, 5);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.issues).toHaveLength(1);
    const [i] = r.issues;
    expect(i).toMatchObject({ artifact: 'input', name: `s3://lake/${lakeKey}`, problem: 'changed' });
    expect(i?.actual).toBe(hex(await get('lake', lakeKey)));
    expect(i?.message).toBe(`input s3://lake/${lakeKey} changed since the review: expected sha256 ${i?.expected}, found ${i?.actual}`);
  });

  it('fails naming the output when one byte of a package file changes', async () => {
    flipByte(join(pkg, 'report.html'), 3);
    const r = await verify();
    expect(r.issues.map((i) => [i.artifact, i.name, i.problem])).toEqual([['output', 'report.html', 'changed']]);
  });

  it('fails on a changed earlier output of the run, a changed SQL file and a changed thresholds file', async () => {
    await flipObject('results', priorKey);
    flipByte(join(repo, 'sql/metrics/pi.sql'));
    writeFileSync(join(repo, 'config/thresholds.json'), '{"version":"v2"}\n');
    const r = await verify();
    expect(r.issues.map((i) => `${i.artifact} ${i.name}`).sort()).toEqual([
      `output s3://results/${priorKey}`,
      'sql sql/metrics/pi.sql',
      'thresholds config/thresholds.json',
    ]);
  });

  it('reports missing files as missing, and extra files without failing', async () => {
    unlinkSync(join(pkg, 'metrics.csv'));
    await s3.send(new DeleteObjectCommand({ Bucket: 'lake', Key: manifestKey }));
    writeFileSync(join(pkg, 'report.pdf'), '%PDF-1.7');
    const r = await verify();
    expect(r.issues.map((i) => [i.name, i.problem])).toEqual([
      ['metrics.csv', 'missing'],
      [`s3://lake/${manifestKey}`, 'missing'],
    ]);
    expect(r.unlisted).toEqual(['report.pdf']);
  });

  it('without S3 access checks the folder and the checkout, and says what it did not check', async () => {
    await flipObject('lake', lakeKey);
    const r = await verifyPackage(pkg, manifest, { repoRoot: repo });
    expect(r.ok).toBe(true);
    expect(r.checked).toEqual({ input: 0, output: 2, sql: 1, thresholds: 1 });
    expect(r.notes).toEqual([
      '3 objects in S3 (inputs and outputs outside the package folder) were not checked: verify without --offline to re-hash them',
    ]);
  });

  it('says what is wrong with a file that is not a manifest', () => {
    const bad = parseManifest('{"schema":"something else"}', 'x/evidence.json');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.message).toContain('x/evidence.json is not a bestex evidence manifest');
  });

  it('verifies a package in any store that lists and reads', async () => {
    const objects = new Map<string, Buffer>();
    for (const f of ['report.html', 'metrics.csv', 'evidence.json']) objects.set(`${prefix}${f}`, readFileSync(join(pkg, f)));
    const store: PackageStore = {
      list: async (p) => [...objects.keys()].filter((k) => k.startsWith(p)),
      read: async (k) => objects.get(k) ?? Buffer.alloc(0),
    };
    const opts = { resolveInput: s3Resolver(s3), repoRoot: repo };
    expect((await verifyPackage(store, manifest, opts)).ok).toBe(true);
    objects.set(`${prefix}metrics.csv`, Buffer.from('a,b\n1,3\n'));
    const r = await verifyPackage(store, manifest, opts);
    expect(r.issues.map((i) => i.name)).toEqual(['metrics.csv']);
  });
});
