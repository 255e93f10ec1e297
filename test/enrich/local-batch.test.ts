/**
 * Local enrichment in batches of dates (lib/enrich-local.ts): one object per partition, re-running
 * gives the same rows, and the figures views still open over partitions all written before a
 * column was added to the schema (the column reads as NULL until the partition is re-enriched).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../lib/engine';
import { enrichLocalMany } from '../../lib/enrich-local';
import { writeLake } from '../reference/lake';
import { randomLake } from '../reference/random-lake';
import { unitsOf } from './run';

const dir = mkdtempSync(join(tmpdir(), 'bestex-enrich-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local enrichment in batches of dates', () => {
  it('writes one object per partition, idempotently, and old partitions stay readable', async () => {
    const data = randomLake(7, { edges: true, orders: 16, quotesPerSymbolDay: 18 });
    const lakeDir = join(dir, 'lake');
    await writeLake(lakeDir, data);
    const units = unitsOf(data);
    expect(new Set(units.map((u) => u.tradeDate)).size).toBeGreaterThan(2);
    const engine = await openEngine({ lakeDir, threads: 1 });
    try {
      const first = await enrichLocalMany(engine, units, { lakeDir, maxQuoteAgeS: 10, batchDates: 2 });
      expect(first.map((r) => `${r.source}|${r.tradeDate}`).sort()).toEqual(units.map((u) => `${u.source}|${u.tradeDate}`).sort());
      const read = async () =>
        (await engine.query('SELECT * FROM execution_figures ORDER BY source, trade_date, exec_id')).rows.map((r) => JSON.stringify(r));
      const before = await read();
      expect(before.length).toBe(first.reduce((a, r) => a + r.rows.execution_figures, 0));
      expect(before.length).toBe(data.executions.length);
      for (const u of units) {
        const part = join(lakeDir, 'execution_figures', `source=${u.source}`, `trade_date=${u.tradeDate}`);
        expect(readdirSync(part)).toEqual(['part-0.parquet']);
      }
      // Re-running replaces each partition's object with the same rows; nothing is left staged.
      await enrichLocalMany(engine, units, { lakeDir, maxQuoteAgeS: 10 });
      expect(await read()).toEqual(before);
      expect(readdirSync(lakeDir).filter((f) => f.startsWith('.enrich-'))).toEqual([]);

      // Every partition as an older schema wrote it: without the per-horizon status columns (a
      // column no file has at all is what DuckDB's union_by_name cannot fill by itself).
      for (const u of units) {
        const file = join(lakeDir, 'execution_figures', `source=${u.source}`, `trade_date=${u.tradeDate}`, 'part-0.parquet');
        await engine.run(
          `COPY (SELECT * EXCLUDE (mid_1s_status, mid_5s_status, mid_15s_status, mid_60s_status, mid_300s_status) FROM read_parquet('${file}')) TO '${file}.old' (FORMAT parquet)`,
        );
        rmSync(file);
        await engine.run(`COPY (SELECT * FROM read_parquet('${file}.old')) TO '${file}' (FORMAT parquet)`);
        rmSync(`${file}.old`);
      }
      const reopened = await openEngine({ lakeDir, threads: 1 });
      try {
        const r = await reopened.query('SELECT count(*) AS n, count(mid_1s_status) AS with_status FROM execution_figures');
        expect(Number(r.rows[0]?.n)).toBe(data.executions.length);
        expect(Number(r.rows[0]?.with_status)).toBe(0);
      } finally {
        reopened.close();
      }
    } finally {
      engine.close();
    }
  }, 120_000);
});
