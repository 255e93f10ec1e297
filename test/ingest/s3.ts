/**
 * A real s3rver on 127.0.0.1 (random port, temp directory) with the pipeline's buckets, and the
 * environment the handler reads, for tests that go through the S3 protocol.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { useSender } from '../../lambdas/adapters/notify';
import { BUCKET_ROLES, type BucketRole } from '../../lambdas/shared/layout';
import { honourConditionalWrites } from '../../lib/local/conditional';
import { outboxSender } from '../../lib/local/outbox';

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
  const dir = mkdtempSync(join(tmpdir(), 'ingest-s3-'));
  const buckets = Object.fromEntries(BUCKET_ROLES.map((r) => [r, `test-${r}`])) as Record<BucketRole, string>;
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: BUCKET_ROLES.map((r) => ({ name: buckets[r], configs: [] })),
  });
  honourConditionalWrites(server);
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const outbox = join(dir, 'outbox');
  for (const role of BUCKET_ROLES) process.env[`BUCKET_${role.toUpperCase()}`] = buckets[role];
  process.env.BESTEX_S3_ENDPOINT = endpoint;
  useSender(outboxSender(outbox));
  const s3 = makeS3Client(endpoint);
  return {
    endpoint,
    s3,
    dir,
    buckets,
    outbox,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: buckets.drop, Key: key, Body: body }));
    },
    async get(b, key) {
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: buckets[b], Key: key }));
        return await r.Body?.transformToString();
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async list(b, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const r = await s3.send(
          new ListObjectsV2Command({
            Bucket: buckets[b],
            ...(prefix ? { Prefix: prefix } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
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
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
