/**
 * Properties on random inputs (fast-check): the accounting identity and a small independent model
 * of the duplicate/conflict rule hold for any mix of valid, invalid, repeated and conflicting
 * rows; and through S3, re-dropping is idempotent and new content replaces old content.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseFile } from '../../lambdas/normalise/core';
import { normaliseObject } from '../../lambdas/normalise/run';
import { loadConfig } from '../../lambdas/shared/config';
import { keyId } from '../../lambdas/shared/layout';
import { dataset } from '../../lambdas/shared/schema';
import { useScratchDir } from '../support/scratch';
import { manifestOf, queryLake } from './lake';
import { usePreparedCore } from './prepared-core';
import { type LocalS3, startS3 } from './s3';

const HEADER = 'exec_id,order_id,route_id,venue,exec_ts,price,qty,liquidity,fee';
const FAULTS = [
  (r: string[]) => Object.assign([...r], { 6: '-5' }),
  (r: string[]) => Object.assign([...r], { 3: 'xnas' }),
  (r: string[]) => Object.assign([...r], { 1: '' }),
  (r: string[]) => Object.assign([...r], { 6: 'abc' }),
  (r: string[]) => Object.assign([...r], { 4: '2026-07-01 09:30:00' }),
  (r: string[]) => Object.assign([...r], { 5: '0' }),
];

type Kind =
  | { t: 'valid'; id: number; price: number; day: number }
  | { t: 'invalid'; id: number; fault: number }
  | { t: 'repeat'; of: number }
  | { t: 'conflict'; of: number };

const kindArb: fc.Arbitrary<Kind> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('valid' as const),
      id: fc.integer({ min: 1, max: 40 }),
      price: fc.integer({ min: 1, max: 99999 }),
      day: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('invalid' as const),
      id: fc.integer({ min: 1, max: 60 }),
      fault: fc.integer({ min: 0, max: FAULTS.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('repeat' as const), of: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('conflict' as const), of: fc.nat() }) },
);

function row(id: number, price: number, day: number): string[] {
  return [`E${id}`, `O${id}`, '', 'XNAS', `2026-07-0${day}T14:00:00Z`, (price / 100).toFixed(2), '100', 'A', ''];
}

/** Builds the CSV and, independently of the pipeline, what it must yield. */
function build(kinds: Kind[]): { csv: string; read: number; written: number; rejected: number; duplicate: number } {
  const rows: { cells: string[]; valid: boolean }[] = [];
  for (const k of kinds) {
    const valids = rows.filter((r) => r.valid);
    if (k.t === 'valid') rows.push({ cells: row(k.id, k.price, k.day), valid: true });
    else if (k.t === 'invalid') rows.push({ cells: (FAULTS[k.fault] as (r: string[]) => string[])(row(k.id, 100, 1)), valid: false });
    else if (valids.length) {
      const base = (valids[k.of % valids.length] as { cells: string[] }).cells;
      rows.push({ cells: k.t === 'repeat' ? [...base] : Object.assign([...base], { 6: String(Number(base[6]) + 1) }), valid: true });
    }
  }
  // The contract's rule, written out plainly: among valid rows, one exec_id with different
  // contents rejects them all; with identical contents the first is kept.
  const groups = new Map<string, string[]>();
  for (const r of rows.filter((x) => x.valid))
    groups.set(r.cells[0] as string, [...(groups.get(r.cells[0] as string) ?? []), r.cells.join(',')]);
  let written = 0;
  let duplicate = 0;
  let conflicted = 0;
  for (const contents of groups.values()) {
    if (new Set(contents).size > 1) conflicted += contents.length;
    else {
      written += 1;
      duplicate += contents.length - 1;
    }
  }
  const invalid = rows.filter((r) => !r.valid).length;
  return {
    csv: `${[HEADER, ...rows.map((r) => r.cells.join(','))].join('\n')}\n`,
    read: rows.length,
    written,
    rejected: invalid + conflicted,
    duplicate,
  };
}

describe('accounting on random files (local core)', () => {
  const core = usePreparedCore(1);
  const scratch = useScratchDir('ingest-prop-');

  it('rows_read = written + rejected + duplicate, and each count matches the model', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(kindArb, { minLength: 0, maxLength: 60 }), async (kinds) => {
        const want = build(kinds);
        const path = join(scratch.path, `f${n}.csv`);
        writeFileSync(path, want.csv);
        const r = await normaliseFile(core.db, {
          path,
          format: 'csv',
          spec: dataset('executions'),
          source: 'acme-sor',
          key: `acme-sor/executions/f${n}.csv`,
          ingestedAt: '2026-07-01T00:00:00Z',
          workDir: join(scratch.path, `w${n++}`),
        });
        if (!r.ok) throw new Error(r.reason);
        expect(r.rows_read).toBe(r.rows_written + r.rows_rejected + r.rows_duplicate);
        expect({ read: r.rows_read, written: r.rows_written, rejected: r.rows_rejected, duplicate: r.rows_duplicate }).toEqual({
          read: want.read,
          written: want.written,
          rejected: want.rejected,
          duplicate: want.duplicate,
        });
        const files = r.files.reduce((a, f) => a + f.rows, 0);
        expect(files).toBe(r.rows_written);
        expect(r.rejects?.rows ?? 0).toBe(r.rows_rejected);
      }),
      { numRuns: 60, seed: 20260701 },
    );
  });
});

describe('idempotency through S3 (random files)', () => {
  let s: LocalS3;
  const config = () => ({
    ...loadConfig(),
    deployment: { ...loadConfig().deployment, ingest: { maxErrorRate: 1, maxQuoteAgeSeconds: 10 } },
  });
  beforeAll(async () => {
    s = await startS3();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('same content twice: same keys, same rows; new content: only the new rows remain', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(kindArb, { maxLength: 30 }), fc.array(kindArb, { maxLength: 30 }), async (a, b) => {
        // A source per run: runs reuse ids, which across files of one source are duplicates.
        const key = `p${n++}-sor/executions/p ${n}+x.csv`;
        const lakeRows = async (keys: string[]) =>
          keys.length ? Number((await queryLake(s, keys, `SELECT count(*) AS n FROM read_parquet({files})`))[0]?.n) : 0;
        const A = build(a);
        await s.put(key, A.csv);
        const m1 = await normaliseObject({ bucket: s.buckets.drop, key }, { config });
        const unloaded = (k: string) => k.replace(/-\d{8}t\d{9}z-[0-9a-f]{8}/, '');
        const lake1 = await s.list('lake');
        await normaliseObject({ bucket: s.buckets.drop, key }, { config });
        const m2 = await manifestOf(s, key);
        expect((await s.list('lake')).map(unloaded)).toEqual(lake1.map(unloaded));
        expect(m2.outputs.map((o) => unloaded(o.key))).toEqual(m1.outputs.map((o) => unloaded(o.key)));
        expect(await lakeRows(m2.outputs.map((o) => o.key))).toBe(A.written);

        const B = build(b);
        await s.put(key, B.csv);
        const m3 = await normaliseObject({ bucket: s.buckets.drop, key }, { config });
        expect(m3.rows_written).toBe(B.written);
        const mine = (await s.list('lake')).filter((k) => k.includes(`part-${keyId(key)}`));
        expect(mine.sort()).toEqual(m3.outputs.map((o) => o.key).sort());
        expect(await lakeRows(mine)).toBe(B.written);
        expect([...(m3.replaced?.removed_keys ?? [])].sort()).toEqual(m2.outputs.map((o) => o.key).sort());
      }),
      { numRuns: 6, seed: 7 },
    );
  });
});
