/**
 * The one s3rver fixture: a real S3 protocol endpoint on 127.0.0.1 (random port) over a temporary
 * folder, with the buckets a test names, and the few calls tests make through it. Tests that need
 * the pipeline's buckets and environment build on it (test/ingest/s3.ts, test/cli/s3.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { atomicObjectWrites, honourConditionalWrites } from '../../lib/local/conditional';

export interface S3rverFixture {
  readonly endpoint: string;
  readonly s3: S3Client;
  readonly server: S3rver;
  /** A temporary folder for the test: s3rver stores the buckets under `<dir>/s3`, the rest is free. */
  readonly dir: string;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  /** The object's bytes; undefined when there is no such key. */
  bytes(bucket: string, key: string): Promise<Buffer | undefined>;
  /** The object's text; undefined when there is no such key. */
  text(bucket: string, key: string): Promise<string | undefined>;
  /** Every key under the prefix, sorted (all pages). */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** Closes the client and the server and removes the folder. */
  stop(): Promise<void>;
}

export interface S3rverOptions {
  /** Start of the temporary folder's name, to tell leftovers apart. @default 'bestex-s3rver-' */
  readonly tmpPrefix?: string;
  /** Honour If-None-Match / If-Match on PUT as S3 does (lib/local/conditional.ts). @default false */
  readonly conditionalWrites?: boolean;
}

export async function startS3rver(buckets: readonly string[], opts: S3rverOptions = {}): Promise<S3rverFixture> {
  const dir = mkdtempSync(join(tmpdir(), opts.tmpPrefix ?? 'bestex-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  atomicObjectWrites(server);
  if (opts.conditionalWrites) honourConditionalWrites(server);
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = makeS3Client(endpoint);
  const bytes = async (bucket: string, key: string): Promise<Buffer | undefined> => {
    try {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await r.Body?.transformToByteArray()) ?? new Uint8Array());
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };
  return {
    endpoint,
    s3,
    server,
    dir,
    async put(bucket, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    bytes,
    async text(bucket, key) {
      return (await bytes(bucket, key))?.toString('utf8');
    },
    async keys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const r = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(prefix ? { Prefix: prefix } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async stop() {
      s3.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
