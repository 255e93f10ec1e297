/**
 * One pass over one log line: finds the FIX message (after any prefix), detects the separator,
 * walks the tag=value fields with indexOf-free byte arithmetic, verifies BodyLength (9) and
 * CheckSum (10) as if the separators were SOH, and records where the values the mapper needs
 * start and end. No strings and no objects are created on the success path, so a million
 * messages cost a million loops and nothing for the garbage collector.
 */

/**
 * Tags whose values the mapper reads, by slot. The first occurrence is kept and a repeat is noted
 * (`Scan.repeatedTag`): the parser rejects an order or fill that repeats one of these tags.
 */
export const SLOT = {
  ClOrdID: 0, // 11
  ExecID: 1, // 17
  ExecRefID: 2, // 19
  ExecTransType: 3, // 20
  LastMkt: 4, // 30
  LastPx: 5, // 31
  LastQty: 6, // 32
  MsgType: 7, // 35
  OrderID: 8, // 37
  OrderQty: 9, // 38
  OrdType: 10, // 40
  Price: 11, // 44
  SendingTime: 12, // 52
  Side: 13, // 54
  Symbol: 14, // 55
  TimeInForce: 15, // 59
  TransactTime: 16, // 60
  SymbolSfx: 17, // 65
  ExecType: 18, // 150
  LastLiquidityInd: 19, // 851
} as const;
const SLOTS = 20;

function slotOf(tag: number): number {
  switch (tag) {
    case 11:
      return SLOT.ClOrdID;
    case 17:
      return SLOT.ExecID;
    case 19:
      return SLOT.ExecRefID;
    case 20:
      return SLOT.ExecTransType;
    case 30:
      return SLOT.LastMkt;
    case 31:
      return SLOT.LastPx;
    case 32:
      return SLOT.LastQty;
    case 35:
      return SLOT.MsgType;
    case 37:
      return SLOT.OrderID;
    case 38:
      return SLOT.OrderQty;
    case 40:
      return SLOT.OrdType;
    case 44:
      return SLOT.Price;
    case 52:
      return SLOT.SendingTime;
    case 54:
      return SLOT.Side;
    case 55:
      return SLOT.Symbol;
    case 59:
      return SLOT.TimeInForce;
    case 60:
      return SLOT.TransactTime;
    case 65:
      return SLOT.SymbolSfx;
    case 150:
      return SLOT.ExecType;
    case 851:
      return SLOT.LastLiquidityInd;
    default:
      return -1;
  }
}

/** Outcome of scanning a line. */
export const SCAN = { OK: 0, BLANK: 1, GARBLED: 2, BAD_BODY_LENGTH: 3, BAD_CHECKSUM: 4 } as const;
export type ScanStatus = (typeof SCAN)[keyof typeof SCAN];

/** Reusable scan state; `start[slot]` is -1 when the tag is absent. */
export interface Scan {
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Index of `8=FIX` in the buffer (after any prefix). */
  msgStart: number;
  /** Line end after trimming trailing whitespace and CR. */
  lineEnd: number;
  /** Separator: 1 (SOH), 124 (`|`) or 94 (`^A`, two bytes). */
  sep: number;
  declaredBodyLength: number;
  actualBodyLength: number;
  declaredChecksum: number;
  actualChecksum: number;
  /** Where and what, when the status is not OK. */
  column: string;
  reason: string;
  /** The first mapped tag that occurs twice in the message, or -1. */
  repeatedTag: number;
}

export function newScan(): Scan {
  return {
    start: new Int32Array(SLOTS).fill(-1),
    end: new Int32Array(SLOTS).fill(-1),
    msgStart: -1,
    lineEnd: 0,
    sep: 0,
    declaredBodyLength: -1,
    actualBodyLength: -1,
    declaredChecksum: -1,
    actualChecksum: -1,
    column: '',
    reason: '',
    repeatedTag: -1,
  };
}

const SOH = 1;
const PIPE = 124;
const CARET = 94;
const LETTER_A = 65;
const EQUALS = 61;
const MAX_TAG_DIGITS = 9;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isTrailingSpace = (c: number): boolean => c === 13 || c === 32 || c === 9;

function fail(s: Scan, status: ScanStatus, column: string, reason: string): ScanStatus {
  s.column = column;
  s.reason = reason;
  return status;
}

/** Scans `b[from, to)` (one line without its `\n`) into `s`. */
export function scanLine(b: Uint8Array, from: number, to: number, s: Scan): ScanStatus {
  s.start.fill(-1);
  s.msgStart = -1;
  s.repeatedTag = -1;
  s.declaredBodyLength = s.actualBodyLength = s.declaredChecksum = s.actualChecksum = -1;
  let end = to;
  while (end > from && isTrailingSpace(b[end - 1] as number)) end--;
  s.lineEnd = end;
  let first = from;
  while (first < end && isTrailingSpace(b[first] as number)) first++;
  if (first === end) return SCAN.BLANK;

  // The message starts at the first `8=FIX` not glued to a preceding digit (a prefix such as a
  // timestamp, a log level or "Sending : " may come before it).
  let msg = -1;
  for (let p = from; p + 5 <= end; p++) {
    if (
      b[p] === 56 &&
      b[p + 1] === EQUALS &&
      b[p + 2] === 70 &&
      b[p + 3] === 73 &&
      b[p + 4] === 88 &&
      (p === from || !isDigit(b[p - 1] as number))
    ) {
      msg = p;
      break;
    }
  }
  if (msg < 0) {
    return fail(
      s,
      SCAN.GARBLED,
      'BeginString(8)',
      'no FIX message on this line ("8=FIX" not found): the line is not a FIX log line or is cut',
    );
  }
  s.msgStart = msg;

  // The separator is whatever ends the BeginString value.
  let sep = 0;
  let sepLen = 1;
  for (let q = msg + 2; q < end; q++) {
    const c = b[q] as number;
    if (c === SOH || c === PIPE) {
      sep = c;
      break;
    }
    if (c === CARET && q + 1 < end && b[q + 1] === LETTER_A) {
      sep = CARET;
      sepLen = 2;
      break;
    }
  }
  if (sep === 0) {
    const spaced = /^8=FIX[^ ]* 9=\d/.test(latin1(b, msg, Math.min(end, msg + 24)));
    return fail(
      s,
      SCAN.GARBLED,
      'BeginString(8)',
      `no field separator after BeginString (8)${spaced ? ' (the fields look separated by spaces, which cannot delimit FIX fields)' : ''}: fields must be separated by SOH (0x01), "|" or "^A"`,
    );
  }
  s.sep = sep;

  let pos = msg;
  let sum = 0;
  let extra = 0; // bytes by which multi-byte separators exceed SOH, so far
  let field = 0;
  let bodyStart = -1; // offset, in SOH terms, of the first body byte
  let declaredBodyLength = -1;
  let badBodyLengthText = false;
  let bodyLengthStart = 0;
  let bodyLengthEnd = 0;
  for (;;) {
    if (pos >= end) {
      return fail(s, SCAN.GARBLED, 'CheckSum(10)', 'the line ends before CheckSum (10=): the message is truncated');
    }
    const fieldStart = pos;
    const sumAtField = sum;
    const extraAtField = extra;
    let c = b[pos] as number;
    let tag = 0;
    let digits = 0;
    while (isDigit(c)) {
      tag = tag * 10 + (c - 48);
      sum += c;
      digits++;
      pos++;
      if (pos >= end) break;
      c = b[pos] as number;
    }
    if (pos >= end || (c === EQUALS && pos + 1 === end && digits > 0)) {
      return fail(s, SCAN.GARBLED, 'CheckSum(10)', 'the line ends before CheckSum (10=): the message is truncated');
    }
    if (digits === 0 || digits > MAX_TAG_DIGITS || c !== EQUALS) {
      return fail(s, SCAN.GARBLED, `field ${field + 1}`, garbledFieldReason(b, fieldStart, end, field + 1, sep));
    }
    sum += EQUALS;
    pos++;
    const valueStart = pos;
    if (sepLen === 1) {
      while (pos < end) {
        c = b[pos] as number;
        if (c === sep) break;
        sum += c;
        pos++;
      }
    } else {
      while (pos < end) {
        c = b[pos] as number;
        if (c === CARET && pos + 1 < end && b[pos + 1] === LETTER_A) break;
        sum += c;
        pos++;
      }
    }
    const valueEnd = pos;
    field++;

    if (tag === 10) {
      if (field < 3)
        return fail(
          s,
          SCAN.GARBLED,
          'BodyLength(9)',
          'CheckSum (10) comes before any body: the message has no BodyLength (9) or MsgType (35)',
        );
      // Whatever follows the trailer may only be one separator (plus trailing blanks trimmed above).
      let rest = valueEnd;
      if (rest < end) rest += sepLen;
      if (rest < end) {
        return fail(
          s,
          SCAN.GARBLED,
          'CheckSum(10)',
          'text after CheckSum (10=): a line must hold exactly one FIX message; split concatenated messages onto separate lines',
        );
      }
      s.actualChecksum = sumAtField & 255;
      s.actualBodyLength = fieldStart - msg - extraAtField - bodyStart;
      s.declaredChecksum = valueEnd - valueStart === 3 ? parseDigits(b, valueStart, valueEnd) : -1;
      s.declaredBodyLength = declaredBodyLength;
      if ((s.start[SLOT.MsgType] as number) < 0) {
        return fail(s, SCAN.GARBLED, 'MsgType(35)', 'the message has no MsgType (35)');
      }
      const checksumOk = s.declaredChecksum === s.actualChecksum;
      if (badBodyLengthText || declaredBodyLength !== s.actualBodyLength) {
        const said = badBodyLengthText ? `"${latin1(b, bodyLengthStart, bodyLengthEnd)}" (not a number)` : String(declaredBodyLength);
        return fail(
          s,
          SCAN.BAD_BODY_LENGTH,
          'BodyLength(9)',
          `BodyLength (9) is ${said} but the body has ${s.actualBodyLength} bytes${checksumOk ? '' : ' (and CheckSum (10) does not match either)'}: the message was cut or altered after it was sent; re-export it from the FIX engine's log`,
        );
      }
      if (!checksumOk) {
        const said = s.declaredChecksum < 0 ? `"${latin1(b, valueStart, valueEnd)}" (not three digits)` : checksumText3(s.declaredChecksum);
        return fail(
          s,
          SCAN.BAD_CHECKSUM,
          'CheckSum(10)',
          `CheckSum (10) is ${said} but the bytes sum to ${checksumText3(s.actualChecksum)} (mod 256): the message was altered after it was sent; re-export it from the FIX engine's log`,
        );
      }
      return SCAN.OK;
    }

    if (pos >= end) {
      return fail(s, SCAN.GARBLED, 'CheckSum(10)', `the line ends inside field ${tag} before CheckSum (10=): the message is truncated`);
    }
    sum += SOH;
    pos += sepLen;
    extra += sepLen - 1;
    if (field === 2) {
      if (tag !== 9) return fail(s, SCAN.GARBLED, 'BodyLength(9)', `BodyLength (9) must be the second field, found tag ${tag}`);
      bodyStart = pos - msg - extra;
      bodyLengthStart = valueStart;
      bodyLengthEnd = valueEnd;
      if (valueEnd > valueStart && valueEnd - valueStart <= 9 && allDigits(b, valueStart, valueEnd)) {
        declaredBodyLength = parseDigits(b, valueStart, valueEnd);
      } else {
        badBodyLengthText = true;
      }
    } else if (field > 2) {
      const slot = slotOf(tag);
      if (slot >= 0 && (s.start[slot] as number) < 0) {
        s.start[slot] = valueStart;
        s.end[slot] = valueEnd;
      } else if (slot >= 0 && s.repeatedTag < 0) s.repeatedTag = tag;
    }
  }
}

function garbledFieldReason(b: Uint8Array, at: number, end: number, n: number, sep: number): string {
  const shown = latin1(b, at, Math.min(end, at + 20));
  const spaced = sep === PIPE && (b[at] === 32 || b[at - 2] === 32);
  return `field ${n} ("${shown}") is not tag=value${spaced ? ': the separators look like " | " with spaces; use "|" alone, SOH or "^A"' : ''}`;
}

function allDigits(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(b[i] as number)) return false;
  return true;
}

function parseDigits(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function latin1(b: Uint8Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    out += c === SOH ? '<SOH>' : String.fromCharCode(c);
  }
  return out;
}

const checksumText3 = (n: number): string => String(n).padStart(3, '0');
