/**
 * No vendor byte reaches SQL text, and the DuckDB that reads vendor files can touch nothing else:
 *   - a property: for any header names, values, JSON keys and profile fields (drawn with CR, LF,
 *     quotes, `*\/`, `$$`, `;`, `{{…}}`), none of them occurs in any SQL statement normaliseFile
 *     sends to DuckDB (the connection is wrapped and every statement recorded);
 *   - the locked DuckDB refuses to read or write outside its work directory, to load extensions
 *     or attach databases, and no SET can undo that;
 *   - the hostile corpus (test/fixtures/corpus/files/evil-*) never creates its canary file, and
 *     its quarantine CSV neutralises formula cells.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseFile, openLockedDb } from '../../lambdas/normalise/core';
import { normaliseObject } from '../../lambdas/normalise/run';
import { loadConfig } from '../../lambdas/shared/config';
import { dataset } from '../../lambdas/shared/schema';
import { type LocalS3, startS3 } from './s3';

const CANARY = '/tmp/bestex-canary.csv';
const CORPUS = new URL('../fixtures/corpus/', import.meta.url).pathname;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'hostile-'));
  rmSync(CANARY, { force: true });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  expect(existsSync(CANARY), 'the canary file was created: SQL from a vendor ran').toBe(false);
});

/** Vendor text with every character that ends or escapes something in SQL. */
const hostile = fc
  .array(fc.constantFrom("'", '"', '\r', '\n', '*/', '/*', '--', '$$', ';', '{{input}}', '{{dir}}', '\\', 'COPY', ' x ', 'é', '\u2028'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => `Zq${parts.join('')}`);

/** A connection that records every SQL text it is given. */
function recording(db: DuckDBConnection, seen: string[]): DuckDBConnection {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'run' || prop === 'runAndReadAll' || prop === 'stream') {
        return (sql: string, ...rest: unknown[]) => {
          seen.push(sql);
          return (v as (...a: unknown[]) => unknown).call(target, sql, ...rest);
        };
      }
      return v.bind(target);
    },
  });
}

describe('no vendor byte reaches SQL text', () => {
  it('header names, values, JSON keys and profile fields are bound, never spliced', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, async (header, value, code, key) => {
        const dir = join(work, `p${n++}`);
        mkdirSync(dir, { recursive: true });
        const { instance, db } = await openLockedDb(dir, { threads: 1, memory: '256MB' });
        const seen: string[] = [];
        try {
          const spec = dataset('executions');
          const row = (id: string, liq: string) =>
            `${id},O1,,XNAS,2026-07-01T13:30:00Z,10.5,100,${liq},0,${JSON.stringify(value).replace(/\\[rn]|\\u2028/g, '')}`;
          const csvText = `exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee,${JSON.stringify(header)}\nE1,O1,,XNAS,2026-07-01T13:30:00Z,10.5,100,A,0,x\n${row('E2', 'Q')}\n`;
          writeFileSync(join(dir, 'in.csv'), csvText);
          const common = { spec, source: 'acme-sor', key: `acme-sor/executions/${key}.csv`, ingestedAt: '2026-07-02T00:00:00Z' };
          const profile = {
            columns: { [header]: 'route_id' },
            codes: { liquidity: { [code]: 'A', Q: code } },
            timestampFormat: `%Y${code}`,
          };
          await normaliseFile(recording(db, seen), {
            ...common,
            path: join(dir, 'in.csv'),
            format: 'csv',
            profile,
            workDir: join(dir, 'o1'),
          });
          const json = `${JSON.stringify({ exec_id: value, order_id: 'O1', venue: 'XNAS', exec_ts: '2026-07-01T13:30:00Z', price: 1, qty: 1, [key]: value })}\n`;
          writeFileSync(join(dir, 'in.jsonl'), json);
          await normaliseFile(recording(db, seen), { ...common, path: join(dir, 'in.jsonl'), format: 'jsonl', workDir: join(dir, 'o2') });
        } finally {
          db.closeSync();
          instance.closeSync();
        }
        // The vendor text was there to leak: the statements are many, the checks are real.
        expect(seen.length).toBeGreaterThan(10);
        const all = seen.join('\n');
        for (const v of [header, value, code, key]) expect(all.includes(v), JSON.stringify(v)).toBe(false);
      }),
      { numRuns: 25, seed: 3 },
    );
  });
});

describe('the locked DuckDB', () => {
  it('reads and writes only its work directory, loads nothing, and cannot be unlocked', async () => {
    const dir = join(work, 'locked');
    mkdirSync(dir, { recursive: true });
    const outside = join(work, 'outside.csv');
    writeFileSync(outside, 'a\n1\n');
    writeFileSync(join(dir, 'inside.csv'), 'a\n1\n');
    const { instance, db } = await openLockedDb(dir, { threads: 1, memory: '256MB' });
    const fails = async (sql: string) => {
      await expect(db.run(sql), sql).rejects.toThrow();
    };
    try {
      expect((await db.runAndReadAll(`SELECT count(*) FROM read_csv('${dir}/inside.csv')`)).getRows()[0]?.[0]).toBe(1n);
      await db.run(`COPY (SELECT 1) TO '${dir}/out.csv'`);
      await fails(`SELECT * FROM read_csv('${outside}')`);
      await fails(`SELECT * FROM read_csv('${dir}/../outside.csv')`);
      await fails(`SELECT * FROM read_text('/etc/passwd')`);
      await fails(`COPY (SELECT 'pwned') TO '${CANARY}'`);
      await fails(`SELECT * FROM glob('/tmp/*')`);
      await fails(`ATTACH '${join(work, 'other.duckdb')}'`);
      await fails('INSTALL httpfs');
      await fails('LOAD httpfs');
      await fails('SET enable_external_access = true');
      await fails(`SET allowed_directories = ['/']`);
      await fails('SET lock_configuration = false');
      await fails(`SET temp_directory = '/tmp'`);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    expect(existsSync(CANARY)).toBe(false);
  });
});

describe('the hostile corpus through the handler', () => {
  let s: LocalS3;
  beforeAll(async () => {
    s = await startS3();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('never creates the canary; formula cells in the quarantine CSV are neutralised', async () => {
    const config = () => loadConfig(join(CORPUS, 'config'));
    const key = 'evil-sor/executions/values-formula.csv';
    await s.put(key, readFileSync(join(CORPUS, 'files', key)));
    const m = await normaliseObject({ bucket: s.buckets.drop, key }, { config });
    expect(m.rows_rejected).toBe(1);
    const q = (await s.get('quarantine', m.quarantine[0]?.key as string)) as string;
    // Hand-written: the original cells, each formula behind an apostrophe (OWASP), then line, column, reason.
    const row = q.split('\r\n')[1] as string;
    expect(row.startsWith(`"'=HYPERLINK(""http://x"")",O10,"'=cmd|' /C calc'!A0",XNAS,`)).toBe(true);
    expect(row).toContain(`"'+1+2"`);
    expect(row).toContain(`"'@SUM(1)"`);
    expect(row).toContain(',11,qty;fee,');
    expect(existsSync(CANARY)).toBe(false);
  });
});
