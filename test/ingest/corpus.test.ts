/**
 * The bad-input corpus through the real handler and a real S3 endpoint: every file's outcome
 * against test/fixtures/corpus/expected.json (worked out by hand), the accounting identity, the
 * lake rows against the manifest, and a second drop of everything that must change nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../lambdas/normalise/handler';
import type { LoadManifest } from '../../lambdas/normalise/manifest';
import { QUARANTINE } from '../../lambdas/shared/layout';
import { DATASETS } from '../../lambdas/shared/schema';
import { s3Notification, sqsEvent } from './events';
import { manifestOf, queryLake } from './lake';
import { type LocalS3, startS3 } from './s3';

const CORPUS = new URL('../fixtures/corpus/', import.meta.url).pathname;
const FILES = join(CORPUS, 'files');

interface Expected {
  status: 'loaded' | 'rejected';
  rows_read?: number;
  rows_written?: number;
  rows_rejected?: number;
  rows_duplicate?: number;
  reason?: string[];
  rejects?: string[];
  reject_lines?: number[];
  notes?: string[];
  lines?: Record<string, number>;
  values?: Record<string, Record<string, string | number | null>>;
  fix_counts?: Record<string, number>;
  crossed?: number;
}

const expected = (JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as { files: Record<string, Expected> }).files;
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const keys = walk(FILES)
  .map((f) => relative(FILES, f))
  .sort();

let s: LocalS3;
const first = new Map<string, LoadManifest>();

/**
 * Each file is judged on its own: many share ids on purpose (the same executions in every
 * format), so the source's key index (exactly-once across files, test/ingest/exactly-once.test.ts)
 * is emptied before each drop.
 */
async function forgetKeys(): Promise<void> {
  for (const k of await s.list('lake', '_keys/')) await s.s3.send(new DeleteObjectCommand({ Bucket: s.buckets.lake, Key: k }));
}

/** A lake key without its load id (each load writes new objects). */
const unloaded = (k: string): string => k.replace(/-\d{8}t\d{9}z-[0-9a-f]{8}/, '');

async function dropAll(): Promise<Map<string, LoadManifest>> {
  const out = new Map<string, LoadManifest>();
  for (const key of keys) {
    await forgetKeys();
    const body = readFileSync(join(FILES, key));
    await s.put(key, body);
    const res = await handler(sqsEvent([s3Notification(s.buckets.drop, key, body.length)]));
    expect(res.batchItemFailures, key).toEqual([]);
    out.set(key, await manifestOf(s, key));
  }
  return out;
}

const idColumn = (table: string): string => DATASETS.find((d) => d.table === table)?.key?.[0] ?? 'symbol';

beforeAll(async () => {
  s = await startS3();
  process.env.BESTEX_CONFIG_DIR = join(CORPUS, 'config');
  for (const [k, m] of await dropAll()) first.set(k, m);
});

afterAll(async () => {
  await s?.stop();
});

describe('bad-input corpus', () => {
  it('has an expected outcome for every file, and a file for every expected outcome', () => {
    expect(keys).toEqual(Object.keys(expected).sort());
  });

  it.each(keys)('%s', async (key) => {
    const m = first.get(key) as LoadManifest;
    const e = expected[key] as Expected;
    expect(m.status).toBe(e.status);
    expect(m.rows_read).toBe(m.rows_written + m.rows_rejected + m.rows_duplicate);
    for (const f of ['rows_read', 'rows_written', 'rows_rejected', 'rows_duplicate'] as const) {
      if (e[f] !== undefined) expect(m[f], f).toBe(e[f]);
    }
    for (const r of e.reason ?? []) expect(m.reason).toContain(r);
    for (const n of e.notes ?? []) expect((m.notes ?? []).join('\n')).toContain(n);
    for (const [k, v] of Object.entries(e.fix_counts ?? {})) expect(m.fix_counts?.[k], k).toBe(v);
    expect(m.drop_key).toBe(key);
    const body = readFileSync(join(FILES, key));
    expect(m.size).toBe(body.length);

    // Rejected rows: in quarantine, with the expected reasons, on the expected lines.
    const rowsKey = QUARANTINE.rows(key);
    const csv = await s.get('quarantine', rowsKey);
    if (e.rejects || e.reject_lines) {
      expect(csv, 'quarantine CSV').toBeDefined();
      const rows = await queryCsv(rowsKey);
      const reasons = rows.map((r) => r.reason).join('\n');
      for (const r of e.rejects ?? []) expect(reasons).toContain(r);
      expect(rows.length).toBe(m.quarantine[0]?.rows);
      if (e.reject_lines) expect(rows.map((r) => Number(r.line))).toEqual(e.reject_lines);
      expect(rows.every((r) => typeof r.reason === 'string' && (r.reason as string).length > 10)).toBe(true);
    } else {
      expect(csv).toBeUndefined();
    }

    if (m.status === 'rejected') {
      // Whole file to quarantine, with a reason file and a data-ops notice; nothing in the lake.
      expect(m.outputs).toEqual([]);
      expect(m.rows_written).toBe(0);
      const copy = await s.get('quarantine', QUARANTINE.file(key));
      expect(copy === undefined ? undefined : Buffer.from(copy).length).toBe(Buffer.from(body.toString('utf8')).length);
      const reason = JSON.parse((await s.get('quarantine', QUARANTINE.reason(key))) ?? '{}') as { reason?: string };
      expect(reason.reason).toBe(m.reason);
      expect(s.notices().some((n) => n.subject.includes(key) && n.message.includes(m.reason as string))).toBe(true);
      return;
    }

    // Loaded: the lake holds exactly rows_written rows from this key, each line once.
    const outKeys = m.outputs.map((o) => o.key);
    expect(m.outputs.reduce((a, o) => a + o.rows, 0)).toBe(m.rows_written);
    for (const o of m.outputs) {
      expect(o.key).toMatch(
        new RegExp(
          `^${o.table}/(source=${m.source}/)?(trade_date=\\d{4}-\\d{2}-\\d{2}/)?part-[0-9a-f]{16}-${m.load_id}(-\\d+)?\\.parquet$`,
        ),
      );
    }
    if (!outKeys.length) return;
    const [counts] = await queryLake(
      s,
      outKeys,
      'SELECT count(*) AS n, count(DISTINCT source_line) AS lines, count(*) FILTER (WHERE source_key <> $$KEY$$) AS foreign FROM read_parquet({files}, union_by_name = true)'.replace(
        '$$KEY$$',
        // A function: a key may hold `$$`, which a replacement string would collapse to `$`.
        () => `'${key.replace(/'/g, "''")}'`,
      ),
    );
    expect(Number(counts?.n)).toBe(m.rows_written);
    expect(Number(counts?.lines)).toBe(m.rows_written);
    expect(Number(counts?.foreign)).toBe(0);

    const byTable = new Map<string, string[]>();
    for (const o of m.outputs) byTable.set(o.table, [...(byTable.get(o.table) ?? []), o.key]);
    for (const [table, tkeys] of byTable) {
      const id = idColumn(table);
      for (const [idValue, line] of Object.entries(e.lines ?? {})) {
        const rows = await queryLake(s, tkeys, `SELECT source_line FROM read_parquet({files}) WHERE "${id}" = '${idValue}'`);
        expect(
          rows.map((r) => Number(r.source_line)),
          `${idValue} line`,
        ).toEqual([line]);
      }
      for (const [idValue, cols] of Object.entries(e.values ?? {})) {
        const sel = Object.keys(cols)
          .map((c) =>
            c === 'trade_date'
              ? `regexp_extract(filename, 'trade_date=([0-9-]+)', 1) AS trade_date`
              : c.endsWith('_ts')
                ? `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' AS ${c}`
                : `"${c}"`,
          )
          .join(', ');
        const rows = await queryLake(s, tkeys, `SELECT ${sel} FROM read_parquet({files}, filename = true) WHERE "${id}" = '${idValue}'`);
        expect(rows.length, idValue).toBe(1);
        for (const [c, v] of Object.entries(cols)) {
          const got = rows[0]?.[c];
          expect(got === null || got === undefined ? null : typeof v === 'number' ? Number(got) : got, `${idValue}.${c}`).toEqual(v);
        }
      }
      if (e.crossed !== undefined) {
        const [r] = await queryLake(s, tkeys, 'SELECT count(*) FILTER (WHERE crossed) AS crossed FROM read_parquet({files})');
        expect(Number(r?.crossed)).toBe(e.crossed);
      }
    }
  });

  it('writes Parquet timestamps as TIMESTAMP(MICROS, isAdjustedToUTC=true) and no partition columns in the files', async () => {
    const m = first.get('acme-sor/executions/good.csv') as LoadManifest;
    const rows = await queryLake(
      s,
      [m.outputs[0]?.key as string],
      "SELECT name, logical_type FROM parquet_schema({files}) WHERE name IN ('exec_ts', 'ingested_at', 'source', 'trade_date')",
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['exec_ts', 'ingested_at']);
    for (const r of rows) expect(String(r.logical_type)).toMatch(/isAdjustedToUTC=1.*MICROS|MICROS.*isAdjustedToUTC=1/);
  });

  it('a second drop of every file changes nothing in the lake and says it was the same content', async () => {
    const data = async () => (await s.list('lake')).filter((k) => !k.startsWith('_keys/'));
    const before = await data();
    const counts = async () => {
      const parts = (await data()).filter((k) => k.endsWith('.parquet'));
      const byTable = new Map<string, string[]>();
      for (const k of parts) byTable.set(k.split('/')[0] as string, [...(byTable.get(k.split('/')[0] as string) ?? []), k]);
      const out: Record<string, number> = {};
      for (const [t, ks] of byTable) {
        const [r] = await queryLake(
          s,
          ks,
          'SELECT count(*) AS n, count(DISTINCT (source_key, source_line)) AS u FROM read_parquet({files}, union_by_name = true)',
        );
        out[t] = Number(r?.n);
        expect(Number(r?.u), `${t}: a (source_key, source_line) twice`).toBe(Number(r?.n));
      }
      return out;
    };
    const rowsBefore = await counts();
    const second = await dropAll();
    // The same objects, under new load ids; the old ones are gone.
    expect((await data()).map(unloaded)).toEqual(before.map(unloaded));
    expect((await data()).filter((k) => before.includes(k) && k.endsWith('.parquet'))).toEqual([]);
    expect(await counts()).toEqual(rowsBefore);
    for (const [key, m] of second) {
      const m1 = first.get(key) as LoadManifest;
      expect(
        m.outputs.map((o) => ({ ...o, key: unloaded(o.key) })),
        key,
      ).toEqual(m1.outputs.map((o) => ({ ...o, key: unloaded(o.key) })));
      expect(m.load_id).not.toBe(m1.load_id);
      expect(m.sha256).toBe(m1.sha256);
      expect(m.replaced?.removed_keys, key).toEqual(m1.outputs.map((o) => o.key));
      if (m.sha256) expect(m.notes?.join('\n'), key).toContain('same content');
    }
  });
});

async function queryCsv(key: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { objectPath } = await import('./lake');
  const inst = await DuckDBInstance.create(':memory:');
  const db = await inst.connect();
  try {
    const r = await db.runAndReadAll(
      `SELECT * FROM read_csv('${objectPath(s, s.buckets.quarantine, key).replace(/'/g, "''")}', header = true, all_varchar = true)`,
    );
    return r.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    inst.closeSync();
  }
}
