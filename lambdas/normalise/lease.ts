/**
 * One load of a source at a time: a lease object in the lake bucket (LAKE.lease), created with a
 * conditional write (`If-None-Match: *`), so of two writers exactly one gets it, on S3 and on the
 * local stand-in alike (lib/local/conditional.ts makes s3rver honour the header). The lease
 * carries an expiry: a load killed while holding it blocks its source until then, no longer.
 * Everything a load decides about keys (duplicates and conflicts across files) and commits is
 * done while it holds the lease of its source.
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LAKE } from '../shared/layout';

export interface Lease {
  readonly key: string;
  readonly owner: string;
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** How long a lease holds without its holder (the Lambda timeout plus a margin). */
  ttlMs: number;
  /** How long to wait for a held lease before giving up (the message is retried later). */
  waitMs: number;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const status = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export class LeaseBusy extends Error {
  override name = 'LeaseBusy';
}

/** Takes the lease of `source`, waiting (with backoff) while another live load holds it. */
export async function acquireLease(s3: S3Client, bucket: string, source: string, opts: LeaseOptions): Promise<Lease> {
  const key = LAKE.lease(source);
  const owner = `${opts.now().toISOString()}-${randomBytes(6).toString('hex')}`;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = opts.now().getTime() + opts.waitMs;
  let pause = 50;
  for (;;) {
    const expires = new Date(opts.now().getTime() + opts.ttlMs).toISOString();
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify({ owner, expires }),
          IfNoneMatch: '*',
          ContentType: 'application/json',
        }),
      );
      return {
        key,
        owner,
        release: async () => {
          // Only our own lease is removed: after an expiry another load may hold it.
          const held = await readLease(s3, bucket, key);
          if (held?.owner === owner) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        },
      };
    } catch (err) {
      const code = status(err);
      if (code !== 412 && code !== 409) throw err;
    }
    const held = await readLease(s3, bucket, key);
    if (held && Date.parse(held.expires) <= opts.now().getTime()) {
      // The holder died: its lease has expired. Removing it lets the next conditional write win;
      // if two waiters both remove it, still only one of their writes succeeds.
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      continue;
    }
    if (opts.now().getTime() >= deadline) {
      throw new LeaseBusy(`another load of source ${source} holds ${key} (until ${held?.expires ?? 'unknown'}): retried later`);
    }
    await sleep(pause + Math.floor(Math.random() * pause));
    pause = Math.min(pause * 2, 2000);
  }
}

async function readLease(s3: S3Client, bucket: string, key: string): Promise<{ owner: string; expires: string } | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await r.Body?.transformToString();
    return text ? (JSON.parse(text) as { owner: string; expires: string }) : undefined;
  } catch (err) {
    if (status(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}
