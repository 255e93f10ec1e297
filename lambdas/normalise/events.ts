/**
 * S3 event notifications as they arrive in SQS message bodies. Keys are URL-encoded the way S3
 * encodes them in events: a space as '+', other reserved bytes as %XX.
 */
import { z } from 'zod';
import type { ObjectRef } from './run';

/** S3 event key → object key ('+' is a space; a literal '+' arrives as %2B). */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export type ParsedBody = { ok: true; refs: ObjectRef[]; ignored: number } | { ok: false; reason: string };

/** The message S3 sends once when a notification is configured: nothing to load. */
const s3TestEventSchema = z.looseObject({ Event: z.literal('s3:TestEvent') });

/**
 * An S3 event notification: the fields this handler reads, typed; the others allowed. Not
 * Powertools' S3Schema, which requires every field AWS sends (userIdentity, requestParameters,
 * responseElements, eventTime in UTC): moto, the emulator suite's S3, leaves several out, and a
 * load must not fail on a field it never reads. The SQS envelope is Powertools' SqsSchema (handler.ts).
 */
const s3NotificationSchema = z.looseObject({
  Records: z.array(
    z.looseObject({
      eventSource: z.literal('aws:s3'),
      eventName: z.string(),
      s3: z.looseObject({
        bucket: z.looseObject({ name: z.string().min(1) }),
        object: z.looseObject({ key: z.string(), size: z.number().exactOptional(), versionId: z.string().exactOptional() }),
      }),
    }),
  ),
});

const firstIssue = (e: z.ZodError): string => {
  const i = e.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
};

/** The objects an SQS message body announces (created objects only; test events are none). */
export function refsFromSqsBody(body: string): ParsedBody {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the SQS message body is not JSON' };
  }
  if (s3TestEventSchema.safeParse(doc).success) return { ok: true, refs: [], ignored: 1 };
  const parsed = s3NotificationSchema.safeParse(doc);
  if (!parsed.success) return { ok: false, reason: `the SQS message body is not an S3 event notification (${firstIssue(parsed.error)})` };
  const refs: ObjectRef[] = [];
  let ignored = 0;
  for (const r of parsed.data.Records) {
    if (!r.eventName.startsWith('ObjectCreated:')) {
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
