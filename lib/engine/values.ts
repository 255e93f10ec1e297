/**
 * Conversions at the engine's edges: Athena ExecutionParameters (SQL literals as text) in, plain
 * JS values out, so callers never see DuckDB value classes and results survive JSON.stringify.
 */
import { type DuckDBResultReader, DuckDBTypeId, type DuckDBValue } from '@duckdb/node-api';

export type Param = string | number | boolean | null;

/**
 * One Athena execution parameter → the value bound to its `?`. Athena takes SQL literals:
 * `'text'` (quotes doubled inside), `DATE '2026-07-01'`/`TIMESTAMP '…'`, numbers, booleans, NULL.
 */
export function parseAthenaParam(literal: string, index = 0): Param {
  const s = literal.trim();
  const quoted = /^(?:(?:DATE|TIMESTAMP|VARCHAR)\s+)?'((?:[^']|'')*)'$/is.exec(s);
  if (quoted) return (quoted[1] as string).replaceAll("''", "'");
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^true$/i.test(s)) return true;
  if (/^false$/i.test(s)) return false;
  if (/^null$/i.test(s)) return null;
  throw new Error(
    `execution parameter ${index + 1} (${JSON.stringify(literal)}) is not an Athena literal: quote strings and dates ('2026Q3', '2026-07-01'), write numbers bare (10)`,
  );
}

export const parseAthenaParams = (params: readonly string[]): Param[] => params.map((p, i) => parseAthenaParam(p, i));

const pad = (n: number | bigint, w = 2): string => String(n).padStart(w, '0');

/** ISO-8601 UTC with millisecond precision, or microseconds when the value has them. */
export function isoFromMicros(micros: bigint): string {
  const ms = micros / 1000n;
  let sub = micros % 1000n;
  let msN = ms;
  if (sub < 0n) {
    sub += 1000n;
    msN -= 1n;
  }
  const base = new Date(Number(msN)).toISOString(); // 2026-07-01T13:30:00.123Z
  return sub === 0n ? base : `${base.slice(0, -1)}${pad(sub, 3)}Z`;
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Reads a finished result into plain rows (timestamps keep microseconds; dates stay dates). */
export function toPlain(reader: DuckDBResultReader): { columns: string[]; rows: Record<string, unknown>[] } {
  const columns = reader.deduplicatedColumnNames();
  const n = reader.currentRowCount;
  const converters = columns.map((_, ci) => {
    const id = reader.columnTypeId(ci);
    switch (id) {
      case DuckDBTypeId.TIMESTAMP:
      case DuckDBTypeId.TIMESTAMP_TZ:
        return (v: DuckDBValue): unknown => (v === null ? null : isoFromMicros((v as { micros: bigint }).micros));
      case DuckDBTypeId.DATE:
        return (v: DuckDBValue): unknown => (v === null ? null : String(v));
      default:
        return null;
    }
  });
  const js = reader.getRowsJS();
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    const jr = js[r] as unknown[];
    for (let c = 0; c < columns.length; c++) {
      const conv = converters[c];
      row[columns[c] as string] = conv ? conv(reader.value(c, r)) : plain(jr[c]);
    }
    rows[r] = row;
  }
  return { columns, rows };
}
