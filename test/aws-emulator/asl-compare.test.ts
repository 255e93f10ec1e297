/**
 * Two ASL implementations on the same synthesised definitions: moto's interpreter (the one
 * LocalStack also uses) and aws-local-stepfunctions (the local runtime's). Each task gets the same
 * result in both (./canned.ts); the states entered, the final output and the notices published
 * must agree. A disagreement means one interpreter reads the definition differently: the local
 * runtime would then not be showing what AWS would do.
 *
 * The only change to the definitions is moto's (./stack.ts emulatorDefinition): its Athena
 * `.sync` stand-in, applied to both runs so they interpret the same document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaSync, breachNotice, evaluation, freshPlan, packaged, prepared, rule606 } from './canned';
import { type Moto, startMoto } from './moto';
import { type Clients, clients, emulatorDefinition, provision, synthesisedMachines } from './stack';

type Json = Record<string, unknown>;
/** Task state name → its results, in the order that state is invoked. */
type Script = Record<string, unknown[]>;

let moto: Moto;
let c: Clients;
let dir: string;
let machines: ReturnType<typeof synthesisedMachines>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-asl-compare-'));
  machines = synthesisedMachines();
  moto = await startMoto();
  c = clients(moto);
});

afterAll(async () => {
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  entered: string[];
  output: unknown;
  notices: { subject: string; message: string }[];
}

async function inMoto(name: 'review' | 'exceptions', input: Json, order: unknown[]): Promise<Run> {
  await moto.reset();
  const p = await provision(c, dir, machines);
  await moto.queueLambda(order);
  const { executionArn } = await c.sfn.send(
    new StartExecutionCommand({ stateMachineArn: p.machineArns[name], input: JSON.stringify(input), name: `cmp-${Date.now()}` }),
  );
  let d = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
  for (let i = 0; d.status === 'RUNNING' && i < 600; i++) {
    await new Promise((r) => setTimeout(r, 200));
    d = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  expect(d.status, `${d.error}: ${d.cause}`).toBe('SUCCEEDED');
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const h = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(h.events ?? []));
    nextToken = h.nextToken;
  } while (nextToken);
  const notices: Run['notices'] = [];
  for (;;) {
    const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: p.noticeQueueUrl, MaxNumberOfMessages: 10 }));
    if (!r.Messages?.length) break;
    for (const m of r.Messages) {
      const b = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      notices.push({ subject: b.Subject ?? '', message: b.Message ?? '' });
      await c.sqs.send(new DeleteMessageCommand({ QueueUrl: p.noticeQueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return {
    entered: events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? '?'),
    output: JSON.parse(d.output ?? 'null'),
    notices,
  };
}

async function locally(name: 'review' | 'exceptions', input: Json, script: Script): Promise<Run> {
  const definition = emulatorDefinition(machines[name]?.definition as Json);
  const remaining = Object.fromEntries(Object.entries(script).map(([k, v]) => [k, [...v]]));
  const notices: Run['notices'] = [];
  const handlers: Record<string, (i: unknown) => Promise<unknown>> = {};
  for (const state of Object.keys(script)) {
    handlers[state] = async () => {
      const next = remaining[state]?.shift();
      if (next === undefined) throw new Error(`no scripted result left for ${state}`);
      return next;
    };
  }
  handlers.PublishNotice = async (i) => {
    const x = i as { Subject: string; Message: string };
    notices.push({ subject: x.Subject, message: x.Message });
    return { MessageId: 'local' };
  };
  const sm = new StateMachine(structuredClone(definition) as never, { validationOptions: { checkArn: false } });
  const execution = sm.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    // As Step Functions supplies it (the enrichment plan takes its run id from the execution name).
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:compare:local', Name: 'local' } } as never,
  });
  const entered: string[] = [];
  const logging = (async () => {
    for await (const ev of execution.eventLogs) if (ev.type === 'StateEntered') entered.push(ev.state.name);
  })();
  const output = await execution.result;
  await logging.catch(() => {});
  return { entered, output, notices };
}

/** Invocation order for moto's single Lambda queue: the script walked in the definition's order. */
const flatten = (order: [string, unknown][]): unknown[] => order.map(([, v]) => v);
const toScript = (order: [string, unknown][]): Script => {
  const s: Script = {};
  for (const [k, v] of order) s[k] = [...(s[k] ?? []), v];
  return s;
};

type States = Record<string, { Result?: unknown[] }>;
const statesOf = (name: 'review' | 'exceptions'): States => {
  const m = machines[name];
  if (!m) throw new Error(`the synthesised template has no ${name} state machine`);
  return (m.definition as { States: States }).States;
};

function reviewOrder(input: { period: string; dryRun?: boolean }, noticeCount: number): [string, unknown][] {
  const states = statesOf('review');
  const r = prepared(input);
  const notices = Array.from({ length: noticeCount }, (_, i) => breachNotice(i ? 'bolt-sor' : 'acme-sor', r.period));
  const order: [string, unknown][] = [['Prepare', r]];
  if (!r.due) return order;
  order.push(['PlanEnrichment', freshPlan()]);
  for (let i = 0; i < (states.ListMetricQueries?.Result?.length ?? 0); i++) order.push(['RunMetricQuery', athenaSync('m')]);
  order.push(['Evaluate', evaluation(r, notices)], ['Package', packaged(r)]);
  if (r.cadence === 'quarterly') {
    for (let i = 0; i < (states.ListRule606Queries?.Result?.length ?? 0); i++) order.push(['RunRule606Query', athenaSync('r')]);
    order.push(['Rule606', rule606(r)]);
  }
  return order;
}

function exceptionsOrder(dryRun: boolean, noticeCount: number): [string, unknown][] {
  const states = statesOf('exceptions');
  const order: [string, unknown][] = [
    ['PrepareDay', { date: '2026-07-15', dryRun, params: ["'2026-07-15'"] }],
    ['PlanEnrichment', freshPlan()],
  ];
  for (let i = 0; i < (states.ListExceptionQueries?.Result?.length ?? 0); i++) order.push(['RunExceptionQuery', athenaSync('x')]);
  const notices = Array.from({ length: noticeCount }, (_, i) => ({
    subject: `[bestex] 2026-07-15: exceptions ${i}`,
    message: `notice ${i}`,
    attributes: { severity: 'medium', source: 'acme-sor', period: '2026-07-15', kind: 'exceptions' },
  }));
  order.push(['SummarizeDay', { date: '2026-07-15', counts: [], notices, outputs: {} }]);
  return order;
}

const sorted = (xs: string[]) => [...xs].sort();

describe('moto and aws-local-stepfunctions agree on the synthesised definitions', () => {
  const cases: { title: string; name: 'review' | 'exceptions'; input: Json; order: () => [string, unknown][]; must: string[] }[] = [
    {
      title: 'review, quarterly, with breaches',
      name: 'review',
      input: { period: '2026Q3', dryRun: false },
      order: () => reviewOrder({ period: '2026Q3', dryRun: false }, 2),
      must: ['Rule606', 'PublishNotice', 'ReviewComplete'],
    },
    {
      title: 'review, monthly dry run',
      name: 'review',
      input: { period: '2026-08', dryRun: true },
      order: () => reviewOrder({ period: '2026-08', dryRun: true }, 1),
      must: ['DryRunComplete'],
    },
    {
      title: 'exceptions with notices',
      name: 'exceptions',
      input: { date: '2026-07-15' },
      order: () => exceptionsOrder(false, 2),
      must: ['PublishNotice', 'DayComplete'],
    },
    {
      title: 'exceptions, nothing to report',
      name: 'exceptions',
      input: { date: '2026-07-15' },
      order: () => exceptionsOrder(false, 0),
      must: ['NothingToReport'],
    },
  ];
  for (const k of cases) {
    it(k.title, async () => {
      const order = k.order();
      const a = await inMoto(k.name, k.input, flatten(order));
      const b = await locally(k.name, k.input, toScript(order));
      for (const s of k.must) expect(a.entered).toContain(s);
      // Map iterations may interleave differently: the same states, the same number of times.
      expect(sorted(a.entered)).toEqual(sorted(b.entered));
      expect(a.output).toEqual(b.output);
      expect(sorted(a.notices.map((n) => `${n.subject}\n${n.message}`))).toEqual(
        sorted(b.notices.map((n) => `${n.subject}\n${n.message}`)),
      );
    });
  }
});
