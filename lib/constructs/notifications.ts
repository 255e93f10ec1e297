import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** Compliance officers: review notices and breaches, daily exception notices. */
  readonly complianceEmails: readonly string[];
  /** Data operations: rejected files, alarms, failed runs. */
  readonly dataOpsEmails: readonly string[];
}

/**
 * Two audiences, two topics: breaches and review notices go to compliance; unreadable files,
 * alarms and failures go to data operations. Email subscriptions must be confirmed by each
 * recipient once (docs/deploy.md).
 *
 * Both topics are encrypted with one customer-managed KMS key (rotated yearly) rather than the
 * AWS-managed `alias/aws/sns`: CloudWatch alarms cannot publish to a topic under the AWS-managed
 * key, whose policy cannot be edited, and the data-operations topic exists to receive alarms.
 */
export class Notifications extends Construct {
  readonly compliance: Topic;
  readonly dataOps: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key = new Key(this, 'TopicKey', {
      description: 'bestex: encrypts the compliance and data-operations SNS topics',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarm actions publish as the CloudWatch service: it needs the data key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    this.compliance = new Topic(this, 'Compliance', { displayName: 'bestex compliance', masterKey: this.key, enforceSSL: true });
    this.dataOps = new Topic(this, 'DataOps', { displayName: 'bestex data operations', masterKey: this.key, enforceSSL: true });
    Tags.of(this.compliance).add('bestex:role', 'compliance');
    Tags.of(this.dataOps).add('bestex:role', 'dataops');
    for (const e of props.complianceEmails) this.compliance.addSubscription(new EmailSubscription(e));
    for (const e of props.dataOpsEmails) this.dataOps.addSubscription(new EmailSubscription(e));
  }
}
