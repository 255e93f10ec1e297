/**
 * The wiring between stages and the operational resources: topics and their key, S3 → SQS →
 * normalise with partial batch failures, the catalog and the Athena workgroup, the schedules and
 * their inputs, the alarms and where they go, logging, and the outputs the CLI reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUCKET_ROLES } from '../../lambdas/shared/layout';
import { DATASETS } from '../../lambdas/shared/schema';
import { BUCKET_OUTPUTS, MACHINE_OUTPUTS, STACK_OUTPUT_NAMES } from '../../lib/aws/outputs';
import { bucketId, configWith, functionId, idsOf, synth } from './synth';

const s = synth();
const topicId = (role: string) =>
  idsOf(s, 'AWS::SNS::Topic', (p) => JSON.stringify(p.Tags ?? []).includes(`"Value":"${role}"`))[0] as string;
const [keyId] = idsOf(s, 'AWS::KMS::Key');
const [queueId] = idsOf(s, 'AWS::SQS::Queue', (p) => p.RedrivePolicy !== undefined);
const machineId = (short: string) =>
  idsOf(s, 'AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === `Bestex-${short}`)[0] as string;
const bestexFunctions = () => idsOf(s, 'AWS::Lambda::Function', (p) => JSON.stringify(p.Environment ?? {}).includes('BESTEX_FUNCTION'));

describe('notifications', () => {
  it.each([
    ['compliance', 'compliance@example.com'],
    ['dataops', 'data-ops@example.com'],
  ])('%s: encrypted with the rotated customer key, TLS-only, with the configured email subscription', (role, email) => {
    s.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Tags: Match.arrayWith([{ Key: 'bestex:role', Value: role }]),
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId(role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: topicId(role) } });
  });

  it('the key rotates and lets CloudWatch alarms encrypt to the topics', () => {
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Effect: 'Allow',
          }),
        ]),
      },
    });
  });

  it('subscribes every configured address, and none when none is configured', () => {
    const c = synth(configWith({ complianceEmails: ['a@firm.example', 'b@firm.example'], dataOpsEmails: [] }));
    const subs = idsOf(c, 'AWS::SNS::Subscription').map((id) => c.json.Resources[id]?.Properties?.Endpoint);
    expect(subs.sort()).toEqual(['a@firm.example', 'b@firm.example']);
  });
});

describe('drop zone: S3 → SQS → normalise', () => {
  const normalise = functionId(s, 'normalise');

  it('the drop bucket sends every ObjectCreated event to the queue, and only S3 from that bucket may send', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucketId(s, 'drop') },
      NotificationConfiguration: {
        QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] } }],
      },
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        // arrayWith matches in order: the TLS-only deny comes first.
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId(s, 'drop'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('the queue is encrypted, outlives six function timeouts, and dead-letters after three receives', () => {
    const fnTimeout = s.json.Resources[normalise]?.Properties?.Timeout as number;
    const q = s.json.Resources[queueId as string]?.Properties as Record<string, unknown>;
    expect(q.SqsManagedSseEnabled).toBe(true);
    expect(q.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * fnTimeout);
    const dlq = (q.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] }; maxReceiveCount: number })
      .deadLetterTargetArn['Fn::GetAtt'][0];
    expect((q.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(3);
    s.template.hasResourceProperties(
      'AWS::SQS::Queue',
      Match.objectLike({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 }),
    );
    expect(s.json.Resources[dlq]?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  it('normalise consumes the queue one object at a time, reporting partial batch failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: normalise },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('every function reports the deployed code version (the evidence manifest records it)', () => {
    const versions = new Set(
      idsOf(s, 'AWS::Lambda::Function', (p) => JSON.stringify(p.Environment ?? {}).includes('BESTEX_FUNCTION')).map(
        (id) =>
          ((s.json.Resources[id]?.Properties?.Environment ?? {}) as { Variables: Record<string, string> }).Variables.BESTEX_CODE_VERSION,
      ),
    );
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/^([0-9a-f]{12}(-dirty)?|unknown)$/);
  });

  it('normalise knows its buckets and the data-operations topic by environment', () => {
    expect(
      ((s.json.Resources[normalise]?.Properties?.Environment ?? {}) as { Variables: Record<string, unknown> }).Variables,
    ).toMatchObject({
      BESTEX_FUNCTION: 'normalise',
      BUCKET_DROP: { Ref: bucketId(s, 'drop') },
      BUCKET_LAKE: { Ref: bucketId(s, 'lake') },
      BUCKET_QUARANTINE: { Ref: bucketId(s, 'quarantine') },
      TOPIC_DATAOPS: { Ref: topicId('dataops') },
    });
  });
});

describe('lake: catalog and Athena workgroup', () => {
  it('enforces its configuration: SSE-S3 results in the athena bucket, CloudWatch metrics, engine 3, the scan limit from config', () => {
    s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'Bestex-bestex',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: bucketId(s, 'athena') }, '/results/']] },
        },
      },
    });
    const c = synth(configWith({ athena: { bytesScannedCutoffGiB: 5, engine: 'v3' } }));
    c.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 5 * 1024 ** 3 }),
    });
  });

  // The Glue table over each dataset's files is `<table>_files` (queries name the view over committed
  // loads); lake_commits reads the load manifests, the commit records the canonical views trust;
  // review_metrics lives in the results bucket.
  it.each([
    ...DATASETS.map((d) => [`${d.table}_files`, 'lake', `/${d.table}/`]),
    ['lake_commits', 'lake', '/_manifests/'],
    ['review_metrics', 'results', '/review_metrics/'],
  ])('Glue table %s reads the %s bucket under %s', (name, bucket, prefix) => {
    s.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'bestex',
      TableInput: Match.objectLike({
        Name: name,
        StorageDescriptor: Match.objectLike({ Location: { 'Fn::Join': ['', ['s3://', { Ref: bucketId(s, bucket) }, prefix]] } }),
      }),
    });
  });
});

describe('schedules', () => {
  it.each([
    ['quarterly', 'cron(0 11 5 1,4,7,10 ? *)', 'review', { cadence: 'quarterly' }],
    ['monthly', 'cron(0 11 5 * ? *)', 'review', { cadence: 'monthly' }],
    ['daily', 'cron(0 11 ? * TUE-SAT *)', 'exceptions', {}],
  ])('%s: %s starts %s with %j, retried, dead-lettered', (_name, cron, machine, input) => {
    const [dlq] = idsOf(s, 'AWS::SQS::Queue').filter((id) => id.startsWith('Schedules'));
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: cron,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId(machine) },
          Input: JSON.stringify(input),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        }),
      ],
    });
  });

  it('take their expressions from the configuration', () => {
    const c = synth(
      configWith({
        schedules: { quarterly: 'cron(30 12 7 1,4,7,10 ? *)', monthly: 'cron(30 12 7 * ? *)', daily: 'cron(15 10 ? * MON-FRI *)' },
      }),
    );
    for (const expr of ['cron(30 12 7 1,4,7,10 ? *)', 'cron(30 12 7 * ? *)', 'cron(15 10 ? * MON-FRI *)']) {
      c.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expr });
    }
  });

  it('each rule’s role may start only its own state machine', () => {
    for (const machine of ['review', 'exceptions']) {
      s.template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId(machine) } }] },
      });
    }
  });
});

describe('monitoring: alarms notify data operations', () => {
  const alarm = (props: Record<string, unknown>) =>
    s.template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      Match.objectLike({ AlarmActions: [{ Ref: topicId('dataops') }], TreatMissingData: 'notBreaching', EvaluationPeriods: 1, ...props }),
    );

  it('for each function, on any error and any throttle', () => {
    const fns = bestexFunctions();
    expect(fns.length).toBe(9); // 7 + the enrichment plan and commit both workflows share
    for (const fn of fns) {
      for (const metric of ['Errors', 'Throttles']) {
        alarm({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    }
  });

  it('on the drop queue’s oldest message past the configured age, and on any dead letter', () => {
    alarm({ Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600, Statistic: 'Maximum' });
    const c = synth(configWith({ alarms: { queueAgeMinutes: 15 } }));
    c.template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      Match.objectLike({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 }),
    );
    const dlqs = idsOf(s, 'AWS::SQS::Queue', (p) => p.RedrivePolicy === undefined);
    expect(dlqs).toHaveLength(2);
    for (const q of dlqs) {
      alarm({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [q, 'QueueName'] } }],
        Threshold: 1,
      });
    }
  });

  it('on failed and timed-out runs of both state machines', () => {
    for (const m of ['review', 'exceptions']) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        alarm({
          Namespace: 'AWS/States',
          MetricName: metric,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId(m) } }],
          Threshold: 1,
        });
      }
    }
  });

  it('on failed Athena queries in the workgroup', () => {
    alarm({
      Namespace: 'AWS/Athena',
      MetricName: 'TotalExecutionTime',
      Statistic: 'SampleCount',
      Dimensions: Match.arrayWith([
        { Name: 'QueryState', Value: 'FAILED' },
        { Name: 'WorkGroup', Value: 'Bestex-bestex' },
      ]),
    });
  });

  it('every alarm points at the runbook', () => {
    for (const id of idsOf(s, 'AWS::CloudWatch::Alarm')) {
      expect(s.json.Resources[id]?.Properties?.AlarmDescription, id).toMatch(/docs\/operations\.md/);
    }
  });
});

describe('logging', () => {
  it('every function writes JSON logs to its own group, kept for the configured days (45 rounds up to CloudWatch’s 60)', () => {
    for (const fn of bestexFunctions()) {
      const cfg = s.json.Resources[fn]?.Properties?.LoggingConfig as {
        LogFormat: string;
        LogGroup: { Ref: string };
        ApplicationLogLevel: string;
      };
      expect(cfg).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' });
      expect(s.json.Resources[cfg.LogGroup.Ref]?.Properties?.RetentionInDays, fn).toBe(400);
    }
    const c = synth(
      configWith({
        retention: { evidenceYears: 6, quarantineDays: 400, logDays: 45, accessLogDays: 400, athenaResultsDays: 30, noncurrentDays: 90 },
      }),
    );
    for (const g of idsOf(c, 'AWS::Logs::LogGroup')) expect(c.json.Resources[g]?.Properties?.RetentionInDays).toBe(60);
  });

  it('state machines log every transition to their own group, without execution data, and trace with X-Ray', () => {
    for (const m of ['review', 'exceptions']) {
      const p = s.json.Resources[machineId(m)]?.Properties as Record<string, unknown>;
      expect(p.TracingConfiguration).toEqual({ Enabled: true });
      const logging = p.LoggingConfiguration as {
        Level: string;
        IncludeExecutionData: boolean;
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
      };
      expect(logging.Level).toBe('ALL');
      expect(logging.IncludeExecutionData).toBe(false);
      const group = ((logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn ?? {}) as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      expect(s.json.Resources[group]?.Properties?.RetentionInDays).toBe(400);
    }
  });

  it('handlers log through the logger with named fields, never whole events, records or rows (static guard over lambdas/)', () => {
    const root = new URL('../../lambdas/', import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    // A whole event, record, message body, input or row set passed as a value: `(event)`, `{ rows }`, `data: record`.
    const wholeValue =
      /(?:[(,{]\s*|:\s*)(event|records?|rows|body|input|payload)\s*[,)}]|JSON\.stringify\(\s*(event|records?|rows|body|input)\b/;
    const offences: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/\bconsole\.(log|info|warn|error|debug)\(/g)) offences.push(`${f}: console.${m[1]} (use the logger)`);
      for (const m of text.matchAll(/\blogger\.(info|warn|error|debug)\(/g)) {
        // The call's text up to its closing parenthesis.
        let depth = 0;
        let end = (m.index ?? 0) + m[0].length - 1;
        for (; end < text.length; end++) {
          if (text[end] === '(') depth++;
          else if (text[end] === ')' && --depth === 0) break;
        }
        const call = text.slice(m.index, end + 1);
        if (wholeValue.test(call)) offences.push(`${f}: ${call.replace(/\s+/g, ' ').slice(0, 120)}`);
      }
    }
    expect(offences).toEqual([]);
    expect(wholeValue.test("logger.info('x', { event })")).toBe(true);
    expect(wholeValue.test("logger.info('x', { key: m.drop_key, rows_read: m.rows_read })")).toBe(false);
  });

  it('every function traces with X-Ray', () => {
    for (const fn of bestexFunctions()) expect(s.json.Resources[fn]?.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
  });
});

describe('outputs the CLI reads (lib/aws/outputs.ts)', () => {
  it('exist under their exact names and point at the right resources', () => {
    const outputs = s.json.Outputs as Record<string, { Value: unknown }>;
    for (const name of STACK_OUTPUT_NAMES) expect(Object.keys(outputs)).toContain(name);
    for (const role of BUCKET_ROLES) expect(outputs[BUCKET_OUTPUTS[role]]?.Value).toEqual({ Ref: bucketId(s, role) });
    expect(outputs[MACHINE_OUTPUTS.review]?.Value).toEqual({ Ref: machineId('review') });
    expect(outputs[MACHINE_OUTPUTS.exceptions]?.Value).toEqual({ Ref: machineId('exceptions') });
    expect(outputs.AthenaWorkGroupName?.Value).toBe('Bestex-bestex');
    expect(outputs.GlueDatabaseName?.Value).toBe('bestex');
  });
});
