import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue as every one in the stack is: SQS-managed encryption, TLS only, 14 days of
 * retention, and cdk-nag's "no DLQ of its own" (SQS3) answered with why (`reason`).
 */
export function deadLetterQueue(scope: Construct, reason: string): Queue {
  const q = new Queue(scope, 'DeadLetters', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return q;
}
