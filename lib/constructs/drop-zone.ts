import { Duration, Size } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BestexFunction } from './function';
import type { Storage } from './storage';

export interface DropZoneProps {
  readonly storage: Storage;
  readonly lake: Bucket;
  readonly quarantine: Bucket;
  readonly dataOps: Topic;
  readonly logRetention: RetentionDays;
  readonly maxErrorRate: number;
}

/**
 * Where vendors drop files, and the normalise function that turns each one into lake rows.
 * S3 → SQS (buffer, retries, DLQ) → Lambda with partial batch failures: one bad object never
 * blocks or replays the others.
 */
export class DropZone extends Construct {
  readonly bucket: Bucket;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly normalise: BestexFunction;

  constructor(scope: Construct, id: string, props: DropZoneProps) {
    super(scope, id);
    this.bucket = props.storage.bucket(this, 'Drop', 'drop');

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Visibility ≥ 6× the function timeout, as AWS advises for SQS event sources.
    this.queue = new Queue(this, 'Objects', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(90),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 3 },
    });
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue));

    this.normalise = new BestexFunction(this, 'Normalise', {
      name: 'normalise',
      description: 'Validates a drop object and writes it to the Parquet lake, accounting for every row',
      memorySize: 3008,
      timeout: Duration.minutes(15),
      ephemeralStorage: Size.gibibytes(10),
      duckdb: true,
      logRetention: props.logRetention,
      environment: {
        BUCKET_DROP: this.bucket.bucketName,
        BUCKET_LAKE: props.lake.bucketName,
        BUCKET_QUARANTINE: props.quarantine.bucketName,
        TOPIC_DATAOPS: props.dataOps.topicArn,
        MAX_ERROR_RATE: String(props.maxErrorRate),
      },
    });
    this.normalise.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }));
    this.bucket.grantRead(this.normalise);
    props.lake.grantReadWrite(this.normalise);
    props.quarantine.grantReadWrite(this.normalise);
    props.dataOps.grantPublish(this.normalise);

    const alarm = new Alarm(this, 'DeadLettersNotEmpty', {
      alarmDescription: 'Drop objects failed normalisation three times: see docs/operations.md (DLQ redrive)',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(props.dataOps));
  }
}
