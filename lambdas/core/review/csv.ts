/**
 * The review's tables from Athena result CSVs (parsed by shared/athena-csv.ts parseCsv, the one
 * reader of that dialect): review_metrics rows and vendor-reported metrics, typed and checked.
 */

import type { CsvResult, ParsedCsv } from '../../shared/athena-csv';
import { EXCLUSION_REASONS, GROUP_COLUMNS, isMetricName, REVIEW_METRIC_COLUMNS, type ReviewMetricRow } from '../../shared/metrics';
import type { VendorMetricRow } from './reconcile';

const NON_FINITE = new Set(['nan', '-nan', 'inf', '-inf', 'infinity', '-infinity', '+infinity', '+inf']);

/** A numeric cell: null for NULL, '' and non-finite values (NaN, Infinity as Athena or DuckDB spell them). */
function num(v: string | null): number | null | 'bad' {
  if (v === null || v.trim() === '') return null;
  if (NON_FINITE.has(v.trim().toLowerCase())) return null;
  const x = Number(v);
  return Number.isFinite(x) ? x : 'bad';
}

function columnIndex(p: ParsedCsv, required: readonly string[], where: string): CsvResult<Map<string, number>> {
  const idx = new Map<string, number>();
  p.header.forEach((h, i) => {
    idx.set(h.trim().toLowerCase(), i);
  });
  const missing = required.filter((c) => !idx.has(c));
  if (missing.length > 0)
    return {
      ok: false,
      reason: `${where}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${p.header.join(', ')})`,
    };
  return { ok: true, value: idx };
}

const NULLABLE_NUMBERS = new Set(['value', 'std_dev', 'n_eff']);
const COUNTS = ['n_orders', 'n_executions', ...EXCLUSION_REASONS.map((r) => `excl_${r}`)];

/**
 * review_metrics rows from a metric query's result (columns of REVIEW_METRIC_COLUMNS by name, any
 * order), tagged with `period`. A NULL count is 0 (nothing counted); a NULL grouping value is an
 * error: the contract writes '*' for "all".
 */
export function toReviewMetricRows(p: ParsedCsv, where: string, period?: string): CsvResult<ReviewMetricRow[]> {
  const required = REVIEW_METRIC_COLUMNS.filter((c) => c !== 'period' || period === undefined);
  const ci = columnIndex(p, required, where);
  if (!ci.ok) return ci;
  const idx = ci.value;
  const out: ReviewMetricRow[] = [];
  for (let r = 0; r < p.rows.length; r++) {
    const cells = p.rows[r] as (string | null)[];
    const at = `${where}:${p.lines[r]}`;
    const get = (c: string): string | null => cells[idx.get(c) as number] ?? null;
    const source = get('source');
    const metric = get('metric');
    if (!source) return { ok: false, reason: `${at}: source is empty` };
    if (!metric || !isMetricName(metric))
      return { ok: false, reason: `${at}: metric "${metric ?? ''}" is not a metric name of lambdas/shared/metrics.ts` };
    const row: Record<string, unknown> = { period: period ?? get('period'), source, metric };
    for (const g of GROUP_COLUMNS) {
      const v = get(g);
      if (v === null || v === '') return { ok: false, reason: `${at}: ${g} is empty: write '*' for "all" in a grouping column` };
      row[g] = v;
    }
    for (const c of [...NULLABLE_NUMBERS, ...COUNTS]) {
      const v = num(get(c));
      if (v === 'bad') return { ok: false, reason: `${at}: column ${c} = "${get(c)}" is not a number` };
      row[c] = v === null && !NULLABLE_NUMBERS.has(c) ? 0 : v;
    }
    if (!row.period) return { ok: false, reason: `${at}: period is empty` };
    out.push(row as unknown as ReviewMetricRow);
  }
  return { ok: true, value: out };
}

/** vendor_metrics rows (source, period, symbol, order_type, metric, value; other columns ignored). */
export function toVendorMetricRows(p: ParsedCsv, where: string): CsvResult<VendorMetricRow[]> {
  const ci = columnIndex(p, ['source', 'period', 'symbol', 'order_type', 'metric', 'value'], where);
  if (!ci.ok) return ci;
  const idx = ci.value;
  const out: VendorMetricRow[] = [];
  for (let r = 0; r < p.rows.length; r++) {
    const cells = p.rows[r] as (string | null)[];
    const get = (c: string): string => cells[idx.get(c) as number] ?? '';
    const v = num(cells[idx.get('value') as number] ?? null);
    if (v === 'bad') return { ok: false, reason: `${where}:${p.lines[r]}: value "${get('value')}" is not a number` };
    out.push({
      source: get('source'),
      period: get('period'),
      symbol: get('symbol'),
      order_type: get('order_type'),
      metric: get('metric'),
      value: v,
    });
  }
  return { ok: true, value: out };
}
