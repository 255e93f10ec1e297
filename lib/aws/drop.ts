/**
 * Dropping a folder into a deployed stack: upload every file to the drop bucket (multipart above
 * the part size, with byte progress), then follow each object's load manifest in the lake bucket
 * until the normalise function has loaded or rejected it.
 *
 * A manifest already at the key may belong to an earlier drop of the same key, so an upload
 * remembers the manifest's ETag before it starts and waits for a different one; when the drop
 * bucket is versioned it also requires the manifest's `version_id` to be the uploaded version.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LAKE } from '../../lambdas/shared/layout';
import { awsCall } from './errors';

export interface DropFile {
  path: string;
  /** Path relative to the dropped folder, with '/' separators: `<source>/<dataset>/<file>`. */
  key: string;
  size: number;
}

/** Every file under `dir`, keyed by its relative path, in a stable order. */
export function listDropFiles(dir: string): DropFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort()
    .map((path) => ({ path, key: relative(dir, path).split(sep).join('/'), size: statSync(path).size }));
}

export interface UploadProgress {
  key: string;
  /** 1-based position of the file. */
  index: number;
  files: number;
  fileBytes: number;
  fileTotal: number;
  /** Bytes of all files sent so far, and in total. */
  bytes: number;
  total: number;
}

export interface UploadedObject {
  key: string;
  size: number;
  versionId?: string;
  /** ETag of the object's manifest before the upload (null: none yet). */
  manifestEtagBefore: string | null;
}

export interface UploadOptions {
  /** Multipart part size (S3 minimum and default 5 MiB). */
  partSize?: number;
  /** Parts in flight per file. @default 4 */
  queueSize?: number;
  onProgress?: (p: UploadProgress) => void;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;

async function manifestEtag(s3: S3Client, lakeBucket: string, key: string): Promise<string | null> {
  const manifestKey = LAKE.manifest(key);
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: lakeBucket, Key: manifestKey }));
    return h.ETag ?? null;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return null;
    return awsCall({ action: 'S3 HeadObject (load manifest)', bucket: lakeBucket, key: manifestKey }, () => Promise.reject(e));
  }
}

/** Uploads the files one after another (each multipart above `partSize`), reporting bytes sent. */
export async function uploadFiles(
  s3: S3Client,
  buckets: { drop: string; lake: string },
  files: readonly DropFile[],
  opts: UploadOptions = {},
): Promise<UploadedObject[]> {
  const total = files.reduce((s, f) => s + f.size, 0);
  let sent = 0;
  const out: UploadedObject[] = [];
  for (const [i, f] of files.entries()) {
    const before = await manifestEtag(s3, buckets.lake, f.key);
    const report = (fileBytes: number) =>
      opts.onProgress?.({ key: f.key, index: i + 1, files: files.length, fileBytes, fileTotal: f.size, bytes: sent + fileBytes, total });
    report(0);
    const upload = new Upload({
      client: s3,
      params: { Bucket: buckets.drop, Key: f.key, Body: createReadStream(f.path), ContentLength: f.size },
      partSize: Math.max(MIN_PART_SIZE, opts.partSize ?? MIN_PART_SIZE),
      queueSize: opts.queueSize ?? 4,
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (p) => report(Math.min(f.size, p.loaded ?? 0)));
    const r = await awsCall({ action: 'S3 upload', bucket: buckets.drop, key: f.key }, () => upload.done());
    report(f.size);
    sent += f.size;
    const versionId = (r as { VersionId?: string }).VersionId;
    out.push({ key: f.key, size: f.size, manifestEtagBefore: before, ...(versionId ? { versionId } : {}) });
  }
  return out;
}

export type ManifestState = 'loaded' | 'rejected' | 'pending';

export interface ManifestWait {
  key: string;
  state: ManifestState;
  manifest?: Record<string, unknown>;
  /** For `pending`: what was seen (no manifest, or one for another version). */
  detail?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  /** @default 2000 */
  intervalMs?: number;
  onProgress?: (counts: Record<ManifestState, number>, elapsedMs: number) => void;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads the manifest if it is the one this upload produced; undefined while it is not there yet. */
async function currentManifest(
  s3: S3Client,
  lakeBucket: string,
  u: UploadedObject,
): Promise<{ manifest?: Record<string, unknown>; detail: string }> {
  const key = LAKE.manifest(u.key);
  let text: string;
  let etag: string | null;
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: lakeBucket, Key: key }));
    etag = r.ETag ?? null;
    text = (await r.Body?.transformToString()) ?? '';
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return { detail: 'no load manifest yet' };
    return awsCall({ action: 'S3 GetObject (load manifest)', bucket: lakeBucket, key }, () => Promise.reject(e));
  }
  if (etag !== null && etag === u.manifestEtagBefore) return { detail: 'only the manifest of an earlier drop of this key' };
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { detail: `s3://${lakeBucket}/${key} is not JSON yet` };
  }
  if (u.versionId && manifest.version_id !== u.versionId) {
    return { detail: `the manifest is for version ${String(manifest.version_id)}, not the uploaded ${u.versionId}` };
  }
  return { manifest, detail: '' };
}

/**
 * Polls each upload's manifest until it says loaded or rejected, or until `timeoutMs`; objects
 * still without their manifest then come back as `pending` with what was seen.
 */
export async function waitForManifests(
  s3: S3Client,
  lakeBucket: string,
  uploads: readonly UploadedObject[],
  opts: WaitOptions,
): Promise<ManifestWait[]> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const start = now();
  const results = new Map<string, ManifestWait>(
    uploads.map((u) => [u.key, { key: u.key, state: 'pending' as const, detail: 'no load manifest yet' }]),
  );
  for (;;) {
    for (const u of uploads) {
      const cur = results.get(u.key) as ManifestWait;
      if (cur.state !== 'pending') continue;
      const r = await currentManifest(s3, lakeBucket, u);
      if (r.manifest) {
        const state: ManifestState = r.manifest.status === 'loaded' ? 'loaded' : 'rejected';
        results.set(u.key, { key: u.key, state, manifest: r.manifest });
      } else {
        results.set(u.key, { key: u.key, state: 'pending', detail: r.detail });
      }
    }
    const all = [...results.values()];
    const counts: Record<ManifestState, number> = { loaded: 0, rejected: 0, pending: 0 };
    for (const w of all) counts[w.state] += 1;
    const elapsed = now() - start;
    opts.onProgress?.(counts, elapsed);
    if (counts.pending === 0 || elapsed >= opts.timeoutMs) return uploads.map((u) => results.get(u.key) as ManifestWait);
    await sleep(Math.min(opts.intervalMs ?? 2000, Math.max(0, opts.timeoutMs - elapsed)));
  }
}
