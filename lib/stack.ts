import { Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BestexConfig } from '../lambdas/shared/config';
import { DropZone } from './constructs/drop-zone';
import { Lake } from './constructs/lake';
import { Notifications } from './constructs/notifications';
import { ReviewWorkflow } from './constructs/review-workflow';
import { Storage } from './constructs/storage';

export interface BestexStackProps extends StackProps {
  readonly config: BestexConfig;
}

/** Composes the constructs; each concern lives in its own construct under lib/constructs/. */
export class BestexStack extends Stack {
  readonly storage: Storage;
  readonly notifications: Notifications;
  readonly lake: Lake;
  readonly dropZone: DropZone;
  readonly review: ReviewWorkflow;

  constructor(scope: Construct, id: string, props: BestexStackProps) {
    super(scope, id, props);
    const { deployment } = props.config;
    const logRetention = nearestRetention(deployment.retention.logDays);

    this.storage = new Storage(this, 'Storage');
    this.notifications = new Notifications(this, 'Notifications', {
      complianceEmails: deployment.complianceEmails,
      dataOpsEmails: deployment.dataOpsEmails,
    });
    this.lake = new Lake(this, 'Lake', {
      storage: this.storage,
      sources: deployment.sources,
      quarantineDays: deployment.retention.quarantineDays,
    });
    const evidence = this.storage.bucket(this, 'Evidence', 'evidence', { objectLockYears: deployment.retention.evidenceYears });
    this.dropZone = new DropZone(this, 'DropZone', {
      storage: this.storage,
      lake: this.lake.lake,
      quarantine: this.lake.quarantine,
      dataOps: this.notifications.dataOps,
      logRetention,
      maxErrorRate: deployment.ingest.maxErrorRate,
    });
    this.review = new ReviewWorkflow(this, 'Review', {
      lake: this.lake.lake,
      results: this.lake.results,
      athenaResults: this.lake.athenaResults,
      evidence,
      databaseName: this.lake.databaseName,
      workGroup: this.lake.workGroup,
      compliance: this.notifications.compliance,
      logRetention,
    });
  }
}

/** CloudWatch Logs accepts only certain retention values: the smallest one ≥ the configured days. */
function nearestRetention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return (allowed.find((v) => v >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}
