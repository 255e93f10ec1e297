/**
 * The record-keeping commands of the real `bestex --target aws` binary against moto_server (the
 * fixture of ./cli.test.ts: ./moto.ts, ./stack.ts): `case`, `committee`, `verify`, `enrich`,
 * `report`, and the local-only `enrich`, `demo`, `serve` refused. What each wrote is read back from
 * moto's S3 with the SDK; the committee's hash chain is recomputed here with node:crypto, not with
 * the code under test. The evidence bucket is made with Object Lock where a test writes to it, as
 * the stack makes it; Athena's results are canned (moto runs no SQL), the SQL it was sent is checked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { buildEvidenceManifest, serializeManifest } from '../../lambdas/adapters/evidence';
import { EVIDENCE } from '../../lambdas/shared/layout';
import { PI_MARKET_CASE, PI_MARKET_CASE_ID } from '../support/flags';
import { useEmulatorSession } from './session';
import { BUCKETS, WORKGROUP } from './stack';

const emu = useEmulatorSession('bestex-moto-records-');
const { bestex, fresh } = emu;

const REPO = new URL('../../', import.meta.url).pathname;

/** The real CLI against moto (moto.ts runCli). */

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const r = await emu.c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key as string).sort();
}

async function text(bucket: string, key: string): Promise<string> {
  const r = await emu.c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await r.Body?.transformToString()) ?? '';
}

/** The evidence bucket as the stack makes it (lib/constructs/storage.ts): Object Lock on, COMPLIANCE retention by default. */
async function lockEvidenceBucket(): Promise<void> {
  // A bucket gets Object Lock only at creation: the provisioned one (empty) is made again.
  await emu.c.s3.send(new DeleteBucketCommand({ Bucket: BUCKETS.evidence }));
  await emu.c.s3.send(new CreateBucketCommand({ Bucket: BUCKETS.evidence, ObjectLockEnabledForBucket: true }));
  await emu.c.s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: BUCKETS.evidence,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 6 } } },
    }),
  );
}

/** Deleting a version of a locked object must be refused. */
async function deleteVersion(bucket: string, key: string): Promise<string> {
  const v = await emu.c.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const versionId = v.Versions?.find((x) => x.Key === key)?.VersionId;
  expect(versionId).toBeTruthy();
  try {
    await emu.c.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return 'deleted';
  } catch (e) {
    return (e as Error).name;
  }
}

const hex = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** Canonical JSON (keys sorted, recursively), written here independently of lambdas/core/review/committee.ts. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const e = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${e.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

describe('bestex --target aws records against moto', () => {
  it('case: open, note, notify, plan, close append one object each to the results bucket; list and show read them back', async () => {
    await fresh();
    const id = PI_MARKET_CASE_ID;
    const steps: string[][] = [
      ['case', 'open', ...PI_MARKET_CASE, '--text', 'opened by hand', '--who', 'Ann (CCO)'],
      ['case', 'note', id, '--text', 'looked at the fills', '--who', 'Bob'],
      ['case', 'notify', id, '--text', 'vendor told', '--who', 'Bob'],
      ['case', 'plan', id, '--text', 'vendor will re-route', '--who', 'Bob'],
      ['case', 'close', id, '--closure', 'remediated', '--text', 'fixed', '--who', 'Ann (CCO)'],
    ];
    for (const s of steps) {
      const r = await bestex(['--json', ...s]);
      expect(r.code, r.stderr).toBe(0);
    }
    const stored = await keys(BUCKETS.results, 'cases/events/');
    const events = await Promise.all(stored.map(async (k) => JSON.parse(await text(BUCKETS.results, k)) as Record<string, unknown>));
    // Keyed by the year of the event's own time, case and sequence number.
    expect(stored).toEqual(events.map((e, i) => `cases/events/${String(e.at).slice(0, 4)}/${id}-000${i + 1}.json`));
    expect(stored).toHaveLength(5);
    expect(events.map((e) => [e.seq, e.event, e.who, e.text])).toEqual([
      [1, 'opened', 'Ann (CCO)', 'opened by hand'],
      [2, 'investigation_note', 'Bob', 'looked at the fills'],
      [3, 'notified', 'Bob', 'vendor told'],
      [4, 'corrective_action_plan', 'Bob', 'vendor will re-route'],
      [5, 'closed', 'Ann (CCO)', 'fixed'],
    ]);
    expect(events.every((e) => e.case_id === id && e.source === 'acme-sor' && e.period === '2026Q3' && e.rule_id === 'pi-market')).toBe(
      true,
    );
    expect(events[4]?.closure).toBe('remediated');

    // Open cases only: none; --all: the closed one, as summarised from the five objects.
    const open = await bestex(['--json', 'case', 'list']);
    expect(open.code, open.stderr).toBe(0);
    expect(JSON.parse(open.stdout)).toEqual([]);
    const all = await bestex(['--json', 'case', 'list', '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([
      expect.objectContaining({ case_id: id, status: 'closed', closure: 'remediated', source: 'acme-sor', events: 5 }),
    ]);
    const show = await bestex(['--json', 'case', 'show', id]);
    expect(show.code, show.stderr).toBe(0);
    expect((JSON.parse(show.stdout) as { timeline: string[] }).timeline).toHaveLength(5);

    // An event on a case that does not exist is refused, and nothing is written.
    const bad = await bestex(['case', 'note', '2026Q3-bolt-sor-nope', '--text', 'x', '--who', 'Bob']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('case 2026Q3-bolt-sor-nope does not exist');
    expect(await keys(BUCKETS.results, 'cases/events/')).toHaveLength(5);
  });

  it('committee: due-diligence, agenda, determine (accept, remediate → case), dissent, minutes, sign, show; a hash-chained log copied to the evidence bucket', async () => {
    await fresh();
    await lockEvidenceBucket();
    const finding = '2026Q3/acme-sor/pi-market/AAPL/market';
    // The agenda a review of record leaves (lambdas/package/run.ts writes it at this key).
    await emu.c.s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.results,
        Key: 'committee/agenda/2026Q3/acme-sor.json',
        Body: JSON.stringify({
          period: '2026Q3',
          source: 'acme-sor',
          runId: '2026Q3-20261005T120000Z',
          decide_by: '2026-11-15',
          items: [
            {
              item_id: finding,
              kind: 'finding',
              period: '2026Q3',
              source: 'acme-sor',
              title: 'PI below benchmark',
              severity: 'high',
              cost_usd: 1234.5,
            },
          ],
        }),
      }),
    );
    const dd = join(emu.dir, 'dd.json');
    writeFileSync(
      dd,
      JSON.stringify({
        as_of: '2026-09-30',
        venues: ['XNAS', 'XNYS'],
        pfof: 'none',
        rebates_and_fees: 'pass-through',
        routing_logic: 'smart order router, price then size',
        conflicts_of_interest: 'none',
      }),
    );
    const steps: string[][] = [
      ['committee', 'due-diligence', '--source', 'acme-sor', '--file', dd, '--who', 'Ann'],
      [
        'committee',
        'determine',
        'due-diligence/acme-sor/2026-09-30',
        '--decision',
        'accept',
        '--rationale',
        'answers reviewed',
        '--owner',
        'Ann',
        '--period',
        '2026Q3',
        '--who',
        'Ann',
      ],
      ['committee', 'determine', finding, '--decision', 'remediate', '--rationale', 'vendor must fix PI', '--owner', 'Bob', '--who', 'Ann'],
      ['committee', 'dissent', '--period', '2026Q3', '--name', 'Carl', '--text', 'should escalate', '--item', finding, '--who', 'Ann'],
      [
        'committee',
        'minutes',
        '--period',
        '2026Q3',
        '--date',
        '2026-10-20',
        '--attendee',
        'Ann (CCO)',
        '--attendee',
        'Carl',
        '--who',
        'Ann',
      ],
    ];
    // Before any determination, the agenda lists both items as open.
    const r0 = await bestex(['--json', ...(steps[0] as string[])]);
    expect(r0.code, r0.stderr).toBe(0);
    const agenda = await bestex(['--json', 'committee', 'agenda', '--period', '2026Q3']);
    expect(agenda.code, agenda.stderr).toBe(0);
    expect((JSON.parse(agenda.stdout) as { item_id: string; decided: boolean }[]).map((i) => [i.item_id, i.decided]).sort()).toEqual([
      [finding, false],
      ['due-diligence/acme-sor/2026-09-30', false],
    ]);
    for (const s of steps.slice(1)) {
      const r = await bestex(['--json', ...s]);
      expect(r.code, r.stderr).toBe(0);
    }
    const sign = await bestex(['--json', 'committee', 'sign', '--period', '2026Q3', '--name', 'Ann Doe, CCO', '--who', 'Ann']);
    expect(sign.code, sign.stderr).toBe(0);

    // Six records, numbered, in both buckets, byte for byte.
    const recordKeys = [1, 2, 3, 4, 5, 6].map((n) => `committee/records/00000${n}.json`);
    expect(await keys(BUCKETS.results, 'committee/records/')).toEqual(recordKeys);
    expect(await keys(BUCKETS.evidence, 'committee/records/')).toEqual(recordKeys);
    const bodies = await Promise.all(recordKeys.map((k) => text(BUCKETS.results, k)));
    for (const [i, k] of recordKeys.entries()) expect(await text(BUCKETS.evidence, k)).toBe(bodies[i]);
    const recs = bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(recs.map((r) => r.kind)).toEqual(['due_diligence', 'determination', 'determination', 'dissent', 'minutes', 'signoff']);
    // The chain, recomputed: each sha256 over the record without it; each prev_sha256 the one before.
    let prev: string | null = null;
    for (const [i, r] of recs.entries()) {
      const { sha256, ...rest } = r;
      expect(r.seq).toBe(i + 1);
      expect(r.prev_sha256).toBe(prev);
      expect(sha256).toBe(hex(canonical(rest)));
      prev = sha256 as string;
    }
    expect((recs[0] as { file_sha256: string }).file_sha256).toBe(hex(readFileSync(dd)));
    expect(recs[1]).toMatchObject({ item_id: 'due-diligence/acme-sor/2026-09-30', decision: 'accept', case_id: null, period: '2026Q3' });
    // "remediate" opened the finding's own case in the case log.
    const caseId = '2026Q3-acme-sor-pi-market';
    expect(recs[2]).toMatchObject({ item_id: finding, decision: 'remediate', owner: 'Bob', case_id: caseId });
    const caseKeys = await keys(BUCKETS.results, 'cases/events/');
    expect(caseKeys).toEqual([`cases/events/${String(recs[2]?.at).slice(0, 4)}/${caseId}-0001.json`]);
    expect(JSON.parse(await text(BUCKETS.results, caseKeys[0] as string))).toMatchObject({ event: 'opened', rule_id: 'pi-market' });
    // The sign-off covers the period's determinations, dissent and minutes (not the due-diligence answers), by hash.
    expect(recs[5]?.covers).toEqual([2, 3, 4, 5].map((n) => ({ seq: n, sha256: recs[n - 1]?.sha256 })));

    const agendaAfter = await bestex(['--json', 'committee', 'agenda', '--period', '2026Q3']);
    expect(JSON.parse(agendaAfter.stdout)).toEqual([]);
    const show = await bestex(['--json', 'committee', 'show', '--period', '2026Q3']);
    expect(show.code, show.stderr).toBe(0);
    const m = JSON.parse(show.stdout) as {
      minutes: unknown[];
      determinations: { seq: number }[];
      dissents: unknown[];
      signoffs: unknown[];
      unsigned: number;
    };
    expect([m.minutes.length, m.determinations.map((d) => d.seq), m.dissents.length, m.signoffs.length, m.unsigned]).toEqual([
      1,
      [2, 3],
      1,
      1,
      0,
    ]);

    // An edit of a stored record breaks the chain: the next command refuses to read the log, naming it.
    await emu.c.s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.results,
        Key: recordKeys[1],
        Body: (bodies[1] as string).replace('answers reviewed', 'rubber stamp'),
      }),
    );
    // The evidence copies are locked (the bucket's default retention): not deletable, and unchanged by the edit.
    expect(await deleteVersion(BUCKETS.evidence, recordKeys[1] as string)).toBe('AccessDenied');
    expect(await text(BUCKETS.evidence, recordKeys[1] as string)).toBe(bodies[1]);
    const broken = await bestex(['committee', 'show', '--period', '2026Q3']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(`s3://${BUCKETS.results}/committee/records/`);
    expect(broken.stderr).toContain('committee record 2: its content does not match its sha256 (edited)');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });

  it('verify: a fetched package against its Object Lock copy in the evidence bucket; an edited file and a changed input are named', async () => {
    await fresh();
    await lockEvidenceBucket();
    const runId = '2026Q3-20261005T120000Z';
    const prefix = 'packages/2026Q3/acme-sor/';
    const lakeKey = 'orders/source=acme-sor/trade_date=2026-07-01/part-0.parquet';
    const lakeBody = 'PAR1 orders PAR1';
    await emu.c.s3.send(new PutObjectCommand({ Bucket: BUCKETS.lake, Key: lakeKey, Body: lakeBody }));
    const files: Record<string, string> = { 'report.html': '<p>acme-sor 2026Q3</p>', 'review_metrics.csv': 'metric,value\norders,12\n' };
    for (const [f, body] of Object.entries(files))
      await emu.c.s3.send(new PutObjectCommand({ Bucket: BUCKETS.results, Key: `${prefix}${f}`, Body: body }));
    const sqlPath = 'sql/metrics/execution_quality.sql';
    const manifest = buildEvidenceManifest({
      period: '2026Q3',
      source: 'acme-sor',
      runId,
      codeVersion: 'abc1234',
      generatedAt: '2026-10-05T12:00:00.000Z',
      package: { bucket: BUCKETS.results, prefix },
      evidence: { bucket: BUCKETS.evidence, key: EVIDENCE.manifest('2026Q3', 'acme-sor', runId) },
      inputs: [{ bucket: BUCKETS.lake, key: lakeKey, sha256: hex(lakeBody), bytes: lakeBody.length }],
      sql: [{ name: 'execution_quality', path: sqlPath, sha256: hex(readFileSync(join(REPO, sqlPath))) }],
      thresholds: { path: 'config/thresholds.json', version: '1', sha256: hex(readFileSync(join(REPO, 'config/thresholds.json'))) },
      queryExecutionIds: ['q-1'],
      outputs: Object.entries(files).map(([f, body]) => ({
        bucket: BUCKETS.results,
        key: `${prefix}${f}`,
        sha256: hex(body),
        bytes: body.length,
      })),
    });
    const body = serializeManifest(manifest);
    await emu.c.s3.send(new PutObjectCommand({ Bucket: BUCKETS.results, Key: `${prefix}evidence.json`, Body: body }));
    await emu.c.s3.send(
      new PutObjectCommand({ Bucket: BUCKETS.results, Key: `${prefix}evidence.json.sha256`, Body: `${hex(body)}  evidence.json\n` }),
    );
    const lockedKey = EVIDENCE.manifest('2026Q3', 'acme-sor', runId);
    await emu.c.s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.evidence,
        Key: lockedKey,
        Body: body,
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
      }),
    );
    // emu.moto keeps the lock: the locked version cannot be deleted. (emu.moto 5.2.1 answers GetObjectRetention with the object's
    // bytes, so the retention itself is not read back here.)
    expect(await deleteVersion(BUCKETS.evidence, lockedKey)).toBe('AccessDenied');

    const folder = join(emu.dir, 'pkg', '2026Q3', 'acme-sor');
    const fetched = await bestex(['fetch', 'package', '--period', '2026Q3', '--source', 'acme-sor', '--out', folder]);
    expect(fetched.code, fetched.stderr).toBe(0);
    const ok = await bestex(['--json', 'verify', folder]);
    expect(ok.code, ok.stderr).toBe(0);
    const v = JSON.parse(ok.stdout) as {
      ok: boolean;
      authority: string;
      checked: Record<string, number>;
      identity: Record<string, string>;
    };
    expect(v.ok).toBe(true);
    expect(v.authority).toBe(`s3://${BUCKETS.evidence}/${lockedKey}`);
    expect(v.identity).toEqual({ period: '2026Q3', source: 'acme-sor', runId });
    expect(v.checked).toEqual({ input: 1, output: 2, sql: 1, thresholds: 1 });

    // A file of the folder edited: named, exit 1.
    writeFileSync(join(folder, 'review_metrics.csv'), 'metric,value\norders,13\n');
    const edited = await bestex(['verify', folder]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/FAIL .*review_metrics\.csv/);
    writeFileSync(join(folder, 'review_metrics.csv'), files['review_metrics.csv'] as string);
    // The input in the lake replaced after the review: re-hashed from moto's S3 and named.
    await emu.c.s3.send(new PutObjectCommand({ Bucket: BUCKETS.lake, Key: lakeKey, Body: 'PAR1 other PAR1' }));
    const input = await bestex(['verify', folder]);
    expect(input.code).toBe(1);
    expect(input.stdout).toContain(lakeKey);
    expect(input.stdout).not.toMatch(/FAIL .*review_metrics\.csv/);

    // A package with no locked run: the failure names the evidence prefix it looked in.
    const other = join(emu.dir, 'pkg', '2026Q3', 'bolt-sor');
    mkdirSync(other, { recursive: true });
    const none = await bestex(['verify', other]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain(`no run of 2026Q3/bolt-sor is locked in s3://${BUCKETS.evidence}/packages/2026Q3/bolt-sor/`);
  });

  it('enrich: refused on --target aws (the workflows enrich their dates), and nothing is written to the lake', async () => {
    await fresh();
    const r = await bestex(['enrich', '--date', '2026-07-01']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bestex enrich runs on the local target; on AWS the review and daily workflows enrich their dates');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await keys(BUCKETS.lake, '')).toEqual([]);
  });

  it('demo and serve: refused on --target aws, naming what to run instead; nothing written to the drop bucket', async () => {
    await fresh();
    const demo = await bestex(['demo']);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('`bestex demo` runs on the local target only');
    const serve = await bestex(['serve']);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('`bestex serve` runs on the local target only: on AWS the drop bucket is the endpoint');
    expect(await keys(BUCKETS.drop, '')).toEqual([]);
  });

  it('report rule606: the three sql/rule606 queries run in the Athena workgroup with the period parameters; the valid XML is stored', async () => {
    await fresh();
    // Athena executes no SQL in emu.moto: the three results, in the order bestex asks for them (orders, venues, venue_terms).
    await emu.moto.queueAthena(
      [['2026', '7', 'Y', 'market', 'N', '100', '10000']],
      ['year', 'mon', 'sp500', 'order_type', 'directed', 'orders', 'shares'].map((name) => ({ name, type: 'varchar' })),
    );
    await emu.moto.queueAthena(
      [['2026', '7', 'Y', 'market', 'XNAS', '100', '10000', '0', '0', '3', '-3', '10000']],
      [
        'year',
        'mon',
        'sp500',
        'order_type',
        'venue',
        'orders_routed',
        'shares_routed',
        'pfof_usd',
        'rebate_usd',
        'fee_usd',
        'net_usd',
        'executed_shares',
      ].map((name) => ({ name, type: 'varchar' })),
    );
    await emu.moto.queueAthena([], [{ name: 'source', type: 'varchar' }]);
    const out = join(emu.dir, 'r606');
    const r = await bestex(['--json', 'report', 'rule606', '--period', '2026Q3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { errors: string[]; stored: string; scanned: { queries: number } };
    expect(res.errors).toEqual([]);
    expect(res.scanned.queries).toBe(3);
    expect(res.stored).toBe(`s3://${BUCKETS.results}/regulatory/rule606/2026Q3/`);

    // What was started in Athena: each file of sql/rule606, in the workgroup, with the quarter's parameters.
    const ids = (await emu.c.athena.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }))).QueryExecutionIds ?? [];
    const started = await Promise.all(
      ids.map(async (id) => (await emu.c.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution),
    );
    const sql = (name: string) => readFileSync(join(REPO, 'sql/rule606', `${name}.sql`), 'utf8');
    expect(started.map((q) => q?.Query).sort()).toEqual(['orders', 'venue_terms', 'venues'].map(sql).sort());
    expect(started.every((q) => q?.WorkGroup === WORKGROUP)).toBe(true);
    // Period, first day, the day after the last (the SQL's end is exclusive), quote age.
    for (const q of started) expect(q?.ExecutionParameters).toEqual(["'2026Q3'", "'2026-07-01'", "'2026-10-01'", '10']);

    // The XML: the one venue with 100% of the 100 non-directed market orders, stored byte for byte as written locally.
    const xml = readFileSync(join(out, 'rule606-2026Q3.xml'), 'utf8');
    expect(xml).toContain('<mic>XNAS</mic>');
    expect(xml).toMatch(/<orderPct>100(\.0+)?<\/orderPct>/);
    expect(await keys(BUCKETS.results, 'regulatory/')).toEqual(
      expect.arrayContaining(['regulatory/rule606/2026Q3/rule606-2026Q3.xml', 'regulatory/rule606/2026Q3/rule606-2026Q3.html']),
    );
    expect(await text(BUCKETS.results, 'regulatory/rule606/2026Q3/rule606-2026Q3.xml')).toBe(xml);
    // `fetch report` brings the stored files back.
    const back = join(emu.dir, 'r606-fetched');
    const f = await bestex(['fetch', 'report', 'rule606', '--period', '2026Q3', '--out', back]);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(join(back, 'rule606-2026Q3.xml'), 'utf8')).toBe(xml);
  });

  it('report rule605: a month with no rows from Athena is invalid, exits 1 and stores nothing', async () => {
    await fresh();
    const out = join(emu.dir, 'r605');
    const r = await bestex(['--json', 'report', 'rule605', '--month', '2026-07', '--out', out]);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout) as { errors: string[]; stored?: string; scanned: { queries: number } };
    expect(res.errors).toEqual(['EXSEC202607.csv record 0: the file has no data rows']);
    expect(res.stored).toBeUndefined();
    expect(res.scanned.queries).toBe(2);
    const ids = (await emu.c.athena.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }))).QueryExecutionIds ?? [];
    const started = await Promise.all(
      ids.map(async (id) => (await emu.c.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution),
    );
    const sql = (name: string) => readFileSync(join(REPO, 'sql/rule605', `${name}.sql`), 'utf8');
    expect(started.map((q) => q?.Query).sort()).toEqual(['exclusions', 'summary'].map(sql).sort());
    expect(await keys(BUCKETS.results, 'regulatory/')).toEqual([]);
  });
});
