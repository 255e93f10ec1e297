/**
 * Athena's query-result CSV: a header row, every value double-quoted ("" inside), NULL as an
 * empty unquoted field. The local Athena stand-in writes it and the handlers read it, so both
 * runtimes exchange results in exactly the format Athena uses. Machine interchange only: a CSV a
 * person opens is written by shared/csv.ts, which neutralises formula cells.
 */

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

/** Parses Athena CSV into header + rows; quoted empty ("") is '', unquoted empty is null. */
export function parseAthenaCsv(text: string): { columns: string[]; rows: Cell[][] } {
  const records: Cell[][] = [];
  let row: Cell[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let cell: Cell;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const j = text.indexOf('"', i);
        if (j < 0) throw new Error('unterminated quoted field in Athena CSV');
        s += text.slice(i, j);
        if (text[j + 1] === '"') {
          s += '"';
          i = j + 2;
        } else {
          i = j + 1;
          break;
        }
      }
      cell = s;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      cell = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(cell);
    if (text[i] === ',') {
      i++;
      if (i === n) row.push(null);
    } else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      records.push(row);
      row = [];
    }
  }
  const [header, ...rows] = records;
  return { columns: (header ?? []).map((c) => c ?? ''), rows };
}

/** Rows as objects keyed by column name. */
export function athenaCsvObjects(text: string): Record<string, Cell>[] {
  const { columns, rows } = parseAthenaCsv(text);
  return rows.map((r) => Object.fromEntries(columns.map((c, k) => [c, r[k] ?? null])));
}
