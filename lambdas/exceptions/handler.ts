/**
 * Daily exceptions on AWS, two thin handlers for the daily state machine:
 *   prepare  → { date, dryRun, params } (the state machine then maps sql/exceptions/*.sql over
 *              Athena with those ExecutionParameters, as the review does with its metric files)
 *   handler  → reads each query's result CSV from S3, writes exceptions/<date>/exceptions.csv and
 *              report.html to the results bucket (not on a dry run) and returns the counts and
 *              the notices for the state machine to publish.
 */
import { z } from 'zod';
import { bucket, s3Client } from '../adapters/aws';
import { getText, parseS3Uri, putObject, s3Uri } from '../adapters/s3io';
import { type NamedResult, summarizeDay } from '../core/exceptions/daily';
import { exceptionSettings } from '../core/exceptions/exceptions';
import { type PreparedDay, prepareDay } from '../core/exceptions/prepare';
import { parseAthenaCsv } from '../shared/athena-csv';
import { loadConfig } from '../shared/config';
import { RESULTS } from '../shared/layout';
import type { ExceptionKind } from '../shared/metrics';
import type { Notice } from '../shared/notice';

const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

const prepareInputSchema = z.looseObject({ date: z.string().optional(), dryRun: boolish.optional() });

/** One item of the Map over the SQL files (the review's shape: name, path, sha256, result). */
const queryResultSchema = z.looseObject({
  name: z.string(),
  path: z.string().optional(),
  result: z.looseObject({ outputLocation: z.string(), queryExecutionId: z.string().optional() }),
});

const inputSchema = z.looseObject({
  date: z.string(),
  dryRun: boolish.optional(),
  metricResults: z.array(queryResultSchema).default([]),
});

export type DailyExceptionsEvent = z.input<typeof inputSchema>;

export interface DailyExceptionsOutput {
  date: string;
  counts: { kind: ExceptionKind; source: string; n: number }[];
  notices: Notice[];
  /** s3:// URIs of what was written; empty on a dry run. */
  outputs: { csv: string; html: string } | Record<string, never>;
}

const invalid = (what: string, e: z.ZodError): Error =>
  new Error(`${what}: ${e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);

export const prepare = async (event: unknown): Promise<PreparedDay> => {
  const input = prepareInputSchema.safeParse(event ?? {});
  if (!input.success) throw invalid('daily exceptions input is not valid', input.error);
  const { deployment } = loadConfig();
  const r = prepareDay(
    { ...(input.data.date ? { date: input.data.date } : {}), ...(input.data.dryRun !== undefined ? { dryRun: input.data.dryRun } : {}) },
    { now: new Date(), settings: exceptionSettings(deployment.exceptions), maxQuoteAgeSeconds: deployment.ingest.maxQuoteAgeSeconds },
  );
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

export const handler = async (event: unknown): Promise<DailyExceptionsOutput> => {
  const input = inputSchema.safeParse(event);
  if (!input.success) throw invalid('daily exceptions input is not valid', input.error);
  const { date, dryRun, metricResults } = input.data;
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
  if (dryRun) return { date, counts: day.counts, notices: day.notices, outputs: {} };

  await putObject(s3, results_, `${prefix}exceptions.csv`, day.csv, 'text/csv; charset=utf-8');
  await putObject(s3, results_, `${prefix}report.html`, day.html, 'text/html; charset=utf-8');
  return {
    date,
    counts: day.counts,
    notices: day.notices,
    outputs: { csv: s3Uri(results_, `${prefix}exceptions.csv`), html: s3Uri(results_, `${prefix}report.html`) },
  };
};
