import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketRole } from '../../lambdas/shared/layout';

export interface SecureBucketProps {
  /** Keep every version (data that must never be lost: drops, evidence). @default true */
  readonly versioned?: boolean;
  /** Object Lock in compliance mode with this default retention (evidence). */
  readonly objectLockYears?: number;
  readonly lifecycleRules?: LifecycleRule[];
}

/**
 * Every bucket of the pipeline: SSE-S3 encryption (no per-request KMS cost or key policy for
 * Athena, Glue and vendors to share; S3 encrypts every object at rest either way), Block Public
 * Access, TLS-only, versioned, server access logs into one log bucket, retained on stack deletion.
 * The `bestex:role` tag lets the local runtime map the synthesised state machine's bucket
 * references onto its own buckets.
 */
export class Storage extends Construct {
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
  }

  bucket(scope: Construct, id: string, role: BucketRole, props: SecureBucketProps = {}): Bucket {
    const b = new Bucket(scope, id, {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: props.versioned ?? true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // exactOptionalPropertyTypes vs CDK's IBucket typing: the value is a real Bucket.
      serverAccessLogsBucket: this.accessLogs as IBucket,
      serverAccessLogsPrefix: `${role}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.objectLockYears
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(365 * props.objectLockYears)),
          }
        : {}),
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.lifecycleRules ?? []),
      ],
    });
    Tags.of(b).add('bestex:role', role);
    return b;
  }
}
