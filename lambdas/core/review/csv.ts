/**
 * Reading Athena result CSVs. Athena writes a header row and double-quotes every value; NULL is an
 * empty *unquoted* field while an empty string is `""`, so the two stay apart here. Fields may hold
 * commas, doubled quotes and line breaks. The review's own hand-off files are written in the same
 * dialect by shared/athena-csv.ts (toAthenaCsvRecords), so they read back exactly.
 */
import { EXCLUSION_REASONS, GROUP_COLUMNS, isMetricName, REVIEW_METRIC_COLUMNS, type ReviewMetricRow } from '../../shared/metrics';
import type { VendorMetricRow } from './reconcile';

export type CsvResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ParsedCsv {
  header: string[];
  /** Data rows; null = NULL (empty unquoted field), '' = empty string. */
  rows: (string | null)[][];
  /** 1-based line number where each data row starts (for messages). */
  lines: number[];
}

/** Parses RFC 4180 CSV with Athena's NULL convention. Errors say where (line, column) and what. */
export function parseCsv(text: string, where: string): CsvResult<ParsedCsv> {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: (string | null)[][] = [];
  const starts: number[] = [];
  let record: (string | null)[] = [];
  let line = 1;
  let col = 1;
  let recordLine = 1;
  let i = 0;
  const n = s.length;
  if (n === 0) return { ok: false, reason: `${where}: empty file: expected at least a header row` };
  for (;;) {
    // At the start of a field.
    if (s[i] === '"') {
      const fieldLine = line;
      const fieldCol = col;
      i++;
      col++;
      let value = '';
      for (;;) {
        if (i >= n) return { ok: false, reason: `${where}:${fieldLine}:${fieldCol}: quoted field never closed: a '"' is missing` };
        const c = s[i] as string;
        if (c === '"') {
          if (s[i + 1] === '"') {
            value += '"';
            i += 2;
            col += 2;
            continue;
          }
          i++;
          col++;
          break;
        }
        if (c === '\n') {
          line++;
          col = 1;
        } else col++;
        value += c;
        i++;
      }
      record.push(value);
      if (i < n && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
        return { ok: false, reason: `${where}:${line}:${col}: unexpected character after a closing quote: separate fields with ','` };
      }
    } else {
      let j = i;
      while (j < n && s[j] !== ',' && s[j] !== '\n' && s[j] !== '\r') {
        if (s[j] === '"')
          return { ok: false, reason: `${where}:${line}:${col + (j - i)}: '"' inside an unquoted field: quote the whole field` };
        j++;
      }
      record.push(j === i ? null : s.slice(i, j));
      col += j - i;
      i = j;
    }
    // After a field: separator, end of record or end of file.
    if (i < n && s[i] === ',') {
      i++;
      col++;
      continue;
    }
    // A blank line is no record (hand-written files often end with one).
    if (!(record.length === 1 && record[0] === null)) {
      records.push(record);
      starts.push(recordLine);
    }
    record = [];
    if (i < n && s[i] === '\r') i++;
    if (i < n && s[i] === '\n') i++;
    line++;
    col = 1;
    recordLine = line;
    if (i >= n) break;
  }
  const [header, ...rows] = records;
  if (!header || header.some((h) => h === null || h === ''))
    return { ok: false, reason: `${where}:1: the header row has an empty column name` };
  const lines = starts.slice(1);
  for (let r = 0; r < rows.length; r++) {
    if ((rows[r] as unknown[]).length !== header.length) {
      return { ok: false, reason: `${where}:${lines[r]}: ${(rows[r] as unknown[]).length} fields, the header has ${header.length}` };
    }
  }
  return { ok: true, value: { header: header as string[], rows, lines } };
}

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
