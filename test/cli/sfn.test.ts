/**
 * Following a Step Functions execution from the CLI. The client is mocked (aws-sdk-client-mock)
 * because no local stand-in covers these paths: aws-local-stepfunctions runs definitions but does
 * not serve DescribeExecution or GetExecutionHistory, and moto (test/aws-emulator, which runs the
 * CLI's review and exceptions against its interpreter) finishes an execution before the first
 * poll, so it cannot show a history growing between polls, paged, or outliving the CLI's
 * patience. The responses are written in the shapes of the API reference: histories as the service returns them (newest first when asked, paged with
 * nextToken), Lambda and Athena task failures with their real cause formats, a timed-out
 * execution, and an execution that outlives the CLI's patience.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/shared/config';
import { AwsTarget } from '../../lib/aws/aws-target';
import { CliError } from '../../lib/aws/errors';
import { consoleUrl, executionName, findFailure, followExecution, newHistoryEvents, readableCause } from '../../lib/aws/sfn';
import { runExceptions } from '../../lib/cli/commands/exceptions';
import { runReview } from '../../lib/cli/commands/review';
import type { GlobalOptions } from '../../lib/cli/support/options';
import { type FakeStack, startFakeStack } from './s3';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:Bestex-review:review-2026Q3-20261005T110000Z';
const T0 = new Date('2026-10-05T11:00:00.000Z');

type Ev = HistoryEvent;
let nextId = 0;
const at = (id: number) => new Date(T0.getTime() + id * 1000);
function ev(type: string, prev: number | undefined, details: Partial<Ev> = {}): Ev {
  nextId++;
  return { id: nextId, type, timestamp: at(nextId), ...(prev !== undefined ? { previousEventId: prev } : {}), ...details } as Ev;
}

/** A Lambda task state's events: entered, scheduled, started, succeeded, exited. */
function lambdaState(name: string, prev: number): Ev[] {
  const entered = ev('TaskStateEntered', prev, { stateEnteredEventDetails: { name, input: '{}' } });
  const sched = ev('TaskScheduled', entered.id, {
    taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{}' },
  });
  const started = ev('TaskStarted', sched.id, { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
  const ok = ev('TaskSucceeded', started.id, { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{}' } });
  const exited = ev('TaskStateExited', ok.id, { stateExitedEventDetails: { name, output: '{}' } });
  return [entered, sched, started, ok, exited];
}

function pass(type: 'Pass' | 'Choice' | 'Succeed', name: string, prev: number): Ev[] {
  const e = ev(`${type}StateEntered`, prev, { stateEnteredEventDetails: { name, input: '{}' } });
  return [e, ev(`${type}StateExited`, e.id, { stateExitedEventDetails: { name, output: '{}' } })];
}

/** The history of a successful review: Prepare, two Athena queries in the Map, Evaluate, Package, notices. */
function successHistory(): Ev[] {
  nextId = 0;
  const h: Ev[] = [
    ev('ExecutionStarted', undefined, {
      executionStartedEventDetails: { input: '{"period":"2026Q3"}', roleArn: 'arn:aws:iam::123456789012:role/x' },
    }),
  ];
  const last = () => h[h.length - 1]?.id as number;
  h.push(...lambdaState('Prepare', last()));
  h.push(...pass('Choice', 'AnySourceDue', last()));
  h.push(...pass('Pass', 'ListMetricQueries', last()));
  h.push(ev('MapStateEntered', last(), { stateEnteredEventDetails: { name: 'RunMetricQueries', input: '{}' } }));
  h.push(ev('MapStateStarted', last(), { mapStateStartedEventDetails: { length: 2 } }));
  for (let i = 0; i < 2; i++) {
    h.push(ev('MapIterationStarted', last(), { mapIterationStartedEventDetails: { name: 'RunMetricQueries', index: i } }));
    const entered = ev('TaskStateEntered', last(), { stateEnteredEventDetails: { name: 'RunMetricQuery', input: '{}' } });
    h.push(entered);
    h.push(
      ev('TaskScheduled', entered.id, {
        taskScheduledEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync', region: 'us-east-1', parameters: '{}' },
      }),
    );
    h.push(
      ev('TaskSucceeded', last(), {
        taskSucceededEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync', output: '{}' },
      }),
    );
    h.push(ev('TaskStateExited', last(), { stateExitedEventDetails: { name: 'RunMetricQuery', output: '{}' } }));
    h.push(...pass('Pass', 'RecordQuery', last()));
    h.push(ev('MapIterationSucceeded', last(), { mapIterationSucceededEventDetails: { name: 'RunMetricQueries', index: i } }));
  }
  h.push(ev('MapStateSucceeded', last()));
  h.push(ev('MapStateExited', last(), { stateExitedEventDetails: { name: 'RunMetricQueries', output: '{}' } }));
  h.push(...lambdaState('Evaluate', last()));
  h.push(...lambdaState('Package', last()));
  h.push(...pass('Choice', 'DryRun', last()));
  h.push(...pass('Succeed', 'ReviewComplete', last()));
  h.push(ev('ExecutionSucceeded', last(), { executionSucceededEventDetails: { output: '{}' } }));
  return h;
}

const OUTPUT = {
  period: '2026Q3',
  dryRun: false,
  evaluation: {
    breachCount: 1,
    sources: [
      { source: 'acme-sor', breaches: 1, status: 'breach' },
      { source: 'bolt-sor', breaches: 0, status: 'clean' },
    ],
    files: { breaches: 'dry-run/reviews/2026Q3/2026Q3-20261005T110000Z-dry/breaches.json' },
    notices: [{ subject: 'bestex 2026Q3: acme-sor has 1 breach' }],
  },
};

/**
 * A Step Functions stand-in over a fixed history: each DescribeExecution reveals more events
 * (the execution progressing); GetExecutionHistory pages them four at a time, as the service may
 * return fewer events than maxResults with a nextToken.
 */
function sfnStub(history: Ev[], o: { revealPerPoll: number[]; final: Record<string, unknown> }) {
  let visible = 0;
  let polls = 0;
  const client = new SFNClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock
    .on(StartExecutionCommand)
    .resolves({ executionArn: ARN, startDate: T0 })
    .on(DescribeExecutionCommand)
    .callsFake(() => {
      visible = Math.min(history.length, o.revealPerPoll[polls] ?? history.length);
      polls++;
      const done = visible >= history.length;
      return {
        executionArn: ARN,
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review',
        name: 'review-2026Q3-20261005T110000Z',
        startDate: T0,
        input: '{"period":"2026Q3","dryRun":false}',
        inputDetails: { included: true },
        ...(done ? { stopDate: at(history.length), ...o.final } : { status: 'RUNNING' }),
      };
    })
    .on(GetExecutionHistoryCommand)
    .callsFake((input: { reverseOrder?: boolean; nextToken?: string }) => {
      const shown = history.slice(0, visible);
      const ordered = input.reverseOrder ? [...shown].reverse() : shown;
      const offset = Number(input.nextToken ?? 0);
      const page = ordered.slice(offset, offset + 4);
      return { events: page, ...(offset + 4 < ordered.length ? { nextToken: String(offset + 4) } : {}) };
    });
  return { client, mock };
}

const noSleep = async () => {};

describe('following an execution', () => {
  it('reports each state once, in order, and returns the parsed output', async () => {
    const history = successHistory();
    const stub = sfnStub(history, { revealPerPoll: [6, 20, 40], final: { status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) } });
    const states: string[] = [];
    const r = await followExecution(stub.client, ARN, {
      timeoutMs: 60_000,
      sleep: noSleep,
      onState: (s) => states.push(s),
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.status === 'SUCCEEDED' && r.output).toEqual(OUTPUT);
    expect(states).toEqual([
      'Prepare',
      'AnySourceDue',
      'ListMetricQueries',
      'RunMetricQueries',
      'RunMetricQuery',
      'RecordQuery',
      'Evaluate',
      'Package',
      'DryRun',
      'ReviewComplete',
    ]);
    // Reading newest first and stopping at the last event seen: re-reading the whole history at
    // each of the 4 polls would take ceil(6/4)+ceil(20/4)+ceil(40/4)+ceil(n/4) pages.
    const fromScratch = [6, 20, 40, history.length].reduce((s, n) => s + Math.ceil(n / 4), 0);
    const pages = stub.mock.commandCalls(GetExecutionHistoryCommand).length;
    expect(pages).toBeLessThan(fromScratch);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(history.length / 4));
    expect(stub.mock.commandCalls(GetExecutionHistoryCommand).every((c) => c.args[0].input.reverseOrder === true)).toBe(true);
  });

  it('returns every new event exactly once across pages', async () => {
    const history = successHistory();
    const stub = sfnStub(history, { revealPerPoll: [], final: { status: 'SUCCEEDED', output: '{}' } });
    await stub.client.send(new DescribeExecutionCommand({ executionArn: ARN }));
    const first = await newHistoryEvents(stub.client, ARN, 0);
    expect(first.map((e) => e.id)).toEqual(history.map((e) => e.id));
    const after = await newHistoryEvents(stub.client, ARN, 30);
    expect(after.map((e) => e.id)).toEqual(history.filter((e) => (e.id as number) > 30).map((e) => e.id));
  });

  it('names the Lambda state that failed and its error message, without the stack trace', async () => {
    nextId = 0;
    const cause = JSON.stringify({
      errorType: 'ConfigError',
      errorMessage: 'config/thresholds.json is not valid:\n  rules.0.metric: Invalid option',
      trace: ['ConfigError: config/thresholds.json is not valid:', '    at parseConfig (file:///var/task/index.mjs:12:9)'],
    });
    const h: Ev[] = [ev('ExecutionStarted', undefined, { executionStartedEventDetails: { input: '{}' } })];
    h.push(...lambdaState('Prepare', 1));
    const entered = ev('TaskStateEntered', h[h.length - 1]?.id, { stateEnteredEventDetails: { name: 'Evaluate', input: '{}' } });
    const sched = ev('TaskScheduled', entered.id, {
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{}' },
    });
    const started = ev('TaskStarted', sched.id, { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
    const failed = ev('TaskFailed', started.id, {
      taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'ConfigError', cause },
    });
    const exec = ev('ExecutionFailed', failed.id, { executionFailedEventDetails: { error: 'ConfigError', cause } });
    h.push(entered, sched, started, failed, exec);
    const stub = sfnStub(h, { revealPerPoll: [], final: { status: 'FAILED', error: 'ConfigError', cause } });
    const r = await followExecution(stub.client, ARN, { timeoutMs: 60_000, sleep: noSleep });
    expect(r.status).toBe('FAILED');
    if (r.status !== 'FAILED') return;
    expect(r.failure).toEqual({
      state: 'Evaluate',
      error: 'ConfigError',
      cause: 'ConfigError: config/thresholds.json is not valid:\n  rules.0.metric: Invalid option',
    });
  });

  it('traces an Athena failure inside the Map to the query state and its reason', async () => {
    nextId = 0;
    const cause = JSON.stringify({
      QueryExecution: {
        QueryExecutionId: '5f0c2a8e-1b2c-4d3e-9f40-0a1b2c3d4e5f',
        Query: 'WITH params AS (...) SELECT ...',
        StatementType: 'DML',
        Status: {
          State: 'FAILED',
          StateChangeReason:
            "COLUMN_NOT_FOUND: line 12:8: Column 'bidx' cannot be resolved or requester is not authorized to access requested resources",
          AthenaError: {
            ErrorCategory: 2,
            ErrorType: 1006,
            Retryable: false,
            ErrorMessage: "COLUMN_NOT_FOUND: line 12:8: Column 'bidx' cannot be resolved",
          },
        },
        WorkGroup: 'Bestex-bestex',
      },
    });
    const h: Ev[] = [ev('ExecutionStarted', undefined, { executionStartedEventDetails: { input: '{}' } })];
    const map = ev('MapStateEntered', 1, { stateEnteredEventDetails: { name: 'RunMetricQueries', input: '{}' } });
    const it0 = ev('MapIterationStarted', map.id, { mapIterationStartedEventDetails: { name: 'RunMetricQueries', index: 0 } });
    const entered = ev('TaskStateEntered', it0.id, { stateEnteredEventDetails: { name: 'RunMetricQuery', input: '{}' } });
    const sched = ev('TaskScheduled', entered.id, {
      taskScheduledEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync', region: 'us-east-1', parameters: '{}' },
    });
    const started = ev('TaskStarted', sched.id, {
      taskStartedEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync' },
    });
    const submitted = ev('TaskSubmitted', started.id, {
      taskSubmittedEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync', output: '{}' },
    });
    const failed = ev('TaskFailed', submitted.id, {
      taskFailedEventDetails: { resourceType: 'athena', resource: 'startQueryExecution.sync', error: 'States.TaskFailed', cause },
    });
    const itFailed = ev('MapIterationFailed', failed.id, { mapIterationFailedEventDetails: { name: 'RunMetricQueries', index: 0 } });
    const mapFailed = ev('MapStateFailed', itFailed.id);
    const exec = ev('ExecutionFailed', mapFailed.id, { executionFailedEventDetails: { error: 'States.TaskFailed', cause } });
    h.push(map, it0, entered, sched, started, submitted, failed, itFailed, mapFailed, exec);
    const f = findFailure(h, { status: 'FAILED', error: 'States.TaskFailed', cause });
    expect(f.state).toBe('RunMetricQuery');
    expect(f.error).toBe('States.TaskFailed');
    expect(f.cause).toBe(
      "Athena query 5f0c2a8e-1b2c-4d3e-9f40-0a1b2c3d4e5f failed: COLUMN_NOT_FOUND: line 12:8: Column 'bidx' cannot be resolved or requester is not authorized to access requested resources",
    );
  });

  it('reports a timed-out execution with its error even when no state failed', () => {
    nextId = 0;
    const h = [
      ev('ExecutionStarted', undefined, { executionStartedEventDetails: { input: '{}' } }),
      ev('TaskStateEntered', 1, { stateEnteredEventDetails: { name: 'Evaluate', input: '{}' } }),
      ev('ExecutionTimedOut', 2, {
        executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out after 21600 seconds' },
      }),
    ];
    expect(findFailure(h, { status: 'TIMED_OUT' })).toEqual({
      error: 'States.Timeout',
      cause: 'The execution timed out after 21600 seconds',
    });
    expect(readableCause('plain text cause')).toBe('plain text cause');
  });

  it('stops waiting at the timeout, saying the execution goes on and where to follow it', async () => {
    const history = successHistory();
    const stub = sfnStub(history, { revealPerPoll: Array(1000).fill(12), final: { status: 'SUCCEEDED' } });
    let clock = 0;
    const r = await followExecution(stub.client, ARN, {
      timeoutMs: 30_000,
      intervalMs: 3000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(r).toEqual({ status: 'RUNNING', executionArn: ARN, waitedMs: 30_000, lastState: 'RunMetricQueries' });
    // The first 12 events end inside the Map (event 11 entered RunMetricQueries); polled at 0, 3, …, 30 s.
    expect(stub.mock.commandCalls(DescribeExecutionCommand).length).toBe(11);
  });

  it('names executions and links them to the console', () => {
    expect(executionName('review-2026Q3-dry', T0)).toBe('review-2026Q3-dry-20261005T110000Z');
    expect(executionName('x'.repeat(100)).length).toBe(80);
    expect(consoleUrl(ARN)).toBe(`https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${ARN}`);
  });
});

describe('bestex review on the AWS target', () => {
  let stack: FakeStack;
  let home: string;
  beforeAll(async () => {
    stack = await startFakeStack();
    // Inside the stack's temporary folder, which stop() removes.
    home = mkdtempSync(join(stack.dir, 'home-'));
  });
  afterAll(() => stack?.stop());
  const g = (): GlobalOptions => ({ home, json: false, target: 'aws', verbose: false });
  const open = (sfn: ReturnType<typeof sfnStub>, extra: Partial<Parameters<typeof AwsTarget.open>[0]> = {}) =>
    AwsTarget.open({
      config: loadConfig(),
      region: 'us-east-1',
      stackName: 'Bestex',
      outputsFile: stack.outputsFile,
      ui: { log: () => {} },
      clients: { s3: stack.s3, sfn: sfn.client },
      sleep: noSleep,
      ...extra,
    });

  it('starts a dry run with the staged thresholds and prints the same summary as locally, with ARN and console link', async () => {
    const stub = sfnStub(successHistory(), {
      revealPerPoll: [10],
      final: { status: 'SUCCEEDED', output: JSON.stringify({ ...OUTPUT, dryRun: true }) },
    });
    const file = join(home, 'try.json');
    writeFileSync(file, JSON.stringify(loadConfig().thresholds));
    const breach = {
      source: 'acme-sor',
      rule_id: 'pi-market',
      metric: 'price_improvement_per_share',
      value: 0.0004,
      p_value: 0.001,
      severity: 'high',
    };
    await stack.put('results', OUTPUT.evaluation.files.breaches, JSON.stringify([breach]));
    const t = await open(stub);
    const s = await runReview(t, g(), { period: '2026Q3', dryRun: true, thresholds: file });
    // The breach table comes from the evaluate step's breaches.json in the results bucket.
    expect(s.breaches).toEqual([breach]);
    const start = stub.mock.commandCalls(StartExecutionCommand)[0]?.args[0];
    expect(start?.input.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-review');
    expect(String(start?.input.name)).toMatch(/^review-2026Q3-dry-\d{8}T\d{6}Z$/);
    const input = JSON.parse(String(start?.input.input)) as Record<string, unknown>;
    expect(input.period).toBe('2026Q3');
    expect(input.dryRun).toBe(true);
    expect(String(input.thresholdsUri)).toMatch(
      new RegExp(`^s3://${stack.buckets.results}/dry-run/inputs/thresholds-[0-9a-f]{16}-try\\.json$`),
    );
    expect(s).toMatchObject({
      target: 'aws',
      breachCount: 1,
      executionArn: ARN,
      consoleUrl: consoleUrl(ARN),
      packages: `s3://${stack.buckets.results}/dry-run/packages/2026Q3/`,
      // A dry run notifies no one, whatever the evaluation composed.
      notices: [],
    });
    expect(s.sources.map((x) => x.source)).toEqual(['acme-sor', 'bolt-sor']);
  });

  it('refuses an invalid thresholds file before starting anything', async () => {
    const stub = sfnStub(successHistory(), { revealPerPoll: [], final: { status: 'SUCCEEDED', output: '{}' } });
    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: '1', rules: [{ id: 'x', metric: 'no_such_metric' }] }));
    const t = await open(stub);
    await expect(runReview(t, g(), { period: '2026Q3', dryRun: true, thresholds: file })).rejects.toThrow(
      /bad\.json is not valid[\s\S]*rules\.0\.metric/,
    );
    expect(stub.mock.commandCalls(StartExecutionCommand).length).toBe(0);
  });

  it('fails with the failed state, the cause and the console link', async () => {
    nextId = 0;
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'no metric rows for period 2026Q3: drop data first' });
    const h: Ev[] = [ev('ExecutionStarted', undefined, { executionStartedEventDetails: { input: '{}' } })];
    const entered = ev('TaskStateEntered', 1, { stateEnteredEventDetails: { name: 'Evaluate', input: '{}' } });
    const failed = ev('LambdaFunctionFailed', entered.id, { lambdaFunctionFailedEventDetails: { error: 'Error', cause } });
    h.push(entered, failed, ev('ExecutionFailed', failed.id, { executionFailedEventDetails: { error: 'Error', cause } }));
    const stub = sfnStub(h, { revealPerPoll: [], final: { status: 'FAILED', error: 'Error', cause } });
    const t = await open(stub);
    const err = await runReview(t, g(), { period: '2026Q3' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      `review execution FAILED in state Evaluate: Error: Error: no metric rows for period 2026Q3: drop data first (${consoleUrl(ARN)})`,
    );
  });

  it('stops following after --timeout with exit code 3 and the console link', async () => {
    const stub = sfnStub(successHistory(), { revealPerPoll: Array(1000).fill(3), final: { status: 'SUCCEEDED' } });
    let clock = 0;
    const t = await open(stub, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const err = (await runReview(t, g(), { period: '2026Q3', timeout: 60 }).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`stopped waiting after 1 min (in state Prepare); the execution goes on: follow it at ${consoleUrl(ARN)}`);
  });

  it('runs the daily exceptions and reports the counts and the stored files', async () => {
    const summary = {
      date: '2026-07-01',
      counts: [
        { kind: 'slow_fill', source: 'acme-sor', n: 3 },
        { kind: 'outside_nbbo', source: 'bolt-sor', n: 1 },
      ],
      notices: [{ subject: 'bestex exceptions 2026-07-01: 4 at or above medium (acme-sor, bolt-sor)', message: '…' }],
      outputs: { csv: 's3://r/exceptions/2026-07-01/exceptions.csv', html: 's3://r/exceptions/2026-07-01/report.html' },
    };
    const stub = sfnStub(successHistory(), {
      revealPerPoll: [],
      final: { status: 'SUCCEEDED', output: JSON.stringify({ date: '2026-07-01', summary }) },
    });
    const outputs = join(home, 'with-exceptions.json');
    const base = JSON.parse(readFileSync(stack.outputsFile, 'utf8')) as { Bestex: Record<string, string> };
    writeFileSync(
      outputs,
      JSON.stringify({ ...base.Bestex, ExceptionsStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-exceptions' }),
    );
    const t = await open(stub, { outputsFile: outputs });
    const s = await runExceptions(t, g(), { date: '2026-07-01' });
    const start = stub.mock.commandCalls(StartExecutionCommand)[0]?.args[0];
    expect(start?.input.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Bestex-exceptions');
    expect(JSON.parse(String(start?.input.input))).toEqual({ date: '2026-07-01', dryRun: false });
    expect(s).toMatchObject({ total: 4, outputs: summary.outputs, notices: [summary.notices[0]?.subject] });
  });

  it('says which output is missing when the stack has no exceptions workflow', async () => {
    const stub = sfnStub(successHistory(), { revealPerPoll: [], final: { status: 'SUCCEEDED' } });
    const t = await open(stub);
    await expect(runExceptions(t, g(), { date: '2026-07-01', dryRun: true })).rejects.toThrow(
      /^output ExceptionsStateMachineArn is missing from .*outputs\.json/,
    );
    await expect(runExceptions(t, g(), { date: '2026-02-30' })).rejects.toThrow('--date "2026-02-30" is not a date');
    expect(stub.mock.commandCalls(StartExecutionCommand).length).toBe(0);
  });

  it('rejects a malformed period before calling AWS', async () => {
    const stub = sfnStub(successHistory(), { revealPerPoll: [], final: { status: 'SUCCEEDED' } });
    const t = await open(stub);
    await expect(runReview(t, g(), { period: '2026-Q3' })).rejects.toThrow(/pass --period 2026Q3/);
    expect(stub.mock.calls()).toEqual([]);
  });
});
