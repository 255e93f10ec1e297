import { Tags } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly complianceEmails: readonly string[];
  readonly dataOpsEmails: readonly string[];
}

/**
 * Two audiences, two topics: breaches and review notices go to compliance; unreadable files,
 * alarms and failures go to data operations. Both encrypted with the AWS-managed SNS key and
 * TLS-only (enforceSSL). Email subscriptions must be confirmed by each recipient once.
 */
export class Notifications extends Construct {
  readonly compliance: Topic;
  readonly dataOps: Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const masterKey = Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    this.compliance = new Topic(this, 'Compliance', { displayName: 'bestex compliance', masterKey, enforceSSL: true });
    this.dataOps = new Topic(this, 'DataOps', { displayName: 'bestex data operations', masterKey, enforceSSL: true });
    Tags.of(this.compliance).add('bestex:role', 'compliance');
    Tags.of(this.dataOps).add('bestex:role', 'dataops');
    for (const e of props.complianceEmails) this.compliance.addSubscription(new EmailSubscription(e));
    for (const e of props.dataOpsEmails) this.dataOps.addSubscription(new EmailSubscription(e));
  }
}
