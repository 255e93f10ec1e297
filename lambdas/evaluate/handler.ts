/**
 * Evaluate Lambda: invoked by the review state machine after the metric queries. Reads their Athena
 * results, writes review_metrics, outcomes, breaches and the monitoring and case records, and
 * returns the compliance notices for the state machine to publish.
 */
import { bucket, s3Client } from '../adapters/aws';
import { emitMetrics, powertools } from '../adapters/powertools';
import { loadConfig } from '../shared/config';
import { evaluateInputSchema } from '../shared/contracts/states';
import { sourceDimension } from '../shared/telemetry';
import { type EvaluateResult, runEvaluation } from './run';

const { logger, wrap } = powertools('evaluate');

/** Counts only: the outcomes themselves are in the results bucket. Dry runs are not reviews and emit no metrics. */
function report(result: EvaluateResult): void {
  logger.info('review evaluated', {
    period: result.period,
    runId: result.runId,
    dryRun: result.dryRun,
    breachCount: result.breachCount,
    sources: result.sources,
  });
  if (result.dryRun) return;
  emitMetrics(
    [
      { metric: 'findings', dimensions: {}, value: result.findingCount },
      ...result.sources.map((s) => ({ metric: 'breaches' as const, dimensions: { source: sourceDimension(s.source) }, value: s.breaches })),
    ],
    logger,
  );
}

export const handler = wrap('the Evaluate input is not valid', evaluateInputSchema, async (event) => {
  const result = await runEvaluation(event, {
    s3: s3Client(),
    resultsBucket: bucket('results'),
    now: () => new Date(),
    decideWithinDays: loadConfig().deployment.committee.decideWithinDays,
  });
  report(result);
  return result;
});
