/**
 * The one adapter between s3rver's events and what AWS delivers: S3 → SQS message whose body is
 * an S3 event notification. s3rver emits keys unencoded and reports multipart completion as
 * `ObjectCreated:Post`; AWS URL-encodes keys form-style (space as '+') and says
 * `ObjectCreated:CompleteMultipartUpload`. The normalise handler only ever sees the AWS form.
 */
import { randomUUID } from 'node:crypto';
import type { S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';

export interface S3rverEvent {
  Records: {
    eventName: string;
    eventTime?: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; versionId?: string } };
  }[];
}

/** AWS's encoding of object keys in event notifications (application/x-www-form-urlencoded). */
export function awsEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/gi, '/');
}

/** Object-created records of one bucket, as AWS S3 event records (keys encoded as AWS does). */
export function toAwsRecords(event: S3rverEvent, bucketName: string): S3EventRecord[] {
  return event.Records.filter((r) => r.s3.bucket.name === bucketName && r.eventName.startsWith('ObjectCreated:')).map((r) => {
    const eventName = r.eventName === 'ObjectCreated:Post' ? 'ObjectCreated:CompleteMultipartUpload' : r.eventName;
    return s3EventRecord(bucketName, eventName, r.eventTime ?? new Date().toISOString(), {
      key: awsEncodeKey(r.s3.object.key),
      size: r.s3.object.size ?? 0,
      eTag: r.s3.object.eTag ?? '',
      sequencer: Date.now().toString(16).toUpperCase(),
      ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
    });
  });
}

/** One S3 event record as AWS delivers it; `object.key` is already encoded the AWS way. */
export function s3EventRecord(
  bucketName: string,
  eventName: string,
  eventTime: string,
  object: S3EventRecord['s3']['object'],
): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime,
    eventName,
    userIdentity: { principalId: 'local' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'bestex-drop',
      bucket: { name: bucketName, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucketName}` },
      object,
    },
  };
}

/** Wraps S3 records as an SQS batch, one message per record (the queue's batch size is 1). */
export function toSqsEvent(records: S3EventRecord[]): SQSEvent {
  return { Records: records.map((r) => sqsMessage(JSON.stringify({ Records: [r] }), randomUUID())) };
}

/** One SQS message as Lambda receives it from the objects queue; the id is what a partial batch failure names. */
export function sqsMessage(body: string, messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: 'local',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:bestex-objects',
    awsRegion: 'us-east-1',
  };
}
