/**
 * The Lambda plumbing every handler shares, as middy middlewares (Powertools for AWS Lambda):
 * structured logs with the invocation's context, a cold-start metric and the flush of the
 * function's metrics, an X-Ray segment per invocation, and the event parsed with the state's zod
 * schema before the handler sees it. A handler is then `wrap(step)` over its pure modules.
 *
 * On Lambda the logs and EMF lines go to stdout, which is the function's log group. Anywhere else
 * (the local runtime, tests) they go to stdout too unless `routeTelemetry` sends them elsewhere;
 * X-Ray is inert outside Lambda (Powertools checks AWS_EXECUTION_ENV; POWERTOOLS_TRACE_ENABLED=false
 * turns it off explicitly).
 */
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { METRICS, METRICS_NAMESPACE, type MetricKey, serviceOf, type TelemetryFunction } from '../shared/telemetry';

/** One tracer per process (a Lambda runs one function); it captures the SDK clients of adapters/aws.ts. */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'bestex' });

/** Where Logger and Metrics print; both hold a private Console over stdout, replaced by `routeTelemetry`. */
type Printer = { console: Console };
const printers: Printer[] = [];
let routed: Console | undefined;

const register = <T extends Logger | Metrics>(instance: T): T => {
  const p = instance as unknown as Printer;
  printers.push(p);
  if (routed) p.console = routed;
  return instance;
};

/**
 * Sends every log and EMF line of the handlers in this process to `out` instead of stdout (none:
 * back to stdout). For
 * runtimes other than Lambda, whose stdout is someone's terminal (lib/local/runtime.ts). It sets
 * the Console that Powertools' Logger and Metrics print through (a private field, read by both
 * from construction on): the one place that leans on their internals, covered by
 * test/ingest/emf.test.ts.
 */
export function routeTelemetry(out: NodeJS.WritableStream | undefined): void {
  routed = out ? new Console({ stdout: out, stderr: out }) : undefined;
  for (const p of printers) p.console = routed ?? new Console({ stdout: process.stdout, stderr: process.stderr });
}

/**
 * The context Lambda would pass, for callers that invoke a handler as a function (the local
 * runtime, tests): a name for the logs and the cold-start metric, and no deadline.
 */
const invokedLocally = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: crypto.randomUUID(),
  logGroupName: `/local/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Powertools' ParseError carries the Standard Schema issues as its cause. */
const issues = (e: unknown): string => {
  const cause = (e as { cause?: unknown }).cause;
  if (!Array.isArray(cause)) return (e as Error).message;
  return (cause as { path?: readonly (PropertyKey | { key: PropertyKey })[]; message: string }[])
    .map((i) => `${(i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
};

export interface Powertools {
  readonly logger: Logger;
  /**
   * Wraps a step: `schema` parses the event (a parse failure fails the invocation with `what` and
   * each issue's path, which is what Step Functions shows as the failure's cause).
   */
  wrap<S extends z.ZodType, R>(
    what: string,
    schema: S,
    step: (input: z.output<S>, context: Context) => Promise<R>,
  ): (event: z.input<S> | unknown, context?: Context) => Promise<R>;
}

/** The logger and wrapper of one function (lambdas/<fn>): service `bestex-<fn>`. */
export function powertools(fn: string): Powertools {
  const serviceName = `bestex-${fn}`;
  const logger = register(new Logger({ serviceName }));
  // The function's own instance carries only the cold-start metric (the counts go through
  // `emitMetrics`), so its "no application metrics" warning after each invocation is expected.
  const quiet = {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    error: logger.error.bind(logger),
    warn: (message: string, ...rest: unknown[]) =>
      message.startsWith('No application metrics') ? undefined : logger.warn(message, ...(rest as [])),
  };
  const metrics = register(new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger: quiet }));
  return {
    logger,
    wrap(what, schema, step) {
      type In = z.output<typeof schema>;
      type Out = Awaited<ReturnType<typeof step>>;
      // No early timeout: Lambda's own timeout ends the invocation, and normalise checks its deadline itself.
      const h = middy<In, Out, Error, Context>(async (input: In, context: Context): Promise<Out> => await step(input, context), {
        timeoutEarlyInMillis: 0,
      })
        .use(captureLambdaHandler(tracer))
        .use(injectLambdaContext(logger, { resetKeys: true }))
        .use(logMetrics(metrics, { captureColdStartMetric: true }))
        .use(
          parser({
            schema,
            errorHandler: (error: unknown) => {
              throw new Error(`${what}: ${issues(error)}`);
            },
          }) as unknown as MiddlewareObj<In, Out, Error, Context>,
        );
      // A function call (local runtime, tests) gives no context: middy and the logger need one.
      return (event, context) => h(event as In, context ?? invokedLocally(fn));
    },
  };
}

/** One data point of a catalogued metric (lambdas/shared/telemetry.ts) with its dimension values. */
export interface Measure {
  readonly metric: MetricKey;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Emits measures as EMF lines, one line per function and dimension set (each its own Metrics
 * instance, so invocations running side by side in one process cannot mix their dimensions).
 */
export function emitMetrics(measures: readonly Measure[], logger?: Logger): void {
  const groups = new Map<string, { fn: TelemetryFunction; dimensions: Record<string, string>; points: Measure[] }>();
  for (const m of measures) {
    const spec = METRICS[m.metric];
    const dimensions = Object.fromEntries(spec.dimensions.map((d) => [d, m.dimensions[d] ?? 'unrecognised']));
    const id = JSON.stringify([spec.fn, dimensions]);
    const g = groups.get(id) ?? { fn: spec.fn, dimensions, points: [] };
    g.points.push(m);
    groups.set(id, g);
  }
  for (const g of groups.values()) {
    const out = register(
      new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: serviceOf(g.fn),
        defaultDimensions: g.dimensions,
        ...(logger ? { logger } : {}),
      }),
    );
    for (const p of g.points) out.addMetric(METRICS[p.metric].name, MetricUnit.Count, p.value);
    out.publishStoredMetrics();
    printers.splice(printers.indexOf(out as unknown as Printer), 1);
  }
}
