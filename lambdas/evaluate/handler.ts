/**
 * Evaluate Lambda: invoked by the review state machine after the metric queries. Reads their Athena
 * results, writes review_metrics, outcomes, breaches and the monitoring and case records, and
 * returns the compliance notices for the state machine to publish.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { bucket, s3Client } from '../adapters/aws';
import { loadConfig } from '../shared/config';
import { type EvaluateEvent, type EvaluateResult, runEvaluation } from './run';

const logger = new Logger({ serviceName: 'bestex-evaluate' });

export const handler = async (event: EvaluateEvent): Promise<EvaluateResult> => {
  const result = await runEvaluation(event, {
    s3: s3Client(),
    resultsBucket: bucket('results'),
    now: () => new Date(),
    decideWithinDays: loadConfig().deployment.committee.decideWithinDays,
  });
  // Counts only: the outcomes themselves are in the results bucket.
  logger.info('review evaluated', {
    period: result.period,
    runId: result.runId,
    dryRun: result.dryRun,
    breachCount: result.breachCount,
    sources: result.sources,
  });
  return result;
};
