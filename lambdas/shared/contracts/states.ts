/**
 * The input of each Lambda state besides Package (lambdas/shared/contracts/package.ts), parsed by
 * the handler's wrapper (lambdas/adapters/powertools.ts) before any step runs. Each mirrors the
 * payload its state machine builds (lib/constructs/review-workflow.ts, exceptions-workflow.ts) or,
 * for Prepare, the execution input (the schedules' SCHEDULE_INPUTS or `bestex review`). Optional
 * fields are exact (`exactOptional`): absent, never `undefined`, as the step modules expect.
 */
import { z } from 'zod';
import { metricResultRefSchema } from './package';

/** The ASL passes the execution input's dryRun through: a boolean, or its text. */
const boolish = z.union([z.boolean(), z.enum(['true', 'false'])]);

/** Prepare (review): the execution input; everything optional (a schedule sends only the cadence). */
export const prepareInputSchema = z
  .object({
    period: z.string().exactOptional(),
    cadence: z.enum(['quarterly', 'monthly']).exactOptional(),
    dryRun: z.boolean().exactOptional(),
    sources: z.array(z.string()).exactOptional(),
    thresholdsUri: z.string().exactOptional(),
  })
  // An execution started with no input has `{}`; a direct invocation may pass null.
  .nullish()
  .transform((v) => v ?? {});

/** Evaluate: the run parameters and the RunMetricQueries Map output. */
export const evaluateInputSchema = z.object({
  period: z.string(),
  runId: z.string(),
  start: z.string(),
  end: z.string(),
  dryRun: boolish.exactOptional(),
  sources: z.array(z.string()).exactOptional(),
  thresholdsUri: z.string().exactOptional(),
  metricResults: z.array(metricResultRefSchema),
});

/** Rule606: the period and the RunRule606Queries Map output. */
export const rule606InputSchema = z.object({
  period: z.string(),
  dryRun: boolish.exactOptional(),
  rule606Results: z.array(z.looseObject({ name: z.string(), result: z.looseObject({ outputLocation: z.string() }) })),
});

/** Daily exceptions, Prepare: the execution input (the daily schedule sends `{}`). */
export const exceptionsPrepareInputSchema = z
  .looseObject({ date: z.string().exactOptional(), dryRun: boolish.transform((s) => s === true || s === 'true').exactOptional() })
  .nullish()
  .transform((v) => v ?? {});

/** Daily exceptions: the day and the Map over sql/exceptions/*.sql (the review's item shape). */
export const exceptionsInputSchema = z.looseObject({
  date: z.string(),
  dryRun: boolish.transform((s) => s === true || s === 'true').exactOptional(),
  metricResults: z
    .array(
      z.looseObject({
        name: z.string(),
        path: z.string().exactOptional(),
        result: z.looseObject({ outputLocation: z.string(), queryExecutionId: z.string().exactOptional() }),
      }),
    )
    .default([]),
});
