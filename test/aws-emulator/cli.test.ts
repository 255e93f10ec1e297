/**
 * The real `bestex --target aws` binary against moto_server on loopback (AWS_ENDPOINT_URL, dummy
 * credentials), resources created with the SDK (./stack.ts), the state machines as CDK
 * synthesises them. What moto cannot be — Lambda running code, Athena running SQL — is a queued
 * result (./canned.ts); what this proves and does not prove is in docs/deploy.md.
 *
 * `drop` runs end to end: the CLI's multipart upload (SDK default CRC32 checksums) lands in
 * moto's S3, moto delivers the ObjectCreated notification to SQS, and this test acts as the
 * event-source mapping: it receives the messages and hands them to the real normalise handler
 * (DuckDB, writing to moto's S3), whose load manifest the CLI is following.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { athenaSync, breachNotice, evaluation, freshPlan, packaged, prepared, rule606 } from './canned';
import { useEmulatorSession } from './session';
import { BUCKETS } from './stack';

const emu = useEmulatorSession('bestex-moto-cli-');
const { bestex, fresh } = emu;

/** The real CLI against moto (moto.ts runCli). */

/** A clean moto with the stack's resources: moto 5.2.1 runs one execution per server life (issue 10077). */

interface Received {
  subject: string;
  message: string;
  attributes: Record<string, string>;
  topic: string;
}

/** Notices that reached the SQS subscriber of the SNS topics. */
async function receivedNotices(): Promise<Received[]> {
  const out: Received[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await emu.c.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emu.p.noticeQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const m of r.Messages ?? []) {
      const env = JSON.parse(m.Body ?? '{}') as {
        Subject?: string;
        Message?: string;
        TopicArn?: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      out.push({
        subject: env.Subject ?? '',
        message: env.Message ?? '',
        topic: env.TopicArn ?? '',
        attributes: Object.fromEntries(Object.entries(env.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
      });
      await emu.c.sqs.send(new DeleteMessageCommand({ QueueUrl: emu.p.noticeQueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    if (!r.Messages?.length) break;
  }
  return out;
}

/** Lambda results for one review execution, in the order the synthesised definition invokes them. */
function reviewQueue(input: { period: string; dryRun?: boolean }, notices = [breachNotice('acme-sor', input.period)]): unknown[] {
  const review = emu.machines.review?.definition as { States: Record<string, { Result?: unknown[] }> };
  const metricQueries = review.States.ListMetricQueries?.Result?.length ?? 0;
  const rule606Queries = review.States.ListRule606Queries?.Result?.length ?? 0;
  const r = prepared(input);
  expect(metricQueries).toBeGreaterThan(0);
  return [
    r,
    freshPlan(),
    ...Array.from({ length: metricQueries }, (_, i) => athenaSync(`metric-${i}`)),
    evaluation(r, notices),
    packaged(r),
    ...(r.cadence === 'quarterly' ? [...Array.from({ length: rule606Queries }, (_, i) => athenaSync(`rule606-${i}`)), rule606(r)] : []),
  ];
}

describe('bestex --target aws against moto', () => {
  it('drop: multipart upload with checksums, S3 → SQS notification, the real normalise handler, manifests followed', async () => {
    await fresh();
    // The handler reads its buckets and endpoint from the environment, as on Lambda.
    Object.assign(process.env, emu.moto.env, {
      BUCKET_LAKE: BUCKETS.lake,
      BUCKET_QUARANTINE: BUCKETS.quarantine,
      TOPIC_DATAOPS: 'arn:aws:sns:us-east-1:123456789012:dataops',
    });
    const { handler } = await import('../../lambdas/normalise/handler');
    const drop = join(emu.dir, 'drop');
    const header = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';
    // Above the 5 MiB part size: the CLI uploads it in parts.
    const lines = [header];
    for (let i = 0, size = header.length; size < 6 * 1024 * 1024; i++) {
      const line = `E${i},A${i},,XNAS,2026-07-01T14:00:${String(i % 60).padStart(2, '0')}.100000Z,200.01,100,R,0.30`;
      lines.push(line);
      size += line.length + 1;
    }
    mkdirSync(join(drop, 'acme-sor', 'executions'), { recursive: true });
    writeFileSync(join(drop, 'acme-sor', 'executions', '2026-07-01.csv'), `${lines.join('\n')}\n`);
    mkdirSync(join(drop, 'bolt-sor', 'orders'), { recursive: true });
    writeFileSync(
      join(drop, 'bolt-sor', 'orders', 'bad.csv'),
      'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed\nB1,aapl!,X,MKT,,DAY,-5,yesterday,N\n',
    );

    // The event-source mapping: receive, run the handler, delete what it did not report as failed.
    let stop = false;
    let handled = 0;
    const consumer = (async () => {
      while (!stop) {
        const r = await emu.c.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: emu.p.dropQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const msgs = r.Messages ?? [];
        if (!msgs.length) continue;
        const event: SQSEvent = {
          Records: msgs.map((m) => ({
            messageId: m.MessageId ?? '',
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            // As the event source mapping delivers them (the handler parses the event with Powertools' SqsSchema).
            attributes: m.Attributes as SQSEvent['Records'][number]['attributes'],
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bestex-drop-events',
            awsRegion: 'us-east-1',
          })),
        };
        const context = { getRemainingTimeInMillis: () => 600_000, functionName: 'normalise', awsRequestId: 'req' } as unknown as Context;
        const out = await handler(event, context);
        const failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        for (const m of msgs) {
          if (failed.has(m.MessageId ?? '')) continue;
          handled++;
          await emu.c.sqs.send(new DeleteMessageCommand({ QueueUrl: emu.p.dropQueueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
    })();
    const r = await bestex(['--json', 'drop', drop, '--timeout', '180']).finally(() => {
      stop = true;
    });
    await consumer;
    expect(r.stderr).toContain('Uploading 2 files');
    // Exit 2: a file was quarantined (lib/cli/commands/drop.ts), which is what bad.csv is for.
    expect(r.code, r.stderr).toBe(2);
    const rows = JSON.parse(r.stdout) as { key: string; status: string; rows_read: number; rows_written: number; rows_rejected: number }[];
    const byKey = Object.fromEntries(rows.map((x) => [x.key, x]));
    const good = byKey['acme-sor/executions/2026-07-01.csv'];
    expect(good?.status).toBe('loaded');
    expect(good?.rows_read).toBe(lines.length - 1);
    expect(good?.rows_written).toBe(lines.length - 1);
    expect(byKey['bolt-sor/orders/bad.csv']?.status).toBe('rejected');
    // Two objects, two notifications (plus moto's s3:TestEvent on configuration).
    expect(handled).toBeGreaterThanOrEqual(2);
    // The quarantined file's data-operations notice went out through SNS to the subscriber.
    const ops = await receivedNotices();
    expect(ops.map((n) => n.topic)).toContain('arn:aws:sns:us-east-1:123456789012:dataops');
    expect(ops.map((n) => n.subject).join('\n')).toContain('bolt-sor');

    // The upload was multipart with a composite CRC32 checksum (`<base64>-<parts>`), and versioned.
    const head = await emu.c.s3.send(
      new HeadObjectCommand({ Bucket: BUCKETS.drop, Key: 'acme-sor/executions/2026-07-01.csv', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ETag).toMatch(/-2"$/);
    expect(head.ChecksumCRC32 ?? head.ChecksumCRC64NVME).toBeTruthy();
    const versions = await emu.c.s3.send(new ListObjectVersionsCommand({ Bucket: BUCKETS.drop, Prefix: 'acme-sor/' }));
    expect(versions.Versions?.[0]?.VersionId).not.toBe('null');
  });

  it('status: the quarantined file from the drop bucket listing, monitoring state from the results bucket', async () => {
    // Continues from the drop above (no reset): bad.csv is in quarantine.
    await emu.c.s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.results,
        Key: 'monitoring/state.json',
        Body: JSON.stringify({
          'acme-sor': {
            status: 'heightened',
            since: '2026Q3',
            consecutive_clean: 0,
            history: [{ period: '2026Q3', run_id: 'r1', breaches: 2, decision: null, at: '2026-10-05T12:00:00Z' }],
          },
        }),
      }),
    );
    const r = await bestex(['--json', 'status']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      sources: { source: string; monitoring: string }[];
      quarantined: { drop_key: string; kind: string }[];
    };
    expect(s.sources).toEqual([expect.objectContaining({ source: 'acme-sor', monitoring: 'heightened' })]);
    expect(s.quarantined.map((q) => q.drop_key)).toContain('bolt-sor/orders/bad.csv');
  });

  it('query: Athena start, polling through QUEUED and RUNNING, typed rows from GetQueryResults', async () => {
    await fresh();
    // Two polls in each state before it moves on: the CLI must keep polling, not read early.
    await emu.moto.api('/moto-api/state-manager/set-transition', {
      model_name: 'athena::execution',
      transition: { progression: 'manual', times: 2 },
    });
    await emu.moto.queueAthena(
      [
        ['acme-sor', '-0.0125', '1200'],
        ['bolt-sor', '0.0031', null],
      ],
      [
        { name: 'source', type: 'varchar' },
        { name: 'value', type: 'double' },
        { name: 'n_orders', type: 'bigint' },
      ],
    );
    try {
      const r = await bestex(['--json', 'query', 'SELECT source, value, n_orders FROM review_metrics']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([
        { source: 'acme-sor', value: -0.0125, n_orders: 1200 },
        { source: 'bolt-sor', value: 0.0031, n_orders: null },
      ]);
      expect(r.stderr).toMatch(/Athena queued/);
      expect(r.stderr).toMatch(/Athena running/);
    } finally {
      await emu.moto.api('/moto-api/state-manager/unset-transition', { model_name: 'athena::execution' });
    }
  });

  it('query: an Athena error is one line naming the call, without a stack trace', async () => {
    await fresh();
    const bad = JSON.parse(readFileSync(emu.p.outputsFile, 'utf8')) as Record<string, Record<string, string>>;
    const stack = Object.keys(bad)[0] as string;
    (bad[stack] as Record<string, string>).AthenaWorkGroupName = 'no-such-workgroup';
    writeFileSync(emu.p.outputsFile, JSON.stringify(bad));
    const r = await bestex(['query', 'SELECT 1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Athena StartQueryExecution \(workgroup no-such-workgroup\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('review: the synthesised review machine runs in emu.moto; the CLI follows it; notices reach the SNS → SQS subscriber', async () => {
    await fresh();
    await emu.moto.queueLambda(reviewQueue({ period: '2026Q3' }));
    await emu.c.s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.results,
        Key: `reviews/2026Q3/${prepared({ period: '2026Q3' }).runId}/breaches.json`,
        Body: JSON.stringify([{ source: 'acme-sor', metric: 'price_improvement_per_share', severity: 'high', p_value: 0.001 }]),
      }),
    );
    const r = await bestex(['--json', 'review', '--period', '2026Q3', '--timeout', '120']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { executionArn: string; breachCount: number; breaches: unknown[]; notices: string[] };
    expect(s.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:Bestex-review:review-2026Q3-/);
    expect(s.breachCount).toBe(1);
    expect(s.breaches).toHaveLength(1);
    // The states the CLI reported as it followed the history, in order.
    const entered = [...r.stderr.matchAll(/▸ (\w+)/g)].map((m) => m[1]);
    expect(entered).toEqual(
      expect.arrayContaining(['Prepare', 'RunMetricQueries', 'Evaluate', 'Package', 'RunRule606Queries', 'Rule606', 'NotifyCompliance']),
    );
    expect(entered.indexOf('Evaluate')).toBeLessThan(entered.indexOf('Rule606'));
    const notices = await receivedNotices();
    expect(notices).toEqual([
      {
        subject: breachNotice('acme-sor', '2026Q3').subject,
        message: breachNotice('acme-sor', '2026Q3').message,
        topic: 'arn:aws:sns:us-east-1:123456789012:compliance',
        attributes: { severity: 'high', source: 'acme-sor', period: '2026Q3', kind: 'breach' },
      },
    ]);
  });

  it('review --dry-run: takes the dry-run branch and notifies no one', async () => {
    await fresh();
    await emu.moto.queueLambda(reviewQueue({ period: '2026-08', dryRun: true }));
    const r = await bestex(['--json', 'review', '--period', '2026-08', '--dry-run', '--timeout', '120']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('▸ DryRunComplete');
    expect(r.stderr).not.toContain('▸ NotifyCompliance');
    expect(r.stderr).not.toContain('▸ Rule606');
    expect(await receivedNotices()).toEqual([]);
  });

  it('review: a failing state is named with its readable cause, from the execution history', async () => {
    await fresh();
    const q = reviewQueue({ period: '2026Q3' });
    // An Athena result without its output location: the ResultSelector of RunMetricQuery fails.
    const broken = { QueryExecution: { QueryExecutionId: 'q-broken', Status: { State: 'SUCCEEDED' } } };
    // Every iteration of the metric-query Map gets the broken result: the iterations run
    // concurrently, so with fewer queued than iterations one of them would take an echo instead
    // and fail with another message first (the flake this replaces).
    const review = emu.machines.review?.definition as { States: Record<string, { Result?: unknown[] }> };
    const metricQueries = review.States.ListMetricQueries?.Result?.length ?? 0;
    expect(metricQueries).toBeGreaterThan(0);
    await emu.moto.queueLambda([q[0], q[1], ...Array.from({ length: metricQueries }, () => broken)]);
    const r = await bestex(['review', '--period', '2026Q3', '--timeout', '120']);
    expect(r.code).not.toBe(0);
    // AWS names the error States.Runtime; emu.moto 5.2.1 says "Exception" (docs/deploy.md): the state and the cause are what the CLI must carry.
    expect(r.stderr).toMatch(
      /review execution FAILED in state RunMetricQuery: (States\.Runtime|Exception): .*\$\.QueryExecution\.ResultConfiguration\.OutputLocation/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exceptions: the synthesised daily machine runs; counts printed; notices published', async () => {
    await fresh();
    const ex = emu.machines.exceptions?.definition as { States: Record<string, { Result?: unknown[] }> };
    const n = ex.States.ListExceptionQueries?.Result?.length ?? 0;
    expect(n).toBeGreaterThan(0);
    const notice = {
      subject: '[bestex] 2026-07-15: 3 exceptions (acme-sor)',
      message: 'acme-sor: 3 slow_fill',
      attributes: { severity: 'medium', source: 'acme-sor', period: '2026-07-15', kind: 'exceptions' },
    };
    await emu.moto.queueLambda([
      { date: '2026-07-15', dryRun: false, params: ["'2026-07-15'"] },
      freshPlan(),
      ...Array.from({ length: n }, (_, i) => athenaSync(`exc-${i}`)),
      {
        date: '2026-07-15',
        counts: [{ kind: 'slow_fill', source: 'acme-sor', n: 3 }],
        notices: [notice],
        outputs: { csv: `s3://${BUCKETS.results}/exceptions/2026-07-15/exceptions.csv`, html: 'x' },
      },
    ]);
    const r = await bestex(['--json', 'exceptions', '--date', '2026-07-15', '--timeout', '120']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('slow_fill');
    expect(r.stderr).toContain('▸ NotifyCompliance');
    const got = await receivedNotices();
    expect(got.map((x) => [x.subject, x.attributes.kind])).toEqual([[notice.subject, 'exceptions']]);
  });

  it('fetch: copies a review package from the results bucket', async () => {
    await fresh();
    for (const [key, body] of [
      ['packages/2026Q3/acme-sor/evidence.json', '{"files":[]}'],
      ['packages/2026Q3/acme-sor/review_metrics.csv', 'metric,value\norders,12\n'],
    ] as const) {
      await emu.c.s3.send(new PutObjectCommand({ Bucket: BUCKETS.results, Key: key, Body: body }));
    }
    const out = join(emu.dir, 'fetched');
    const r = await bestex(['fetch', 'package', '--period', '2026Q3', '--source', 'acme-sor', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'review_metrics.csv'), 'utf8')).toBe('metric,value\norders,12\n');
    expect(readFileSync(join(out, 'evidence.json'), 'utf8')).toBe('{"files":[]}');
  });
});
