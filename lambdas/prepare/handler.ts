/**
 * Prepare Lambda (review): the execution input (a schedule's cadence, or `bestex review`'s
 * options) → the run's period, dates, sources and SQL files, with the sources under heightened
 * monitoring from the review's monitoring state object.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { bucket, s3Client } from '../adapters/aws';
import { powertools } from '../adapters/powertools';
import { loadConfig } from '../shared/config';
import { prepareInputSchema } from '../shared/contracts/states';
import { RESULTS } from '../shared/layout';
import { prepareRun } from './run';

const { logger, wrap } = powertools('prepare');

/** Sources currently under heightened monitoring, from the review's monitoring state object. */
async function heightenedSources(): Promise<string[]> {
  try {
    const r = await s3Client().send(new GetObjectCommand({ Bucket: bucket('results'), Key: RESULTS.monitoringState }));
    const state = JSON.parse(await (r.Body?.transformToString() ?? Promise.resolve('{}'))) as Record<string, { status?: string }>;
    return Object.entries(state)
      .filter(([, s]) => s.status === 'heightened')
      .map(([source]) => source)
      .sort();
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return [];
    throw e;
  }
}

export const handler = wrap('the review input is not valid', prepareInputSchema, async (input) => {
  const { deployment } = loadConfig();
  const run = prepareRun(input, {
    now: new Date(),
    heightened: await heightenedSources(),
    maxQuoteAgeSeconds: deployment.ingest.maxQuoteAgeSeconds,
  });
  logger.info('review prepared', {
    period: run.period,
    runId: run.runId,
    cadence: run.cadence,
    dryRun: run.dryRun,
    sources: run.sources.length,
  });
  return run;
});
