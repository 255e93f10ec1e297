/**
 * Normalise Lambda: SQS (S3 ObjectCreated notifications of the drop bucket) → normaliseObject per
 * object. Partial batch failure: only messages whose processing threw are retried (and end in the
 * DLQ after maxReceiveCount); rejected files are a normal outcome, not a failure.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { refsFromSqsBody } from './events';
import { normaliseObject } from './run';

const logger = new Logger({ serviceName: 'bestex-normalise' });

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const record of event.Records) {
    const parsed = refsFromSqsBody(record.body);
    if (!parsed.ok) {
      logger.error('unreadable message', { messageId: record.messageId, reason: parsed.reason });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      for (const ref of parsed.refs) {
        const m = await normaliseObject(ref, context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {});
        // Counts and keys only: rows carry customer order data and never go to the logs.
        logger.info('normalised', {
          key: m.drop_key,
          status: m.status,
          rows_read: m.rows_read,
          rows_written: m.rows_written,
          rows_rejected: m.rows_rejected,
          rows_duplicate: m.rows_duplicate,
          outputs: m.outputs.length,
        });
      }
    } catch (err) {
      logger.error('normalise failed', { messageId: record.messageId, error: (err as Error).message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
