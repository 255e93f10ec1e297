/**
 * The few object-store operations the package step needs, over S3 (on AWS, or s3rver locally
 * through the same SDK client), so the package logic can be tested against any store.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Content, sha256 } from './evidence';
import { type ListedObject, listObjects } from './s3io';

export interface StoredObject {
  body: Content;
  versionId?: string;
}

export interface ObjectStore {
  /** Stand-in stores may leave out what the package step does not read. */
  list(bucket: string, prefix: string): Promise<Pick<ListedObject, 'key' | 'size'>[]>;
  /** undefined when the object does not exist. */
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
}

/** Where the package step writes; returns the SHA-256 of what was stored (and its version, on a versioned bucket). */
export interface PackageSink {
  readonly bucket: string;
  put(key: string, body: Buffer | string, contentType: string): Promise<{ sha256: string; versionId?: string }>;
}

export function s3Store(client: S3Client): ObjectStore {
  return {
    async list(bucket, prefix) {
      return listObjects(client, bucket, prefix);
    },
    async get(bucket, key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!r.Body) return undefined;
        return { body: r.Body as AsyncIterable<Uint8Array>, ...(r.VersionId && r.VersionId !== 'null' ? { versionId: r.VersionId } : {}) };
      } catch (e) {
        const name = (e as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw e;
      }
    },
  };
}

/**
 * Writes to a bucket. With `checksum`, S3 checks the SHA-256 on arrival (and a bucket with Object
 * Lock requires an integrity header); s3rver is left without it, as it mishandles checksum headers.
 */
export function s3Sink(client: S3Client, bucket: string, opts: { checksum?: boolean } = {}): PackageSink {
  return {
    bucket,
    async put(key, body, contentType) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const checksum = opts.checksum ? { ChecksumSHA256: Buffer.from(sha256(bytes), 'hex').toString('base64') } : {};
      const r = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, ...checksum }));
      return { sha256: sha256(bytes), ...(r.VersionId && r.VersionId !== 'null' ? { versionId: r.VersionId } : {}) };
    },
  };
}
