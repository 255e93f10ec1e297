/**
 * Normalise Lambda: SQS (S3 ObjectCreated notifications of the drop bucket) → normaliseObject per
 * object. Partial batch failure (Powertools' processPartialResponse): only messages whose
 * processing threw are retried (and end in the DLQ after maxReceiveCount); rejected files are a
 * normal outcome, not a failure. Each manifest's counts become EMF metrics per source and dataset.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { emitMetrics, powertools } from '../adapters/powertools';
import { datasetDimension, sourceDimension } from '../shared/telemetry';
import { refsFromSqsBody } from './events';
import type { LoadManifest } from './manifest';
import { normaliseObject } from './run';

const { logger, wrap } = powertools('normalise');
const processor = new BatchProcessor(EventType.SQS, { logger });

/** Counts and keys only: rows carry customer order data and never go to the logs or metrics. */
function report(m: LoadManifest): void {
  logger.info('normalised', {
    key: m.drop_key,
    status: m.status,
    rows_read: m.rows_read,
    rows_written: m.rows_written,
    rows_rejected: m.rows_rejected,
    rows_duplicate: m.rows_duplicate,
    outputs: m.outputs.length,
  });
  const dimensions = { source: sourceDimension(m.source), dataset: datasetDimension(m.dataset) };
  emitMetrics(
    [
      { metric: 'rowsRead', dimensions, value: m.rows_read },
      { metric: 'rowsWritten', dimensions, value: m.rows_written },
      { metric: 'rowsRejected', dimensions, value: m.rows_rejected },
      { metric: 'rowsDuplicate', dimensions, value: m.rows_duplicate },
      { metric: 'filesRejected', dimensions, value: m.status === 'rejected' ? 1 : 0 },
    ],
    logger,
  );
}

/** One SQS message: every object it announces; throwing marks the message failed. */
const normaliseMessage = (context: Context) => async (record: SQSRecord) => {
  try {
    const parsed = refsFromSqsBody(record.body);
    if (!parsed.ok) throw new Error(`unreadable message: ${parsed.reason}`);
    for (const ref of parsed.refs) report(await normaliseObject(ref, { remainingMs: () => context.getRemainingTimeInMillis() }));
  } catch (err) {
    logger.error('normalise failed', { messageId: record.messageId, error: (err as Error).message });
    throw err;
  }
};

export const handler = wrap(
  'the normalise event is not an SQS batch',
  SqsSchema,
  (event, context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, normaliseMessage(context), processor, { context, throwOnFullBatchFailure: false }),
);
