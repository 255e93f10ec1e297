/**
 * S3 event notifications as they arrive in SQS message bodies. Keys are URL-encoded the way S3
 * encodes them in events: a space as '+', other reserved bytes as %XX.
 */
import type { S3Event } from 'aws-lambda';
import type { ObjectRef } from './run';

/** S3 event key → object key ('+' is a space; a literal '+' arrives as %2B). */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export type ParsedBody = { ok: true; refs: ObjectRef[]; ignored: number } | { ok: false; reason: string };

/** The objects an SQS message body announces (created objects only; test events are none). */
export function refsFromSqsBody(body: string): ParsedBody {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the SQS message body is not JSON' };
  }
  const d = doc as Partial<S3Event> & { Event?: string };
  if (d.Event === 's3:TestEvent') return { ok: true, refs: [], ignored: 1 };
  if (!Array.isArray(d.Records)) return { ok: false, reason: 'the SQS message body is not an S3 event notification (no Records)' };
  const refs: ObjectRef[] = [];
  let ignored = 0;
  for (const r of d.Records) {
    if (!r?.s3?.bucket?.name || typeof r.s3.object?.key !== 'string') {
      return { ok: false, reason: 'an S3 event record has no bucket name or object key' };
    }
    if (!String(r.eventName ?? '').startsWith('ObjectCreated:')) {
      ignored++;
      continue;
    }
    let key: string;
    try {
      key = decodeS3Key(r.s3.object.key);
    } catch {
      return { ok: false, reason: `the object key "${r.s3.object.key}" is not valid URL encoding` };
    }
    const ref: ObjectRef = { bucket: r.s3.bucket.name, key };
    if (r.s3.object.versionId) ref.versionId = r.s3.object.versionId;
    if (typeof r.s3.object.size === 'number') ref.size = r.s3.object.size;
    refs.push(ref);
  }
  return { ok: true, refs, ignored };
}
