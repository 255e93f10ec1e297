/**
 * Daily exceptions on AWS, two thin handlers for the daily state machine:
 *   prepare  → { date, dryRun, params } (the state machine then maps sql/exceptions/*.sql over
 *              Athena with those ExecutionParameters, as the review does with its metric files)
 *   handler  → reads each query's result CSV from S3, writes exceptions/<date>/exceptions.csv and
 *              report.html to the results bucket (not on a dry run) and returns the counts and
 *              the notices for the state machine to publish.
 */
import { bucket, s3Client } from '../adapters/aws';
import { emitMetrics, powertools } from '../adapters/powertools';
import { getText, parseS3Uri, putObject, s3Uri } from '../adapters/s3io';
import { type NamedResult, summarizeDay } from '../core/exceptions/daily';
import { exceptionSettings } from '../core/exceptions/exceptions';
import { prepareDay } from '../core/exceptions/prepare';
import { parseAthenaCsv } from '../shared/athena-csv';
import { loadConfig } from '../shared/config';
import { exceptionsInputSchema, exceptionsPrepareInputSchema } from '../shared/contracts/states';
import { RESULTS } from '../shared/layout';
import type { ExceptionKind } from '../shared/metrics';
import type { Notice } from '../shared/notice';
import { sourceDimension } from '../shared/telemetry';

export interface DailyExceptionsOutput {
  date: string;
  counts: { kind: ExceptionKind; source: string; n: number }[];
  notices: Notice[];
  /** s3:// URIs of what was written; empty on a dry run. */
  outputs: { csv: string; html: string } | Record<string, never>;
}

const { logger, wrap } = powertools('exceptions');

/** Counts only (no exception rows: they carry order ids). A dry run is not the day's record and emits no metrics. */
function report(out: DailyExceptionsOutput, dryRun: boolean): void {
  logger.info('daily exceptions', {
    date: out.date,
    dryRun,
    exceptions: out.counts.reduce((n, c) => n + c.n, 0),
    notices: out.notices.length,
  });
  if (dryRun) return;
  emitMetrics(
    out.counts.map((c) => ({ metric: 'exceptions', dimensions: { source: sourceDimension(c.source), kind: c.kind }, value: c.n })),
    logger,
  );
}

export const prepare = wrap('daily exceptions input is not valid', exceptionsPrepareInputSchema, async (input) => {
  const { deployment } = loadConfig();
  const r = prepareDay(
    { ...(input.date ? { date: input.date } : {}), ...(input.dryRun !== undefined ? { dryRun: input.dryRun } : {}) },
    { now: new Date(), settings: exceptionSettings(deployment.exceptions), maxQuoteAgeSeconds: deployment.ingest.maxQuoteAgeSeconds },
  );
  if (!r.ok) throw new Error(r.error);
  return r.value;
});

export const handler = wrap('daily exceptions input is not valid', exceptionsInputSchema, async (input): Promise<DailyExceptionsOutput> => {
  const { date, dryRun, metricResults } = input;
  const { deployment } = loadConfig();
  const settings = exceptionSettings(deployment.exceptions);
  const s3 = s3Client();

  const results: NamedResult[] = [];
  for (const q of metricResults) {
    const loc = parseS3Uri(q.result.outputLocation);
    if (!loc) throw new Error(`${q.name}: result location "${q.result.outputLocation}" is not an s3:// URI`);
    const text = await getText(s3, loc.bucket, loc.key);
    if (text === null) throw new Error(`${q.name}: Athena result ${q.result.outputLocation} does not exist`);
    const { columns, rows } = parseAthenaCsv(text);
    results.push({ name: q.name, columns, rows: rows.map((r) => Object.fromEntries(columns.map((c, k) => [c, r[k] ?? null]))) });
  }

  const results_ = bucket('results');
  const prefix = RESULTS.exceptions(date);
  const summary = summarizeDay(date, results, settings, {
    ...(dryRun ? {} : { reportLocation: s3Uri(results_, `${prefix}report.html`) }),
    generatedAt: new Date().toISOString(),
  });
  if (!summary.ok) throw new Error(summary.error);
  const day = summary.value;
  if (dryRun) {
    const out: DailyExceptionsOutput = { date, counts: day.counts, notices: day.notices, outputs: {} };
    report(out, true);
    return out;
  }

  await putObject(s3, results_, `${prefix}exceptions.csv`, day.csv, 'text/csv; charset=utf-8');
  await putObject(s3, results_, `${prefix}report.html`, day.html, 'text/html; charset=utf-8');
  const out: DailyExceptionsOutput = {
    date,
    counts: day.counts,
    notices: day.notices,
    outputs: { csv: s3Uri(results_, `${prefix}exceptions.csv`), html: s3Uri(results_, `${prefix}report.html`) },
  };
  report(out, false);
  return out;
});
