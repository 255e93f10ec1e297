/**
 * The record framing of a text drop, decided here and nowhere else: one record is one line
 * (LF or CRLF ended), the first line of a CSV is its header. DuckDB's CSV reader is then given
 * only lines it cannot misread: a line it would split differently (a bare CR, a quote that is
 * not closed on its line, a quote inside an unquoted field, text after a closing quote) or could
 * not hold (longer than the record limit) is a rejected record of its own, with its line and
 * reason, and the lines after it are read as the records they are. Without this, one stray
 * quote made DuckDB read the rest of the file as a single field, and a CR started a new record.
 *
 * The scan only visits the bytes that matter (LF, CR, quote) with Buffer.indexOf, so a file
 * without faults costs one pass of native searches; a cleaned copy is written only when some
 * line must be taken out (faulty lines, and blank lines, which DuckDB skips without counting).
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** Longest record DuckDB is asked to hold (its max_line_size); longer lines are rejected records. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Longest header line. */
export const MAX_HEADER_BYTES = 1024 * 1024;

export interface LineFault {
  /** 1-based line number in the file as dropped. */
  line: number;
  /** 1-based field of the line where the fault is (CSV), when known. */
  field: number | null;
  reason: string;
  /** The start of the line, for the reader of the quarantine CSV (at most 60 characters). */
  snippet: string;
}

export interface ScanResult {
  /** Lines in the file (a final line without LF counts; a final LF does not start a new one). */
  lines: number;
  /** Lines that are rejected records. */
  faults: LineFault[];
  /** Blank lines (not records). */
  blank: number[];
  /** A fault of the header line: the whole file is rejected. */
  headerFault?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const CHUNK = 8 * 1024 * 1024;

const snippetOf = (buf: Buffer, s: number, e: number): string =>
  buf
    .subarray(s, Math.min(e, s + 240))
    .toString('utf8')
    .replace(/[\r\n]/g, ' ')
    .slice(0, 60);

/**
 * Scans `path` as CSV (delimiter `delim`, quote '"', quotes doubled inside quoted fields) or as
 * JSON lines (`delim` undefined: only CR, control-character and length faults apply).
 */
export async function scanLines(path: string, delim: string | undefined): Promise<ScanResult> {
  const d = delim === undefined ? undefined : Buffer.from(delim, 'utf8');
  const faults: LineFault[] = [];
  const blank: number[] = [];
  let headerFault: string | undefined;
  let line = 0;
  const fh = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    let pos = 0;
    /** Bytes of an oversized line already skipped (its start was in an earlier chunk). */
    let skipping = -1;
    let eof = false;
    while (!eof) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, pos);
      pos += bytesRead;
      eof = bytesRead === 0;
      let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      carry = Buffer.alloc(0);
      let s = 0;
      if (skipping >= 0) {
        const nl = buf.indexOf(LF);
        if (nl < 0) {
          if (!eof) {
            skipping += buf.length;
            continue;
          }
          s = buf.length;
        } else s = nl + 1;
        skipping = -1;
      }
      // Most chunks hold no CR, quote or SOH at all: then a line can only be blank or too long,
      // and the per-line checks are skipped (one native search of the chunk per byte kind).
      const plain = buf.indexOf(CR, s) < 0 && buf.indexOf(QUOTE, s) < 0 && (d !== undefined || buf.indexOf(0x01, s) < 0);
      while (s < buf.length) {
        const nl = buf.indexOf(LF, s);
        if (nl < 0 && !eof) {
          const limit = line === 0 ? MAX_HEADER_BYTES : MAX_RECORD_BYTES;
          if (buf.length - s > limit + 1) {
            line++;
            const fault = `is longer than the limit of ${limit} bytes`;
            if (line === 1) headerFault = `the header line ${fault}: the first line must be the header`;
            else
              faults.push({
                line,
                field: null,
                reason: `${fault}: split the data into shorter records`,
                snippet: snippetOf(buf, s, buf.length),
              });
            skipping = buf.length - s;
            s = buf.length;
            break;
          }
          carry = Buffer.from(buf.subarray(s));
          break;
        }
        const e = nl < 0 ? buf.length : nl;
        line++;
        const f = plain && e > s && e - s <= MAX_HEADER_BYTES ? undefined : checkLine(buf, s, e, d, line);
        if (f === 'blank') {
          if (line === 1) headerFault = 'the first line is blank: the file must start with its header line';
          else blank.push(line);
        } else if (f) {
          if (line === 1) headerFault = `the header line ${f.reason}: fix the header`;
          else faults.push({ line, field: f.field, reason: f.reason, snippet: snippetOf(buf, s, e) });
        }
        s = e + 1;
      }
      buf = Buffer.alloc(0);
    }
  } finally {
    await fh.close();
  }
  return { lines: line, faults, blank, ...(headerFault ? { headerFault } : {}) };
}

/** The first `byte` in [from, end), or -1: a search never runs past its line. */
function find(buf: Buffer, byte: number, from: number, end: number): number {
  if (from >= end) return -1;
  const i = buf.subarray(from, end).indexOf(byte);
  return i < 0 ? -1 : from + i;
}

/** The field (1-based) holding byte `at` of the line [s, …): delimiters counted outside quotes. */
function fieldAt(buf: Buffer, s: number, at: number, d: Buffer): number {
  let field = 1;
  let quoted = false;
  for (let i = s; i < at; i++) {
    const b = buf[i];
    if (b === QUOTE) quoted = !quoted;
    else if (!quoted && b === d[0] && buf.subarray(i, i + d.length).equals(d)) {
      field++;
      i += d.length - 1;
    }
  }
  return field;
}

/** Checks one line [s, e) (e at the LF or the end of the file). */
function checkLine(
  buf: Buffer,
  s: number,
  e: number,
  d: Buffer | undefined,
  line: number,
): { field: number | null; reason: string } | 'blank' | undefined {
  let end = e;
  if (end > s && buf[end - 1] === CR) end--;
  if (end === s) return 'blank';
  const limit = line === 1 ? MAX_HEADER_BYTES : MAX_RECORD_BYTES;
  if (end - s > limit)
    return { field: null, reason: `is ${end - s} bytes long, more than the limit of ${limit} bytes: split the data into shorter records` };
  const cr = find(buf, CR, s, end);
  if (cr >= 0 && cr < end) {
    return {
      field: d ? fieldAt(buf, s, cr, d) : null,
      reason: `holds a carriage return (CR) at character ${cr - s + 1} that does not end the line: a record is one line, ended by LF or CRLF`,
    };
  }
  if (!d) {
    // JSON lines are read with SOH as the (never matching) delimiter: valid JSON never holds it raw.
    const soh = find(buf, 0x01, s, end);
    if (soh >= 0 && soh < end)
      return { field: null, reason: `holds a control character (U+0001) at character ${soh - s + 1}: it is not JSON text` };
    return undefined;
  }
  let q = find(buf, QUOTE, s, end);
  while (q >= 0 && q < end) {
    const fieldStart = q === s || (q - d.length >= s && buf.subarray(q - d.length, q).equals(d));
    if (!fieldStart) {
      return {
        field: fieldAt(buf, s, q, d),
        reason: `has a quote (") at character ${q - s + 1} inside an unquoted field: quote the whole field and double the quotes inside it`,
      };
    }
    let c = find(buf, QUOTE, q + 1, end);
    while (c >= 0 && c < end && buf[c + 1] === QUOTE && c + 1 < end) c = find(buf, QUOTE, c + 2, end);
    if (c < 0 || c >= end) {
      return {
        field: fieldAt(buf, s, q, d),
        reason: `has a quote (") at character ${q - s + 1} that is not closed on this line: a record is one line (a line break inside a quoted field is not accepted), and the next line is read as the next record`,
      };
    }
    const after = c + 1;
    if (after < end && !buf.subarray(after, after + d.length).equals(d)) {
      return {
        field: fieldAt(buf, s, q, d),
        reason: `has text after the closing quote at character ${c - s + 1}: a quoted field must end at its closing quote`,
      };
    }
    q = after < end ? find(buf, QUOTE, after, end) : -1;
  }
  return undefined;
}

/**
 * Copies `src` to `dest` without the lines in `drop` (sorted, 1-based): taken out ('drop'), or
 * left as empty lines so that every other line keeps its number ('blank').
 */
export async function withoutLines(src: string, dest: string, drop: readonly number[], mode: 'drop' | 'blank'): Promise<void> {
  const out = createWriteStream(dest);
  let line = 1;
  let k = 0;
  let next = drop[0] ?? Number.POSITIVE_INFINITY;
  let keeping = line !== next;
  for await (const chunk of createReadStream(src, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    let s = 0;
    while (s < chunk.length) {
      const nl = chunk.indexOf(LF, s);
      const e = nl < 0 ? chunk.length : nl + 1;
      if (keeping && !out.write(chunk.subarray(s, e))) await once(out, 'drain');
      if (nl < 0) break;
      if (!keeping && mode === 'blank' && !out.write('\n')) await once(out, 'drain');
      line++;
      while (next < line) next = drop[++k] ?? Number.POSITIVE_INFINITY;
      keeping = line !== next;
      s = e;
    }
  }
  out.end();
  await once(out, 'finish');
}
