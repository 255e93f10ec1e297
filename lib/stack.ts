import { readFileSync } from 'node:fs';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { BestexConfig } from '../lambdas/shared/config';
import { AnalystViews } from './constructs/analyst-views';
import { checkConfig } from './constructs/config-checks';
import { DropZone } from './constructs/drop-zone';
import { EnrichFunctions } from './constructs/enrich-states';
import { ExceptionsWorkflow } from './constructs/exceptions-workflow';
import { Lake } from './constructs/lake';
import { Monitoring } from './constructs/monitoring';
import { Notifications } from './constructs/notifications';
import { ReviewWorkflow } from './constructs/review-workflow';
import { Schedules } from './constructs/schedules';
import { Storage } from './constructs/storage';

export interface BestexStackProps extends StackProps {
  readonly config: BestexConfig;
}

/**
 * Composes the constructs; each concern lives in its own construct under lib/constructs/. The
 * configuration is cross-checked first (lib/constructs/config-checks.ts): an inconsistent one
 * fails the synth with every problem listed.
 */
export class BestexStack extends Stack {
  readonly storage: Storage;
  readonly notifications: Notifications;
  readonly lake: Lake;
  readonly evidence: Bucket;
  readonly dropZone: DropZone;
  readonly review: ReviewWorkflow;
  readonly exceptions: ExceptionsWorkflow;
  readonly schedules: Schedules;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: BestexStackProps) {
    super(scope, id, props);
    // The CLI passes cdk.json's context, an in-process App (tests, the local runtime) does not: the
    // feature flags are set here so that both synthesise the same template.
    for (const [k, v] of Object.entries(cdkJsonContext())) if (this.node.tryGetContext(k) === undefined) this.node.setContext(k, v);
    checkConfig(props.config);
    const { deployment } = props.config;
    const { retention } = deployment;
    const logRetention = nearestRetention(retention.logDays);

    this.storage = new Storage(this, 'Storage', { accessLogDays: retention.accessLogDays });
    this.notifications = new Notifications(this, 'Notifications', {
      complianceEmails: deployment.complianceEmails,
      dataOpsEmails: deployment.dataOpsEmails,
    });
    this.lake = new Lake(this, 'Lake', {
      storage: this.storage,
      sources: deployment.sources,
      quarantineDays: retention.quarantineDays,
      noncurrentDays: retention.noncurrentDays,
      evidenceYears: retention.evidenceYears,
      athenaResultsDays: retention.athenaResultsDays,
      bytesScannedCutoffGiB: deployment.athena.bytesScannedCutoffGiB,
      athenaEngine: deployment.athena.engine,
    });
    /** Evidence manifests: Object Lock (compliance mode), so no one can alter or delete one before its retention ends. */
    this.evidence = this.storage.bucket(this, 'Evidence', 'evidence', { objectLockYears: retention.evidenceYears });
    this.dropZone = new DropZone(this, 'DropZone', {
      storage: this.storage,
      lake: this.lake.lake,
      quarantine: this.lake.quarantine,
      dataOps: this.notifications.dataOps,
      topicKey: this.notifications.key,
      logRetention,
      vendors: deployment.vendorAccess,
    });
    // The analyst views (sql/views) in Athena, as the local engine has them.
    new AnalystViews(this, 'AnalystViews', { lake: this.lake });
    // One enrichment Lambda pair for both workflows: each passes its dates in the plan's input.
    const enrichFunctions = new EnrichFunctions(this, 'Enrich', { lake: this.lake, logRetention });
    this.review = new ReviewWorkflow(this, 'Review', {
      lake: this.lake,
      evidence: this.evidence,
      notifications: this.notifications,
      logRetention,
      enrichFunctions,
    });
    this.exceptions = new ExceptionsWorkflow(this, 'Exceptions', {
      lake: this.lake,
      notifications: this.notifications,
      logRetention,
      enrichFunctions,
    });
    this.schedules = new Schedules(this, 'Schedules', {
      review: this.review.stateMachine,
      exceptions: this.exceptions.stateMachine,
      schedules: deployment.schedules,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      topic: this.notifications.dataOps,
      // A Set: the enrichment pair is in both workflows' lists.
      functions: [
        ...new Set([this.dropZone.normalise, ...Object.values(this.review.functions), ...Object.values(this.exceptions.functions)]),
      ],
      queues: [{ name: 'DropNotifications', queue: this.dropZone.queue, maxAge: Duration.minutes(deployment.alarms.queueAgeMinutes) }],
      deadLetterQueues: [
        { name: 'DropNotifications', queue: this.dropZone.deadLetters },
        { name: 'Schedules', queue: this.schedules.deadLetters },
      ],
      stateMachines: [
        { name: 'Review', machine: this.review.stateMachine },
        { name: 'Exceptions', machine: this.exceptions.stateMachine },
      ],
      workGroupName: this.lake.workGroupName,
    });

    // The CLI's AWS target finds the resources by these output names (lib/aws/outputs.ts).
    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output('DropBucketName', this.dropZone.bucket.bucketName, 'Vendors upload to <source>/<dataset>/… here');
    output('LakeBucketName', this.lake.lake.bucketName, 'Canonical Parquet lake');
    output('QuarantineBucketName', this.lake.quarantine.bucketName, 'Rejected rows and files, with reasons');
    output('ResultsBucketName', this.lake.results.bucketName, 'Review results, packages, exceptions, case log');
    output('EvidenceBucketName', this.evidence.bucketName, 'Evidence manifests (Object Lock)');
    output('AthenaResultsBucketName', this.lake.athenaResults.bucketName, 'Athena query results');
    output('ReviewStateMachineArn', this.review.stateMachine.stateMachineArn, 'Quarterly/monthly review');
    output('ExceptionsStateMachineArn', this.exceptions.stateMachine.stateMachineArn, 'Daily exceptions');
    output('AthenaWorkGroupName', this.lake.workGroupName, 'Athena workgroup for analysts and workflows');
    output('GlueDatabaseName', this.lake.databaseName, 'Glue database of the lake and review tables');
    output('DropNotificationsDlqUrl', this.dropZone.deadLetters.queueUrl, 'Dead-letter queue of drop notifications (docs/operations.md)');
  }
}

/** The `context` of cdk.json (the project's feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  const file = new URL('../cdk.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

/** CloudWatch Logs accepts only certain retention values: the smallest one ≥ the configured days. */
export function nearestRetention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return (allowed.find((v) => v >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}
