/**
 * FIX log → two canonical CSV files (orders, executions), streaming and memory-bounded
 * (../shared/design/data-contract.md §3). Every line ends up in exactly one count; every line
 * that is neither a row, a blank, an ignored-by-design message nor a bust applied is returned as
 * a reject with its line number, the FIX field at fault and a plain-English reason.
 *
 * Accounting (checked by the tests):
 *   lines    = blank + garbled + bad_checksum + bad_body_length + messages
 *   messages = orders + executions + busted + busts + bust_unmatched + ignored + unsupported + unknown_msg_type
 *   rejects  = garbled + bad_checksum + bad_body_length + bust_unmatched + unsupported + unknown_msg_type
 *
 * Busts (150=H, or FIX 4.2 20=1) remove the earlier fills whose ExecID (17) equals their ExecRefID
 * (19). Fills are written in one pass to a temporary file; only the busts' ids (few) are held in
 * memory, and when there are any a second streaming pass drops the busted rows.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  classifyExecutionReport,
  classifyOtherMsgType,
  FIX_EXECUTION_COLUMNS,
  FIX_ORDER_COLUMNS,
  LIQUIDITY_CODES,
  ORD_TYPE_CODES,
  SIDE_CODES,
  TIF_CODES,
  TIF_DEFAULT,
} from './mapping';
import { ByteSink } from './sink';
import { newScan, SCAN, type Scan, SLOT, scanLine } from './tokenizer';

export interface FixCounts {
  /** Lines read (a final line without a newline counts). */
  lines: number;
  /** Lines holding a well-framed message whose BodyLength and CheckSum verified. */
  messages: number;
  /** Rows written to the orders CSV (NewOrderSingle, 35=D). */
  orders: number;
  /** Rows written to the executions CSV (fills, after busts were applied). */
  executions: number;
  /** Bust messages (150=H or 20=1) that matched at least one earlier fill. */
  busts: number;
  /** Fill rows removed by those busts. */
  busted: number;
  /** Bust messages naming no earlier fill (or no ExecRefID): rejected. */
  bust_unmatched: number;
  /** Lines that are not a complete tag=value FIX message: rejected. */
  garbled: number;
  bad_checksum: number;
  bad_body_length: number;
  /** MsgType not a standard FIX type this parser knows: rejected. */
  unknown_msg_type: number;
  /** Known messages whose content cannot be applied (trade corrections, unknown ExecType, TradeCaptureReport, …): rejected. */
  unsupported: number;
  /** Messages that by design carry no order or fill (heartbeats, logons, cancels, 35=8 with 150=0/4/E, …). */
  ignored: number;
  blank: number;
  /** Rows whose received_ts/exec_ts came from SendingTime (52) because TransactTime (60) was absent. */
  sending_time_fallback: number;
}

export interface FixReject {
  /** 1-based line number in the (decompressed) log. */
  line: number;
  /** The FIX field at fault, e.g. "CheckSum(10)", or "field 3" for a malformed field. */
  column: string;
  reason: string;
  /** The line as it was in the file, without its line ending. */
  original: string;
}

export interface FixParseResult {
  /** CSV with a header: canonical `orders` columns (schema order) plus `source_line`. */
  ordersCsv: string;
  /** CSV with a header: canonical `executions` columns plus `source_line`; busts applied. */
  executionsCsv: string;
  counts: FixCounts;
  /** Every line not turned into a row, except blanks, ignored messages and applied busts (only counted). */
  rejects: FixReject[];
}

export interface FixParseOptions {
  gzip: boolean;
  /** Created if missing; receives fix-orders.csv and fix-executions.csv. */
  outDir: string;
  /** Read size; tests lower it to put line breaks across chunk boundaries. */
  chunkBytes?: number;
}

/** The input cannot be read as a whole (not gzip, truncated gzip): the caller rejects the file. */
export class FixFileError extends Error {
  override name = 'FixFileError';
}

export const FIX_ORDERS_FILE = 'fix-orders.csv';
export const FIX_EXECUTIONS_FILE = 'fix-executions.csv';

/** Longest line kept; a longer one is rejected as garbled (memory stays bounded on a binary file). */
export const MAX_LINE_BYTES = 1 << 20;
/** Longest `original` kept in a reject. */
const MAX_ORIGINAL_BYTES = 64 * 1024;
const FLUSH_AT = 512 * 1024;

export async function parseFixLog(inputPath: string, opts: FixParseOptions): Promise<FixParseResult> {
  await mkdir(opts.outDir, { recursive: true });
  const ordersCsv = join(opts.outDir, FIX_ORDERS_FILE);
  const executionsCsv = join(opts.outDir, FIX_EXECUTIONS_FILE);
  const pass1Csv = join(opts.outDir, `${FIX_EXECUTIONS_FILE}.pass1`);
  const chunkBytes = opts.chunkBytes ?? 1 << 20;

  const orders = await ByteSink.create(ordersCsv, FIX_ORDER_COLUMNS);
  const fills = await ByteSink.create(pass1Csv, FIX_EXECUTION_COLUMNS);
  const parser = new FixLineParser(orders, fills);
  try {
    const consume = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of chunks) {
        parser.feed(chunk);
        if (orders.buffered > FLUSH_AT) await orders.flush();
        if (fills.buffered > FLUSH_AT) await fills.flush();
      }
    };
    const source = createReadStream(inputPath, { highWaterMark: chunkBytes });
    if (opts.gzip) await pipeline(source, createGunzip({ chunkSize: Math.max(64, chunkBytes) }), consume);
    else await pipeline(source, consume);
    parser.finish();
  } catch (e) {
    await Promise.allSettled([orders.close(), fills.close()]);
    await Promise.allSettled([rm(ordersCsv, { force: true }), rm(pass1Csv, { force: true })]);
    throw readError(opts.gzip, e);
  }
  await orders.close();
  await fills.close();

  const { counts, rejects } = parser;
  counts.orders = orders.rows;
  if (parser.busts.size === 0) {
    await rename(pass1Csv, executionsCsv);
    counts.executions = fills.rows;
  } else {
    const kept = await applyBusts(pass1Csv, executionsCsv, parser.busts, chunkBytes);
    await rm(pass1Csv, { force: true });
    counts.executions = kept;
    counts.busted = fills.rows - kept;
    let late = false;
    for (const list of parser.busts.values()) {
      for (const bust of list) {
        if (bust.matched) counts.busts++;
        else {
          counts.bust_unmatched++;
          rejects.push({ line: bust.line, column: 'ExecRefID(19)', reason: bustUnmatchedReason(bust.execRefId), original: bust.original });
          late = true;
        }
      }
    }
    if (late) rejects.sort((a, b) => a.line - b.line);
  }
  return { ordersCsv, executionsCsv, counts, rejects };
}

function readError(gzip: boolean, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (gzip && typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return new FixFileError(
      `the FIX log cannot be decompressed (${err.message}): it is not a complete gzip file; drop it again, or without the .gz extension if it is plain text`,
    );
  }
  return err instanceof Error ? err : new Error(String(e));
}

const bustUnmatchedReason = (id: string): string =>
  `trade bust names ExecID "${id}" but no earlier fill row in this file has that ExecID (17) (the fill is missing, comes later, or was rejected): the bust cannot be applied; send the fill and its bust in the same log, fill first`;

interface PendingBust {
  line: number;
  execRefId: string;
  original: string;
  matched: boolean;
}

// Output column writers, looked up once from the schema's column order.
const W = {
  EMPTY: 0,
  LINE: 1,
  ORDER_ID: 2,
  SYMBOL: 3,
  SIDE: 4,
  ORDER_TYPE: 5,
  LIMIT_PRICE: 6,
  TIF: 7,
  ORDER_QTY: 8,
  RECEIVED_TS: 9,
  EXEC_ID: 10,
  EXEC_ORDER_ID: 11,
  VENUE: 12,
  EXEC_TS: 13,
  PRICE: 14,
  QTY: 15,
  LIQUIDITY: 16,
} as const;

const ORDER_WRITERS: Record<string, number> = {
  order_id: W.ORDER_ID,
  symbol: W.SYMBOL,
  side: W.SIDE,
  order_type: W.ORDER_TYPE,
  limit_price: W.LIMIT_PRICE,
  tif: W.TIF,
  qty: W.ORDER_QTY,
  received_ts: W.RECEIVED_TS,
  source_line: W.LINE,
};
const EXECUTION_WRITERS: Record<string, number> = {
  exec_id: W.EXEC_ID,
  order_id: W.EXEC_ORDER_ID,
  venue: W.VENUE,
  exec_ts: W.EXEC_TS,
  price: W.PRICE,
  qty: W.QTY,
  liquidity: W.LIQUIDITY,
  source_line: W.LINE,
};
const ORDER_PLAN = Int8Array.from(FIX_ORDER_COLUMNS.map((c) => ORDER_WRITERS[c] ?? W.EMPTY));
const EXECUTION_PLAN = Int8Array.from(FIX_EXECUTION_COLUMNS.map((c) => EXECUTION_WRITERS[c] ?? W.EMPTY));

/** Single-byte FIX code → pre-encoded canonical code. */
function byteTable(codes: Readonly<Record<string, string>>): (Uint8Array | undefined)[] {
  const t: (Uint8Array | undefined)[] = new Array(256).fill(undefined);
  for (const [k, v] of Object.entries(codes)) if (k.length === 1) t[k.charCodeAt(0)] = Buffer.from(v, 'latin1');
  return t;
}
const SIDE_T = byteTable(SIDE_CODES);
const ORD_TYPE_T = byteTable(ORD_TYPE_CODES);
const TIF_T = byteTable(TIF_CODES);
const LIQUIDITY_T = byteTable(LIQUIDITY_CODES);
const TIF_DEFAULT_BYTES = Buffer.from(TIF_DEFAULT, 'latin1');

const LF = 10;
const CR = 13;

/** Splits chunks into lines and turns each line into a row, a count or a reject. */
class FixLineParser {
  readonly counts: FixCounts = {
    lines: 0,
    messages: 0,
    orders: 0,
    executions: 0,
    busts: 0,
    busted: 0,
    bust_unmatched: 0,
    garbled: 0,
    bad_checksum: 0,
    bad_body_length: 0,
    unknown_msg_type: 0,
    unsupported: 0,
    ignored: 0,
    blank: 0,
    sending_time_fallback: 0,
  };
  readonly rejects: FixReject[] = [];
  /** ExecRefID → the busts naming it, in line order. */
  readonly busts = new Map<string, PendingBust[]>();
  private readonly scan: Scan = newScan();
  private carry: Buffer[] = [];
  private carryLen = 0;
  private overlong = false;

  constructor(
    private readonly orders: ByteSink,
    private readonly fills: ByteSink,
  ) {}

  feed(chunk: Buffer): void {
    let from = 0;
    if (this.carryLen > 0 || this.overlong) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, nl);
      this.flushCarry();
      from = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(LF, from);
      if (nl < 0) break;
      this.line(chunk, from, nl);
      from = nl + 1;
    }
    if (from < chunk.length) this.keep(chunk, from, chunk.length);
  }

  finish(): void {
    if (this.carryLen > 0 || this.overlong) this.flushCarry();
  }

  /** Holds a line's start until its end arrives (copied: the stream may reuse its buffers). */
  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    if (this.overlong) return;
    if (this.carryLen + (to - from) > MAX_LINE_BYTES) {
      this.overlong = true;
      const room = Math.max(0, MAX_ORIGINAL_BYTES - this.carryLen);
      this.carry.push(Buffer.from(chunk.subarray(from, from + Math.min(room, to - from))));
      return;
    }
    this.carry.push(Buffer.from(chunk.subarray(from, to)));
    this.carryLen += to - from;
  }

  private flushCarry(): void {
    const joined = this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry);
    const overlong = this.overlong;
    this.carry = [];
    this.carryLen = 0;
    this.overlong = false;
    if (overlong) {
      this.counts.lines++;
      this.counts.garbled++;
      this.reject(
        joined,
        0,
        Math.min(joined.length, MAX_ORIGINAL_BYTES),
        'line',
        `line is longer than ${MAX_LINE_BYTES} bytes (first ${MAX_ORIGINAL_BYTES} kept): not a FIX log line; FIX logs hold one message per line`,
      );
      return;
    }
    this.line(joined, 0, joined.length);
  }

  private reject(b: Buffer, from: number, to: number, column: string, reason: string): void {
    this.rejects.push({ line: this.counts.lines, column, reason, original: original(b, from, to) });
  }

  private line(b: Buffer, from: number, to: number): void {
    const c = this.counts;
    c.lines++;
    const s = this.scan;
    const status = scanLine(b, from, to, s);
    if (status !== SCAN.OK) {
      if (status === SCAN.BLANK) c.blank++;
      else {
        if (status === SCAN.GARBLED) c.garbled++;
        else if (status === SCAN.BAD_CHECKSUM) c.bad_checksum++;
        else c.bad_body_length++;
        this.reject(b, from, to, s.column, s.reason);
      }
      return;
    }
    const ms = s.start[SLOT.MsgType] as number;
    const me = s.end[SLOT.MsgType] as number;
    const rowMessage = me - ms === 1 && (b[ms] === 56 || b[ms] === 68);
    if (rowMessage && s.repeatedTag >= 0) {
      // Which of two values would be the vendor's? An order or fill must carry each tag bestex
      // maps once (repeating groups hold other tags; messages that are not rows are not read).
      c.garbled++;
      this.reject(
        b,
        from,
        to,
        `tag ${s.repeatedTag}`,
        `tag ${s.repeatedTag} appears more than once in the message: an order or execution report must carry each of the tags bestex reads once`,
      );
      return;
    }
    c.messages++;
    if (me - ms === 1 && b[ms] === 56) {
      this.executionReport(b, from, to);
      return;
    }
    if (me - ms === 1 && b[ms] === 68) {
      this.order(b);
      return;
    }
    const other = classifyOtherMsgType(b.toString('latin1', ms, me));
    if (other.kind === 'ignored') c.ignored++;
    else {
      if (other.kind === 'unsupported') c.unsupported++;
      else c.unknown_msg_type++;
      this.reject(b, from, to, 'MsgType(35)', other.reason);
    }
  }

  private executionReport(b: Buffer, from: number, to: number): void {
    const s = this.scan;
    const cls = classifyExecutionReport(text(b, s, SLOT.ExecType), text(b, s, SLOT.ExecTransType));
    switch (cls.kind) {
      case 'fill':
        this.fill(b);
        return;
      case 'ignored':
        this.counts.ignored++;
        return;
      case 'unsupported':
        this.counts.unsupported++;
        this.reject(b, from, to, 'ExecType(150)', cls.reason);
        return;
      case 'bust': {
        const ref = text(b, s, SLOT.ExecRefID);
        if (ref === undefined || ref === '') {
          this.counts.bust_unmatched++;
          this.reject(
            b,
            from,
            to,
            'ExecRefID(19)',
            'trade bust has no ExecRefID (19): it cannot name the fill it busts; re-send it with ExecRefID',
          );
          return;
        }
        const pending: PendingBust = { line: this.counts.lines, execRefId: ref, original: original(b, from, to), matched: false };
        const list = this.busts.get(ref);
        if (list) list.push(pending);
        else this.busts.set(ref, [pending]);
      }
    }
  }

  private order(b: Buffer): void {
    const s = this.scan;
    const st = s.start;
    const en = s.end;
    const o = this.orders;
    for (let i = 0; i < ORDER_PLAN.length; i++) {
      if (i > 0) o.comma();
      switch (ORDER_PLAN[i]) {
        case W.ORDER_ID:
          value(o, b, s, SLOT.ClOrdID);
          break;
        case W.SYMBOL:
          if ((st[SLOT.SymbolSfx] as number) >= 0 && (en[SLOT.SymbolSfx] as number) > (st[SLOT.SymbolSfx] as number)) {
            // 65 SymbolSfx (BRK + B) is part of the security's identity: BRK.B, not BRK.
            const symbol = Buffer.from(`${text(b, s, SLOT.Symbol) ?? ''}.${text(b, s, SLOT.SymbolSfx)}`);
            o.field(symbol, 0, symbol.length);
          } else value(o, b, s, SLOT.Symbol);
          break;
        case W.SIDE:
          coded(o, b, s, SLOT.Side, SIDE_T, undefined);
          break;
        case W.ORDER_TYPE:
          coded(o, b, s, SLOT.OrdType, ORD_TYPE_T, undefined);
          break;
        case W.LIMIT_PRICE:
          value(o, b, s, SLOT.Price);
          break;
        case W.TIF:
          coded(o, b, s, SLOT.TimeInForce, TIF_T, TIF_DEFAULT_BYTES);
          break;
        case W.ORDER_QTY:
          quantity(o, b, s, SLOT.OrderQty);
          break;
        case W.RECEIVED_TS:
          this.transactTime(o, b);
          break;
        case W.LINE:
          o.uint(this.counts.lines);
          break;
      }
    }
    o.endRow();
  }

  private fill(b: Buffer): void {
    const s = this.scan;
    const st = s.start;
    const en = s.end;
    const o = this.fills;
    for (let i = 0; i < EXECUTION_PLAN.length; i++) {
      if (i > 0) o.comma();
      switch (EXECUTION_PLAN[i]) {
        case W.EXEC_ID:
          value(o, b, s, SLOT.ExecID);
          break;
        case W.EXEC_ORDER_ID:
          // ClOrdID (11) names the order as the SOR knows it; OrderID (37) only when 11 is absent.
          value(o, b, s, (en[SLOT.ClOrdID] as number) > (st[SLOT.ClOrdID] as number) ? SLOT.ClOrdID : SLOT.OrderID);
          break;
        case W.VENUE:
          value(o, b, s, SLOT.LastMkt);
          break;
        case W.EXEC_TS:
          this.transactTime(o, b);
          break;
        case W.PRICE:
          value(o, b, s, SLOT.LastPx);
          break;
        case W.QTY:
          quantity(o, b, s, SLOT.LastQty);
          break;
        case W.LIQUIDITY:
          coded(o, b, s, SLOT.LastLiquidityInd, LIQUIDITY_T, undefined);
          break;
        case W.LINE:
          o.uint(this.counts.lines);
          break;
      }
    }
    o.endRow();
  }

  /** TransactTime (60), or SendingTime (52) when 60 is absent (counted). */
  private transactTime(o: ByteSink, b: Buffer): void {
    const s = this.scan;
    let slot: number = SLOT.TransactTime;
    if ((s.start[slot] as number) < 0) {
      slot = SLOT.SendingTime;
      if ((s.start[slot] as number) >= 0) this.counts.sending_time_fallback++;
    }
    timestamp(o, b, s, slot);
  }
}

/** The value of a slot as a string, or undefined when the tag is absent (cold paths only). */
function text(b: Buffer, s: Scan, slot: number): string | undefined {
  const from = s.start[slot] as number;
  if (from < 0) return undefined;
  const to = s.end[slot] as number;
  return to - from === 1 ? String.fromCharCode(b[from] as number) : b.toString('utf8', from, to);
}

function original(b: Buffer, from: number, to: number): string {
  let end = Math.min(to, from + MAX_ORIGINAL_BYTES);
  if (end === to && end > from && b[end - 1] === CR) end--;
  return b.toString('utf8', from, end);
}

function value(o: ByteSink, b: Buffer, s: Scan, slot: number): void {
  const from = s.start[slot] as number;
  if (from >= 0) o.field(b, from, s.end[slot] as number);
}

/** A one-character FIX code through a code table; anything else is written raw for validation to reject. */
function coded(o: ByteSink, b: Buffer, s: Scan, slot: number, table: (Uint8Array | undefined)[], absent: Uint8Array | undefined): void {
  const from = s.start[slot] as number;
  if (from < 0) {
    if (absent) o.bytes(absent);
    return;
  }
  const to = s.end[slot] as number;
  const mapped = to - from === 1 ? table[b[from] as number] : undefined;
  if (mapped) o.bytes(mapped);
  else o.field(b, from, to);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * FIX Qty is a float ("100", "3500.0000"): an integral value is written as an integer, anything
 * else raw (validation rejects a fractional share count with a reason).
 */
function quantity(o: ByteSink, b: Buffer, s: Scan, slot: number): void {
  const from = s.start[slot] as number;
  if (from < 0) return;
  const to = s.end[slot] as number;
  let dot = -1;
  let zerosOnly = true;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c === 46 && dot < 0) dot = i;
    else if (!isDigit(c)) {
      o.field(b, from, to);
      return;
    } else if (dot >= 0 && c !== 48) zerosOnly = false;
  }
  if (dot > from && zerosOnly) o.raw(b, from, dot);
  else o.field(b, from, to);
}

/**
 * FIX UTCTimestamp `YYYYMMDD-HH:MM:SS[.f…]` → ISO-8601 `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, the fraction
 * cut to microseconds (the lake's precision). Any other shape is written raw so that validation
 * rejects it with a reason.
 */
function timestamp(o: ByteSink, b: Buffer, s: Scan, slot: number): void {
  const from = s.start[slot] as number;
  if (from < 0) return;
  const to = s.end[slot] as number;
  if (!isFixTimestamp(b, from, to)) {
    o.field(b, from, to);
    return;
  }
  o.isoTimestamp(b, from, to);
}

function isFixTimestamp(b: Buffer, from: number, to: number): boolean {
  const n = to - from;
  if (n < 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = b[from + i] as number;
    const want = i === 8 ? 45 : i === 11 || i === 14 ? 58 : -1;
    if (want >= 0 ? c !== want : !isDigit(c)) return false;
  }
  if (n === 17) return true;
  if (b[from + 17] !== 46 || n < 19 || n > 30) return false;
  for (let i = from + 18; i < to; i++) if (!isDigit(b[i] as number)) return false;
  return true;
}

/**
 * Second pass over the fills: drops every row whose exec_id a later bust names, and marks those
 * busts matched. Returns the rows kept.
 */
async function applyBusts(pass1: string, out: string, busts: Map<string, PendingBust[]>, chunkBytes: number): Promise<number> {
  const sink = await ByteSink.create(out, FIX_EXECUTION_COLUMNS);
  const idIndex = FIX_EXECUTION_COLUMNS.indexOf('exec_id');
  const hashes = new Set<number>();
  for (const id of busts.keys()) {
    const bytes = Buffer.from(id, 'utf8');
    hashes.add(fnv1a(bytes, 0, bytes.length));
  }
  let header = true;
  let carry: Buffer | undefined;
  const row = (b: Buffer, from: number, to: number): void => {
    if (header) {
      header = false;
      return;
    }
    if (idIndex === 0 && b[from] !== 34) {
      // Fast path: hash the unquoted exec_id in place; only a hash hit builds the string.
      let e = from;
      while (e < to && b[e] !== 44) e++;
      if (!hashes.has(fnv1a(b, from, e))) {
        keep(b, from, to);
        return;
      }
    }
    const id = csvField(b, from, to, idIndex);
    const list = busts.get(id);
    if (list) {
      const line = Number(b.toString('latin1', b.lastIndexOf(44, to - 1) + 1, to));
      let busted = false;
      for (const bust of list) {
        if (bust.line > line) {
          bust.matched = true;
          busted = true;
        }
      }
      if (busted) return;
    }
    keep(b, from, to);
  };
  const keep = (b: Buffer, from: number, to: number): void => {
    sink.raw(b, from, to + 1);
    sink.rows++;
  };
  try {
    for await (const chunk of createReadStream(pass1, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
      const b = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      let from = 0;
      for (;;) {
        const nl = b.indexOf(LF, from);
        if (nl < 0) break;
        row(b, from, nl);
        from = nl + 1;
      }
      if (from < b.length) carry = Buffer.from(b.subarray(from));
      if (sink.buffered > FLUSH_AT) await sink.flush();
    }
  } finally {
    await sink.close();
  }
  return sink.rows;
}

function fnv1a(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** Field `index` of one CSV row written by ByteSink (RFC 4180 quoting), unescaped. */
function csvField(b: Buffer, from: number, to: number, index: number): string {
  let i = from;
  for (let f = 0; f < index; f++) {
    if (b[i] === 34) {
      i++;
      while (i < to && !(b[i] === 34 && b[i + 1] !== 34)) i += b[i] === 34 ? 2 : 1;
      i++;
    } else while (i < to && b[i] !== 44) i++;
    i++;
  }
  if (b[i] !== 34) {
    let e = i;
    while (e < to && b[e] !== 44) e++;
    return b.toString('utf8', i, e);
  }
  let e = i + 1;
  while (e < to && !(b[e] === 34 && b[e + 1] !== 34)) e += b[e] === 34 ? 2 : 1;
  return b.toString('utf8', i + 1, e).replaceAll('""', '"');
}
