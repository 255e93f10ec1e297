/**
 * The few S3 calls the review makes, with errors that name the object. Takes the client as an
 * argument so tests and the CLI can point it anywhere (s3rver locally).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface S3Location {
  bucket: string;
  key: string;
}

/** Splits `s3://bucket/key`; null when the string is not an s3 URI. */
export function parseS3Uri(uri: string): S3Location | null {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1] as string, key: m[2] as string } : null;
}

export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

const isMissing = (e: unknown): boolean => {
  const name = (e as { name?: string; Code?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** The object's bytes, or null when it does not exist. */
export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array | null> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
  } catch (e) {
    if (isMissing(e)) return null;
    throw new Error(`cannot read s3://${bucket}/${key}: ${(e as Error).message}`);
  }
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  const b = await getBytes(s3, bucket, key);
  return b === null ? null : Buffer.from(b).toString('utf8');
}

export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  contentType: string,
  opts: { ifNoneMatch?: boolean } = {},
): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(opts.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
  } catch (e) {
    throw new Error(`cannot write s3://${bucket}/${key}: ${(e as Error).message}`);
  }
}

/** One object of a listing: the one shape every S3 listing of the project returns. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date | null;
}

/** Every object under a prefix (all pages). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of r.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? null });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * The text of every `.json` object under a prefix, in key order; one deleted between the listing
 * and the read is skipped. Sixteen reads at a time: a long log loads in seconds without flooding
 * the endpoint.
 */
export async function readJsonObjects(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; text: string }[]> {
  const keys = (await listObjects(s3, bucket, prefix))
    .map((o) => o.key)
    .filter((k) => k.endsWith('.json'))
    .sort();
  const out: { key: string; text: string }[] = [];
  for (let i = 0; i < keys.length; i += 16) {
    const texts = await Promise.all(keys.slice(i, i + 16).map((key) => getText(s3, bucket, key)));
    texts.forEach((text, j) => {
      if (text !== null) out.push({ key: keys[i + j] as string, text });
    });
  }
  return out;
}
