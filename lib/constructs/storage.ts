import { Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketRole } from '../../lambdas/shared/layout';

export interface StorageProps {
  /** Days the server access logs are kept. @default 400 */
  readonly accessLogDays?: number;
}

export interface SecureBucketProps {
  /** Keep every version of every object (drops, lake, results, evidence). @default true */
  readonly versioned?: boolean;
  /**
   * S3 Object Lock in COMPLIANCE mode with this default retention in whole years (evidence): nobody,
   * not even the account root, can delete or overwrite a locked version before it expires.
   * @default no Object Lock
   */
  readonly objectLockYears?: number;
  /** Days a replaced or deleted version is kept before it expires. @default kept forever */
  readonly noncurrentDays?: number;
  /** Days after which a replaced version moves to Glacier Instant Retrieval (still readable at once). @default stays in Standard */
  readonly noncurrentArchiveDays?: number;
  /** Further lifecycle rules (e.g. expiry of quarantine or query results). */
  readonly lifecycleRules?: LifecycleRule[];
}

/**
 * Every bucket of the pipeline, made one way (docs/security.md):
 * - SSE-S3 encryption: S3 encrypts every object at rest with AES-256; no key policy for Athena,
 *   Glue and vendor accounts to share, and no per-request KMS cost on Athena scans;
 * - Block Public Access on all four settings, ACLs disabled (bucket owner owns every object,
 *   including the ones vendors upload);
 * - TLS-only (1.2 or later) bucket policies;
 * - versioned unless told otherwise, retained when the stack is deleted;
 * - server access logs into one log bucket, under `<role>/`;
 * - a `bestex:role` tag, which the local runtime uses to map the synthesised state machines'
 *   bucket references onto its own buckets.
 */
export class Storage extends Construct {
  /** Receives every bucket's server access logs; S3's log delivery requires SSE-S3 on it. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      // Log delivery is granted by bucket policy (@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy), so ACLs stay off.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogDays ?? 400),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server-access-log bucket itself; logging it into itself would log every log delivery, forever.',
    });
  }

  /** A pipeline bucket with the defaults above and the `bestex:role` tag. */
  bucket(scope: Construct, id: string, role: BucketRole, props: SecureBucketProps = {}): Bucket {
    const lock = props.objectLockYears;
    const b = new Bucket(scope, id, {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: lock ? true : (props.versioned ?? true),
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // exactOptionalPropertyTypes vs CDK's IBucket typing: the value is a real Bucket.
      serverAccessLogsBucket: this.accessLogs as IBucket,
      serverAccessLogsPrefix: `${role}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(lock ? { objectLockEnabled: true } : {}),
      lifecycleRules: [
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          ...(props.noncurrentDays ? { noncurrentVersionExpiration: Duration.days(props.noncurrentDays) } : {}),
          ...(props.noncurrentArchiveDays
            ? {
                noncurrentVersionTransitions: [
                  { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(props.noncurrentArchiveDays) },
                ],
              }
            : {}),
        },
        ...(props.lifecycleRules ?? []),
      ],
    });
    if (lock) {
      // CDK's ObjectLockRetention renders days only; whole years follow the calendar (leap days included),
      // which is how record-retention rules (SEC 17a-4: six years) are written.
      (b.node.defaultChild as CfnBucket).objectLockConfiguration = {
        objectLockEnabled: 'Enabled',
        rule: { defaultRetention: { mode: 'COMPLIANCE', years: lock } },
      };
    }
    Tags.of(b).add('bestex:role', role);
    return b;
  }
}
