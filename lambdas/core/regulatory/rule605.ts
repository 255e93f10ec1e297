import { join } from 'node:path';
import type { Firm } from '../../shared/config';
import type { CsvwError } from './csvw';
import { roundTrimmed } from './decimal';

/** The figure fields (7-18), each rounded to six places. */
export const OES_FIGURES = [
  'AvgOrderQty',
  'AvgOrderSize',
  'ExctdOrderMidPtAvg',
  'PctExctdAtQuotOrBetter',
  'PctExctdPI',
  'WghtdAvgPctPI',
  'AvgEffctvSprdPct',
  'AvgPctQuotSprd',
  'AvgEFQPct',
  'AvgRealSprdPct15sec',
  'AvgRealSprdPct1min',
  'WghtdAvgExctnTime',
] as const;

/** Exhibit A field headers, in file order: the six key fields, then the figures. */
export const OES_HEADER = ['DsgntParticipant', 'RprtEntityCd', 'RptDate', 'Sp500', 'OrderSize', 'OrderType', ...OES_FIGURES] as const;
export type OesFigure = (typeof OES_FIGURES)[number];
/** Figures about executions (fields 9-18): empty when the category executed nothing (footnote 2). */
export const OES_EXECUTION_FIGURES: readonly OesFigure[] = OES_FIGURES.slice(2);

/** Order size codes in file order (199999 = every size under $200,000). */
export const OES_ORDER_SIZES = ['0', '250', '1000', '5000', '10000', '20000', '50000', '199999', '200000'] as const;
export const OES_ORDER_TYPES = ['M', 'ML'] as const;

/** One category's figures as sql/rule605/summary.sql returns them. */
export interface OesRow {
  Sp500: 'Y' | 'N';
  OrderSize: (typeof OES_ORDER_SIZES)[number];
  OrderType: (typeof OES_ORDER_TYPES)[number];
  n_orders: number;
  n_executions: number;
  executed_shares: number;
  figures: Record<OesFigure, number | null>;
}

const lowerKeys = (r: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

export type OesRowsResult = { ok: true; rows: OesRow[] } | { ok: false; error: string };

/** Rows from the engine or an Athena CSV (Athena lower-cases column names, so keys match in any case). */
export function toOesRows(input: readonly Record<string, unknown>[], where = 'sql/rule605/summary.sql'): OesRowsResult {
  const rows: OesRow[] = [];
  for (const [i, raw] of input.entries()) {
    const r = lowerKeys(raw);
    const sp = String(r.sp500 ?? '');
    const size = String(r.ordersize ?? '');
    const type = String(r.ordertype ?? '');
    if (sp !== 'Y' && sp !== 'N') return { ok: false, error: `${where}, row ${i + 1}: Sp500 "${sp}" is not Y or N` };
    if (!(OES_ORDER_SIZES as readonly string[]).includes(size))
      return { ok: false, error: `${where}, row ${i + 1}: OrderSize "${size}" is not a Rule 605 size code` };
    if (!(OES_ORDER_TYPES as readonly string[]).includes(type))
      return { ok: false, error: `${where}, row ${i + 1}: OrderType "${type}" is not M or ML` };
    const figures = Object.fromEntries(OES_FIGURES.map((f) => [f, numOrNull(r[f.toLowerCase()])])) as Record<OesFigure, number | null>;
    rows.push({
      Sp500: sp,
      OrderSize: size as OesRow['OrderSize'],
      OrderType: type as OesRow['OrderType'],
      n_orders: Number(r.n_orders ?? 0),
      n_executions: Number(r.n_executions ?? 0),
      executed_shares: Number(r.executed_shares ?? 0),
      figures,
    });
  }
  return { ok: true, rows };
}

/** File order: S&P 500 first, then M before ML, then sizes ascending with 199999 before 200000. */
export function sortOesRows(rows: readonly OesRow[]): OesRow[] {
  return [...rows].sort(
    (a, b) =>
      (a.Sp500 === b.Sp500 ? 0 : a.Sp500 === 'Y' ? -1 : 1) ||
      OES_ORDER_TYPES.indexOf(a.OrderType) - OES_ORDER_TYPES.indexOf(b.OrderType) ||
      OES_ORDER_SIZES.indexOf(a.OrderSize) - OES_ORDER_SIZES.indexOf(b.OrderSize),
  );
}

/** The month's RptDate, YYYYMM. */
export function rptDate(month: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`month "${month}" is not YYYY-MM, e.g. 2026-07`);
  return `${m[1]}${m[2]}`;
}

/** "[reporter identification code][yyyymm].csv" (technical specification, section II). */
export const rule605FileName = (firm: Pick<Firm, 'reportingEntityCode'>, month: string): string =>
  `${firm.reportingEntityCode}${rptDate(month)}.csv`;

/** The field text of one figure: six places half-up, trailing zeros dropped; empty for no data. */
export function oesField(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : roundTrimmed(value, 6);
}

/** The file: header, one record per category with orders, CRLF after every record. */
export function buildRule605Csv(
  rows: readonly OesRow[],
  firm: Pick<Firm, 'designatedParticipant' | 'reportingEntityCode'>,
  month: string,
): string {
  const date = rptDate(month);
  const records = sortOesRows(rows)
    .filter((r) => r.n_orders > 0)
    .map((r) => {
      const executed = r.executed_shares > 0;
      const fields = OES_FIGURES.map((f) => (!executed && OES_EXECUTION_FIGURES.includes(f) ? '' : oesField(r.figures[f])));
      return [firm.designatedParticipant, firm.reportingEntityCode, date, r.Sp500, r.OrderSize, r.OrderType, ...fields].join(',');
    });
  return `${[OES_HEADER.join(','), ...records].join('\r\n')}\r\n`;
}

/** The SEC's specification files are never copied into the repo: they sit in ../shared beside it. */
const SHARED_SPECS = new URL('../../../../shared/specs/sec/', import.meta.url).pathname;

/** Where the SEC's specification files are: BESTEX_SEC_SPECS, else ../shared/specs/sec beside the repository. */
export const secSpecPath = (file: string): string => join(process.env.BESTEX_SEC_SPECS ?? SHARED_SPECS, file);

/** The SEC's CSVW metadata for the summary files. */
export const oesMetadataPath = (): string => secSpecPath('oes-metadata.json');

export interface Rule605Options {
  firm: Pick<Firm, 'designatedParticipant' | 'reportingEntityCode'>;
  /** config/bestex.json ingest.maxQuoteAgeSeconds (default 10). */
  maxQuoteAgeSeconds?: number;
  /** Path of oes-metadata.json to validate against (default oesMetadataPath()); false skips validation. */
  metadataPath?: string | false;
}

export interface Rule605Result {
  csv: string;
  fileName: string;
  /** Metadata violations that are defects of the file. */
  errors: CsvwError[];
  /**
   * Violations the specification itself requires: a figure with no data is left empty (section
   * III(b); footnote 2 for a category with orders but no executions) although the metadata marks
   * every column required. They are listed, not hidden.
   */
  warnings: CsvwError[];
  rows: OesRow[];
  /** What the summary leaves out, by reason (sql/rule605/exclusions.sql). */
  exclusions: { reason: string; n: number; shares: number }[];
}

/**
 * Splits validation errors: an empty figure in a file this module wrote means "no data" (the
 * writer leaves a figure empty only then), which the specification requires; anything else is a
 * defect.
 */
export function classifyOesErrors(csv: string, errors: readonly CsvwError[]): { errors: CsvwError[]; warnings: CsvwError[] } {
  const lines = csv.split('\r\n');
  const out: { errors: CsvwError[]; warnings: CsvwError[] } = { errors: [], warnings: [] };
  for (const e of errors) {
    const isFigure = e.column !== null && (OES_FIGURES as readonly string[]).includes(e.column);
    if (!isFigure || e.value !== '') {
      out.errors.push(e);
      continue;
    }
    const cells = (lines[e.row - 1] ?? '').split(',');
    const noExecutions = OES_EXECUTION_FIGURES.every((f) => cells[OES_HEADER.indexOf(f)] === '');
    const why = noExecutions
      ? 'left empty: the category has orders but no executions (specification footnote 2)'
      : 'left empty: no data for this field (specification section III(b))';
    out.warnings.push({ ...e, reason: `${e.reason}; ${why}` });
  }
  return out;
}
