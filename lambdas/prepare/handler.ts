import { GetObjectCommand } from '@aws-sdk/client-s3';
import { bucket, s3Client } from '../adapters/aws';
import { loadConfig } from '../shared/config';
import { RESULTS } from '../shared/layout';
import { type PreparedRun, type PrepareInput, prepareRun } from './run';

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

export const handler = async (input: PrepareInput): Promise<PreparedRun> => {
  const { deployment } = loadConfig();
  return prepareRun(input ?? {}, {
    now: new Date(),
    heightened: await heightenedSources(),
    maxQuoteAgeSeconds: deployment.ingest.maxQuoteAgeSeconds,
  });
};
