/**
 * The one CSV writer for everything a person may open in a spreadsheet (quarantine, exceptions,
 * review exports, CLI output). RFC 4180 with CRLF line ends, NULL as an empty field.
 *
 * Vendor bytes are data: a text cell that a spreadsheet would read as a formula (it begins with
 * `=`, `+`, `-`, `@`, a tab or a carriage return, per the OWASP guidance on CSV injection) is
 * written with a leading apostrophe and quoted, so it shows as text and never runs. A cell that is
 * a plain decimal number (`-0.0012`, `+5`) cannot be a formula and is written as it is, so
 * negative figures stay numbers.
 */

/** Cells beginning with one of these are formulas to Excel, LibreOffice and Google Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, optionally signed, with an optional exponent: never a formula. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A text value as a spreadsheet will show it: formula-like text gets a leading apostrophe. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** One CSV field: null/undefined/non-finite → empty; text neutralised; quoted when it must be. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && !Number.isFinite(value)) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const safe = typeof value === 'string' ? neutralise(text) : text;
  return safe === '' || /[",\r\n]/.test(safe) || safe !== text || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole CSV document: a header row of `columns`, then each row's values in that order. */
export function toCsv(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
