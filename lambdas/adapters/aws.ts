/**
 * SDK clients and resource names from the environment: the one place that knows about the local
 * endpoint, so handlers run unchanged on Lambda and in the local runtime.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { BucketRole } from '../shared/layout';
import { tracer } from './powertools';

let s3: S3Client | undefined;
let sns: SNSClient | undefined;

/**
 * The handlers' S3 client; with BESTEX_S3_ENDPOINT set, one that speaks to the local s3rver. Each
 * request is an X-Ray subsegment on Lambda (the tracer is inert elsewhere).
 */
export function s3Client(): S3Client {
  if (!s3) s3 = tracer.captureAWSv3Client(makeS3Client(process.env.BESTEX_S3_ENDPOINT));
  return s3;
}

export function makeS3Client(endpoint?: string): S3Client {
  if (!endpoint) return new S3Client({});
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver silently corrupts streamed uploads that carry SDK v3 flexible checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function snsClient(): SNSClient {
  if (!sns) sns = tracer.captureAWSv3Client(new SNSClient({}));
  return sns;
}

/** The bucket name of a role, from env BUCKET_<ROLE>. */
export function bucket(role: BucketRole): string {
  const name = process.env[`BUCKET_${role.toUpperCase()}`];
  if (!name) throw new Error(`environment variable BUCKET_${role.toUpperCase()} is not set`);
  return name;
}

export function envOr(name: string, fallback: string): string {
  return process.env[name] ?? fallback;
}
