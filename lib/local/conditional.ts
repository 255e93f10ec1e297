/**
 * Where s3rver 3.7 differs from S3 in a way bestex relies on, the local stand-in is made to behave
 * like S3 (installed on the server before it runs):
 * - `If-None-Match: *` on PutObject (S3 honours it since 2024: 412 when the key exists). The
 *   normalise Lambda's per-source lease (lambdas/normalise/lease.ts) relies on it: a PUT carrying
 *   the header fails with 412 when the object exists or another such PUT of the same key is in
 *   flight. Installed ahead of s3rver's router.
 * - A PUT is visible whole or not at all (atomicObjectWrites, below).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';

interface KoaLike {
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
interface KoaContext {
  method: string;
  path: string;
  status: number;
  type: string;
  body: unknown;
  get(header: string): string;
}

export function honourConditionalWrites(server: S3rver): void {
  const app = server as unknown as KoaLike;
  const inFlight = new Set<string>();
  app.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'PUT' || ctx.get('if-none-match').trim() !== '*') return next();
    const [, bucket = '', ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    const fail = () => {
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`;
    };
    if (inFlight.has(id)) return fail();
    // Claimed before the first await, so a second request cannot pass the check meanwhile.
    inFlight.add(id);
    try {
      if (await app.store.existsObject(bucket, key)) return fail();
      await next();
    } finally {
      inFlight.delete(id);
    }
  });
}

interface FileStoreLike {
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; metadata: unknown; content: Buffer | Readable }): Promise<{ size: number; md5: string }>;
}

/**
 * S3 makes a PUT visible whole or not at all. s3rver 3.7 streams the body straight into the
 * object's file and answers once its hashing transform has finished, possibly before the file is
 * flushed, so a reader of the store's files (the local DuckDB engine reads the lake there) could
 * meet a half-written Parquet file: the local review read one while a concurrent enrichment unit
 * was writing. Here the body goes to a `.partial` file beside the object (s3rver lists only
 * `._S3rver_object` files, the engine only `.parquet._S3rver_object`), then is renamed into place.
 */
export function atomicObjectWrites(server: S3rver): void {
  const store = (server as unknown as { store: FileStoreLike }).store;
  store.putObject = async (object) => {
    const target = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      await pipeline(body, count, createWriteStream(partial));
      const digest = md5.digest('hex');
      await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      await rename(partial, target);
      return { size, md5: digest };
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  };
}
