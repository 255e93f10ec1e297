/**
 * normaliseObject: one drop object → canonical Parquet in the lake, rejected rows and unreadable
 * files in quarantine, a load manifest always. The S3 side (download, uploads, replacing an
 * earlier version's outputs) is here; the row work is in core.ts.
 *
 * Order of effects, so that a crash or a retry never leaves a half-load behind: everything is
 * computed locally first; then outputs are uploaded, stale outputs of the previous version are
 * deleted, and the manifest is written last. A retry of the same object redoes the same keys.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { bucket, s3Client } from '../adapters/aws';
import { publish as sharedPublish } from '../adapters/notify';
import { type BestexConfig, type DatasetProfile, loadConfig } from '../shared/config';
import { type DropKey, keyId, LAKE, parseDropKey, QUARANTINE } from '../shared/layout';
import { type DatasetName, type DatasetSpec, dataset, datasetByTable } from '../shared/schema';
import { type CoreFile, type CoreResult, normaliseFile, openLockedDb, serialRead, writeCsv } from './core';
import { fetchObject } from './fetch';
import { parseFixLog } from './fix/parse';
import { firstLineOf } from './inputs';
import { acquireLease, type Lease } from './lease';
import { FileRejection, type Limits, limitsFromEnv } from './limits';
import type { LoadManifest, ManifestOutput, RowCounts } from './manifest';
import { fill, lit, ident as sqlIdent } from './sqlfiles';

export type { LoadManifest } from './manifest';

export interface ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
  size?: number;
}

export interface NormaliseDeps {
  s3: S3Client;
  lakeBucket: string;
  quarantineBucket: string;
  /** Deployment config (vendor profiles, ingest.maxErrorRate). */
  config: () => BestexConfig;
  publish: (topic: 'dataops', notice: { subject: string; message: string; attributes?: Record<string, string> }) => Promise<unknown>;
  limits: Limits;
  /** Ephemeral storage root (Lambda: /tmp). */
  tmpDir: string;
  now: () => Date;
  /** Milliseconds left before the invocation's deadline (Lambda context), if any. */
  remainingMs?: () => number;
  parseFix: typeof parseFixLog;
  /**
   * Called before each effect on S3 (tests: a throw here is a crash at that instant; the
   * effects are named in docs/ingestion.md, "Commit and crash safety").
   */
  beforeEffect?: (step: string) => void | Promise<void>;
  /** Pause between lease attempts (tests pass a fake one with a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

let cachedConfig: BestexConfig | undefined;
const defaultConfig = (): BestexConfig => {
  if (!cachedConfig) cachedConfig = loadConfig(process.env.BESTEX_CONFIG_DIR || undefined);
  return cachedConfig;
};

function defaults(deps: Partial<NormaliseDeps>): NormaliseDeps {
  return {
    s3: deps.s3 ?? s3Client(),
    lakeBucket: deps.lakeBucket ?? bucket('lake'),
    quarantineBucket: deps.quarantineBucket ?? bucket('quarantine'),
    config: deps.config ?? defaultConfig,
    publish: deps.publish ?? ((topic, notice) => sharedPublish(topic, notice)),
    limits: deps.limits ?? limitsFromEnv(),
    tmpDir: deps.tmpDir ?? process.env.BESTEX_TMP_DIR ?? tmpdir(),
    now: deps.now ?? (() => new Date()),
    ...(deps.remainingMs ? { remainingMs: deps.remainingMs } : {}),
    parseFix: deps.parseFix ?? parseFixLog,
    ...(deps.beforeEffect ? { beforeEffect: deps.beforeEffect } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
}

const effect = async (d: NormaliseDeps, step: string): Promise<void> => {
  await d.beforeEffect?.(step);
};

/** What the processing of one object produced locally, before any upload. */
interface Outcome extends RowCounts {
  status: 'loaded' | 'rejected';
  reason?: string;
  files: CoreFile[];
  rejects?: { path: string; rows: number };
  /** Business keys of the load, per table (core.ts keyFile). */
  keyFiles: { table: string; path: string; rows: number }[];
  notes: string[];
  fix_counts?: Record<string, number>;
  orphans?: number;
}

const EMPTY = { rows_read: 0, rows_written: 0, rows_rejected: 0, rows_duplicate: 0, files: [], keyFiles: [], notes: [] };

export async function normaliseObject(ref: ObjectRef, deps: Partial<NormaliseDeps> = {}): Promise<LoadManifest> {
  const d = defaults(deps);
  const started = d.now();
  const loadId = `${started.toISOString().replace(/[-:.]/g, '').toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(join(d.tmpDir, 'normalise-'));
  const parsed = parseDropKey(ref.key);
  const segs = ref.key.split('/');
  const base = {
    drop_key: ref.key,
    source: parsed.ok ? parsed.value.source : (segs[0] ?? ''),
    dataset: parsed.ok ? parsed.value.dataset : (segs[1] ?? ''),
    load_id: loadId,
    started_at: started.toISOString(),
  };
  // Loads of one source are serialised (lease.ts): key checks across its files and commits see
  // one load at a time. A key that names no source has no data to serialise.
  let lease: Lease | undefined;
  if (parsed.ok) {
    await effect(d, 'lease');
    lease = await acquireLease(d.s3, d.lakeBucket, parsed.value.source, {
      ttlMs: d.limits.leaseTtlMs,
      waitMs: d.limits.leaseWaitMs,
      now: d.now,
      ...(d.sleep ? { sleep: d.sleep } : {}),
    });
  }
  let crashed = false;
  try {
    const previous = await readManifest(d, ref.key);
    await finishInterrupted(d, ref.key, previous);
    let versionId: string | null = ref.versionId ?? null;
    let size = ref.size ?? -1;
    let sha256 = '';
    let outcome: Outcome;
    try {
      if (size < 0) {
        const h = await d.s3.send(
          new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.versionId ? { VersionId: ref.versionId } : {}) }),
        );
        size = h.ContentLength ?? 0;
        versionId = versionId ?? h.VersionId ?? null;
      }
      if (!parsed.ok) throw new FileRejection(parsed.reason);
      if (size > d.limits.maxObjectBytes) {
        throw new FileRejection(
          `the object is ${size} bytes, more than the limit of ${d.limits.maxObjectBytes} bytes (MAX_OBJECT_BYTES): split it into smaller files`,
        );
      }
      const drop = parsed.value;
      const local = join(work, 'input');
      const text = drop.format !== 'parquet' && drop.format !== 'fix';
      const fetched = await fetchObject(d.s3, ref, local, {
        gunzip: drop.gzip && drop.format !== 'fix',
        utf8: text,
        maxBytes: d.limits.maxUncompressedBytes,
      });
      sha256 = fetched.sha256;
      size = fetched.size;
      versionId = fetched.versionId;
      if (fetched.size === 0) throw new FileRejection('the file is empty (0 bytes): send the file with its header and rows');
      if (drop.format === 'parquet') await checkParquetMagic(local, fetched.bytes);
      outcome = await processLocal(d, drop, local, work, started);
    } catch (err) {
      if (!(err instanceof FileRejection)) throw err;
      outcome = { ...EMPTY, keyFiles: [], status: 'rejected', reason: err.message };
    }
    checkDeadline(d);
    return await publishOutcome(d, ref, { ...base, version_id: versionId, size, sha256 }, outcome, previous);
  } catch (err) {
    crashed = true;
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (lease) {
      // A crash in the tests stands for a killed process: its lease is left to expire.
      if (!crashed || !d.beforeEffect) {
        await effect(d, 'lease-release');
        await lease.release();
      }
    }
  }
}

/**
 * Finishes what a killed load of this key left (its intent, LAKE.pending): when that load
 * committed, the files its commit replaced are removed; when it did not, the files it wrote.
 */
async function finishInterrupted(d: NormaliseDeps, dropKey: string, committed: LoadManifest | undefined): Promise<void> {
  const pending = await readJson<Pending>(d, LAKE.pending(dropKey));
  if (!pending) return;
  const garbage = pending.load_id === committed?.load_id ? pending.replaces : pending.writes;
  const keep = new Set([...(committed?.outputs ?? []).map((o) => o.key), ...(committed?.key_files ?? []).map((o) => o.key)]);
  for (const k of garbage) {
    if (keep.has(k)) continue;
    await effect(d, `clean:${k}`);
    await del(d.s3, d.lakeBucket, k);
  }
  await effect(d, 'pending-delete');
  await del(d.s3, d.lakeBucket, LAKE.pending(dropKey));
}

/** A load's intent (LAKE.pending), written before its first lake file. */
interface Pending {
  load_id: string;
  writes: string[];
  replaces: string[];
}

function checkDeadline(d: NormaliseDeps): void {
  const left = d.remainingMs?.();
  if (left !== undefined && left < d.limits.uploadReserveMs) {
    // Throwing (not rejecting) lets SQS retry; the object keeps failing until it reaches the DLQ
    // and its alarm, and nothing was uploaded.
    throw new Error(
      `only ${left} ms left before the Lambda timeout, less than the ${d.limits.uploadReserveMs} ms reserved for uploads: nothing was written`,
    );
  }
}

async function checkParquetMagic(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (bytes >= 8) await fh.read(tail, 0, 4, bytes - 4);
    if (bytes < 12 || head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
      throw new FileRejection(
        `the file is not a complete Parquet file (it must start and end with PAR1; ${bytes} bytes): send the whole file, written by a Parquet writer`,
      );
    }
  } finally {
    await fh.close();
  }
}

/** A record-numbered read (CSV, JSON lines) is serial: one DuckDB thread serves it. */
function openDuck(d: NormaliseDeps, work: string, drop: DropKey) {
  const serial = drop.format !== 'fix' && serialRead(drop.format);
  return openLockedDb(work, { threads: serial ? 1 : d.limits.duckdbThreads, memory: d.limits.duckdbMemory });
}

async function processLocal(d: NormaliseDeps, drop: DropKey, local: string, work: string, started: Date): Promise<Outcome> {
  const cfg = d.config();
  const profile = cfg.profiles[drop.source];
  const { instance, db } = await openDuck(d, work, drop);
  try {
    let outcome: Outcome;
    if (drop.format === 'fix') outcome = await processFix(d, db, drop, local, work, started);
    else {
      const spec = dataset(drop.dataset as DatasetName);
      const dp = profile?.datasets[spec.name] as DatasetProfile | undefined;
      const r = await normaliseFile(db, {
        path: local,
        format: drop.format,
        spec,
        source: drop.source,
        key: drop.key,
        profile: dp,
        ingestedAt: started.toISOString(),
        workDir: join(work, 'out'),
        timestampWindowYears: d.limits.timestampWindowYears,
        ...(await keyInputs(d, spec, drop, work)),
      });
      outcome = fromCore(r, spec.table);
      if (!profile) outcome.notes.push(`no vendor profile for ${drop.source}: canonical column names and codes expected`);
    }
    if (outcome.status === 'loaded') outcome = gate(outcome, cfg.deployment.ingest.maxErrorRate);
    if (outcome.status === 'loaded') {
      const orphans = await countOrphans(d, db, drop, outcome.files, work);
      if (orphans === 'skipped')
        outcome.notes.push(
          `orphan check skipped: more than ${d.limits.orphanCheckMaxBytes} bytes of orders to read (ORPHAN_CHECK_MAX_BYTES)`,
        );
      else if (orphans !== undefined) outcome.orphans = orphans;
    }
    return outcome;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

function fromCore(r: CoreResult, table: string): Outcome {
  if (!r.ok) return { ...EMPTY, keyFiles: [], notes: [], status: 'rejected', reason: r.reason };
  const { ok: _ok, keyFile, ...rest } = r;
  return { status: 'loaded', ...rest, keyFiles: keyFile ? [{ table, ...keyFile }] : [] };
}

/**
 * The committed key files of the source's other objects for this dataset (downloaded), and
 * where this load writes its own. Committed: named by the manifest of its object, with that
 * manifest's load id; files of interrupted or replaced loads are ignored.
 */
async function keyInputs(
  d: NormaliseDeps,
  spec: DatasetSpec,
  drop: DropKey,
  work: string,
): Promise<{ priorKeys: string[]; keysOut: string } | Record<string, never>> {
  if (!spec.key?.length) return {};
  const dir = join(work, 'keys', spec.table);
  await mkdir(dir, { recursive: true });
  const mine = keyId(drop.key);
  const candidates: string[] = [];
  let token: string | undefined;
  do {
    const l = await d.s3.send(
      new ListObjectsV2Command({
        Bucket: d.lakeBucket,
        Prefix: LAKE.keysPrefix(spec.table, drop.source),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of l.Contents ?? []) if (o.Key && !o.Key.slice(o.Key.lastIndexOf('/') + 1).startsWith(`${mine}-`)) candidates.push(o.Key);
    token = l.IsTruncated ? l.NextContinuationToken : undefined;
  } while (token);
  const manifests = new Map<string, LoadManifest | undefined>();
  const prior: string[] = [];
  for (const k of candidates) {
    const id = k.slice(k.lastIndexOf('/') + 1, k.lastIndexOf('/') + 17);
    if (!manifests.has(id)) manifests.set(id, await readJson<LoadManifest>(d, `_manifests/${id}.json`));
    const m = manifests.get(id);
    if (m?.status !== 'loaded' || !(m.key_files ?? []).some((f) => f.key === k)) continue;
    const dest = join(dir, `${prior.length}.parquet`);
    await fetchObject(d.s3, { bucket: d.lakeBucket, key: k }, dest, {
      gunzip: false,
      utf8: false,
      maxBytes: d.limits.maxUncompressedBytes,
    });
    prior.push(dest);
  }
  return { priorKeys: prior, keysOut: join(dir, 'mine.parquet') };
}

/** The error-rate gate: above the configured share of rejected rows, nothing reaches the lake. */
function gate(o: Outcome, maxErrorRate: number): Outcome {
  if (o.rows_read === 0 || o.rows_rejected / o.rows_read <= maxErrorRate) return o;
  const pct = ((100 * o.rows_rejected) / o.rows_read).toFixed(1);
  return {
    ...o,
    status: 'rejected',
    reason: `${o.rows_rejected} of ${o.rows_read} rows (${pct} %) were rejected, more than the ${(100 * maxErrorRate).toFixed(1)} % allowed (ingest.maxErrorRate): nothing was loaded. The rejected rows and their reasons are in the quarantine CSV; fix the file (or the vendor profile) and drop it again`,
    rows_rejected: o.rows_read - o.rows_duplicate,
    rows_written: 0,
    files: [],
    keyFiles: [],
  };
}

/** A FIX log: the parser splits it into orders and executions CSVs, which then go the CSV way. */
async function processFix(
  d: NormaliseDeps,
  db: Awaited<ReturnType<typeof openDuck>>['db'],
  drop: DropKey,
  local: string,
  work: string,
  started: Date,
): Promise<Outcome> {
  let fix: Awaited<ReturnType<typeof parseFixLog>>;
  try {
    fix = await d.parseFix(local, { gzip: drop.gzip, outDir: join(work, 'fix') });
  } catch (err) {
    if ((err as Error).name === 'FixFileError') throw new FileRejection(firstLineOf(err).replaceAll(local, drop.key));
    throw err;
  }
  const out: Outcome = { ...EMPTY, files: [], keyFiles: [], notes: [], status: 'loaded', fix_counts: { ...fix.counts } };
  const rejectFiles: string[] = [];
  for (const [table, csv] of [
    ['orders', fix.ordersCsv],
    ['executions', fix.executionsCsv],
  ] as const) {
    const r = await normaliseFile(db, {
      path: csv,
      format: 'csv',
      spec: dataset(table),
      source: drop.source,
      key: drop.key,
      lineColumn: 'source_line',
      ingestedAt: started.toISOString(),
      workDir: join(work, 'out', table),
      timestampWindowYears: d.limits.timestampWindowYears,
      ...(await keyInputs(d, dataset(table), drop, work)),
    });
    if (!r.ok) throw new Error(`FIX parser output ${csv} could not be read: ${r.reason}`);
    out.rows_read += r.rows_read;
    out.rows_written += r.rows_written;
    out.rows_rejected += r.rows_rejected;
    out.rows_duplicate += r.rows_duplicate;
    out.files.push(...r.files);
    if (r.keyFile) out.keyFiles.push({ table, ...r.keyFile });
    if (r.rejects) rejectFiles.push(r.rejects.path);
  }
  out.rows_read += fix.rejects.length;
  out.rows_rejected += fix.rejects.length;
  if (out.rows_rejected > 0) {
    // One quarantine CSV for the log: the FIX line (or the canonical row) with line, column, reason.
    await db.run('CREATE OR REPLACE TEMP TABLE nx_fix_rejects (original VARCHAR, line BIGINT, "column" VARCHAR, reason VARCHAR)');
    const app = await db.createAppender('nx_fix_rejects', 'main', 'temp');
    for (const r of fix.rejects) {
      app.appendVarchar(r.original.replaceAll('\x01', '|'));
      app.appendBigInt(BigInt(r.line));
      app.appendVarchar(r.column);
      app.appendVarchar(r.reason);
      app.endRow();
    }
    app.closeSync();
    const path = join(work, 'rejected.csv');
    const tables = rejectFiles.length ? fill('fix_rejects_tables', { files: `[${rejectFiles.map(lit).join(', ')}]` }) : '';
    const columns = ['original', ...(await tableRejectColumns(db, rejectFiles)), 'line', 'column', 'reason'];
    const n = await writeCsv(db, fill('fix_rejects', { tables, columns: columns.map(sqlIdent).join(', ') }), columns, path);
    if (n !== out.rows_rejected)
      throw new Error(`accounting mismatch in ${drop.key}: ${n} quarantined FIX rows, ${out.rows_rejected} rejected`);
    out.rejects = { path, rows: n };
  }
  return out;
}

/** The canonical columns of the tables' quarantine CSVs (FIX parser output: schema names only). */
async function tableRejectColumns(db: Awaited<ReturnType<typeof openDuck>>['db'], files: string[]): Promise<string[]> {
  if (!files.length) return [];
  const r = await db.runAndReadAll(
    `DESCRIBE SELECT * FROM read_csv([${files.map(lit).join(', ')}], header = true, all_varchar = true, union_by_name = true)`,
  );
  return r
    .getRowObjects()
    .map((x) => String(x.column_name))
    .filter((c) => !['line', 'column', 'reason'].includes(c));
}

/** Best effort: executions/routes whose order_id is not among the lake's orders of that source and date. */
async function countOrphans(
  d: NormaliseDeps,
  db: Awaited<ReturnType<typeof openDuck>>['db'],
  drop: DropKey,
  files: CoreFile[],
  work: string,
): Promise<number | 'skipped' | undefined> {
  const children = files.filter((f) => f.table === 'executions' || f.table === 'routes');
  if (!children.length) return undefined;
  const own = files.filter((f) => f.table === 'orders').map((f) => f.path);
  const dates = [...new Set(children.map((f) => f.tradeDate).filter((x): x is string => !!x))];
  const mine = `part-${keyId(drop.key)}`;
  const orders: string[] = [...own];
  let bytes = 0;
  const dir = join(work, 'orphans');
  await mkdir(dir, { recursive: true });
  for (const date of dates) {
    let token: string | undefined;
    do {
      const l = await d.s3.send(
        new ListObjectsV2Command({
          Bucket: d.lakeBucket,
          Prefix: `orders/source=${drop.source}/trade_date=${date}/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of l.Contents ?? []) {
        if (!o.Key?.endsWith('.parquet') || o.Key.includes(mine)) continue;
        bytes += o.Size ?? 0;
        if (bytes > d.limits.orphanCheckMaxBytes) return 'skipped';
        const dest = join(dir, `${orders.length}.parquet`);
        await fetchObject(d.s3, { bucket: d.lakeBucket, key: o.Key }, dest, {
          gunzip: false,
          utf8: false,
          maxBytes: d.limits.orphanCheckMaxBytes,
        });
        orders.push(dest);
      }
      token = l.IsTruncated ? l.NextContinuationToken : undefined;
    } while (token);
  }
  const childPaths = children.map((f) => lit(f.path)).join(', ');
  if (!orders.length) return children.reduce((a, f) => a + f.rows, 0);
  const r = await db.runAndReadAll(fill('orphans', { outputs: `[${childPaths}]`, orders: `[${orders.map(lit).join(', ')}]` }));
  return Number(r.getRows()[0]?.[0] ?? 0);
}

async function readManifest(d: NormaliseDeps, key: string): Promise<LoadManifest | undefined> {
  return readJson<LoadManifest>(d, LAKE.manifest(key));
}

async function readJson<T>(d: NormaliseDeps, key: string): Promise<T | undefined> {
  try {
    const r = await d.s3.send(new GetObjectCommand({ Bucket: d.lakeBucket, Key: key }));
    const text = await r.Body?.transformToString();
    return text ? (JSON.parse(text) as T) : undefined;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (
      name === 'NoSuchKey' ||
      name === 'NotFound' ||
      (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return undefined;
    throw err;
  }
}

/**
 * Lake key of a local output file: `<table>/source=<s>/trade_date=<d>/part-<keyId>-<loadId>[-i].parquet`.
 * The load id makes every load's files new objects: a load never overwrites what a committed
 * manifest names, so a crash before its own commit leaves the old content whole.
 */
export function outputKey(
  spec: DatasetSpec,
  source: string,
  dropKey: string,
  tradeDate: string | undefined,
  index: number,
  loadId: string,
): string {
  const parts: string[] = [spec.table];
  if (spec.partitionBy.includes('source')) parts.push(`source=${source}`);
  if (spec.partitionBy.includes('trade_date')) parts.push(`trade_date=${tradeDate}`);
  parts.push(`part-${keyId(dropKey)}-${loadId}${index ? `-${index}` : ''}.parquet`);
  return parts.join('/');
}

async function putFile(s3: S3Client, bucketName: string, key: string, path: string, contentType: string): Promise<void> {
  const { size } = await stat(path);
  await s3.send(
    new PutObjectCommand({ Bucket: bucketName, Key: key, Body: createReadStream(path), ContentLength: size, ContentType: contentType }),
  );
}

async function del(s3: S3Client, bucketName: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucketName, Key: key }));
}

/** AWS CopySource: bucket/key with the key URL-encoded, slashes kept. */
function copySource(b: string, key: string, versionId: string | null): string {
  const k = key.split('/').map(encodeURIComponent).join('/');
  return `${b}/${k}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}

/**
 * Server-side copy; when the endpoint cannot copy this key (s3rver decodes x-amz-copy-source
 * with decodeURI, which leaves %2B as is), the object is streamed through instead.
 */
async function copyToQuarantine(d: NormaliseDeps, ref: ObjectRef, versionId: string | null): Promise<void> {
  const Key = QUARANTINE.file(ref.key);
  try {
    await d.s3.send(new CopyObjectCommand({ Bucket: d.quarantineBucket, Key, CopySource: copySource(ref.bucket, ref.key, versionId) }));
  } catch {
    const r = await d.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(versionId ? { VersionId: versionId } : {}) }));
    await d.s3.send(
      new PutObjectCommand({ Bucket: d.quarantineBucket, Key, Body: r.Body as Readable, ContentLength: r.ContentLength ?? 0 }),
    );
  }
}

async function publishOutcome(
  d: NormaliseDeps,
  ref: ObjectRef,
  head: Pick<LoadManifest, 'drop_key' | 'source' | 'dataset' | 'load_id' | 'version_id' | 'size' | 'sha256' | 'started_at'>,
  o: Outcome,
  previous: LoadManifest | undefined,
): Promise<LoadManifest> {
  const outputs: ManifestOutput[] = [];
  const keyFiles: ManifestOutput[] = [];
  const notes = [...o.notes];
  const quarantine: LoadManifest['quarantine'] = [];
  const rowsKey = QUARANTINE.rows(ref.key);

  // Names first, so the intent lists every file this load may leave behind.
  const uploads: { key: string; path: string }[] = [];
  if (o.status === 'loaded') {
    const counters = new Map<string, number>();
    for (const f of o.files) {
      const spec = datasetByTable(f.table) ?? dataset(f.table as DatasetName);
      const slot = `${f.table}/${f.tradeDate ?? ''}`;
      const i = counters.get(slot) ?? 0;
      counters.set(slot, i + 1);
      const key = outputKey(spec, head.source, ref.key, f.tradeDate, i, head.load_id);
      uploads.push({ key, path: f.path });
      outputs.push({ table: f.table, key, rows: f.rows });
    }
    for (const k of o.keyFiles) {
      const key = `${LAKE.keysPrefix(k.table, head.source)}${keyId(ref.key)}-${head.load_id}.parquet`;
      uploads.push({ key, path: k.path });
      keyFiles.push({ table: k.table, key, rows: k.rows });
    }
  }
  const replaced = [...(previous?.outputs ?? []), ...(previous?.key_files ?? [])].map((x) => x.key);
  const pending: Pending = { load_id: head.load_id, writes: uploads.map((u) => u.key), replaces: replaced };
  await effect(d, 'pending');
  await d.s3.send(
    new PutObjectCommand({
      Bucket: d.lakeBucket,
      Key: LAKE.pending(ref.key),
      Body: JSON.stringify(pending),
      ContentType: 'application/json',
    }),
  );
  for (const u of uploads) {
    await effect(d, `upload:${u.key}`);
    await putFile(d.s3, d.lakeBucket, u.key, u.path, 'application/vnd.apache.parquet');
  }
  if (o.status === 'loaded' && previous?.status === 'rejected') {
    // A file loaded now is no longer a quarantined file.
    await effect(d, 'quarantine-clear');
    await del(d.s3, d.quarantineBucket, QUARANTINE.file(ref.key));
    await del(d.s3, d.quarantineBucket, QUARANTINE.reason(ref.key));
  }
  if (o.rejects && o.rejects.rows > 0) {
    await effect(d, 'quarantine-rows');
    await putFile(d.s3, d.quarantineBucket, rowsKey, o.rejects.path, 'text/csv');
    quarantine.push({ key: rowsKey, rows: o.rejects.rows });
  } else if (previous?.quarantine.some((q) => q.key === rowsKey)) {
    await effect(d, 'quarantine-rows');
    await del(d.s3, d.quarantineBucket, rowsKey);
  }

  if (o.status === 'rejected') {
    await effect(d, 'quarantine-file');
    try {
      await copyToQuarantine(d, ref, head.version_id);
    } catch (err) {
      notes.push(`the original could not be copied to quarantine (${firstLineOf(err)}); it stays in the drop bucket`);
    }
    const reasonDoc = {
      drop_key: ref.key,
      bucket: ref.bucket,
      version_id: head.version_id,
      size: head.size,
      sha256: head.sha256,
      reason: o.reason,
      rows_read: o.rows_read,
      rows_rejected: o.rows_rejected,
      rejected_rows: o.rejects ? rowsKey : null,
      at: d.now().toISOString(),
    };
    await d.s3.send(
      new PutObjectCommand({
        Bucket: d.quarantineBucket,
        Key: QUARANTINE.reason(ref.key),
        Body: `${JSON.stringify(reasonDoc, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }

  const now = new Set(uploads.map((u) => u.key));
  const stale = replaced.filter((k) => !now.has(k));
  const staleData = (previous?.outputs ?? []).map((x) => x.key).filter((k) => !now.has(k));
  if (previous) {
    if (previous.sha256 && previous.sha256 === head.sha256)
      notes.push('same content as the previous drop of this key: its outputs were replaced');
    if (staleData.length && o.status === 'rejected')
      notes.push(`the previous version's ${staleData.length} output file(s) were removed from the lake`);
  }

  const manifest: LoadManifest = {
    ...head,
    status: o.status,
    ...(o.reason ? { reason: o.reason } : {}),
    rows_read: o.rows_read,
    rows_written: o.status === 'loaded' ? o.rows_written : 0,
    rows_rejected: o.rows_rejected,
    rows_duplicate: o.rows_duplicate,
    outputs,
    key_files: keyFiles,
    quarantine,
    ...(previous ? { replaced: { previous_sha256: previous.sha256, removed_keys: staleData } } : {}),
    ...(o.orphans !== undefined ? { orphans: o.orphans } : {}),
    finished_at: d.now().toISOString(),
    ...(o.fix_counts ? { fix_counts: o.fix_counts } : {}),
    ...(notes.length ? { notes } : {}),
  };
  // The commit: from this PUT on, queries see this load's files and no longer the previous ones.
  await effect(d, 'manifest');
  await d.s3.send(
    new PutObjectCommand({
      Bucket: d.lakeBucket,
      Key: LAKE.manifest(ref.key),
      Body: `${JSON.stringify(manifest)}\n`,
      ContentType: 'application/json',
    }),
  );
  // Garbage: the files the commit replaced (a crash here is finished by the next load of the key).
  for (const k of stale) {
    await effect(d, `gc:${k}`);
    await del(d.s3, d.lakeBucket, k);
  }
  await effect(d, 'pending-delete');
  await del(d.s3, d.lakeBucket, LAKE.pending(ref.key));
  if (o.status === 'rejected') {
    await effect(d, 'notice');
    await d.publish('dataops', {
      subject: `bestex: drop rejected: ${ref.key}`,
      message: [
        `The drop object s3://${ref.bucket}/${ref.key} was rejected as a whole; nothing from it is in the lake.`,
        `Reason: ${o.reason}`,
        `Version: ${head.version_id ?? 'unversioned'}; size ${head.size} bytes; SHA-256 ${head.sha256 || 'not computed'}.`,
        `The original is copied to s3://${d.quarantineBucket}/${QUARANTINE.file(ref.key)} with the reason in ${QUARANTINE.reason(ref.key)}.`,
        ...(o.rejects ? [`Rejected rows with line, column and reason: s3://${d.quarantineBucket}/${rowsKey}.`] : []),
        ...(staleData.length ? [`The previous version's ${staleData.length} output file(s) were removed from the lake.`] : []),
      ].join('\n'),
      attributes: { source: head.source, dataset: head.dataset, status: 'rejected' },
    });
  }
  return manifest;
}
