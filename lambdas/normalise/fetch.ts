/**
 * Streams a drop object to ephemeral storage: SHA-256 of the stored bytes computed on the way,
 * gzip decompressed (and so verified: header, CRC and length) on the way, UTF-8 checked on the
 * way for text formats. Memory stays at a few stream buffers whatever the object's size.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FileRejection } from './limits';

export interface Fetched {
  sha256: string;
  /** Bytes as stored in S3. */
  size: number;
  /** Bytes written to the local file (after decompression). */
  bytes: number;
  versionId: string | null;
}

export interface FetchOptions {
  gunzip: boolean;
  /** Check that the (decompressed) bytes are UTF-8 text. */
  utf8: boolean;
  maxBytes: number;
}

class Meter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly hashing: boolean) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.hashing) this.hash.update(chunk);
    cb(null, chunk);
  }
}

class Limit extends Transform {
  bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      cb(new FileRejection(`the decompressed file is larger than the limit of ${this.max} bytes: split it into smaller files`));
      return;
    }
    cb(null, chunk);
  }
}

/** Validates UTF-8 across chunk boundaries (a multi-byte character may be split between chunks). */
export class Utf8Check extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private offset = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    // Hold back an incomplete trailing sequence (at most 3 bytes) for the next chunk.
    let end = buf.length;
    for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
      const b = buf[i] as number;
      if ((b & 0xc0) === 0x80) continue;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (buf.length - i < need) end = i;
      break;
    }
    const body = buf.subarray(0, end);
    if (!isUtf8(body)) {
      cb(
        new FileRejection(
          `the file is not UTF-8 text (first invalid byte near offset ${this.offset + firstInvalid(body)}): save it as UTF-8`,
        ),
      );
      return;
    }
    this.offset += end;
    this.carry = Buffer.from(buf.subarray(end));
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.carry.length && !isUtf8(this.carry)) {
      cb(new FileRejection(`the file is not UTF-8 text (it ends inside a character at offset ${this.offset}): save it as UTF-8`));
      return;
    }
    cb();
  }
}

function firstInvalid(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  // Binary search for the longest valid prefix (isUtf8 is fast and native).
  while (hi - lo > 4) {
    const mid = (lo + hi) >> 1;
    let cut = mid;
    while (cut > lo && ((buf[cut] as number) & 0xc0) === 0x80) cut--;
    if (isUtf8(buf.subarray(0, cut))) lo = cut;
    else hi = mid;
  }
  return lo;
}

/** Downloads bucket/key (at versionId, if given) to `dest`. Expected faults throw FileRejection. */
export async function fetchObject(
  s3: S3Client,
  ref: { bucket: string; key: string; versionId?: string | undefined },
  dest: string,
  opts: FetchOptions,
): Promise<Fetched> {
  const r = await s3.send(
    new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.versionId ? { VersionId: ref.versionId } : {}) }),
  );
  const body = r.Body as NodeJS.ReadableStream | undefined;
  if (!body) throw new Error(`S3 returned no body for s3://${ref.bucket}/${ref.key}`);
  const meter = new Meter(true);
  const stages: NodeJS.ReadWriteStream[] = [meter];
  if (opts.gunzip) stages.push(createGunzip());
  const limit = new Limit(opts.maxBytes);
  stages.push(limit);
  if (opts.utf8) stages.push(new Utf8Check());
  try {
    await pipeline(body, ...(stages as [NodeJS.ReadWriteStream]), createWriteStream(dest));
  } catch (err) {
    if (err instanceof FileRejection) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (opts.gunzip && (code.startsWith('Z_') || /gzip|header check|unexpected end/i.test(String((err as Error).message)))) {
      throw new FileRejection(
        `the file is not valid gzip (${(err as Error).message}): compress it with gzip, or drop it without the .gz extension`,
      );
    }
    throw err;
  }
  return { sha256: meter.hash.digest('hex'), size: meter.bytes, bytes: limit.bytes, versionId: r.VersionId ?? ref.versionId ?? null };
}
