/**
 * The local S3 stand-in makes a PUT visible whole or not at all, as S3 does (lib/local/conditional.ts
 * atomicObjectWrites). The local engine reads the lake's files where s3rver keeps them, so a file
 * that appears before its last byte is a wrong read, not just a slow one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverFixture, startS3rver } from '../support/s3rver';

const BUCKET = 'lake';
let store: S3rverFixture;

beforeAll(async () => {
  store = await startS3rver([BUCKET], { tmpPrefix: 'bestex-atomic-put-' });
});
afterAll(async () => {
  await store?.stop();
});

/** A body sent in `chunks` pieces with a pause between them, so the PUT is in flight for a while. */
function slowBody(chunk: Buffer, chunks: number): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < chunks; i++) {
        yield chunk;
        await sleep(20);
      }
    })(),
  );
}

describe('a PUT on the local stand-in', () => {
  it('shows no object file until the whole body is in place, then exactly the body, and leaves no partial file', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const chunks = 20;
    const key = 'execution_figures/source=acme-sor/trade_date=2026-07-01/part-0.parquet';
    const file = join(store.dir, 's3', BUCKET, `${key}._S3rver_object`);
    const put = store.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: slowBody(chunk, chunks), ContentLength: chunk.length * chunks }),
    );
    // Sample the object's file while the body is still arriving.
    const seenSizes: number[] = [];
    let done = false;
    void put.finally(() => {
      done = true;
    });
    while (!done) {
      if (existsSync(file)) seenSizes.push(readFileSync(file).length);
      await sleep(5);
    }
    await put;
    expect(seenSizes.every((n) => n === chunk.length * chunks)).toBe(true);
    expect(readFileSync(file).length).toBe(chunk.length * chunks);
    expect((await store.bytes(BUCKET, key))?.equals(Buffer.concat(Array(chunks).fill(chunk)))).toBe(true);
    const dir = join(store.dir, 's3', BUCKET, 'execution_figures/source=acme-sor/trade_date=2026-07-01');
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('replaces an existing object whole: a reader sees the old bytes or the new, never a mix', async () => {
    const key = 'orders/part-0.parquet';
    await store.put(BUCKET, key, Buffer.alloc(300_000, 1));
    const file = join(store.dir, 's3', BUCKET, `${key}._S3rver_object`);
    const chunk = Buffer.alloc(50_000, 2);
    const put = store.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: slowBody(chunk, 10), ContentLength: 500_000 }));
    let done = false;
    void put.finally(() => {
      done = true;
    });
    const seen = new Set<string>();
    while (!done) {
      const b = readFileSync(file);
      seen.add(`${b.length}:${b[0]}:${b[b.length - 1]}`);
      await sleep(5);
    }
    await put;
    for (const s of seen) expect(['300000:1:1', '500000:2:2']).toContain(s);
    expect(readFileSync(file).length).toBe(500_000);
  });
});
