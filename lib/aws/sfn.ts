/**
 * Running a deployed state machine from the CLI: start an execution, follow it (DescribeExecution
 * for the status, GetExecutionHistory for the states entered), and on failure name the state that
 * failed and why, from the task's own error rather than the generic execution error.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsCall } from './errors';

export interface Failure {
  /** The state that failed (undefined when the history does not say). */
  state?: string;
  error: string;
  /** The cause, made readable: a Lambda's errorType and message, an Athena query's reason. */
  cause: string;
}

export type ExecutionOutcome =
  | { status: 'SUCCEEDED'; executionArn: string; output: Record<string, unknown> }
  | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; executionArn: string; failure: Failure }
  /** The CLI stopped waiting; the execution goes on. */
  | { status: 'RUNNING'; executionArn: string; waitedMs: number; lastState?: string };

export interface FollowOptions {
  /** How long the CLI waits before it gives up following (the execution is not stopped). */
  timeoutMs: number;
  /** @default 3000 */
  intervalMs?: number;
  /** Called once per state name, the first time it is entered. */
  onState?: (name: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A readable execution name: `<prefix>-<UTC stamp>`, within Step Functions' 80 characters. */
export function executionName(prefix: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '-')}-${stamp}`.slice(0, 80);
}

export async function startExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  input: Record<string, unknown>,
  name: string,
): Promise<string> {
  const r = await awsCall({ action: `Step Functions StartExecution (${stateMachineArn})` }, () =>
    sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name })),
  );
  if (!r.executionArn) throw new Error('StartExecution returned no executionArn');
  return r.executionArn;
}

/** The console page of an execution. */
export function consoleUrl(executionArn: string): string {
  const [, partition = 'aws', , region = 'us-east-1'] = executionArn.split(':');
  const host =
    partition === 'aws-us-gov'
      ? 'console.amazonaws-us-gov.com'
      : partition === 'aws-cn'
        ? 'console.amazonaws.cn'
        : 'console.aws.amazon.com';
  return `https://${region}.${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * History events after `afterId`, oldest first. Reads newest-first and stops at the first page
 * that reaches `afterId`, so each poll costs one page however long the history is. A server that
 * ignores `reverseOrder` (moto 5.2.1 does; the emulator suite found it) answers oldest-first: then
 * every page is read, and only the events after `afterId` are kept.
 */
export async function newHistoryEvents(sfn: SFNClient, executionArn: string, afterId: number): Promise<HistoryEvent[]> {
  const fresh = new Map<number, HistoryEvent>();
  let nextToken: string | undefined;
  do {
    const page = await awsCall({ action: 'Step Functions GetExecutionHistory' }, () =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, ...(nextToken ? { nextToken } : {}) })),
    );
    const events = page.events ?? [];
    const oldestFirst = events.length > 1 && (events[0]?.id ?? 0) < (events[events.length - 1]?.id ?? 0);
    let reached = false;
    for (const ev of events) {
      const id = ev.id ?? 0;
      if (id > afterId) fresh.set(id, ev);
      else reached = true;
    }
    nextToken = reached && !oldestFirst ? undefined : page.nextToken;
  } while (nextToken);
  return [...fresh.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

interface ErrorDetails {
  error?: string | undefined;
  cause?: string | undefined;
}

/** The error details of a failure event, whichever kind it is. */
function failureDetails(ev: HistoryEvent): ErrorDetails | undefined {
  return (
    ev.taskFailedEventDetails ??
    ev.lambdaFunctionFailedEventDetails ??
    ev.taskTimedOutEventDetails ??
    ev.lambdaFunctionTimedOutEventDetails ??
    ev.taskStartFailedEventDetails ??
    ev.taskSubmitFailedEventDetails ??
    ev.lambdaFunctionStartFailedEventDetails ??
    ev.lambdaFunctionScheduleFailedEventDetails ??
    ev.activityFailedEventDetails ??
    ev.evaluationFailedEventDetails ??
    ev.mapRunFailedEventDetails ??
    ev.executionFailedEventDetails ??
    ev.executionTimedOutEventDetails ??
    ev.executionAbortedEventDetails
  );
}

const ROOT_FAILURE =
  /^(TaskFailed|TaskTimedOut|TaskStartFailed|TaskSubmitFailed|LambdaFunction(Failed|TimedOut|StartFailed|ScheduleFailed)|ActivityFailed|ActivityTimedOut|EvaluationFailed|MapRunFailed)$/;

/** Makes a cause readable: Lambda error JSON → "Type: message"; Athena .sync cause → the query's reason. */
export function readableCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const c = JSON.parse(cause) as {
      errorType?: string;
      errorMessage?: string;
      QueryExecution?: { QueryExecutionId?: string; Status?: { StateChangeReason?: string; AthenaError?: { ErrorMessage?: string } } };
    };
    if (c.errorMessage) return `${c.errorType ? `${c.errorType}: ` : ''}${c.errorMessage}`;
    const q = c.QueryExecution;
    if (q)
      return `Athena query ${q.QueryExecutionId ?? '?'} failed: ${q.Status?.StateChangeReason ?? q.Status?.AthenaError?.ErrorMessage ?? 'no reason given'}`;
  } catch {
    // Not JSON: the cause is plain text already.
  }
  return cause.length > 600 ? `${cause.slice(0, 600)}…` : cause;
}

/**
 * The failed state and its cause: the earliest root failure (a task, a Lambda, an evaluation
 * error), traced back through previousEventId to the state it happened in; else the execution's
 * own error.
 */
export function findFailure(
  events: readonly HistoryEvent[],
  execution: Pick<DescribeExecutionCommandOutput, 'error' | 'cause' | 'status'>,
): Failure {
  const byId = new Map(events.map((e) => [e.id ?? 0, e]));
  const stateOf = (ev: HistoryEvent): string | undefined => {
    let cur: HistoryEvent | undefined = ev;
    for (let hops = 0; cur && hops < 1000; hops++) {
      if (cur.stateEnteredEventDetails?.name) return cur.stateEnteredEventDetails.name;
      if (cur.evaluationFailedEventDetails?.state) return cur.evaluationFailedEventDetails.state;
      cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    }
    return undefined;
  };
  const root = events.find((e) => ROOT_FAILURE.test(e.type ?? ''));
  const final = [...events].reverse().find((e) => /^Execution(Failed|TimedOut|Aborted)$/.test(e.type ?? ''));
  const details = (root && failureDetails(root)) ?? (final && failureDetails(final)) ?? {};
  const state = root ? stateOf(root) : undefined;
  const error =
    details.error ?? execution.error ?? (execution.status === 'TIMED_OUT' ? 'States.Timeout' : String(execution.status ?? 'failed'));
  const cause = readableCause(details.cause ?? execution.cause) || (execution.status === 'ABORTED' ? 'the execution was stopped' : '');
  return { ...(state ? { state } : {}), error, cause };
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Follows an execution until it ends or `timeoutMs` passes. */
export async function followExecution(sfn: SFNClient, executionArn: string, opts: FollowOptions): Promise<ExecutionOutcome> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const start = now();
  const events: HistoryEvent[] = [];
  const seen = new Set<string>();
  let lastId = 0;
  let lastState: string | undefined;
  const readHistory = async () => {
    const fresh = await newHistoryEvents(sfn, executionArn, lastId);
    for (const ev of fresh) {
      events.push(ev);
      lastId = Math.max(lastId, ev.id ?? 0);
      const name = ev.stateEnteredEventDetails?.name;
      if (name) {
        lastState = name;
        if (!seen.has(name)) {
          seen.add(name);
          opts.onState?.(name);
        }
      }
    }
  };
  for (;;) {
    const d = await awsCall({ action: 'Step Functions DescribeExecution' }, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
    await readHistory();
    const status = d.status ?? 'RUNNING';
    if (status === 'SUCCEEDED') {
      let output: Record<string, unknown> = {};
      try {
        output = JSON.parse(d.output ?? '{}') as Record<string, unknown>;
      } catch {
        // Output above 256 KiB is not returned; the summary then comes from S3.
      }
      return { status, executionArn, output };
    }
    if (status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED') {
      return { status, executionArn, failure: findFailure(events, d) };
    }
    const waited = now() - start;
    if (waited >= opts.timeoutMs) return { status: 'RUNNING', executionArn, waitedMs: waited, ...(lastState ? { lastState } : {}) };
    await sleep(Math.min(opts.intervalMs ?? 3000, Math.max(0, opts.timeoutMs - waited)));
  }
}
