/**
 * normaliseObject: one drop object → canonical Parquet in the lake, rejected rows and unreadable
 * files in quarantine, a load manifest always. The S3 side (download, uploads, replacing an
 * earlier version's outputs) is here; the row work is in core.ts.
 *
 * Order of effects, so that a crash or a retry never leaves a half-load behind: everything is
 * computed locally first; then outputs are uploaded, stale outputs of the previous version are
 * deleted, and the manifest is written last. A retry of the same object redoes the same keys.
 */
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
import { bucket, s3Client } from '../shared/aws';
import { type BestexConfig, type DatasetProfile, loadConfig } from '../shared/config';
import { type DropKey, keyId, LAKE, parseDropKey, QUARANTINE } from '../shared/layout';
import { publish as sharedPublish } from '../shared/notify';
import { type DatasetName, type DatasetSpec, dataset } from '../shared/schema';
import { type CoreFile, type CoreResult, normaliseFile, openLockedDb, serialRead, writeCsv } from './core';
import { fetchObject } from './fetch';
import { parseFixLog } from './fix/parse';
import { firstLineOf } from './inputs';
import { FileRejection, type Limits, limitsFromEnv } from './limits';
import type { LoadManifest, ManifestOutput } from './manifest';
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
  };
}

/** What the processing of one object produced locally, before any upload. */
interface Outcome {
  status: 'loaded' | 'rejected';
  reason?: string;
  rows_read: number;
  rows_written: number;
  rows_rejected: number;
  rows_duplicate: number;
  files: CoreFile[];
  rejects?: { path: string; rows: number };
  notes: string[];
  fix_counts?: Record<string, number>;
  orphans?: number;
}

const EMPTY = { rows_read: 0, rows_written: 0, rows_rejected: 0, rows_duplicate: 0, files: [], notes: [] };

export async function normaliseObject(ref: ObjectRef, deps: Partial<NormaliseDeps> = {}): Promise<LoadManifest> {
  const d = defaults(deps);
  const started = d.now();
  const work = mkdtempSync(join(d.tmpDir, 'normalise-'));
  const parsed = parseDropKey(ref.key);
  const segs = ref.key.split('/');
  const base = {
    drop_key: ref.key,
    source: parsed.ok ? parsed.value.source : (segs[0] ?? ''),
    dataset: parsed.ok ? parsed.value.dataset : (segs[1] ?? ''),
    started_at: started.toISOString(),
  };
  const previous = await readManifest(d, ref.key);
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
    outcome = { ...EMPTY, status: 'rejected', reason: err.message };
  }
  try {
    checkDeadline(d);
    return await publishOutcome(d, ref, { ...base, version_id: versionId, size, sha256 }, outcome, previous);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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
      });
      outcome = fromCore(r);
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

function fromCore(r: CoreResult): Outcome {
  if (!r.ok) return { ...EMPTY, notes: [], status: 'rejected', reason: r.reason };
  const { ok: _ok, ...rest } = r;
  return { status: 'loaded', ...rest };
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
  const out: Outcome = { ...EMPTY, files: [], notes: [], status: 'loaded', fix_counts: { ...fix.counts } };
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
    });
    if (!r.ok) throw new Error(`FIX parser output ${csv} could not be read: ${r.reason}`);
    out.rows_read += r.rows_read;
    out.rows_written += r.rows_written;
    out.rows_rejected += r.rows_rejected;
    out.rows_duplicate += r.rows_duplicate;
    out.files.push(...r.files);
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
  try {
    const r = await d.s3.send(new GetObjectCommand({ Bucket: d.lakeBucket, Key: LAKE.manifest(key) }));
    const text = await r.Body?.transformToString();
    return text ? (JSON.parse(text) as LoadManifest) : undefined;
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

/** Lake key of a local output file: `<table>/source=<s>/trade_date=<d>/part-<keyId>.parquet`. */
export function outputKey(spec: DatasetSpec, source: string, dropKey: string, tradeDate: string | undefined, index: number): string {
  const parts: string[] = [spec.table];
  if (spec.partitionBy.includes('source')) parts.push(`source=${source}`);
  if (spec.partitionBy.includes('trade_date')) parts.push(`trade_date=${tradeDate}`);
  parts.push(`part-${keyId(dropKey)}${index ? `-${index}` : ''}.parquet`);
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
  head: Pick<LoadManifest, 'drop_key' | 'source' | 'dataset' | 'version_id' | 'size' | 'sha256' | 'started_at'>,
  o: Outcome,
  previous: LoadManifest | undefined,
): Promise<LoadManifest> {
  const outputs: ManifestOutput[] = [];
  const notes = [...o.notes];
  const quarantine: LoadManifest['quarantine'] = [];
  const rowsKey = QUARANTINE.rows(ref.key);

  if (o.status === 'loaded') {
    const counters = new Map<string, number>();
    for (const f of o.files) {
      const spec = dataset(f.table === 'vendor_metrics' ? 'vendor-metrics' : (f.table as DatasetName));
      const slot = `${f.table}/${f.tradeDate ?? ''}`;
      const i = counters.get(slot) ?? 0;
      counters.set(slot, i + 1);
      const key = outputKey(spec, head.source, ref.key, f.tradeDate, i);
      await putFile(d.s3, d.lakeBucket, key, f.path, 'application/vnd.apache.parquet');
      outputs.push({ table: f.table, key, rows: f.rows });
    }
    // A file loaded now is no longer a quarantined file.
    if (previous?.status === 'rejected') {
      await del(d.s3, d.quarantineBucket, QUARANTINE.file(ref.key));
      await del(d.s3, d.quarantineBucket, QUARANTINE.reason(ref.key));
    }
  }
  if (o.rejects && o.rejects.rows > 0) {
    await putFile(d.s3, d.quarantineBucket, rowsKey, o.rejects.path, 'text/csv');
    quarantine.push({ key: rowsKey, rows: o.rejects.rows });
  } else if (previous?.quarantine.some((q) => q.key === rowsKey)) {
    await del(d.s3, d.quarantineBucket, rowsKey);
  }

  if (o.status === 'rejected') {
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

  // Outputs of the previous version that this version does not overwrite.
  const now = new Set(outputs.map((x) => x.key));
  const stale = (previous?.outputs ?? []).map((x) => x.key).filter((k) => !now.has(k));
  for (const k of stale) await del(d.s3, d.lakeBucket, k);
  if (previous) {
    if (previous.sha256 && previous.sha256 === head.sha256)
      notes.push('same content as the previous drop of this key: outputs rewritten under the same keys');
    if (stale.length && o.status === 'rejected')
      notes.push(`the previous version's ${stale.length} output file(s) were removed from the lake`);
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
    quarantine,
    ...(previous ? { replaced: { previous_sha256: previous.sha256, removed_keys: stale } } : {}),
    ...(o.orphans !== undefined ? { orphans: o.orphans } : {}),
    finished_at: d.now().toISOString(),
    ...(o.fix_counts ? { fix_counts: o.fix_counts } : {}),
    ...(notes.length ? { notes } : {}),
  };
  await d.s3.send(
    new PutObjectCommand({
      Bucket: d.lakeBucket,
      Key: LAKE.manifest(ref.key),
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  if (o.status === 'rejected') {
    await d.publish('dataops', {
      subject: `bestex: drop rejected: ${ref.key}`,
      message: [
        `The drop object s3://${ref.bucket}/${ref.key} was rejected as a whole; nothing from it is in the lake.`,
        `Reason: ${o.reason}`,
        `Version: ${head.version_id ?? 'unversioned'}; size ${head.size} bytes; SHA-256 ${head.sha256 || 'not computed'}.`,
        `The original is copied to s3://${d.quarantineBucket}/${QUARANTINE.file(ref.key)} with the reason in ${QUARANTINE.reason(ref.key)}.`,
        ...(o.rejects ? [`Rejected rows with line, column and reason: s3://${d.quarantineBucket}/${rowsKey}.`] : []),
        ...(stale.length ? [`The previous version's ${stale.length} output file(s) were removed from the lake.`] : []),
      ].join('\n'),
      attributes: { source: head.source, dataset: head.dataset, status: 'rejected' },
    });
  }
  return manifest;
}
