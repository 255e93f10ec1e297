/**
 * The evidence manifest of a review package: exactly which data, SQL, thresholds and code produced
 * which outputs, each with its SHA-256, so a regulator (or `bestex verify`) can re-hash everything
 * later and see what, if anything, changed. The manifest itself is hashed into a sidecar file and
 * a copy is kept in the evidence bucket under S3 Object Lock.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';

export const EVIDENCE_SCHEMA = 'bestex.evidence/v1';
export const EVIDENCE_FILE = 'evidence.json';
export const EVIDENCE_SIDECAR = 'evidence.json.sha256';

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
const nonEmpty = z.string().min(1);

const inputRefSchema = z
  .object({
    bucket: nonEmpty,
    key: nonEmpty,
    versionId: nonEmpty.optional(),
    sha256: sha,
    bytes: z.number().int().nonnegative().optional(),
    rows: z.number().int().nonnegative().optional(),
  })
  .strict();
const fileRefSchema = z.object({ name: nonEmpty, path: nonEmpty, sha256: sha }).strict();
const thresholdsRefSchema = z.object({ path: nonEmpty, version: nonEmpty, sha256: sha }).strict();
const outputRefSchema = z
  .object({ bucket: nonEmpty, key: nonEmpty, versionId: nonEmpty.optional(), sha256: sha, bytes: z.number().int().nonnegative() })
  .strict();
const locationSchema = z.object({ bucket: nonEmpty, prefix: z.string() }).strict();
const objectSchema = z.object({ bucket: nonEmpty, key: nonEmpty }).strict();

export const evidenceManifestSchema = z
  .object({
    schema: z.literal(EVIDENCE_SCHEMA),
    period: nonEmpty,
    source: nonEmpty.optional(),
    runId: nonEmpty,
    codeVersion: nonEmpty,
    generatedAt: nonEmpty,
    /** Where the package's own files live; outputs under this prefix are files of the package folder. */
    package: locationSchema.optional(),
    /** The Object Lock copy of this manifest. */
    evidence: objectSchema.optional(),
    inputs: z.array(inputRefSchema),
    sql: z.array(fileRefSchema),
    thresholds: thresholdsRefSchema,
    queryExecutionIds: z.array(z.string()),
    outputs: z.array(outputRefSchema),
  })
  .strict();

export type EvidenceManifest = z.infer<typeof evidenceManifestSchema>;
export type InputRef = z.infer<typeof inputRefSchema>;
export type SqlRef = z.infer<typeof fileRefSchema>;
export type ThresholdsRef = z.infer<typeof thresholdsRefSchema>;
export type OutputRef = z.infer<typeof outputRefSchema>;

export interface EvidenceInput {
  period: string;
  source?: string;
  runId: string;
  codeVersion: string;
  /** Every lake object and load manifest the review read, and the evaluation files the package read. */
  inputs: readonly InputRef[];
  sql: readonly SqlRef[];
  thresholds: ThresholdsRef;
  queryExecutionIds: readonly string[];
  outputs: readonly OutputRef[];
  generatedAt: string;
  package?: { bucket: string; prefix: string };
  evidence?: { bucket: string; key: string };
}

export class EvidenceError extends Error {
  override name = 'EvidenceError';
}

const byBucketKey = (a: { bucket: string; key: string }, b: { bucket: string; key: string }) =>
  a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key);

/** Drops exact duplicates; the same object listed twice with different hashes is an error. */
function dedupe<T extends { sha256: string }>(items: readonly T[], id: (t: T) => string, what: string): T[] {
  const seen = new Map<string, T>();
  for (const it of items) {
    const k = id(it);
    const prev = seen.get(k);
    if (prev && prev.sha256 !== it.sha256) {
      throw new EvidenceError(
        `${what} ${k} is listed twice with different SHA-256 (${prev.sha256} and ${it.sha256}): it changed while the review ran`,
      );
    }
    seen.set(k, it);
  }
  return [...seen.values()];
}

/**
 * Builds the manifest: validated, duplicates removed, lists sorted, so the same review always
 * yields the same bytes.
 */
export function buildEvidenceManifest(input: EvidenceInput): EvidenceManifest {
  const ref = (r: { bucket: string; key: string; versionId?: string | undefined }) =>
    `s3://${r.bucket}/${r.key}${r.versionId ? `?versionId=${r.versionId}` : ''}`;
  const candidate = {
    schema: EVIDENCE_SCHEMA,
    period: input.period,
    ...(input.source !== undefined ? { source: input.source } : {}),
    runId: input.runId,
    codeVersion: input.codeVersion,
    generatedAt: input.generatedAt,
    ...(input.package ? { package: { bucket: input.package.bucket, prefix: input.package.prefix } } : {}),
    ...(input.evidence ? { evidence: { bucket: input.evidence.bucket, key: input.evidence.key } } : {}),
    inputs: dedupe(input.inputs, ref, 'input').sort(byBucketKey),
    sql: dedupe(input.sql, (s) => s.path, 'SQL file').sort((a, b) => a.path.localeCompare(b.path)),
    thresholds: input.thresholds,
    queryExecutionIds: [...new Set(input.queryExecutionIds)].sort(),
    outputs: dedupe(input.outputs, ref, 'output').sort(byBucketKey),
  };
  const r = evidenceManifestSchema.safeParse(candidate);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new EvidenceError(`evidence manifest is not valid:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The exact bytes stored as evidence.json. */
export function serializeManifest(m: EvidenceManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The sidecar's text, in `sha256sum` format so `sha256sum -c evidence.json.sha256` also checks it. */
export function manifestSidecar(manifestBytes: string | Buffer): string {
  return `${sha256(manifestBytes)}  ${EVIDENCE_FILE}\n`;
}

/** Parses evidence.json; a bad file comes back as a message naming the field. */
export function parseManifest(
  text: string,
  where = EVIDENCE_FILE,
): { ok: true; manifest: EvidenceManifest } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${where} is not JSON: ${(e as Error).message}` };
  }
  const r = evidenceManifestSchema.safeParse(json);
  if (r.success) return { ok: true, manifest: r.data };
  return {
    ok: false,
    message: `${where} is not a bestex evidence manifest: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  };
}

// ---------- hashing ----------

export type Content = Buffer | Uint8Array | string | AsyncIterable<Uint8Array | string>;

export function sha256(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes any content, streaming when it is a stream (large lake objects never sit in memory). */
export async function hashContent(content: Content): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const b = typeof content === 'string' ? Buffer.from(content) : content;
    h.update(b);
    bytes = b.byteLength;
  } else {
    for await (const chunk of content) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      h.update(b);
      bytes += b.byteLength;
    }
  }
  return { sha256: h.digest('hex'), bytes };
}

/** A local file as a stream, or undefined when it does not exist. */
export async function fileContent(path: string): Promise<Content | undefined> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
  } catch {
    return undefined;
  }
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

// ---------- resolving what the manifest names ----------

export interface ObjectLocator {
  bucket: string;
  key: string;
  versionId?: string | undefined;
}

/** Finds an S3 object's content (locally, on AWS, or in a copy); undefined = not found. */
export type ObjectResolver = (ref: ObjectLocator) => Promise<Content | undefined>;
/** Finds a repository file (SQL, thresholds) by its recorded path. */
export type FileResolver = (path: string) => Promise<Content | undefined>;

const S3RVER_OBJECT = '._S3rver_object';

/** Objects as the local runtime's s3rver stores them: `<s3Dir>/<bucket>/<key>._S3rver_object` (no versions). */
export function localS3Resolver(s3Dir: string): ObjectResolver {
  return async (ref) => fileContent(join(s3Dir, ref.bucket, `${ref.key}${S3RVER_OBJECT}`));
}

/** Objects on S3, pinned to the recorded version when there is one. */
export function s3Resolver(client: S3Client): ObjectResolver {
  return async (ref) => {
    try {
      const r = await client.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.versionId ? { VersionId: ref.versionId } : {}) }),
      );
      return r.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion') return undefined;
      throw e;
    }
  };
}

/** Repository files under a root folder (the checkout that ran the review). */
export function repoFileResolver(root: string): FileResolver {
  return async (path) => fileContent(resolve(root, path));
}

/** The repository this module belongs to (SQL and config paths in manifests are relative to it). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

// ---------- verification ----------

export type Artifact = 'input' | 'output' | 'sql' | 'thresholds' | 'manifest';

export interface VerifyIssue {
  artifact: Artifact;
  /** What the manifest calls it: s3://bucket/key, a package file name, or a repository path. */
  name: string;
  problem: 'changed' | 'missing' | 'size' | 'invalid';
  expected?: string;
  actual?: string;
  /** One sentence: what, where, and what to do. */
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  manifest?: EvidenceManifest;
  checked: Record<Exclude<Artifact, 'manifest'>, number>;
  issues: VerifyIssue[];
  /** Files in the package folder that the manifest does not list (e.g. a PDF made later): not failures. */
  unlisted: string[];
  /** Checks that could not run, and why (e.g. no locked copy reachable). */
  notes: string[];
}

/** A package folder in a store: S3 keys, or anything that can list and read. */
export interface PackageStore {
  list(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
}

export interface VerifyOptions {
  /** Where inputs (and outputs outside the package folder) are read from. */
  resolveInput?: ObjectResolver;
  /** Where SQL and thresholds files are read from (default: files under `repoRoot`). */
  resolveFile?: FileResolver;
  /** Root of the checkout for SQL/thresholds paths (default: this repository). */
  repoRoot?: string;
  /** Local s3rver directory: sets resolveInput when that is not given. */
  s3Dir?: string;
  /** Parallel hashing (default 4). */
  concurrency?: number;
}

const s3uri = (r: ObjectLocator) => `s3://${r.bucket}/${r.key}`;

/** Maps with at most `limit` promises in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface Check {
  artifact: Exclude<Artifact, 'manifest'>;
  name: string;
  sha256: string;
  bytes?: number;
  where: string;
  load: () => Promise<Content | undefined>;
}

async function runCheck(c: Check): Promise<VerifyIssue | undefined> {
  let content: Content | undefined;
  try {
    content = await c.load();
  } catch (e) {
    return {
      artifact: c.artifact,
      name: c.name,
      problem: 'missing',
      expected: c.sha256,
      message: `${c.artifact} ${c.name} could not be read from ${c.where}: ${(e as Error).message}`,
    };
  }
  if (content === undefined) {
    return {
      artifact: c.artifact,
      name: c.name,
      problem: 'missing',
      expected: c.sha256,
      message: `${c.artifact} ${c.name} is missing (looked in ${c.where}): restore it from the versioned bucket or point verify at the right place`,
    };
  }
  const got = await hashContent(content);
  if (got.sha256 !== c.sha256) {
    return {
      artifact: c.artifact,
      name: c.name,
      problem: 'changed',
      expected: c.sha256,
      actual: got.sha256,
      message: `${c.artifact} ${c.name} changed since the review: expected sha256 ${c.sha256}, found ${got.sha256}${
        c.bytes !== undefined && c.bytes !== got.bytes ? ` (${c.bytes} bytes recorded, ${got.bytes} now)` : ''
      }`,
    };
  }
  return undefined;
}

function isStore(x: unknown): x is PackageStore {
  return (
    typeof x === 'object' && x !== null && typeof (x as PackageStore).list === 'function' && typeof (x as PackageStore).read === 'function'
  );
}

function underPackage(m: EvidenceManifest, o: ObjectLocator): string | undefined {
  const p = m.package;
  if (!p || o.bucket !== p.bucket || !o.key.startsWith(p.prefix)) return undefined;
  return o.key.slice(p.prefix.length);
}

async function listDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out;
}

/** A file of a package folder, also when the folder is s3rver's own storage (`name._S3rver_object`). */
async function packageFile(dir: string, rel: string): Promise<Content | undefined> {
  return (await fileContent(join(dir, rel))) ?? (await fileContent(join(dir, `${rel}${S3RVER_OBJECT}`)));
}

const stripS3rver = (names: string[]) =>
  names.filter((n) => !/\._S3rver_(metadata\.json|object\.md5)$/.test(n)).map((n) => n.replace(/\._S3rver_object$/, ''));

/**
 * Re-hashes every input, output, SQL file and thresholds file of a manifest and reports exactly
 * what differs. `location` is the package folder: a store whose keys are the outputs' keys, or a
 * local directory holding the outputs by their names relative to the package prefix.
 */
export async function verifyPackage(
  location: PackageStore | string,
  manifest: EvidenceManifest,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const resolveInput = opts.resolveInput ?? (opts.s3Dir ? localS3Resolver(opts.s3Dir) : undefined);
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const resolveFile = opts.resolveFile ?? repoFileResolver(repoRoot);
  const inputsWhere = opts.s3Dir
    ? `the local S3 directory ${opts.s3Dir}`
    : resolveInput
      ? 'the input store'
      : 'nowhere (no input resolver)';
  const notes: string[] = [];
  const checks: Check[] = [];

  const listed = isStore(location)
    ? await location.list(manifest.package?.prefix ?? '')
    : stripS3rver(await listDir(location).catch(() => [] as string[]));

  for (const i of manifest.inputs) {
    checks.push({
      artifact: 'input',
      name: `${s3uri(i)}${i.versionId ? ` (version ${i.versionId})` : ''}`,
      sha256: i.sha256,
      ...(i.bytes !== undefined ? { bytes: i.bytes } : {}),
      where: inputsWhere,
      load: async () => (resolveInput ? resolveInput(i) : undefined),
    });
  }
  for (const o of manifest.outputs) {
    const rel = underPackage(manifest, o);
    if (rel !== undefined) {
      checks.push({
        artifact: 'output',
        name: rel,
        sha256: o.sha256,
        bytes: o.bytes,
        where: isStore(location) ? `s3://${o.bucket}/${manifest.package?.prefix ?? ''}` : location,
        load: async () => {
          if (!isStore(location)) return packageFile(location, rel);
          if (!listed.includes(o.key)) return undefined;
          return location.read(o.key);
        },
      });
    } else {
      checks.push({
        artifact: 'output',
        name: s3uri(o),
        sha256: o.sha256,
        bytes: o.bytes,
        where: inputsWhere,
        load: async () => (resolveInput ? resolveInput(o) : undefined),
      });
    }
  }
  // A rules file given as an s3:// URI (a dry run of new thresholds) is read like an input.
  const loadPath = async (path: string) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return resolveFile(path);
    return resolveInput ? resolveInput({ bucket: m[1] as string, key: m[2] as string }) : undefined;
  };
  const pathWhere = (path: string) => (path.startsWith('s3://') ? inputsWhere : `the checkout ${repoRoot}`);
  for (const s of manifest.sql) {
    checks.push({ artifact: 'sql', name: s.path, sha256: s.sha256, where: pathWhere(s.path), load: () => loadPath(s.path) });
  }
  checks.push({
    artifact: 'thresholds',
    name: manifest.thresholds.path,
    sha256: manifest.thresholds.sha256,
    where: pathWhere(manifest.thresholds.path),
    load: () => loadPath(manifest.thresholds.path),
  });

  const found = await mapLimit(checks, opts.concurrency ?? 4, runCheck);
  const issues = found.filter((x): x is VerifyIssue => x !== undefined);

  const known = new Set(manifest.outputs.map((o) => (isStore(location) ? o.key : underPackage(manifest, o))).filter(Boolean) as string[]);
  const own = isStore(location)
    ? [`${manifest.package?.prefix ?? ''}${EVIDENCE_FILE}`, `${manifest.package?.prefix ?? ''}${EVIDENCE_SIDECAR}`]
    : [EVIDENCE_FILE, EVIDENCE_SIDECAR];
  const unlisted = listed.filter((k) => !known.has(k) && !own.includes(k)).sort();
  if (!resolveInput && manifest.inputs.length)
    notes.push('inputs were not checked: give an input resolver (local S3 directory or S3 client)');

  const count = (a: Check['artifact']) => checks.filter((c) => c.artifact === a).length;
  return {
    ok: issues.length === 0,
    manifest,
    checked: { input: count('input'), output: count('output'), sql: count('sql'), thresholds: count('thresholds') },
    issues,
    unlisted,
    notes,
  };
}

/**
 * If `dir` sits inside s3rver's storage (`<s3Dir>/<bucket>/<package prefix>`), that s3Dir: the
 * inputs are then found beside the package with no further option.
 */
function inferS3Dir(dir: string, m: EvidenceManifest): string | undefined {
  if (!m.package) return undefined;
  const tail = join(m.package.bucket, m.package.prefix);
  const abs = resolve(dir);
  const norm = tail.endsWith('/') ? tail.slice(0, -1) : tail;
  return abs.endsWith(`${sep}${norm}`) ? abs.slice(0, abs.length - norm.length - 1) : undefined;
}

/**
 * Verifies a package folder: `evidence.json` (checked against its sidecar and, when reachable,
 * against the Object Lock copy), then every hash it lists. Inputs are read through
 * `opts.resolveInput`, else the local S3 directory (`opts.s3Dir`, env BESTEX_S3_DIR, or inferred
 * when the folder is inside s3rver's storage).
 */
export async function verifyPackageDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const empty = { input: 0, output: 0, sql: 0, thresholds: 0 };
  const text = await packageFile(dir, EVIDENCE_FILE).then((c) => (c ? readContent(c) : undefined));
  if (text === undefined) {
    return {
      ok: false,
      checked: empty,
      issues: [
        {
          artifact: 'manifest',
          name: EVIDENCE_FILE,
          problem: 'missing',
          message: `${join(dir, EVIDENCE_FILE)} does not exist: point verify at a review package folder (packages/<period>/<source>/)`,
        },
      ],
      unlisted: [],
      notes: [],
    };
  }
  const parsed = parseManifest(text.toString('utf8'), join(dir, EVIDENCE_FILE));
  if (!parsed.ok) {
    return {
      ok: false,
      checked: empty,
      issues: [{ artifact: 'manifest', name: EVIDENCE_FILE, problem: 'invalid', message: parsed.message }],
      unlisted: [],
      notes: [],
    };
  }
  const m = parsed.manifest;
  const manifestIssues: VerifyIssue[] = [];
  const notes: string[] = [];
  const actual = sha256(text);

  const side = await packageFile(dir, EVIDENCE_SIDECAR).then((c) => (c ? readContent(c) : undefined));
  if (side === undefined) {
    notes.push(`${EVIDENCE_SIDECAR} is absent: evidence.json was checked only against the locked copy`);
  } else {
    const expected = side.toString('utf8').trim().split(/\s+/)[0] ?? '';
    if (expected !== actual) {
      manifestIssues.push({
        artifact: 'manifest',
        name: EVIDENCE_FILE,
        problem: 'changed',
        expected,
        actual,
        message: `${EVIDENCE_FILE} does not match ${EVIDENCE_SIDECAR}: expected sha256 ${expected}, found ${actual}`,
      });
    }
  }

  const s3Dir = opts.s3Dir ?? process.env.BESTEX_S3_DIR ?? inferS3Dir(dir, m);
  const resolveInput = opts.resolveInput ?? (s3Dir ? localS3Resolver(s3Dir) : undefined);
  if (m.evidence) {
    const locked = resolveInput ? await resolveInput(m.evidence) : undefined;
    if (locked === undefined) {
      notes.push(`the locked copy ${s3uri(m.evidence)} was not reachable: evidence.json was checked only against its sidecar`);
    } else {
      const lockedHash = (await hashContent(locked)).sha256;
      if (lockedHash !== actual) {
        manifestIssues.push({
          artifact: 'manifest',
          name: EVIDENCE_FILE,
          problem: 'changed',
          expected: lockedHash,
          actual,
          message: `${EVIDENCE_FILE} differs from its Object Lock copy ${s3uri(m.evidence)} (sha256 ${lockedHash}): the package's manifest was replaced`,
        });
      }
    }
  }

  const r = await verifyPackage(dir, m, { ...opts, ...(resolveInput ? { resolveInput } : {}), ...(s3Dir ? { s3Dir } : {}) });
  const issues = [...manifestIssues, ...r.issues];
  return { ...r, ok: issues.length === 0, issues, notes: [...notes, ...r.notes] };
}

/** Reads content fully (small files only: manifests, sidecars, evaluation outputs). */
export async function readContent(c: Content): Promise<Buffer> {
  if (typeof c === 'string') return Buffer.from(c);
  if (c instanceof Uint8Array) return Buffer.from(c);
  const parts: Buffer[] = [];
  for await (const chunk of c) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Plain-text verdict for the CLI: one line per problem, then a one-line summary. */
export function formatVerifyResult(r: VerifyResult): string {
  const lines: string[] = [];
  for (const i of r.issues) lines.push(`FAIL ${i.message}`);
  for (const n of r.notes) lines.push(`note ${n}`);
  if (r.unlisted.length) lines.push(`note files not in the manifest (not checked): ${r.unlisted.join(', ')}`);
  const c = r.checked;
  const total = c.input + c.output + c.sql + c.thresholds;
  lines.push(
    r.ok
      ? `OK ${total} hashes match (${c.input} inputs, ${c.output} outputs, ${c.sql} SQL files, ${c.thresholds} thresholds file)`
      : `FAILED ${r.issues.length} of ${total + 1} checks (${c.input} inputs, ${c.output} outputs, ${c.sql} SQL files, ${c.thresholds} thresholds file, the manifest)`,
  );
  return lines.join('\n');
}
