/**
 * The `bestex` binary as a user runs it: help, a one-line error without credentials, and a small
 * local session end to end in a temporary --home (a hand-written drop of a few CSV rows through
 * the real local runtime: s3rver, the normalise handler, DuckDB). The full demo is the lead's
 * e2e test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PI_MARKET_CASE, PI_MARKET_CASE_ID } from '../support/flags';

const run = promisify(execFile);
const BIN = new URL('../../bin/bestex.mjs', import.meta.url).pathname;
let dir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function bestex(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const FILES: Record<string, string> = {
  'acme-sor/orders/2026-07-01.csv': [
    'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed',
    'A1,AAPL,B,MKT,,DAY,100,2026-07-01T14:00:00.000000Z,N',
    'A2,AAPL,S,LMT,200.50,DAY,200,2026-07-01T14:05:00.000000Z,N',
    'A3,MSFT,B,MKT,,IOC,50,2026-07-01T15:00:00.000000Z,N',
  ].join('\n'),
  'acme-sor/executions/2026-07-01.csv': [
    'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee',
    'E1,A1,,XNAS,2026-07-01T14:00:00.100000Z,200.01,100,R,0.30',
    'E2,A3,,XNYS,2026-07-01T15:00:00.050000Z,400.02,50,R,0.15',
  ].join('\n'),
  'sip/quotes/2026-07-01.csv': [
    'symbol,ts,bid,ask,bid_size,ask_size',
    'AAPL,2026-07-01T13:59:59.000000Z,200.00,200.02,100,100',
    'MSFT,2026-07-01T14:59:59.000000Z,400.00,400.04,100,100',
  ].join('\n'),
  // Every row broken: far above the 5 % error rate, so the whole file is quarantined.
  'bolt-sor/orders/bad.csv': [
    'order_id,symbol,side,order_type,limit_price,tif,qty,received_ts,directed',
    'B1,aapl!,X,MKT,,DAY,-5,yesterday,N',
  ].join('\n'),
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-cli-e2e-'));
  for (const [rel, body] of Object.entries(FILES)) {
    mkdirSync(join(dir, 'drop', rel, '..'), { recursive: true });
    writeFileSync(join(dir, 'drop', rel), `${body}\n`);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bestex CLI', () => {
  it('prints its help with every command', async () => {
    const r = await bestex(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['demo', 'drop', 'serve', 'review', 'query', 'status', 'fetch', 'verify', 'case', '--target'])
      expect(r.stdout).toContain(c);
  });

  it('says in one line, without a stack trace, that there are no AWS credentials', async () => {
    // No keys, no profile files, no instance metadata: the real SDK credential chain fails offline.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    Object.assign(env, {
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: dir,
    });
    const r = await bestex(['--target', 'aws', '--home', join(dir, 'home-aws'), 'status'], env);
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('bestex:'));
    expect(lines).toEqual([
      expect.stringMatching(/^bestex: no AWS credentials found for CloudFormation DescribeStacks: configure credentials/),
    ]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('runs a small local session: drop, query, case, status, dry runs', async () => {
    const home = join(dir, 'home');
    const inHome = (...args: string[]) => bestex(['--home', home, ...args]);
    const drop = await inHome('--json', 'drop', join(dir, 'drop'));
    // One file quarantined: exit code 2, the table still printed.
    expect(drop.code).toBe(2);
    const rows = JSON.parse(drop.stdout) as { key: string; status: string; rows_read: number; rows_written: number }[];
    expect(rows.map((r) => [r.key, r.status, r.rows_written])).toEqual([
      ['acme-sor/executions/2026-07-01.csv', 'loaded', 2],
      ['acme-sor/orders/2026-07-01.csv', 'loaded', 3],
      ['bolt-sor/orders/bad.csv', 'rejected', 0],
      ['sip/quotes/2026-07-01.csv', 'loaded', 2],
    ]);

    const q = await inHome('query', '--format', 'csv', 'SELECT source, count(*) AS n FROM orders GROUP BY source ORDER BY source');
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('source,n\r\nacme-sor,3\r\n');

    const opened = await inHome('--json', 'case', 'open', ...PI_MARKET_CASE, '--who', 'jdoe', '--text', 'trying the case log');
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout).event).toMatchObject({ case_id: PI_MARKET_CASE_ID, seq: 1, who: 'jdoe', event: 'opened' });

    const status = await inHome('--json', 'status', '--days', '1');
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { quarantined: { drop_key: string; kind: string }[]; openCases: { case_id: string }[] };
    expect(s.quarantined.map((x) => [x.drop_key, x.kind])).toEqual([['bolt-sor/orders/bad.csv', 'file']]);
    expect(s.openCases.map((c) => c.case_id)).toEqual([PI_MARKET_CASE_ID]);

    // Dry runs: outputs only under dry-run/, no notice in the outbox, no case opened.
    const review = await inHome('--json', 'review', '--period', '2026Q3', '--dry-run');
    expect(review.code, review.stderr).toBe(0);
    const rs = JSON.parse(review.stdout) as { dryRun: boolean; packages: string; notices: string[] };
    expect(rs.dryRun).toBe(true);
    expect(rs.packages).toBe(join(home, 'dry-run', 'packages', '2026Q3'));
    expect(existsSync(join(rs.packages, 'acme-sor', 'evidence.json'))).toBe(true);
    const exc = await inHome('--json', 'exceptions', '--date', '2026-07-01', '--dry-run');
    expect(exc.code, exc.stderr).toBe(0);
    const es = JSON.parse(exc.stdout) as { dryRun: boolean; counts: { kind: string; source: string; n: number }[]; outputs: object };
    // Neither execution's venue is on an approved list (the drop has no venues file).
    expect(es.counts).toContainEqual({ kind: 'unapproved_venue', source: 'acme-sor', n: 2 });
    expect(es.outputs).toEqual({});
    const results = join(home, 's3', 'bestex-results');
    expect(existsSync(join(results, 'packages'))).toBe(false);
    expect(existsSync(join(results, 'exceptions'))).toBe(false);
    expect(existsSync(join(home, 'outbox', 'compliance'))).toBe(false);
    const cases = await inHome('--json', 'case', 'list', '--all');
    expect((JSON.parse(cases.stdout) as { case_id: string }[]).map((c) => c.case_id)).toEqual([PI_MARKET_CASE_ID]);

    const closeBad = await inHome('case', 'close', PI_MARKET_CASE_ID, '--closure', 'justified', '--who', 'jdoe', '--text', 'fine');
    expect(closeBad.code).toBe(1);
    expect(closeBad.stderr).toContain('a "justified" closure needs the justification');
  }, 400_000);
});
