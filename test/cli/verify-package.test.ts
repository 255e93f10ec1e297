/**
 * `bestex verify` against a real s3rver (127.0.0.1, random port) holding the lake and the evidence
 * bucket, and package folders on disk as `bestex fetch` leaves them. Two runs of 2026Q3/vendor-a
 * are locked: an earlier clean one and the latest with a breach. Each bypass attempt an editor of
 * the folder (or of the results bucket) could make is tried on a fresh copy and must fail with a
 * message naming what is wrong. Hashes in the fixtures come from node:crypto, not from the code
 * under test.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { buildEvidenceManifest, type EvidenceManifest, serializeManifest } from '../../lambdas/adapters/evidence';
import { EVIDENCE } from '../../lambdas/shared/layout';
import { type DirVerifyResult, formatVerifyResult, verifyPackageDir } from '../../lib/cli/support/verify-package';
import { type S3rverFixture, startS3rver } from '../support/s3rver';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const B = { lake: 'v-lake', results: 'v-results', evidence: 'v-evidence' };
const PERIOD = '2026Q3';
const SOURCE = 'vendor-a';
const OLD = '2026Q3-20261005T110000Z';
const NEW = '2026Q3-20261012T090000Z';
const PREFIX = `packages/${PERIOD}/${SOURCE}/`;
const LAKE_KEY = 'orders/source=vendor-a/trade_date=2026-07-01/part-0123456789abcdef.parquet';

interface Run {
  runId: string;
  files: Record<string, string>;
  body: string;
}

describe('verify takes its authority from the Object Lock copy', () => {
  let root: string;
  let store: S3rverFixture;
  let s3: S3Client;
  let repo: string;
  const runs: Record<string, Run> = {};

  const put = (bucket: string, key: string, body: string | Buffer) => store.put(bucket, key, body);
  const write = (path: string, body: string | Buffer) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };

  const manifestFor = (runId: string, files: Record<string, string>, over: Partial<EvidenceManifest> = {}): EvidenceManifest => ({
    ...buildEvidenceManifest({
      period: PERIOD,
      source: SOURCE,
      runId,
      codeVersion: 'abc1234',
      generatedAt: '2026-10-12T09:00:00.000Z',
      package: { bucket: B.results, prefix: PREFIX },
      evidence: { bucket: B.evidence, key: EVIDENCE.manifest(PERIOD, SOURCE, runId) },
      inputs: [{ bucket: B.lake, key: LAKE_KEY, sha256: hex('PAR1 lake PAR1'), rows: 2 }],
      sql: [{ name: 'pi', path: 'sql/metrics/pi.sql', sha256: hex('SELECT 1\n') }],
      thresholds: { path: 'config/thresholds.json', version: 'v1', sha256: hex('{"version":"v1"}\n') },
      queryExecutionIds: ['q1'],
      outputs: Object.entries(files).map(([name, body]) => ({
        bucket: B.results,
        key: `${PREFIX}${name}`,
        sha256: hex(body),
        bytes: Buffer.byteLength(body),
      })),
    }),
    ...over,
  });

  /** A package folder as `bestex fetch` writes it: <dir>/<period>/<source>/. */
  const folder = (run: Run, name: string): string => {
    const dir = join(root, name, PERIOD, SOURCE);
    for (const [f, body] of Object.entries(run.files)) write(join(dir, f), body);
    write(join(dir, 'evidence.json'), run.body);
    write(join(dir, 'evidence.json.sha256'), `${hex(run.body)}  evidence.json\n`);
    return dir;
  };
  /** Rewrites evidence.json and its sidecar, as a forger who knows the format would. */
  const forge = (dir: string, edit: (m: EvidenceManifest) => EvidenceManifest) => {
    const m = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as EvidenceManifest;
    const body = serializeManifest(edit(m));
    write(join(dir, 'evidence.json'), body);
    write(join(dir, 'evidence.json.sha256'), `${hex(body)}  evidence.json\n`);
  };
  /** The report edited to hide the breach, with the manifest's hash of it recomputed. */
  const hideBreach = (dir: string) => {
    const report = '<html>no breach</html>';
    write(join(dir, 'report.html'), report);
    return (m: EvidenceManifest): EvidenceManifest => ({
      ...m,
      outputs: m.outputs.map((o) => (o.key.endsWith('report.html') ? { ...o, sha256: hex(report), bytes: Buffer.byteLength(report) } : o)),
    });
  };
  const verify = (dir: string, extra: Parameters<typeof verifyPackageDir>[1] = {}) =>
    verifyPackageDir(dir, { s3, evidenceBucket: B.evidence, repoRoot: repo, ...extra });
  const messages = (r: DirVerifyResult) => r.issues.map((i) => i.message);

  beforeAll(async () => {
    store = await startS3rver(Object.values(B), { tmpPrefix: 'bestex-verify-lock-' });
    root = store.dir;
    s3 = store.s3;
    repo = join(root, 'repo');
    write(join(repo, 'sql/metrics/pi.sql'), 'SELECT 1\n');
    write(join(repo, 'config/thresholds.json'), '{"version":"v1"}\n');
    await put(B.lake, LAKE_KEY, 'PAR1 lake PAR1');
    for (const [runId, report] of [
      [OLD, '<html>clean</html>'],
      [NEW, '<html>BREACH: price improvement</html>'],
    ] as const) {
      const files = { 'report.html': report, 'breaches.csv': runId === NEW ? 'rule_id\r\npi-market\r\n' : 'rule_id\r\n' };
      const body = serializeManifest(manifestFor(runId, files));
      runs[runId] = { runId, files, body };
      await put(B.evidence, EVIDENCE.manifest(PERIOD, SOURCE, runId), body);
      await put(B.evidence, `${EVIDENCE.manifest(PERIOD, SOURCE, runId)}.sha256`, `${hex(body)}  evidence.json\n`);
      // Different LastModified seconds, so "latest" is decided by time and not only by the id.
      await new Promise((r) => setTimeout(r, runId === OLD ? 1100 : 0));
    }
  }, 30_000);
  afterAll(async () => {
    await store?.stop();
  });

  it('passes the latest run as written, naming the run and the locked copy it was compared with', async () => {
    const r = await verify(folder(runs[NEW] as Run, 'fresh'));
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.identity).toEqual({ period: PERIOD, source: SOURCE, runId: NEW });
    expect(r.checked).toEqual({ input: 1, output: 2, sql: 1, thresholds: 1 });
    expect(formatVerifyResult(r)).toBe(
      `OK run ${NEW} of ${PERIOD}/${SOURCE}: evidence.json is identical to its Object Lock copy s3://${B.evidence}/${EVIDENCE.manifest(PERIOD, SOURCE, NEW)}; 5 hashes match (1 inputs, 2 outputs, 1 SQL files, 1 thresholds file)`,
    );
  });

  it('verifies an earlier run only when asked for it by id', async () => {
    const dir = folder(runs[OLD] as Run, 'older');
    expect((await verify(dir, { runId: OLD })).ok).toBe(true);
  });

  // Every way to make a changed package pass that an editor of the folder or the results bucket has.
  const attempts: [string, () => Promise<{ dir: string; extra?: Parameters<typeof verifyPackageDir>[1] }>, RegExp[]][] = [
    [
      'edit one byte of the report',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a1');
        const b = readFileSync(join(dir, 'report.html'));
        b[8] = (b[8] as number) ^ 0x01;
        writeFileSync(join(dir, 'report.html'), b);
        return { dir };
      },
      [/^output report\.html changed since the review: expected sha256 [0-9a-f]{64}, found [0-9a-f]{64}/],
    ],
    [
      'edit the report and evidence.json, recomputing every hash and the sidecar',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a2');
        forge(dir, hideBreach(dir));
        return { dir };
      },
      [
        /^evidence\.json differs from its Object Lock copy s3:\/\/v-evidence\/packages\/2026Q3\/vendor-a\/2026Q3-20261012T090000Z\/evidence\.json/,
        /^output report\.html changed since the review/,
      ],
    ],
    [
      'drop the pointer to the locked copy and recompute',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a3');
        const hide = hideBreach(dir);
        forge(dir, (m) => {
          const { evidence: _dropped, ...rest } = hide(m);
          return rest as EvidenceManifest;
        });
        return { dir };
      },
      [/^evidence\.json differs from its Object Lock copy/, /^output report\.html changed since the review/],
    ],
    [
      'redirect the pointer (and the run id) to the earlier run and recompute',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a4');
        const hide = hideBreach(dir);
        forge(dir, (m) => ({ ...hide(m), runId: OLD, evidence: { bucket: B.evidence, key: EVIDENCE.manifest(PERIOD, SOURCE, OLD) } }));
        return { dir };
      },
      [
        /^evidence\.json differs from its Object Lock copy s3:\/\/v-evidence\/.*2026Q3-20261012T090000Z.*\(it names run 2026Q3-20261005T110000Z/,
        /^output report\.html changed/,
      ],
    ],
    [
      'redirect the pointer to a bucket the forger controls',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a5');
        const hide = hideBreach(dir);
        forge(dir, (m) => ({ ...hide(m), evidence: { bucket: B.results, key: 'forged/evidence.json' } }));
        await put(B.results, 'forged/evidence.json', readFileSync(join(dir, 'evidence.json')));
        return { dir };
      },
      [/^evidence\.json differs from its Object Lock copy s3:\/\/v-evidence\//, /^output report\.html changed/],
    ],
    [
      'put the earlier run’s whole package (its own locked manifest) in place of the latest',
      async () => ({ dir: folder(runs[OLD] as Run, 'a6') }),
      [
        /^evidence\.json is run 2026Q3-20261005T110000Z, but the latest run of 2026Q3\/vendor-a locked in the evidence bucket is 2026Q3-20261012T090000Z: the folder holds an older package/,
        /^output breaches\.csv changed/,
        /^output report\.html changed/,
      ],
    ],
    [
      'swap in the earlier run’s locked manifest and sidecar beside the latest files',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a7');
        write(join(dir, 'evidence.json'), (runs[OLD] as Run).body);
        write(join(dir, 'evidence.json.sha256'), `${hex((runs[OLD] as Run).body)}  evidence.json\n`);
        return { dir };
      },
      [/^evidence\.json is run 2026Q3-20261005T110000Z, but the latest run/],
    ],
    [
      'rename the folder to a source with no locked run',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a8');
        const other = join(root, 'a8', PERIOD, 'vendor-z');
        cpSync(dir, other, { recursive: true });
        return { dir: other };
      },
      [/^no run of 2026Q3\/vendor-z is locked in s3:\/\/v-evidence\/packages\/2026Q3\/vendor-z\//],
    ],
    [
      'ask for a run id that was never locked',
      async () => ({ dir: folder(runs[NEW] as Run, 'a9'), extra: { runId: '2026Q3-20991231T000000Z' } }),
      [/^run 2026Q3-20991231T000000Z of 2026Q3\/vendor-a has no locked copy .*; the latest locked run is 2026Q3-20261012T090000Z/],
    ],
    [
      'an evidence bucket that cannot be reached',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a10');
        const dead = makeS3Client('http://127.0.0.1:9');
        return { dir, extra: { s3: dead } };
      },
      [/^the evidence bucket could not be read at s3:\/\/v-evidence\/packages\/2026Q3\/vendor-a\/: .*nothing is proven/],
    ],
    [
      'delete evidence.json from the folder (the files are still checked against the lock)',
      async () => {
        const dir = folder(runs[NEW] as Run, 'a11');
        rmSync(join(dir, 'evidence.json'));
        hideBreach(dir);
        return { dir };
      },
      [/^evidence\.json is missing from .*: the files were checked against the locked copy/, /^output report\.html changed/],
    ],
  ];

  let caught = 0;
  for (const [what, setup, expected] of attempts) {
    it(`fails: ${what}`, async () => {
      const { dir, extra } = await setup();
      const r = await verify(dir, extra ?? {});
      expect(r.ok).toBe(false);
      expect(messages(r)).toEqual(expected.map((re) => expect.stringMatching(re)));
      expect(formatVerifyResult(r)).toMatch(/\nFAILED.*problems?/);
      caught++;
    });
  }

  it('fails when the latest locked copy is deleted (the package then names a run with no lock), and when every one is', async () => {
    const dir = folder(runs[NEW] as Run, 'deleted');
    await s3.send(new DeleteObjectCommand({ Bucket: B.evidence, Key: EVIDENCE.manifest(PERIOD, SOURCE, NEW) }));
    try {
      const r = await verify(dir);
      expect(messages(r)[0]).toMatch(
        /^evidence\.json names run 2026Q3-20261012T090000Z of 2026Q3\/vendor-a, which has no locked copy in s3:\/\/v-evidence\/packages\/2026Q3\/vendor-a\/ \(the latest locked run is 2026Q3-20261005T110000Z\): its locked copy was removed, or the manifest was forged$/,
      );
      caught++;
      await s3.send(new DeleteObjectCommand({ Bucket: B.evidence, Key: EVIDENCE.manifest(PERIOD, SOURCE, OLD) }));
      const none = await verify(dir);
      expect(messages(none)).toEqual([expect.stringMatching(/^no run of 2026Q3\/vendor-a is locked in s3:\/\/v-evidence\//)]);
      caught++;
    } finally {
      for (const run of [runs[OLD], runs[NEW]] as Run[]) await put(B.evidence, EVIDENCE.manifest(PERIOD, SOURCE, run.runId), run.body);
    }
  });

  it('offline: passes a forged package but says plainly that it proves nothing about the manifest', async () => {
    const dir = folder(runs[NEW] as Run, 'offline');
    forge(dir, hideBreach(dir));
    const r = await verifyPackageDir(dir, { offline: true, repoRoot: repo });
    expect(r.ok).toBe(true);
    expect(r.offline).toBe(true);
    const text = formatVerifyResult(r);
    expect(text).toContain('NOT PROVEN: that this evidence.json is the one the review wrote');
    expect(text).toContain('1 objects in S3 (inputs and outputs outside the package folder) were not checked');
    // The same folder online:
    expect((await verify(dir)).ok).toBe(false);
  });

  it('counts every bypass attempt as caught', () => {
    console.log(`verify bypass attempts caught: ${caught} of ${attempts.length + 2}`);
    expect(caught).toBe(attempts.length + 2);
  });
});

describe('bestex verify (the binary, local target)', () => {
  it('looks for the locked copy in the local evidence bucket, and fails when there is none', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bestex-verify-bin-'));
    try {
      const dir = join(root, 'pkg', PERIOD, SOURCE);
      const body = serializeManifest(
        buildEvidenceManifest({
          period: PERIOD,
          source: SOURCE,
          runId: NEW,
          codeVersion: 'abc1234',
          generatedAt: '2026-10-12T09:00:00.000Z',
          inputs: [],
          sql: [],
          thresholds: { path: 'config/thresholds.json', version: 'v1', sha256: hex(readFileSync('config/thresholds.json')) },
          queryExecutionIds: [],
          outputs: [],
        }),
      );
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'evidence.json'), body);
      const bin = new URL('../../bin/bestex.mjs', import.meta.url).pathname;
      const run = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          execFile(process.execPath, [bin, '--home', join(root, 'home'), 'verify', dir, ...args], (e, stdout, stderr) =>
            resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
          );
        });
      const online = await run([]);
      expect(online.code).toBe(1);
      expect(online.out).toContain(
        `FAIL no run of ${PERIOD}/${SOURCE} is locked in s3://bestex-evidence/packages/${PERIOD}/${SOURCE}/: a dry-run package is not evidence`,
      );
      const offline = await run(['--offline']);
      expect(offline.code).toBe(0);
      expect(offline.out).toContain('NOT PROVEN: that this evidence.json is the one the review wrote');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
