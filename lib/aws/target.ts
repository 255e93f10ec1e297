/**
 * Where a `bestex` command runs: the embedded local runtime or a deployed stack. Each command is
 * written once against this interface; lib/local/target.ts and lib/aws/aws-target.ts are the
 * two implementations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ListedObject, listObjects } from '../../lambdas/adapters/s3io';
import type { BestexConfig } from '../../lambdas/shared/config';
import type { BucketRole } from '../../lambdas/shared/layout';
import type { UploadProgress } from './drop';
import { awsCall, CliError } from './errors';
import type { MachineName } from './outputs';

export type TargetKind = 'local' | 'aws';

/** One dropped object and how it loaded (the columns of the drop summary). */
export interface DropRow {
  key: string;
  /** loaded | rejected (whole file quarantined) | failed (processing error) | pending (no manifest in time). */
  status: string;
  rows_read: unknown;
  rows_written: unknown;
  rows_rejected: unknown;
  rows_duplicate: unknown;
  reason: string;
}

export interface RunOutcome {
  executionId: string;
  /** AWS only: the execution ARN and its console page. */
  executionArn?: string;
  consoleUrl?: string;
  /** The state machine's final output. */
  output: Record<string, unknown>;
}

export interface QueryOutcome {
  columns: string[];
  rows: Record<string, unknown>[];
  /** AWS only. */
  queryExecutionId?: string;
  bytesScanned?: number;
  costUsd?: number;
}

export interface TargetUi {
  /** A progress line (stderr). */
  log: (line: string) => void;
  /** Byte progress of an upload (a progress bar on a terminal). */
  upload?: (p: UploadProgress) => void;
  /** The upload finished (the bar's line is closed). */
  uploadDone?: () => void;
}

export interface DropOptions {
  /** How long to wait for the load manifests (AWS). */
  timeoutMs?: number;
  partSize?: number;
}

export interface RunOptions {
  /** How long the CLI follows an AWS execution before it stops waiting. */
  timeoutMs?: number;
  /** Execution name prefix (AWS). */
  namePrefix?: string;
}

export interface Target {
  readonly kind: TargetKind;
  readonly config: BestexConfig;
  readonly s3: S3Client;
  bucket(role: BucketRole): string;
  /** Uploads every file under `dir` (keys relative to it) and waits until each is loaded or rejected. */
  drop(dir: string, opts?: DropOptions): Promise<DropRow[]>;
  run(name: MachineName, input: Record<string, unknown>, opts?: RunOptions): Promise<RunOutcome>;
  query(sql: string, params?: readonly string[], opts?: { timeoutMs?: number }): Promise<QueryOutcome>;
  /**
   * Puts a local input file (a thresholds file to try) where the state machine's functions can
   * read it; returns the path or s3:// URI to pass in the execution input.
   */
  stageInput(path: string, name: string, dryRun: boolean): Promise<string>;
  close(): Promise<void>;
}

/** An object parsed as JSON; undefined when it does not exist. Errors name the object. */
export async function readJsonObject(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  let text: string;
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await r.Body?.transformToString()) ?? '';
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    return awsCall({ action: 'S3 GetObject', bucket, key }, () => Promise.reject(e));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`s3://${bucket}/${key} is not JSON (${(e as Error).message})`);
  }
}

/** Every object under a prefix (all pages); an access denial names the bucket and prefix. */
export function listPrefix(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  return awsCall({ action: 'S3 ListObjectsV2', bucket, key: prefix }, () => listObjects(s3, bucket, prefix));
}

/** Copies every object under `prefix` to `destDir` (the key less the prefix); returns the paths written. */
export async function fetchPrefix(s3: S3Client, bucket: string, prefix: string, destDir: string): Promise<string[]> {
  const written: string[] = [];
  const root = resolve(destDir);
  for (const o of await listPrefix(s3, bucket, prefix)) {
    if (o.key.endsWith('/')) continue;
    const dest = resolve(root, o.key.slice(prefix.length));
    if (!dest.startsWith(`${root}${sep}`)) throw new CliError(`s3://${bucket}/${o.key} would be written outside ${root}: refusing`);
    const r = await awsCall({ action: 'S3 GetObject', bucket, key: o.key }, () =>
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key })),
    );
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, (await r.Body?.transformToByteArray()) ?? new Uint8Array());
    written.push(dest);
  }
  return written;
}

/** A drop summary row from an object's load manifest (or the processing error when there is none). */
export function dropRow(key: string, manifest: Record<string, unknown> | undefined, fallback: { status: string; reason: string }): DropRow {
  const m = manifest ?? {};
  return {
    key,
    status: manifest ? String(m.status ?? 'loaded') : fallback.status,
    rows_read: m.rows_read ?? '',
    rows_written: m.rows_written ?? '',
    rows_rejected: m.rows_rejected ?? '',
    rows_duplicate: m.rows_duplicate ?? '',
    reason: String(m.reason ?? (manifest ? '' : fallback.reason)),
  };
}
