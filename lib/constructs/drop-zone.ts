import { Duration, Size } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Bucket, EventType, StorageClass } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { VendorAccess as VendorAccessConfig } from '../../lambdas/shared/config';
import { LAKE, QUARANTINE } from '../../lambdas/shared/layout';
import { DATASETS } from '../../lambdas/shared/schema';
import { deadLetterQueue } from './dead-letters';
import { BestexFunction } from './function';
import { acknowledgeCdkSingleton, BASIC_EXECUTION_ROLE_FINDING } from './nag';
import type { Storage } from './storage';
import { VendorAccess } from './vendor-access';

export interface DropZoneProps {
  readonly storage: Storage;
  readonly lake: Bucket;
  readonly quarantine: Bucket;
  readonly dataOps: Topic;
  /** The key that encrypts the data-operations topic. */
  readonly topicKey: IKey;
  readonly logRetention: RetentionDays;
  /** Vendors' write-only paths into the drop bucket. @default none */
  readonly vendors?: readonly VendorAccessConfig[];
}

/** Normalise's timeout: the largest object it accepts must load within it (lambdas/normalise/limits.ts). */
export const NORMALISE_TIMEOUT = Duration.minutes(15);
/** Attempts before a drop notification goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;

/**
 * Where vendors drop files, and the normalise function that turns each one into lake rows.
 * S3 → SQS (buffer, retries, DLQ) → Lambda with partial batch failures: one bad object never
 * blocks or replays the others. The drop bucket keeps every version: an original is never
 * overwritten or lost, and the evidence manifest names the version each review read.
 */
export class DropZone extends Construct {
  readonly bucket: Bucket;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly normalise: BestexFunction;
  readonly vendorAccess: VendorAccess;

  constructor(scope: Construct, id: string, props: DropZoneProps) {
    super(scope, id);
    this.bucket = props.storage.bucket(this, 'Drop', 'drop', {
      lifecycleRules: [
        {
          // Originals are read once on arrival, then only by `bestex verify` and audits: Glacier Instant
          // Retrieval keeps millisecond reads at a fraction of the price. Nothing expires.
          id: 'archive-originals',
          transitions: [{ storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }],
          noncurrentVersionTransitions: [{ storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) }],
        },
      ],
    });

    this.deadLetters = deadLetterQueue(
      this,
      'This queue is the dead-letter queue of the drop notifications; its depth raises an alarm (docs/operations.md, DLQ redrive).',
    );
    // Visibility ≥ 6× the function timeout, as AWS advises for SQS event sources.
    this.queue = new Queue(this, 'Objects', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(NORMALISE_TIMEOUT.toMinutes() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue));
    // CDK configures bucket notifications through its own singleton custom-resource function.
    acknowledgeCdkSingleton(this, 'BucketNotificationsHandler', {
      [BASIC_EXECUTION_ROLE_FINDING]:
        'CDK’s bucket-notifications custom resource (runs only during deployment to set the drop bucket’s S3 → SQS notification) comes with the AWS-managed basic execution role; CDK offers no way to replace it.',
    });

    const tables = DATASETS.map((d) => LAKE.tablePrefix(d.table));
    this.normalise = new BestexFunction(this, 'Normalise', {
      name: 'normalise',
      description: 'Validates a drop object and writes it to the Parquet lake, accounting for every row',
      memorySize: 3008,
      timeout: NORMALISE_TIMEOUT,
      ephemeralStorage: Size.gibibytes(10),
      duckdb: true,
      logRetention: props.logRetention,
    })
      .useBucket('drop', this.bucket, {
        read: [''],
        readVersions: [''],
        why: 'normalise reads the exact version of whichever object a vendor dropped, anywhere in the drop bucket.',
      })
      .useBucket('lake', props.lake, {
        read: [LAKE.manifests, LAKE.tablePrefix('orders')],
        write: [...tables, LAKE.manifests],
        delete: tables,
        list: true,
        why: 'normalise writes one part per table and trade date of each drop object, removes the parts a re-drop replaced, and reads orders for the orphan check.',
      })
      .useBucket('quarantine', props.quarantine, {
        write: [QUARANTINE.rowsPrefix, QUARANTINE.filesPrefix],
        delete: [QUARANTINE.rowsPrefix, QUARANTINE.filesPrefix],
        why: 'normalise writes rejected rows and whole rejected files with their reasons, and clears them once a re-drop loads cleanly.',
      })
      .usePublish('dataops', props.dataOps, props.topicKey);
    this.normalise.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }));

    this.vendorAccess = new VendorAccess(this, 'Vendors', { drop: this.bucket, vendors: props.vendors ?? [] });
  }
}
