/**
 * Athena's query-result CSV: a header row, every value double-quoted ("" inside), NULL as an
 * empty unquoted field. The local Athena stand-in writes it and the handlers read it, so both
 * runtimes exchange results in exactly the format Athena uses. Machine interchange only: a CSV a
 * person opens is written by shared/csv.ts, which neutralises formula cells.
 */
import type { Result } from './result';

export type Cell = string | null;

export function toAthenaCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const q = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${s.replace(/"/g, '""')}"`;
  };
  return `${[columns.map(q).join(','), ...rows.map((r) => r.map(q).join(','))].join('\n')}\n`;
}

/**
 * Records (values by column name) in the same format: the review's hand-off files (Evaluate to
 * Package, CSV to Parquet). A non-finite number is NULL: the review tables hold no NaN. Machine
 * format, not for people: nothing is neutralised, so a vendor value reads back exactly.
 */
export function toAthenaCsvRecords(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  return toAthenaCsv(
    columns,
    rows.map((r) =>
      columns.map((c) => {
        const v = r[c];
        return typeof v === 'number' && !Number.isFinite(v) ? null : v;
      }),
    ),
  );
}

export type CsvResult<T> = Result<T>;

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

/** Parses Athena CSV into header + rows (quoted empty "" is '', unquoted empty is null); throws on a malformed file. */
export function parseAthenaCsv(text: string, where = 'Athena CSV'): { columns: string[]; rows: Cell[][] } {
  const r = parseCsv(text, where);
  if (!r.ok) throw new Error(r.reason);
  return { columns: r.value.header, rows: r.value.rows };
}

/** Rows as objects keyed by column name. */
export function athenaCsvObjects(text: string): Record<string, Cell>[] {
  const { columns, rows } = parseAthenaCsv(text);
  return rows.map((r) => Object.fromEntries(columns.map((c, k) => [c, r[k] ?? null])));
}
