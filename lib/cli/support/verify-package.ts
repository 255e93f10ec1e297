/**
 * `bestex verify` over a package folder. The folder is whatever a person was handed, so nothing in
 * it is trusted: its authority is the Object Lock copy of the manifest in the evidence bucket,
 * found by the layout (EVIDENCE.runs/manifest) from the period and source the folder is named for
 * and the latest run locked for them (or the run asked for), never from a pointer inside
 * evidence.json. The package's files are then hashed against the *locked* manifest, so an edited
 * evidence.json with recomputed hashes is caught twice: it differs from the locked bytes, and the
 * edited files differ from the locked hashes.
 *
 * `offline` checks the folder against its own evidence.json and sidecar only, and says what that
 * cannot prove.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  EVIDENCE_FILE,
  EVIDENCE_SIDECAR,
  type EvidenceManifest,
  parseManifest,
  s3Resolver,
  sha256,
  type VerifyIssue,
  type VerifyResult,
  verifyPackage,
} from '../../../lambdas/adapters/evidence';
import { EVIDENCE, periodRange } from '../../../lambdas/shared/layout';
import { SOURCE_PATTERN } from '../../../lambdas/shared/schema';
import { oneLine } from '../../../lambdas/shared/text';

export interface PackageIdentity {
  period: string;
  source: string;
  runId: string;
}

export interface VerifyDirOptions {
  /** Reads the evidence bucket and the inputs; required unless `offline`. */
  s3?: S3Client;
  /** The evidence (Object Lock) bucket of the target. */
  evidenceBucket?: string;
  /** Check the folder against its own manifest only (no S3): proves far less; the result says what. */
  offline?: boolean;
  /** The run to verify (default: the latest run locked for the period and source). */
  runId?: string;
  /** Period and source (default: the folder's last two names, `<period>/<source>`). */
  period?: string;
  source?: string;
  /** Root of the checkout for SQL/thresholds paths (default: this repository). */
  repoRoot?: string;
  concurrency?: number;
}

export interface DirVerifyResult extends VerifyResult {
  /** What the package was verified as (absent when that could not be established). */
  identity?: PackageIdentity;
  /** Where the trusted manifest came from: the s3:// URI of the locked copy, or 'offline'. */
  authority?: string;
  offline: boolean;
}

const EMPTY = { input: 0, output: 0, sql: 0, thresholds: 0 };
const SOURCE_RE = new RegExp(`^${SOURCE_PATTERN}$`);

const isPeriod = (s: string): boolean => {
  try {
    periodRange(s);
    return true;
  } catch {
    return false;
  }
};

/** `<...>/<period>/<source>`, as packages are laid out and fetched; undefined when the folder is named otherwise. */
export function identityFromPath(dir: string): { period: string; source: string } | undefined {
  const abs = resolve(dir);
  const source = basename(abs);
  const period = basename(dirname(abs));
  return isPeriod(period) && SOURCE_RE.test(source) ? { period, source } : undefined;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

const issue = (problem: VerifyIssue['problem'], message: string, extra: Partial<VerifyIssue> = {}): VerifyIssue => ({
  artifact: 'manifest',
  name: EVIDENCE_FILE,
  problem,
  message,
  ...extra,
});

const fail = (issues: VerifyIssue[], rest: Partial<DirVerifyResult> = {}): DirVerifyResult => ({
  ok: false,
  checked: EMPTY,
  issues,
  unlisted: [],
  notes: [],
  offline: false,
  ...rest,
});

const errorText = (e: unknown): string => {
  const x = e as { name?: string; message?: string };
  return oneLine([x.name, x.message].filter(Boolean).join(': ') || String(e));
};

/** Runs locked for one period and source: run id → when it was locked (ms). */
async function lockedRuns(s3: S3Client, bucket: string, period: string, source: string): Promise<Map<string, number>> {
  const prefix = EVIDENCE.runs(period, source);
  const runs = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) {
      const runId = o.Key?.slice(prefix.length).split('/')[0];
      if (runId && o.Key === EVIDENCE.manifest(period, source, runId)) runs.set(runId, o.LastModified?.getTime() ?? 0);
    }
    token = page.NextContinuationToken;
  } while (token);
  return runs;
}

/** The latest run: last locked; of two locked in the same second, the later id (ids embed the run's time). */
function latest(runs: Map<string, number>): string | undefined {
  return [...runs.entries()].sort(([a, ta], [b, tb]) => tb - ta || (a < b ? 1 : a > b ? -1 : 0))[0]?.[0];
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await r.Body?.transformToByteArray()) ?? []);
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw e;
  }
}

/** The folder's consistency with itself (whoever edits evidence.json can edit its sidecar too). */
function sidecarIssue(local: Buffer, sidecar: Buffer | undefined, notes: string[]): VerifyIssue | undefined {
  if (sidecar === undefined) {
    notes.push(`${EVIDENCE_SIDECAR} is absent from the folder`);
    return undefined;
  }
  const expected = sidecar.toString('utf8').trim().split(/\s+/)[0] ?? '';
  const actual = sha256(local);
  return expected === actual
    ? undefined
    : issue('changed', `${EVIDENCE_FILE} does not match ${EVIDENCE_SIDECAR}: expected sha256 ${oneLine(expected)}, found ${actual}`, {
        expected,
        actual,
      });
}

async function verifyOffline(dir: string, local: Buffer | undefined, sidecar: Buffer | undefined, opts: VerifyDirOptions) {
  if (local === undefined) {
    return fail([issue('missing', `${join(dir, EVIDENCE_FILE)} does not exist: point verify at a review package folder`)], {
      offline: true,
    });
  }
  const parsed = parseManifest(local.toString('utf8'), join(dir, EVIDENCE_FILE));
  if (!parsed.ok) return fail([issue('invalid', parsed.message)], { offline: true });
  const m = parsed.manifest;
  const notes: string[] = [];
  const side = sidecarIssue(local, sidecar, notes);
  const r = await verifyPackage(dir, m, {
    ...(opts.repoRoot ? { repoRoot: opts.repoRoot } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  const issues = [...(side ? [side] : []), ...r.issues];
  return {
    ...r,
    ok: issues.length === 0,
    issues,
    notes: [...notes, ...r.notes],
    identity: { period: m.period, source: m.source ?? '', runId: m.runId },
    authority: 'offline',
    offline: true,
  };
}

/** Verifies a package folder against its Object Lock copy (or, `offline`, against itself only). */
export async function verifyPackageDir(dir: string, opts: VerifyDirOptions = {}): Promise<DirVerifyResult> {
  const local = await readIfExists(join(dir, EVIDENCE_FILE));
  const sidecar = await readIfExists(join(dir, EVIDENCE_SIDECAR));
  if (opts.offline) return verifyOffline(dir, local, sidecar, opts);

  if (!opts.s3 || !opts.evidenceBucket) {
    return fail([
      issue(
        'unreachable',
        'no evidence bucket to verify against: run verify against a target (--target local|aws), or pass --offline for a check of the folder against itself',
      ),
    ]);
  }
  const { s3, evidenceBucket } = opts;
  const notes: string[] = [];
  const parsedLocal = local === undefined ? undefined : parseManifest(local.toString('utf8'), join(dir, EVIDENCE_FILE));
  const lm = parsedLocal?.ok ? parsedLocal.manifest : undefined;

  // Which package this is: the caller's word, else the folder's name; evidence.json only when neither says.
  const fromPath = identityFromPath(dir);
  const period = opts.period ?? fromPath?.period ?? lm?.period;
  const source = opts.source ?? fromPath?.source ?? lm?.source;
  if (!period || !source) {
    return fail([
      issue(
        local === undefined ? 'missing' : 'invalid',
        `cannot tell which period and source ${dir} holds${local === undefined ? ` (it has no ${EVIDENCE_FILE})` : ''}: name the folder <period>/<source> (as \`bestex fetch\` does) or pass --period and --source`,
      ),
    ]);
  }
  if (!fromPath && opts.period === undefined && opts.source === undefined) {
    notes.push(
      `the folder is not named <period>/<source>: period ${oneLine(period)} and source ${oneLine(source)} were read from its evidence.json`,
    );
  }

  const runsPrefix = `s3://${evidenceBucket}/${EVIDENCE.runs(period, source)}`;
  let runs: Map<string, number>;
  try {
    runs = await lockedRuns(s3, evidenceBucket, period, source);
  } catch (e) {
    return fail([
      issue(
        'unreachable',
        `the evidence bucket could not be read at ${oneLine(runsPrefix)}: ${errorText(e)}; nothing is proven until it can be (--offline gives a weaker check)`,
      ),
    ]);
  }
  const newest = latest(runs);
  const runId = opts.runId ?? newest;
  if (runId === undefined) {
    return fail([
      issue(
        'missing',
        `no run of ${oneLine(period)}/${oneLine(source)} is locked in ${oneLine(runsPrefix)}: a dry-run package is not evidence, the package comes from another target (--target), or its locked copy was removed`,
      ),
    ]);
  }
  const identity: PackageIdentity = { period, source, runId };
  const lockedKey = EVIDENCE.manifest(period, source, runId);
  const authority = `s3://${evidenceBucket}/${lockedKey}`;
  if (!runs.has(runId)) {
    return fail(
      [
        issue(
          'missing',
          `run ${oneLine(runId)} of ${oneLine(period)}/${oneLine(source)} has no locked copy (${oneLine(authority)})${newest ? `; the latest locked run is ${newest}` : ''}`,
        ),
      ],
      { identity },
    );
  }
  let lockedBytes: Buffer | undefined;
  try {
    lockedBytes = await getObject(s3, evidenceBucket, lockedKey);
  } catch (e) {
    return fail([issue('unreachable', `the locked copy ${oneLine(authority)} could not be read: ${errorText(e)}`)], {
      identity,
      authority,
    });
  }
  if (lockedBytes === undefined) return fail([issue('missing', `the locked copy ${oneLine(authority)} is gone`)], { identity, authority });
  const locked = parseManifest(lockedBytes.toString('utf8'), authority);
  if (!locked.ok) return fail([issue('invalid', locked.message)], { identity, authority });
  const m: EvidenceManifest = locked.manifest;

  const issues: VerifyIssue[] = [];
  if (m.period !== period || (m.source ?? '') !== source || m.runId !== runId) {
    issues.push(
      issue(
        'invalid',
        `the locked copy ${oneLine(authority)} describes ${oneLine(m.period)}/${oneLine(m.source ?? '?')} run ${oneLine(m.runId)}: the evidence bucket is not as bestex writes it`,
      ),
    );
  }
  if (local === undefined) {
    issues.push(issue('missing', `${EVIDENCE_FILE} is missing from ${dir}: the files were checked against the locked copy ${authority}`));
  } else {
    const localHash = sha256(local);
    const lockedHash = sha256(lockedBytes);
    if (localHash !== lockedHash) {
      // An earlier run's genuine package put back in place of the latest: say so, rather than "edited".
      const earlier =
        lm && lm.runId !== runId && runs.has(lm.runId) && opts.runId === undefined
          ? await getObject(s3, evidenceBucket, EVIDENCE.manifest(period, source, lm.runId)).catch(() => undefined)
          : undefined;
      const claims = lm ? ` (it names run ${oneLine(lm.runId)} of ${oneLine(lm.period)}/${oneLine(lm.source ?? '?')})` : '';
      const unlocked = lm && lm.runId !== runId && !runs.has(lm.runId) && opts.runId === undefined;
      issues.push(
        unlocked
          ? issue(
              'missing',
              `${EVIDENCE_FILE} names run ${oneLine(lm.runId)} of ${oneLine(lm.period)}/${oneLine(lm.source ?? '?')}, which has no locked copy in ${oneLine(runsPrefix)} (the latest locked run is ${runId}): its locked copy was removed, or the manifest was forged`,
              { expected: lockedHash, actual: localHash },
            )
          : lm && earlier !== undefined && sha256(earlier) === localHash
            ? issue(
                'superseded',
                `${EVIDENCE_FILE} is run ${oneLine(lm.runId)}, but the latest run of ${period}/${source} locked in the evidence bucket is ${runId}: the folder holds an older package (pass --run ${oneLine(lm.runId)} to verify that run as such)`,
                { expected: lockedHash, actual: localHash },
              )
            : issue(
                'changed',
                `${EVIDENCE_FILE} differs from its Object Lock copy ${authority} (sha256 ${lockedHash}, the folder's ${localHash})${claims}: the manifest was edited or replaced; the files are checked against the locked copy`,
                { expected: lockedHash, actual: localHash },
              ),
      );
    }
    const side = sidecarIssue(local, sidecar, notes);
    if (side && issues.length === 0) issues.push(side);
  }

  const r = await verifyPackage(dir, m, {
    resolveInput: s3Resolver(s3),
    ...(opts.repoRoot ? { repoRoot: opts.repoRoot } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  const all = [...issues, ...r.issues];
  return { ...r, ok: all.length === 0, issues: all, notes: [...notes, ...r.notes], identity, authority, offline: false };
}

/** Plain-text verdict: one line per problem, then what was proven (or, offline, what was not). */
export function formatVerifyResult(r: DirVerifyResult): string {
  const lines: string[] = [];
  for (const i of r.issues) lines.push(`FAIL ${oneLine(i.message)}`);
  for (const n of r.notes) lines.push(`note ${oneLine(n)}`);
  if (r.unlisted.length) lines.push(`note files not in the manifest (not checked): ${r.unlisted.map(oneLine).join(', ')}`);
  const c = r.checked;
  const total = c.input + c.output + c.sql + c.thresholds;
  const what = `${c.input} inputs, ${c.output} outputs, ${c.sql} SQL files, ${c.thresholds} thresholds file`;
  const who = r.identity ? ` run ${oneLine(r.identity.runId)} of ${oneLine(r.identity.period)}/${oneLine(r.identity.source)}` : '';
  if (!r.ok) {
    lines.push(`FAILED${who}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'} (${total} hashes checked: ${what})`);
  } else if (r.offline) {
    lines.push(
      `OFFLINE${who}: ${total} hashes match the folder's own evidence.json (${what}).`,
      'NOT PROVEN: that this evidence.json is the one the review wrote. Whoever can edit the folder can rewrite it and its',
      'sidecar together; only the Object Lock copy in the evidence bucket shows that, and inputs in S3 were not re-hashed.',
      'Run verify without --offline for a verdict.',
    );
  } else {
    lines.push(`OK${who}: evidence.json is identical to its Object Lock copy ${r.authority ?? ''}; ${total} hashes match (${what})`);
  }
  return lines.join('\n');
}
