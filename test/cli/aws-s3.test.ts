/**
 * The AWS target's S3 paths against a real S3 protocol endpoint: s3rver on 127.0.0.1 stands in
 * for the deployed buckets (named as CloudFormation names them, found through an outputs file).
 * The normalise function is stood in for by a listener that writes each object's load manifest,
 * at the key computed here independently of lambdas/shared/layout.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client } from '../../lambdas/adapters/aws';
import { loadConfig } from '../../lambdas/shared/config';
import { AwsTarget } from '../../lib/aws/aws-target';
import { listDropFiles, type UploadProgress, uploadFiles, waitForManifests } from '../../lib/aws/drop';
import { CliError } from '../../lib/aws/errors';
import { fetchPrefix } from '../../lib/aws/target';
import { collectStatus } from '../../lib/cli/commands/status';
import { recordEvent } from '../../lib/cli/support/case-log';
import { type FakeStack, startFakeStack } from './s3';

let stack: FakeStack;
let work: string;
const logs: string[] = [];
const config = loadConfig();

/** `_manifests/<first 16 hex of sha256(drop key)>.json`, as docs/architecture.md specifies. */
const manifestKey = (dropKey: string) => `_manifests/${createHash('sha256').update(dropKey).digest('hex').slice(0, 16)}.json`;

function manifest(dropKey: string, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    drop_key: dropKey,
    status: 'loaded',
    version_id: null,
    rows_read: 3,
    rows_written: 3,
    rows_rejected: 0,
    rows_duplicate: 0,
    started_at: new Date().toISOString(),
    ...over,
  });
}

function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  return root;
}

async function target(opts: Partial<Parameters<typeof AwsTarget.open>[0]> = {}): Promise<AwsTarget> {
  return AwsTarget.open({
    config,
    region: 'us-east-1',
    stackName: 'Bestex',
    outputsFile: stack.outputsFile,
    ui: { log: (l) => logs.push(l) },
    clients: { s3: stack.s3 },
    poll: { manifest: 20 },
    ...opts,
  });
}

beforeAll(async () => {
  stack = await startFakeStack();
  // Inside the stack's temporary folder, which stop() removes.
  work = mkdtempSync(join(stack.dir, 'work-'));
});
afterAll(() => stack?.stop());

describe('upload to the drop bucket', () => {
  it('sends a file above the part size as a multipart upload, byte for byte, with monotonic progress', async () => {
    const body = randomBytes(11 * 1024 * 1024);
    const dir = writeTree(join(work, 'big'), { 'acme-sor/orders/big.csv': body });
    const events: UploadProgress[] = [];
    // A client of its own that records each command it sends (s3rver's ETags do not show parts).
    const client = makeS3Client(stack.endpoint);
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const uploaded = await uploadFiles(client, { drop: stack.buckets.drop, lake: stack.buckets.lake }, listDropFiles(dir), {
      partSize: 5 * 1024 * 1024,
      onProgress: (p) => events.push(p),
    });
    expect(uploaded).toEqual([{ key: 'acme-sor/orders/big.csv', size: body.length, manifestEtagBefore: null }]);
    const stored = await stack.get('drop', 'acme-sor/orders/big.csv');
    expect(
      createHash('sha256')
        .update(stored ?? '')
        .digest('hex'),
    ).toBe(createHash('sha256').update(body).digest('hex'));
    // 11 MiB in 5 MiB parts is 3 parts, after a look for an earlier manifest.
    expect(sent).toEqual([
      'HeadObjectCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const bytes = events.map((e) => e.bytes);
    expect(bytes[0]).toBe(0);
    expect(bytes[bytes.length - 1]).toBe(body.length);
    for (let i = 1; i < bytes.length; i++) expect(bytes[i] as number).toBeGreaterThanOrEqual(bytes[i - 1] as number);
  });
});

describe('following the load manifests', () => {
  it('drops a folder and reports each file as the stand-in normalise function loads or rejects it', async () => {
    const dir = writeTree(join(work, 'drop1'), {
      'acme-sor/orders/2026-07-01.csv': 'order_id\nA1\n',
      'acme-sor/executions/2026-07-01.csv': 'exec_id\nE1\n',
      'bolt-sor/orders/bad.csv': 'junk\n',
    });
    // Stand-in for S3 notification → normalise: each new drop object gets its manifest ~50 ms later.
    const onEvent = (ev: { Records?: { s3: { bucket: { name: string }; object: { key: string } } }[] }) => {
      for (const r of ev.Records ?? []) {
        if (r.s3.bucket.name !== stack.buckets.drop) continue;
        const key = decodeURIComponent(r.s3.object.key);
        const body = key.includes('bad')
          ? manifest(key, { status: 'rejected', rows_read: 1, rows_written: 0, rows_rejected: 1, reason: 'header has no order_id column' })
          : manifest(key, { rows_read: 1, rows_written: 1 });
        setTimeout(() => void stack.put('lake', manifestKey(key), body), 50);
      }
    };
    const emitter = stack.server as unknown as NodeJS.EventEmitter;
    emitter.on('event', onEvent);
    try {
      const t = await target();
      const rows = await t.drop(dir, { timeoutMs: 20_000 });
      expect(rows.map((r) => [r.key, r.status, r.rows_read, r.rows_written, r.rows_rejected])).toEqual([
        ['acme-sor/executions/2026-07-01.csv', 'loaded', 1, 1, 0],
        ['acme-sor/orders/2026-07-01.csv', 'loaded', 1, 1, 0],
        ['bolt-sor/orders/bad.csv', 'rejected', 1, 0, 1],
      ]);
      expect(rows[2]?.reason).toBe('header has no order_id column');
    } finally {
      emitter.off('event', onEvent);
    }
  });

  it('waits past the manifest of an earlier drop of the same key for the new one', async () => {
    const key = 'acme-sor/orders/redrop.csv';
    await stack.put('lake', manifestKey(key), manifest(key, { rows_read: 1, rows_written: 1, started_at: '2026-01-01T00:00:00Z' }));
    const dir = writeTree(join(work, 'redrop'), { [key]: 'order_id\nA1\nA2\n' });
    const uploads = await uploadFiles(stack.s3, { drop: stack.buckets.drop, lake: stack.buckets.lake }, listDropFiles(dir));
    expect(uploads[0]?.manifestEtagBefore).toBeTruthy();
    let polls = 0;
    const seen: number[] = [];
    const r = await waitForManifests(stack.s3, stack.buckets.lake, uploads, {
      timeoutMs: 60_000,
      sleep: async () => {
        polls++;
        // The new manifest lands only after two polls have seen the old one.
        if (polls === 2) await stack.put('lake', manifestKey(key), manifest(key, { rows_read: 2, rows_written: 2 }));
      },
      onProgress: (c) => seen.push(c.pending),
    });
    expect(seen.slice(0, 2)).toEqual([1, 1]);
    expect(r[0]?.state).toBe('loaded');
    expect(r[0]?.manifest?.rows_read).toBe(2);
  });

  it('requires the uploaded version when the drop bucket is versioned', async () => {
    const key = 'acme-sor/orders/versioned.csv';
    await stack.put('lake', manifestKey(key), manifest(key, { version_id: 'v1' }));
    let polls = 0;
    const r = await waitForManifests(stack.s3, stack.buckets.lake, [{ key, size: 1, versionId: 'v2', manifestEtagBefore: null }], {
      timeoutMs: 60_000,
      sleep: async () => {
        polls++;
        if (polls === 1) await stack.put('lake', manifestKey(key), manifest(key, { version_id: 'v2', rows_read: 7 }));
      },
    });
    expect(polls).toBe(1);
    expect(r[0]?.manifest?.rows_read).toBe(7);
    // And without the right version it stays pending, saying which version it saw.
    const stale = await waitForManifests(stack.s3, stack.buckets.lake, [{ key, size: 1, versionId: 'v3', manifestEtagBefore: null }], {
      timeoutMs: 0,
    });
    expect(stale[0]?.state).toBe('pending');
    expect(stale[0]?.detail).toContain('version v2, not the uploaded v3');
  });

  it('gives up after the timeout with the object pending and what to check', async () => {
    let clock = 0;
    const t = await target({
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      poll: { manifest: 2000 },
    });
    const dir = writeTree(join(work, 'never'), { 'acme-sor/orders/never.csv': 'order_id\nA1\n' });
    const rows = await t.drop(dir, { timeoutMs: 10_000 });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('pending');
    expect(rows[0]?.reason).toContain('no load manifest yet after 10 s');
    expect(rows[0]?.reason).toContain("normalise function's logs");
    // Polled at 0, 2, 4, 6, 8, 10 s: the clock reached the timeout exactly.
    expect(clock).toBe(10_000);
  });
});

describe('status, cases and fetching on the AWS target', () => {
  it('stages a thresholds file to try under dry-run/inputs/, content-addressed', async () => {
    const t = await target();
    const file = join(work, 'thresholds-try.json');
    writeFileSync(file, '{"version":"try-1"}');
    const uri = await t.stageInput(file, 'thresholds', true);
    const sha = createHash('sha256').update('{"version":"try-1"}').digest('hex').slice(0, 16);
    expect(uri).toBe(`s3://${stack.buckets.results}/dry-run/inputs/thresholds-${sha}-thresholds-try.json`);
    expect((await stack.get('results', `dry-run/inputs/thresholds-${sha}-thresholds-try.json`))?.toString()).toBe('{"version":"try-1"}');
  });

  it('records case events append-only, refusing an invalid one with the reason', async () => {
    const t = await target();
    const opened = await recordEvent(t, 'opened', undefined, {
      text: 'Price improvement shortfall on market orders',
      who: 'jdoe',
      source: 'acme-sor',
      period: '2026Q3',
      rule: 'pi-market',
      at: '2026-10-06T09:00:00.000Z',
    });
    expect(opened.event.case_id).toBe('2026Q3-acme-sor-pi-market');
    expect(opened.key).toBe('cases/events/2026/2026Q3-acme-sor-pi-market-0001.json');
    const note = await recordEvent(t, 'investigation_note', '2026Q3-acme-sor-pi-market', {
      text: 'Vendor confirms a stale NBBO feed',
      who: 'jdoe',
      at: '2026-10-07T09:00:00.000Z',
    });
    expect(note.event).toMatchObject({ seq: 2, source: 'acme-sor', period: '2026Q3', rule_id: 'pi-market' });
    await expect(recordEvent(t, 'closed', '2026Q3-acme-sor-pi-market', { text: 'done', who: 'jdoe' })).rejects.toThrow(/--closure/);
    await expect(
      recordEvent(t, 'closed', '2026Q3-acme-sor-pi-market', {
        text: 'acceptable',
        who: 'jdoe',
        closure: 'justified',
        at: '2026-10-08T09:00:00.000Z',
      }),
    ).rejects.toThrow(/justification/);
    await expect(recordEvent(t, 'notified', 'no-such-case', { text: 'x', who: 'jdoe' })).rejects.toBeInstanceOf(CliError);
    const stored = JSON.parse((await stack.get('results', opened.key))?.toString() ?? '{}') as Record<string, unknown>;
    expect(stored).toMatchObject({ event: 'opened', who: 'jdoe', at: '2026-10-06T09:00:00.000Z', seq: 1 });
  });

  it('reports the last review per source, heightened monitoring, open cases and recent quarantine', async () => {
    const t = await target();
    const state = {
      'acme-sor': {
        status: 'heightened',
        since: '2026Q3',
        consecutive_clean: 0,
        history: [
          { period: '2026Q2', run_id: 'r2', breaches: 0, conclusive: true, decision: 'remain_normal', consecutive_clean: 1 },
          { period: '2026Q3', run_id: 'r3', breaches: 2, conclusive: true, decision: 'enter_heightened', consecutive_clean: 0 },
        ],
      },
      'bolt-sor': {
        status: 'normal',
        since: null,
        consecutive_clean: 1,
        history: [{ period: '2026Q3', run_id: 'r3', breaches: 0, conclusive: true, decision: 'remain_normal', consecutive_clean: 1 }],
      },
    };
    await stack.put('results', 'monitoring/state.json', JSON.stringify(state));
    await stack.put('quarantine', 'files/bolt-sor/orders/bad.csv', 'junk');
    await stack.put(
      'quarantine',
      'files/bolt-sor/orders/bad.csv.reason.json',
      JSON.stringify({ drop_key: 'bolt-sor/orders/bad.csv', reason: 'header has no order_id column', at: '2026-10-01T08:00:00.000Z' }),
    );
    await stack.put('quarantine', 'rows/acme-sor/executions/x.csv.rejected.csv', 'line,column,reason\n3,price,not a number\n');
    const s = await collectStatus(t, 7);
    expect(s.sources.map((x) => [x.source, x.monitoring, x.last_period, x.last_breaches, x.last_decision, x.reviews])).toEqual([
      ['acme-sor', 'heightened', '2026Q3', 2, 'enter_heightened', 2],
      ['bolt-sor', 'normal', '2026Q3', 0, 'remain_normal', 1],
    ]);
    expect(s.openCases.map((c) => c.case_id)).toEqual(['2026Q3-acme-sor-pi-market']);
    expect(s.quarantined.map((q) => [q.drop_key, q.kind])).toEqual(
      expect.arrayContaining([
        ['bolt-sor/orders/bad.csv', 'file'],
        ['acme-sor/executions/x.csv', 'rows'],
      ]),
    );
    expect(s.quarantined.find((q) => q.kind === 'file')?.reason).toBe('header has no order_id column');
    // Seen from ten days later, nothing was quarantined in the last seven.
    const later = await collectStatus(t, 7, new Date(Date.now() + 10 * 86_400_000));
    expect(later.quarantined).toEqual([]);
  });

  it('fetches a prefix to a folder and refuses keys that would escape it', async () => {
    await stack.put('results', 'packages/2026Q3/acme-sor/report.html', '<html>acme</html>');
    await stack.put('results', 'packages/2026Q3/acme-sor/evidence.json', '{}');
    const out = join(work, 'fetched');
    const files = await fetchPrefix(stack.s3, stack.buckets.results, 'packages/2026Q3/', out);
    expect(files.sort()).toEqual([join(out, 'acme-sor/evidence.json'), join(out, 'acme-sor/report.html')]);
    expect(readFileSync(join(out, 'acme-sor/report.html'), 'utf8')).toBe('<html>acme</html>');
    // S3 keys may contain "..": a listing (stubbed: s3rver normalises such paths) must not write outside.
    const listing = {
      send: async () => ({ Contents: [{ Key: 'evil/../../escape.txt', Size: 1 }], IsTruncated: false }),
    } as unknown as S3Client;
    await expect(fetchPrefix(listing, 'b', 'evil/', join(work, 'evil'))).rejects.toThrow(/outside/);
  });
});
