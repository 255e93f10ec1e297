/**
 * A real s3rver on 127.0.0.1 (random port, temp directory) with the pipeline's buckets, and the
 * environment the handler reads, for tests that go through the S3 protocol.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { useSender } from '../../lambdas/adapters/notify';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';
import { outboxSender } from '../../lib/local/outbox';
import { startS3rver } from '../support/s3rver';

export interface LocalS3 {
  endpoint: string;
  s3: S3Client;
  dir: string;
  buckets: Record<BucketRole, string>;
  outbox: string;
  put(key: string, body: string | Buffer): Promise<void>;
  get(bucket: BucketRole, key: string): Promise<string | undefined>;
  list(bucket: BucketRole, prefix?: string): Promise<string[]>;
  notices(): { subject: string; message: string }[];
  stop(): Promise<void>;
}

export async function startS3(): Promise<LocalS3> {
  const buckets = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `test-${r}`])) as Record<BucketRole, string>;
  const f = await startS3rver(Object.values(buckets), { tmpPrefix: 'ingest-s3-', conditionalWrites: true });
  const outbox = join(f.dir, 'outbox');
  for (const role of BUCKET_ROLES) process.env[`BUCKET_${role.toUpperCase()}`] = buckets[role];
  process.env.BESTEX_S3_ENDPOINT = f.endpoint;
  useSender(outboxSender(outbox));
  return {
    endpoint: f.endpoint,
    s3: f.s3,
    dir: f.dir,
    buckets,
    outbox,
    put: (key, body) => f.put(buckets.drop, key, body),
    get: (b, key) => f.text(buckets[b], key),
    list: (b, prefix) => f.keys(buckets[b], prefix),
    notices() {
      const d = join(outbox, 'dataops');
      let files: string[] = [];
      try {
        files = readdirSync(d).sort();
      } catch {
        return [];
      }
      return files.map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as { subject: string; message: string });
    },
    stop: () => f.stop(),
  };
}
