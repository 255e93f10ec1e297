/**
 * The local S3 endpoint refuses keys its store cannot hold as S3 would (a 400 naming the problem),
 * through the real wrapper: LocalRuntime's s3rver with the guard, and the `bestex serve` process.
 * Before the guard, `..` wrote outside the bucket and a 900-byte segment crashed serve (ENAMETOOLONG
 * inside s3rver's write stream, uncaught).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { LocalRuntime } from '../../lib/local/runtime';
import { checkLocalKey, FS_NAME_MAX, S3_MAX_KEY_BYTES } from '../../lib/local/s3-keys';

describe('checkLocalKey', () => {
  it('accepts what the pipeline writes, at the limits', () => {
    for (const k of [
      'acme-sor/orders/2026-07-01.csv',
      'orders/source=acme-sor/trade_date=2026-07-01/part-0123456789abcdef.parquet',
      'a b/ü…/x y.csv',
      `a/${'d'.repeat(FS_NAME_MAX)}/${'f'.repeat(FS_NAME_MAX - '._S3rver_metadata.json'.length)}`,
    ]) {
      expect(checkLocalKey(k), k).toEqual({ ok: true });
    }
  });

  it('refuses empty, "." and ".." segments, NUL, long keys and long segments, saying which', () => {
    const refused = (k: string) => {
      const c = checkLocalKey(k);
      return c.ok ? 'accepted' : `${c.code}: ${c.message}`;
    };
    expect(refused('acme-sor/orders/../../../etc/x.csv')).toMatch(
      /^InvalidArgument: segment 3 of 7 of the key is "\.\.": .* escapes the bucket/,
    );
    expect(refused('a/./b')).toMatch(/segment 2 of 3 of the key is "\.": .* makes two keys one file/);
    expect(refused('a//b')).toMatch(/segment 2 of 3 of the key is empty/);
    expect(refused('/a')).toMatch(/segment 1 of 2 of the key is empty/);
    expect(refused('a/')).toMatch(/segment 2 of 2 of the key is empty/);
    expect(refused('a\u0000b')).toMatch(/NUL/);
    // 1024 bytes of UTF-8, not characters: 342 three-byte characters are 1026 bytes.
    expect(refused('€'.repeat(342))).toMatch(/^KeyTooLongError: the key is 1026 bytes of UTF-8; S3 allows at most 1024/);
    expect(checkLocalKey(`${'a/'.repeat(S3_MAX_KEY_BYTES / 2 - 1)}ab`).ok).toBe(true);
    expect(refused(`a/${'y'.repeat(900)}.csv`)).toMatch(
      /^InvalidArgument: segment 2 of 2 of the key is 904 bytes; the local store keeps each segment as a file name of at most 233 bytes \(AWS S3 would accept it\)/,
    );
    expect(refused(`${'é'.repeat(128)}/x`)).toMatch(/segment 1 of 2 of the key is 256 bytes; .* at most 255 bytes/);
  });
});

const HOSTILE: [string, RegExp][] = [
  ['acme-sor/orders/../../../../escaped.csv', /escapes the bucket/],
  [`acme-sor/orders/${'y'.repeat(900)}.csv`, /904 bytes/],
  ['acme-sor//orders/a.csv', /is empty/],
  ['acme-sor/./orders/a.csv', /is "\."/],
  ['€'.repeat(400), /1200 bytes of UTF-8/],
];

/** The S3 error a request got: its name (S3's code), HTTP status and message. */
async function s3Error(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const x = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: x.name, status: x.$metadata?.httpStatusCode, message: x.message };
  }
  throw new Error('the request succeeded');
}

describe('the local runtime’s S3 endpoint', () => {
  let home: string;
  let rt: LocalRuntime;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'bestex-keys-'));
    rt = await LocalRuntime.start({ home });
  });
  afterAll(async () => {
    await rt?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers 400 with S3’s error document for each hostile key, writes nothing, and keeps serving', async () => {
    for (const [key, why] of HOSTILE) {
      const err = await s3Error(rt.s3.send(new PutObjectCommand({ Bucket: rt.buckets.drop, Key: key, Body: 'x' })));
      expect(err.status, key.slice(0, 40)).toBe(400);
      expect(err.name).toMatch(/^(InvalidArgument|KeyTooLongError)$/);
      expect(err.message).toMatch(why);
      expect(err.message).toMatch(/^bestex local S3: /);
    }
    // Reads and copies go through the same guard: `..` reads nothing outside the bucket either.
    expect((await s3Error(rt.s3.send(new GetObjectCommand({ Bucket: rt.buckets.results, Key: '../bestex-drop/x' })))).status).toBe(400);
    await rt.s3.send(new PutObjectCommand({ Bucket: rt.buckets.results, Key: 'ok/a.txt', Body: 'fine' }));
    const copy = await s3Error(
      rt.s3.send(new CopyObjectCommand({ Bucket: rt.buckets.results, Key: 'ok/b.txt', CopySource: `${rt.buckets.results}/ok/../../x` })),
    );
    expect(copy.status).toBe(400);
    const got = await rt.s3.send(new GetObjectCommand({ Bucket: rt.buckets.results, Key: 'ok/a.txt' }));
    expect(await got.Body?.transformToString()).toBe('fine');
    expect(readdirSync(join(home, 's3')).sort()).toEqual(Object.values(rt.buckets).sort());
    expect(existsSync(join(home, 'escaped.csv'))).toBe(false);
    await rt.queue.idle();
    expect(rt.queue.processed).toEqual([]);
  });
});

describe('bestex serve', () => {
  let proc: ChildProcess;
  let home: string;
  let s3: S3Client;
  let stderr = '';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'bestex-serve-'));
    const bin = new URL('../../bin/bestex.mjs', import.meta.url).pathname;
    proc = spawn(process.execPath, [bin, '--home', home, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (d) => {
        out += String(d);
        const m = /endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    s3 = makeS3Client(endpoint);
  }, 60_000);
  afterAll(() => {
    s3?.destroy();
    proc?.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses a 900-byte key segment and a ".." key with a 400, and is still running after', async () => {
    for (const [key] of HOSTILE.slice(0, 2)) {
      const err = await s3Error(s3.send(new PutObjectCommand({ Bucket: 'bestex-results', Key: key, Body: 'x' })));
      expect(err.status).toBe(400);
    }
    await s3.send(new PutObjectCommand({ Bucket: 'bestex-results', Key: 'still/alive.txt', Body: 'yes' }));
    expect(proc.exitCode).toBeNull();
    expect(stderr).not.toMatch(/ENAMETOOLONG/);
  }, 30_000);
});
