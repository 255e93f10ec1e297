/**
 * The evidence manifest of a review package: exactly which data, SQL, thresholds and code produced
 * which outputs, each with its SHA-256, so a regulator (or `bestex verify`) can re-hash everything
 * later and see what, if anything, changed. The manifest itself is hashed into a sidecar file and
 * a copy is kept in the evidence bucket under S3 Object Lock: that copy, not the package's own
 * files, is what `bestex verify` trusts (lib/cli/support/verify-package.ts).
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
  /** `unreachable`: the store could not be read; `superseded`: a later run of the same period and source is locked. */
  problem: 'changed' | 'missing' | 'size' | 'invalid' | 'unreachable' | 'superseded';
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
  /** Checks that did not run, and why (e.g. inputs without S3 access). */
  notes: string[];
}

/** A package folder in a store: S3 keys, or anything that can list and read. */
export interface PackageStore {
  list(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
}

export interface VerifyOptions {
  /** Where inputs (and outputs outside the package folder) are read from; without it they are not checked (a note says so). */
  resolveInput?: ObjectResolver;
  /** How messages name that place (default: "S3"). */
  inputsWhere?: string;
  /** Where SQL and thresholds files are read from (default: files under `repoRoot`). */
  resolveFile?: FileResolver;
  /** Root of the checkout for SQL/thresholds paths (default: this repository). */
  repoRoot?: string;
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
      problem: 'unreachable',
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

/** A file of a package folder, by its name relative to the folder. */
async function packageFile(dir: string, rel: string): Promise<Content | undefined> {
  return fileContent(join(dir, rel));
}

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
  const resolveInput = opts.resolveInput;
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const resolveFile = opts.resolveFile ?? repoFileResolver(repoRoot);
  const inputsWhere = opts.inputsWhere ?? 'S3';
  const notes: string[] = [];
  const checks: Check[] = [];

  const listed = isStore(location)
    ? await location.list(manifest.package?.prefix ?? '')
    : await listDir(location).catch(() => [] as string[]);

  // Checks that need S3 (inputs, outputs outside the package folder, an s3:// rules file).
  const remote: Check[] = [];
  const fromS3 = (ref: ObjectLocator) => async () => (resolveInput as ObjectResolver)(ref);
  for (const i of manifest.inputs) {
    remote.push({
      artifact: 'input',
      name: `${s3uri(i)}${i.versionId ? ` (version ${i.versionId})` : ''}`,
      sha256: i.sha256,
      ...(i.bytes !== undefined ? { bytes: i.bytes } : {}),
      where: inputsWhere,
      load: fromS3(i),
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
      remote.push({ artifact: 'output', name: s3uri(o), sha256: o.sha256, bytes: o.bytes, where: inputsWhere, load: fromS3(o) });
    }
  }
  // A rules file given as an s3:// URI (a dry run of new thresholds) is read like an input.
  const fileCheck = (artifact: 'sql' | 'thresholds', path: string, sha: string): void => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(path);
    if (m)
      remote.push({ artifact, name: path, sha256: sha, where: inputsWhere, load: fromS3({ bucket: m[1] as string, key: m[2] as string }) });
    else checks.push({ artifact, name: path, sha256: sha, where: `the checkout ${repoRoot}`, load: () => resolveFile(path) });
  };
  for (const s of manifest.sql) fileCheck('sql', s.path, s.sha256);
  fileCheck('thresholds', manifest.thresholds.path, manifest.thresholds.sha256);
  if (resolveInput) checks.push(...remote);
  else if (remote.length > 0) {
    notes.push(
      `${remote.length} objects in S3 (inputs and outputs outside the package folder) were not checked: verify without --offline to re-hash them`,
    );
  }

  const found = await mapLimit(checks, opts.concurrency ?? 4, runCheck);
  const issues = found.filter((x): x is VerifyIssue => x !== undefined);

  const known = new Set(manifest.outputs.map((o) => (isStore(location) ? o.key : underPackage(manifest, o))).filter(Boolean) as string[]);
  const own = isStore(location)
    ? [`${manifest.package?.prefix ?? ''}${EVIDENCE_FILE}`, `${manifest.package?.prefix ?? ''}${EVIDENCE_SIDECAR}`]
    : [EVIDENCE_FILE, EVIDENCE_SIDECAR];
  const unlisted = listed.filter((k) => !known.has(k) && !own.includes(k)).sort();

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

/** Reads content fully (small files only: manifests, sidecars, evaluation outputs). */
export async function readContent(c: Content): Promise<Buffer> {
  if (typeof c === 'string') return Buffer.from(c);
  if (c instanceof Uint8Array) return Buffer.from(c);
  const parts: Buffer[] = [];
  for await (const chunk of c) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}
