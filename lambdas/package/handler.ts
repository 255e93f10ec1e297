/**
 * Package Lambda: invoked by the review state machine after Evaluate. Writes each source's review
 * package under packages/<period>/<source>/ in the results bucket (dry runs under dry-run/) and the
 * evidence manifest also to the evidence bucket (Object Lock), and the committee's agenda. Its input
 * is parsed with the Package contract (Evaluate's output schema at $.evaluation). HTML only: the PDF is made locally
 * by `bestex` from the fetched package (no browser in the function).
 */
import { bucket, envOr, s3Client } from '../adapters/aws';
import { s3Sink, s3Store } from '../adapters/package-store';
import { powertools } from '../adapters/powertools';
import { loadConfig } from '../shared/config';
import { packageInputSchema } from '../shared/contracts/package';
import { runPackage } from './run';

const { logger, wrap } = powertools('package');

export const handler = wrap(
  "the Package step's input does not match its contract (lambdas/shared/contracts/package.ts)",
  packageInputSchema,
  async (event) => {
    const s3 = s3Client();
    const committee = loadConfig().deployment.committee;
    const baseUrl = process.env.BESTEX_PACKAGE_BASE_URL ?? committee.packageBaseUrl;
    const evidenceBucket = process.env.BUCKET_EVIDENCE;
    const checksum = { checksum: !process.env.BESTEX_S3_ENDPOINT };
    const result = await runPackage(event, {
      store: s3Store(s3),
      resultsBucket: bucket('results'),
      lakeBucket: bucket('lake'),
      results: s3Sink(s3, bucket('results'), checksum),
      ...(evidenceBucket ? { evidence: s3Sink(s3, evidenceBucket, checksum) } : {}),
      now: () => new Date(),
      codeVersion: envOr('BESTEX_CODE_VERSION', 'unknown'),
      committee: {
        decideWithinDays: committee.decideWithinDays,
        dueDiligenceReminderDays: committee.dueDiligenceReminderDays,
        ...(baseUrl ? { packageBaseUrl: baseUrl } : {}),
      },
      ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    });
    // Keys and counts only: no order data in logs.
    logger.info('review package written', {
      period: result.period,
      runId: result.runId,
      dryRun: result.dryRun,
      packages: result.packages.length,
    });
    return result;
  },
);
