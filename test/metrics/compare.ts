/**
 * Runs the metric SQL files over a lake directory and compares their rows with the reference
 * implementation's, row by row (same keys, same counts, figures to 1e-9).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REVIEW_METRICS_PARQUET } from '../../lambdas/core/review/tables';
import { REVIEW_METRIC_COLUMNS, type ReviewMetricRow } from '../../lambdas/shared/metrics';
import { type Engine, SQL_DIR } from '../../lib/engine';
import { enrichLocal } from '../../lib/enrich-local';
import type { ReferenceParams } from '../reference/metrics';

export const METRIC_SQL_DIR = join(SQL_DIR, 'metrics');
export const metricSqlFiles = (): string[] =>
  readdirSync(METRIC_SQL_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => join(METRIC_SQL_DIR, f));

/** The review's execution parameters, as Athena takes them. */
export const athenaParams = (p: ReferenceParams): string[] => [
  `'${p.period}'`,
  `'${p.startDate}'`,
  `'${p.endDate}'`,
  String(p.maxQuoteAgeS),
];

/**
 * Computes the figures tables (sql/enrich) of every source × trade date that has orders,
 * executions or routes in the lake, as the review does before it aggregates.
 */
export async function enrichLake(engine: Engine, lakeDir: string, maxQuoteAgeS: number): Promise<void> {
  const units = await engine.query(
    `SELECT DISTINCT source, CAST(trade_date AS VARCHAR) AS trade_date FROM (
       SELECT source, trade_date FROM orders UNION ALL SELECT source, trade_date FROM executions
       UNION ALL SELECT source, trade_date FROM routes) AS u ORDER BY 1, 2`,
  );
  for (const u of units.rows) {
    await enrichLocal(engine, { source: String(u.source), tradeDate: String(u.trade_date) }, { maxQuoteAgeS, lakeDir });
  }
}

export async function runMetricSql(engine: Engine, p: ReferenceParams): Promise<ReviewMetricRow[]> {
  const rows: ReviewMetricRow[] = [];
  for (const file of metricSqlFiles()) {
    const r = await engine.query(readFileSync(file, 'utf8'), athenaParams(p));
    if (r.columns.join(',') !== REVIEW_METRIC_COLUMNS.join(',')) {
      throw new Error(`${file} returns columns ${r.columns.join(',')}, not REVIEW_METRIC_COLUMNS`);
    }
    rows.push(...(r.rows as unknown as ReviewMetricRow[]));
  }
  return rows;
}

export const rowKey = (r: ReviewMetricRow): string =>
  [r.source, r.symbol, r.order_category, r.venue, r.size_bucket, r.sp500, r.metric].join(' | ');

const close = (a: number | null, b: number | null, tol: number): boolean => {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
};

/** Compared to the letter: the period and every integer column (the counts and exclusions). */
const EXACT = ['period', ...REVIEW_METRICS_PARQUET.filter((c) => c.type === 'BIGINT').map((c) => c.name)] as (keyof ReviewMetricRow)[];

/** Differences between two metric row sets, as readable lines (empty when they agree). */
export function diffRows(sql: ReviewMetricRow[], ref: ReviewMetricRow[], tol = 1e-9): string[] {
  const out: string[] = [];
  const a = new Map(sql.map((r) => [rowKey(r), r]));
  const b = new Map(ref.map((r) => [rowKey(r), r]));
  if (a.size !== sql.length) out.push(`SQL returned duplicate keys (${sql.length - a.size})`);
  for (const [k, r] of a) {
    const e = b.get(k);
    if (!e) {
      out.push(`only in SQL: ${k} value=${r.value}`);
      continue;
    }
    for (const c of EXACT) if (r[c] !== e[c]) out.push(`${k}: ${c} sql=${r[c]} ref=${e[c]}`);
    for (const c of ['value', 'std_dev', 'n_eff'] as const) {
      if (!close(r[c], e[c], tol)) out.push(`${k}: ${c} sql=${r[c]} ref=${e[c]}`);
    }
  }
  for (const [k, e] of b) if (!a.has(k)) out.push(`only in reference: ${k} value=${e.value}`);
  return out;
}
