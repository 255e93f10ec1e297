/**
 * How each drop format is read by DuckDB: every field as VARCHAR, with a record number for
 * lineage. The header of a CSV is read here (first line only) so that the reader can be given
 * exact columns and never guesses types.
 */
import { open } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type LineFault, MAX_HEADER_BYTES, MAX_RECORD_BYTES, scanLines, withoutLines } from './scan';
import { type Bindings, ident, lit } from './sqlfiles';
import type { InputField } from './sqlgen';

export type ReadResult =
  | {
      ok: true;
      fields: InputField[];
      /** The reader call; `pass` = 'first' records unparseable CSV rows, later passes skip them. */
      input: (pass: 'first' | 'later') => string;
      /** Record number expression (before any correction for skipped records). */
      line: string;
      /** How a record number relates to the file's lines, for the docs and the manifest notes. */
      kind: 'csv' | 'jsonl' | 'parquet';
      /**
       * Record numbers come from WITH ORDINALITY, which DuckDB computes on one thread: the scan
       * runs serially whatever the thread setting.
       */
      serial: boolean;
      notes: string[];
      /** Lines the framing scan (scan.ts) rejected as records: each is one rejected row. */
      faults: LineFault[];
      /**
       * Lines of the dropped file that are not in the file DuckDB reads (faulty and blank CSV
       * lines), sorted: DuckDB's record numbers and reject lines are mapped back through it.
       */
      removed: number[];
    }
  | { ok: false; reason: string };

/** Reads up to the first line break (a header longer than 1 MiB is not a header). */
async function firstLine(path: string): Promise<{ text: string; bom: boolean; crlf: boolean; empty: boolean }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let b = buf.subarray(0, bytesRead);
    const bom = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    if (bom) b = b.subarray(3);
    const nl = b.indexOf(0x0a);
    let line = nl < 0 ? b : b.subarray(0, nl);
    const crlf = line.length > 0 && line[line.length - 1] === 0x0d;
    if (crlf) line = line.subarray(0, line.length - 1);
    return { text: line.toString('utf8'), bom, crlf, empty: bytesRead === 0 || (bom && bytesRead === 3) };
  } finally {
    await fh.close();
  }
}

/** Splits one CSV line (RFC 4180 quoting) into fields. */
export function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Header names made unique and non-empty, as DuckDB's explicit column list requires. */
function uniqueNames(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    const base = r.trim() === '' ? `column_${i + 1}` : r.trim();
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}

const OTHER_DELIMS = [';', '\t', '|'];

export async function readCsv(path: string, delim: string, bind: Bindings, opts: { lineColumn?: string } = {}): Promise<ReadResult> {
  const head = await firstLine(path);
  if (head.empty) return { ok: false, reason: 'the file is empty: send a header line and the rows' };
  if (head.text.trim() === '') return { ok: false, reason: 'the first line is blank: the file must start with its header line' };
  // The FIX parser's own CSV (a line column) is framed by the FIX tokenizer and quoted by its
  // sink: only a vendor's CSV needs the framing scan.
  const scan = opts.lineColumn ? { faults: [], blank: [] } : await scanLines(path, delim);
  if ('headerFault' in scan && scan.headerFault) return { ok: false, reason: scan.headerFault };
  const raw = splitCsvLine(head.text, delim);
  const notes: string[] = [];
  if (raw.length === 1) {
    const other = OTHER_DELIMS.find((d) => head.text.includes(d));
    if (other) {
      const name = other === '\t' ? 'tab' : `'${other}'`;
      return {
        ok: false,
        reason: `the header has a single column and contains ${name}: the file seems to be ${name}-separated, not '${delim}'-separated. Send comma-separated CSV, or set "delimiter" in the vendor profile`,
      };
    }
  }
  const names = uniqueNames(raw);
  // The vendor's header names never reach SQL: DuckDB knows the fields as f_0, f_1, … only.
  const columns = `{${names.map((_, i) => `'f_${i}': 'VARCHAR'`).join(', ')}}`;
  const aliases = names.map((_, i) => ident(`f_${i}`)).join(', ');
  const removed = [...scan.faults.map((f) => f.line), ...scan.blank].sort((a, b) => a - b);
  let readPath = path;
  if (removed.length) {
    readPath = `${path}.lines`;
    await withoutLines(path, readPath, removed, 'drop');
  }
  const common = `${lit(readPath)}, header = true, auto_detect = false, delim = ${bind.text(delim)}, quote = '"', escape = '"', columns = ${columns}, max_line_size = ${MAX_RECORD_BYTES + 2}`;
  const lineIdx = opts.lineColumn ? names.indexOf(opts.lineColumn) : -1;
  // A line column (FIX parser output) makes the record number unnecessary, and the scan parallel.
  const numbered = lineIdx < 0 ? ` WITH ORDINALITY AS nx_in(${aliases}, nx_ord)` : ` AS nx_in(${aliases})`;
  const input = (pass: 'first' | 'later') =>
    `read_csv(${common}, ${pass === 'first' ? "store_rejects = true, rejects_table = 'nx_rj', rejects_scan = 'nx_rs'" : 'ignore_errors = true'})${numbered}`;
  if (head.bom) notes.push('the file starts with a UTF-8 byte-order mark (ignored)');
  return {
    ok: true,
    fields: names.map((name, i) => ({ name, expr: ident(`f_${i}`) })),
    input,
    // The header is line 1, so record n is line n + 1 (when no field holds a line break).
    line: lineIdx >= 0 ? `CAST(${ident(`f_${lineIdx}`)} AS BIGINT)` : 'nx_ord + 1',
    kind: 'csv',
    serial: lineIdx < 0,
    notes,
    faults: scan.faults,
    removed,
  };
}

/**
 * JSON lines: each line is read whole as one VARCHAR (a delimiter that valid JSON text cannot
 * contain), so a malformed line is a rejected row with its line number, not a failed file. A line
 * the framing scan rejects (a bare CR, a control character, too long) is blanked in the copy
 * DuckDB reads, so every later line keeps its number, and is counted as a rejected record.
 */
export async function readJsonl(db: DuckDBConnection, path: string, bind: Bindings): Promise<ReadResult> {
  const head = await firstLine(path);
  if (head.empty) return { ok: false, reason: 'the file is empty: send one JSON object per line' };
  const scan = await scanLines(path, undefined);
  let readPath = path;
  if (scan.faults.length) {
    readPath = `${path}.lines`;
    await withoutLines(
      path,
      readPath,
      scan.faults.map((f) => f.line),
      'blank',
    );
  }
  // jv is the line when it is valid JSON: JSON functions raise errors on invalid text.
  const input = () =>
    `(SELECT j, nx_ord, CASE WHEN json_valid(j) THEN j END AS jv FROM read_csv(${lit(readPath)}, header = false, auto_detect = false, delim = chr(1), quote = '', escape = '', strict_mode = false, columns = {'j': 'VARCHAR'}, max_line_size = ${MAX_RECORD_BYTES + 2}) WITH ORDINALITY AS nx_raw(j, nx_ord)) AS nx_in`;
  const keys = await db.runAndReadAll(
    `SELECT k FROM (SELECT unnest(json_keys(jv)) AS k, nx_ord FROM ${input()} WHERE json_type(jv) = 'OBJECT') GROUP BY k ORDER BY min(nx_ord), k`,
  );
  const names = keys.getRowObjects().map((r) => String(r.k));
  if (names.length === 0) {
    return { ok: false, reason: 'no line of the file is a JSON object: send one JSON object per line (JSON Lines)' };
  }
  return {
    ok: true,
    // Keys are the vendor's: each path is a bound value, never SQL text.
    fields: names.map((name) => ({ name, expr: `json_extract_string(jv, ${bind.text(`$.${JSON.stringify(name)}`)})` })),
    input,
    line: 'nx_ord',
    kind: 'jsonl',
    serial: true,
    notes: [],
    faults: scan.faults,
    removed: [],
  };
}

/**
 * Parquet: typed columns are turned back into text so that one validation path serves all
 * formats. Columns are taken by position (f_0, f_1, …): the file's own names stay out of SQL.
 */
export async function readParquet(db: DuckDBConnection, path: string): Promise<ReadResult> {
  let names: string[];
  try {
    const d = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(path)})`);
    names = d.getRowObjects().map((r) => String(r.column_name));
  } catch (err) {
    return { ok: false, reason: `the file is not a readable Parquet file (${firstLineOf(err)}): send a complete Parquet file` };
  }
  const aliases = [...names.map((_, i) => ident(`f_${i}`)), 'file_row_number'].join(', ');
  const input = () => `read_parquet(${lit(path)}, file_row_number = true) AS nx_in(${aliases})`;
  return {
    ok: true,
    fields: names.map((name, i) => ({ name, expr: `CAST(nx_in.${ident(`f_${i}`)} AS VARCHAR)` })),
    input,
    line: 'file_row_number + 1',
    kind: 'parquet',
    serial: false,
    notes: [],
    faults: [],
    removed: [],
  };
}

export function firstLineOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? msg).slice(0, 300);
}
