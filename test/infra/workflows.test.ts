/**
 * The state machines as synthesised: their states and the wiring between stages, the SQL they
 * embed, the contract with the local runtime (JSONPath only, three task kinds, names), and that
 * the ASL the local runtime extracts is the synthesised definition with its tokens resolved.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXCEPTIONS_STATES } from '../../lib/constructs/exceptions-workflow';
import { REVIEW_STATES } from '../../lib/constructs/review-workflow';
import { stateMachines } from '../../lib/local/asl';
import { localBuckets } from '../../lib/local/runtime';
import { localHandlers, taskStates } from '../../lib/local/tasks';
import { sqlFiles } from '../../lib/sql-files';
import { functionId, idsOf, type Synth, synth } from './synth';

const s = synth();
const machineId = (short: string) =>
  idsOf(s, 'AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === `Bestex-${short}`)[0] as string;

type State = Record<string, unknown> & { Type: string };
interface Asl {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
}

/**
 * An independent resolution of a DefinitionString onto the local runtime's names (a second
 * implementation of what lib/local/asl.ts does): buckets by their `bestex:role` tag, topics as
 * local ARNs named by role, functions as local ARNs named by logical id.
 */
function resolveLocally(t: Synth, def: unknown): string {
  const local = localBuckets();
  const tags = (id: string) => (t.json.Resources[id]?.Properties?.Tags ?? []) as { Key: string; Value: string }[];
  const role = (id: string) => tags(id).find((x) => x.Key === 'bestex:role')?.Value as string;
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const o = p as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::Region') return 'us-east-1';
    if (o.Ref === 'AWS::AccountId') return '000000000000';
    if (o.Ref) {
      const type = t.json.Resources[o.Ref]?.Type;
      if (type === 'AWS::S3::Bucket') return local[role(o.Ref) as keyof typeof local];
      if (type === 'AWS::SNS::Topic') return `arn:aws:sns:us-east-1:000000000000:${role(o.Ref)}`;
    }
    if (o['Fn::GetAtt'] && t.json.Resources[o['Fn::GetAtt'][0]]?.Type === 'AWS::Lambda::Function') {
      return `arn:aws:lambda:us-east-1:000000000000:function:${o['Fn::GetAtt'][0]}`;
    }
    throw new Error(`unexpected token in a definition: ${JSON.stringify(p)}`);
  };
  if (typeof def === 'string') return def;
  const [sep, parts] = (def as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map(part).join(sep);
}

const definition = (short: string): Asl =>
  JSON.parse(resolveLocally(s, s.json.Resources[machineId(short)]?.Properties?.DefinitionString)) as Asl;
const review = definition('review');
const daily = definition('exceptions');

/** Every state of a definition, Map item processors included. */
function allStates(asl: { States: Record<string, State> }): Record<string, State> {
  const out: Record<string, State> = {};
  for (const [name, st] of Object.entries(asl.States)) {
    out[name] = st;
    const inner = (st.ItemProcessor ?? st.Iterator) as { States: Record<string, State> } | undefined;
    if (inner) Object.assign(out, allStates(inner));
  }
  return out;
}
const lambdaArn = (name: string, handler?: string) => `arn:aws:lambda:us-east-1:000000000000:function:${functionId(s, name, handler)}`;

describe('the review state machine', () => {
  const st = allStates(review);

  it('keeps the state names the local runtime binds to, in the documented order', () => {
    for (const name of Object.values(REVIEW_STATES)) expect(Object.keys(st)).toContain(name);
    expect(review.StartAt).toBe('Prepare');
    expect(st.Prepare?.Next).toBe('AnySourceDue');
    expect(st.ListMetricQueries?.Next).toBe('RunMetricQueries');
    expect(st.RunMetricQueries?.Next).toBe('Evaluate');
    expect(st.Evaluate?.Next).toBe('Package');
    expect(st.Package?.Next).toBe('QuarterlyRun');
    expect(st.ListRule606Queries?.Next).toBe('RunRule606Queries');
    expect(st.RunRule606Queries?.Next).toBe('Rule606');
    expect(st.Rule606?.Next).toBe('DryRun');
  });

  it('builds the Rule 606 report on quarterly runs only, from the sql/rule606 files on Athena', () => {
    expect(st.QuarterlyRun).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.cadence', StringEquals: 'quarterly', Next: 'ListRule606Queries' }],
      Default: 'DryRun',
    });
    expect(st.ListRule606Queries?.Result).toEqual(sqlFiles('rule606').map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql })));
    expect(st.RunRule606Queries).toMatchObject({ Type: 'Map', ItemsPath: '$.rule606Queries', ResultPath: '$.rule606Results' });
    expect(st.Rule606).toMatchObject({ Type: 'Task', ResultPath: '$.rule606' });
  });

  it('ends at once when no source is due, and notifies no one on a dry run', () => {
    expect(st.AnySourceDue).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.due', BooleanEquals: false, Next: 'NothingDue' }],
      Default: 'PlanEnrichment',
    });
    // the period's missing or stale dates are enriched, then the metric SQL only aggregates
    expect(st.PlanEnrichment).toMatchObject({ Type: 'Task', Next: 'EnrichDates' });
    expect(st.EnrichDates).toMatchObject({ Type: 'Map', ItemsPath: '$.enrichment.units', Next: 'ListMetricQueries' });
    expect(st.DryRun).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.dryRun', BooleanEquals: true, Next: 'DryRunComplete' }],
      Default: 'NotifyCompliance',
    });
    expect(st.DryRunComplete?.Type).toBe('Succeed');
  });

  it('embeds every metric SQL file and the review inputs (vendor_metrics), with path and hash', () => {
    expect(st.ListMetricQueries?.Result).toEqual(
      [...sqlFiles('metrics'), ...sqlFiles('review')].map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql })),
    );
    expect(sqlFiles('metrics').length).toBeGreaterThan(0);
  });

  it('runs each file on Athena in the workgroup and database, binding the prepared parameters', () => {
    expect(st.RunMetricQueries).toMatchObject({ Type: 'Map', ItemsPath: '$.queries', ResultPath: '$.metricResults', MaxConcurrency: 4 });
    expect(st.RunMetricQuery).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::athena:startQueryExecution.sync',
      Parameters: {
        'QueryString.$': '$.sql',
        'ExecutionParameters.$': '$.params',
        WorkGroup: 'Bestex-bestex',
        QueryExecutionContext: { Database: 'bestex', Catalog: 'AwsDataCatalog' },
      },
      ResultPath: '$.result',
    });
  });

  it('hands the query results to evaluate, the evaluation to package, and the notices to SNS', () => {
    expect(st.Prepare?.Resource).toBe(lambdaArn('prepare'));
    expect(st.Evaluate).toMatchObject({
      Resource: lambdaArn('evaluate'),
      ResultPath: '$.evaluation',
      Parameters: { 'metricResults.$': '$.metricResults' },
    });
    expect(st.Package).toMatchObject({
      Resource: lambdaArn('package'),
      ResultPath: '$.package',
      Parameters: { 'evaluation.$': '$.evaluation' },
    });
    expect(st.NotifyCompliance).toMatchObject({ Type: 'Map', ItemsPath: '$.evaluation.notices' });
    expect(st.PublishNotice).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:compliance', 'Subject.$': '$.subject', 'Message.$': '$.message' },
    });
  });
});

describe('the daily exceptions state machine', () => {
  const st = allStates(daily);

  it('is named <stack>-exceptions and keeps its state names', () => {
    expect(s.json.Resources[machineId('exceptions')]?.Properties?.StateMachineName).toBe('Bestex-exceptions');
    for (const name of Object.values(EXCEPTIONS_STATES)) expect(Object.keys(st)).toContain(name);
    expect(daily.StartAt).toBe('PrepareDay');
  });

  it('prepares the day with the exceptions module’s `prepare` export, then maps every sql/exceptions file on Athena', () => {
    expect(st.PrepareDay).toMatchObject({ Type: 'Task', Resource: lambdaArn('exceptions', 'prepare'), Next: 'PlanEnrichment' });
    expect(st.EnrichDates).toMatchObject({ Type: 'Map', ItemsPath: '$.enrichment.units', Next: 'ListExceptionQueries' });
    expect(st.ListExceptionQueries?.Result).toEqual(
      sqlFiles('exceptions').map(({ name, path, sha256, sql }) => ({ name, path, sha256, sql })),
    );
    expect(st.RunExceptionQueries).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.queries',
      ResultPath: '$.metricResults',
      Next: 'SummarizeDay',
    });
    expect(st.RunExceptionQueries?.ItemSelector).toMatchObject({ 'params.$': '$.params' });
    expect(st.RunExceptionQuery).toMatchObject({
      Resource: 'arn:aws:states:::athena:startQueryExecution.sync',
      Parameters: { 'QueryString.$': '$.sql', 'ExecutionParameters.$': '$.params', WorkGroup: 'Bestex-bestex' },
    });
  });

  it('summarises with the handler’s input shape, then publishes the notices unless a dry run or none', () => {
    expect(st.SummarizeDay).toMatchObject({
      Resource: lambdaArn('exceptions'),
      Parameters: { 'date.$': '$.date', 'dryRun.$': '$.dryRun', 'metricResults.$': '$.metricResults' },
      ResultPath: '$.summary',
      Next: 'DryRun',
    });
    expect(st.DryRun).toMatchObject({
      Choices: [{ Variable: '$.dryRun', BooleanEquals: true, Next: 'DryRunComplete' }],
      Default: 'AnyNotices',
    });
    expect(st.AnyNotices).toMatchObject({
      Choices: [{ Variable: '$.summary.notices[0]', IsPresent: true, Next: 'NotifyCompliance' }],
      Default: 'NothingToReport',
    });
    expect(st.NotifyCompliance).toMatchObject({ Type: 'Map', ItemsPath: '$.summary.notices' });
    expect(st.PublishNotice).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:compliance' },
    });
  });
});

describe('the contract with the local runtime', () => {
  it.each([
    ['review', review],
    ['exceptions', daily],
  ])('%s: JSONPath only, no Distributed Map, only Lambda / Athena / SNS tasks, Lambda tasks by function ARN', (_name, asl) => {
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, state] of Object.entries(allStates(asl))) {
      expect(state.QueryLanguage ?? 'JSONPath', name).toBe('JSONPath');
      if (state.Type === 'Map')
        expect((state.ItemProcessor as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode ?? 'INLINE', name).toBe('INLINE');
      if (state.Type === 'Task') {
        expect(state.Resource, name).toMatch(
          /^(arn:aws:lambda:us-east-1:000000000000:function:\w+|arn:aws:states:::athena:startQueryExecution\.sync|arn:aws:states:::sns:publish)$/,
        );
      }
    }
  });

  it('each definition stays under the Step Functions limit of 1 MiB', () => {
    for (const short of ['review', 'exceptions']) expect(Buffer.byteLength(JSON.stringify(definition(short)))).toBeLessThan(1024 * 1024);
  });

  it('the ASL the local runtime extracts is the synthesised definition, tokens resolved', () => {
    const extracted = stateMachines(s.json as never, { buckets: localBuckets() });
    expect(Object.keys(extracted).sort()).toEqual(['exceptions', 'review']);
    expect(extracted.review?.definition).toEqual(review);
    expect(extracted.exceptions?.definition).toEqual(daily);
    expect(extracted.review?.logicalId).toBe(machineId('review'));
  });

  it('every Task has a local stand-in, and every Lambda task names a handler export that exists', async () => {
    const ctx = {
      template: s.json as never,
      s3: {} as never,
      athenaBucket: localBuckets().athena,
      engine: () => Promise.reject(new Error('unused')),
    };
    for (const asl of [review, daily]) {
      const handlers = localHandlers(asl as never, ctx);
      expect(Object.keys(handlers).sort()).toEqual(
        taskStates(asl as never)
          .map((t) => t.name)
          .sort(),
      );
    }
    for (const id of idsOf(s, 'AWS::Lambda::Function', (p) => JSON.stringify(p.Environment ?? {}).includes('BESTEX_FUNCTION'))) {
      const vars = ((s.json.Resources[id]?.Properties?.Environment ?? {}) as { Variables: Record<string, string> }).Variables;
      const file = new URL(`../../lambdas/${vars.BESTEX_FUNCTION}/handler.ts`, import.meta.url).pathname;
      expect(existsSync(file), file).toBe(true);
      const mod = (await import(file)) as Record<string, unknown>;
      expect(typeof mod[vars.BESTEX_HANDLER ?? 'handler'], `${file} ${vars.BESTEX_HANDLER ?? 'handler'}`).toBe('function');
      expect(s.json.Resources[id]?.Properties?.Handler).toBe(`index.${vars.BESTEX_HANDLER ?? 'handler'}`);
    }
  });

  it('a definition references only buckets and topics by Ref (which the local runtime maps by tag)', () => {
    const raw = JSON.stringify(s.json.Resources[machineId('review')]?.Properties?.DefinitionString);
    const refs = [...raw.matchAll(/"Ref":"(\w+)"/g)].map((m) => m[1] as string);
    for (const r of refs) {
      if (r.startsWith('AWS::')) continue;
      expect(['AWS::S3::Bucket', 'AWS::SNS::Topic'], r).toContain(s.json.Resources[r]?.Type);
    }
  });
});
