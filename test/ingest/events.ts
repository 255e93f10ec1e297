/** AWS-shaped SQS messages carrying S3 event notifications, for calling the real handler. */
import type { SQSEvent } from 'aws-lambda';
import { s3EventRecord, sqsMessage } from '../../lib/local/events';

/** How S3 encodes a key in an event: like a URL form (space → '+'), '/' kept. */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((p) => encodeURIComponent(p).replace(/%20/g, '+'))
    .join('/');
}

/** An S3 notification body, the key encoded by this file's own encoder (not the local runtime's). */
export function s3Notification(bucket: string, key: string, size: number, eventName = 'ObjectCreated:Put'): string {
  const object = { key: encodeS3EventKey(key), size, eTag: 'etag', sequencer: '0A1B2C3D4E5F678901' };
  return JSON.stringify({ Records: [s3EventRecord(bucket, eventName, new Date().toISOString(), object)] });
}

/** Messages m-0, m-1, … (ids a partial batch failure names), built as the local runtime builds them. */
export function sqsEvent(bodies: string[]): SQSEvent {
  return { Records: bodies.map((body, i) => sqsMessage(body, `m-${i}`)) };
}
