/**
 * The Package state's input and output. Its input is the review run's state after Evaluate: the
 * run parameters the state machine passes (lib/constructs/review-workflow.ts `runInput`) and, at
 * `$.evaluation`, Evaluate's output exactly as its contract defines it (evaluateOutputSchema): one
 * schema, so the two steps cannot drift apart. test/package/contract.test.ts checks the state
 * machine's result paths against these schemas.
 */
import { z } from 'zod';
import { evaluateOutputSchema } from './review';

/** The ASL passes the execution input's dryRun through: a boolean, or its text. */
const dryRunSchema = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/** One item of the RunMetricQueries Map: the SQL file and its Athena execution. */
export const metricResultRefSchema = z
  .object({
    name: z.string(),
    path: z.string().exactOptional(),
    sha256: z.string().exactOptional(),
    result: z.object({ queryExecutionId: z.string(), outputLocation: z.string(), bytesScanned: z.number().exactOptional() }).passthrough(),
  })
  .passthrough();

export const packageInputSchema = z
  .object({
    period: z.string(),
    start: z.string().optional(),
    end: z.string().optional(),
    runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)"),
    dryRun: dryRunSchema.default(false),
    sources: z.array(z.string()).default([]),
    metricResults: z.array(metricResultRefSchema).default([]),
    /** Evaluate's output, at the state machine's `$.evaluation`. */
    evaluation: evaluateOutputSchema,
    codeVersion: z.string().optional(),
  })
  .strict();
export type PackageInput = z.input<typeof packageInputSchema>;
export type PackageEvent = z.output<typeof packageInputSchema>;

export const packageOutputSchema = z
  .object({
    period: z.string(),
    runId: z.string(),
    dryRun: z.boolean(),
    keys: z.array(z.string()),
    evidenceKeys: z.array(z.string()),
    packages: z.array(
      z.object({ source: z.string(), prefix: z.string(), report: z.string(), evidence: z.string(), link: z.string() }).strict(),
    ),
    /** Committee agendas written (reviews of record only). */
    agendas: z.array(z.string()),
  })
  .strict();
export type PackageOutput = z.infer<typeof packageOutputSchema>;
