/**
 * Every SQL example in docs/analyst-guide.md parses as Trino and runs on the local engine over a
 * real lake and a real review_metrics table, so the guide cannot rot.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintSql } from '../../bin/lint-sql';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { type Engine, openEngine } from '../../lib/engine';
import { writeLake } from '../reference/lake';
import { randomLake } from '../reference/random-lake';
import { enrichLake, runMetricSql } from './compare';

const guide = readFileSync(new URL('../../docs/analyst-guide.md', import.meta.url), 'utf8');
const examples = [...guide.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) =>
  (m[1] as string)
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter((s) => s !== ''),
);

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-guide-'));
  const lakeDir = join(dir, 'lake');
  await writeLake(lakeDir, randomLake(7, { orders: 30 }));
  const e = await openEngine({ lakeDir });
  await enrichLake(e, lakeDir, 10);
  const rows = await runMetricSql(e, { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS: 10 });
  const out = join(dir, 'results', 'review_metrics', 'period=2026Q3');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(dir, 'rm.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  await e.run(
    `COPY (SELECT ${REVIEW_METRIC_COLUMNS.join(', ')} FROM read_json('${join(dir, 'rm.jsonl')}')) TO '${out}/run.parquet' (FORMAT parquet)`,
  );
  const breaches = join(dir, 'results', 'review_breaches', 'period=2026Q3');
  mkdirSync(breaches, { recursive: true });
  await e.run(
    `COPY (SELECT '2026Q3' AS period, 'acme-sor' AS source, 'pi-market' AS rule_id) TO '${breaches}/run.parquet' (FORMAT parquet)`,
  );
  e.close();
  engine = await openEngine({ lakeDir, resultsDir: join(dir, 'results') });
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/analyst-guide.md examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(8);
  });
  for (const [i, sql] of examples.entries()) {
    it(`example ${i + 1} parses as Trino and runs: ${sql.slice(0, 60).replace(/\s+/g, ' ')}…`, async () => {
      expect(lintSql(`analyst-guide example ${i + 1}`, sql, false)).toEqual([]);
      const r = await engine.query(sql);
      expect(Array.isArray(r.rows)).toBe(true);
    });
  }
  it('answers "which venues got the PFOF flow" with the review figures', async () => {
    const r = await engine.query(
      "SELECT count(*) AS n FROM review_metrics WHERE metric = 'venue_share_pct' AND symbol = '*' AND order_category = '*' AND size_bucket = '*' AND sp500 = '*'",
    );
    expect(Number(r.rows[0]?.n)).toBeGreaterThan(0);
  });
});
