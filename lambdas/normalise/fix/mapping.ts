/**
 * FIX → canonical mapping (../shared/design/data-contract.md §3): which messages become rows, the
 * code tables, and the output column order. Values stay TEXT here; the normalise validation parses
 * them with the same rules as a CSV drop, so an unmapped code is passed through raw and rejected
 * there with a reason instead of being guessed at.
 */
import { dataset } from '../../shared/schema';

/** Output columns: the canonical dataset columns (schema order) plus the 1-based line number. */
export const FIX_ORDER_COLUMNS: readonly string[] = [...dataset('orders').columns.map((c) => c.name), 'source_line'];
export const FIX_EXECUTION_COLUMNS: readonly string[] = [...dataset('executions').columns.map((c) => c.name), 'source_line'];

/** 54 Side. */
export const SIDE_CODES: Readonly<Record<string, string>> = { '1': 'B', '2': 'S', '5': 'SS', '6': 'SX' };
/** 40 OrdType. */
export const ORD_TYPE_CODES: Readonly<Record<string, string>> = { '1': 'MKT', '2': 'LMT' };
/** 59 TimeInForce; FIX says an absent 59 means Day. */
export const TIF_CODES: Readonly<Record<string, string>> = { '0': 'DAY', '1': 'GTC', '2': 'OPG', '3': 'IOC', '4': 'FOK', '7': 'CLS' };
export const TIF_DEFAULT = 'DAY';
/** 851 LastLiquidityInd; absent means unknown (empty). */
export const LIQUIDITY_CODES: Readonly<Record<string, string>> = { '1': 'A', '2': 'R', '4': 'X' };

/**
 * Standard FIX 4.2–5.0SP2 message types that carry neither a new order nor a fill: session
 * messages, order management requests (cancel, replace, status), market and reference data,
 * allocations and confirmations. They are counted as `ignored`, never turned into rows.
 */
export const IGNORED_MSG_TYPES: ReadonlySet<string> = new Set([
  ...'012345679ABCFGHJKLMNPQRSTVWXYZabcdefghijklmnopqrtuvwxyz'.split(''),
  ...letters('A').filter((t) => t !== 'AB' && t !== 'AE'),
  ...letters('B'),
]);

/**
 * Standard message types that can carry orders or executions this parser does not map: they are
 * rejected with a reason, so fills reported that way are visible instead of silently missing.
 */
export const UNSUPPORTED_MSG_TYPES: Readonly<Record<string, string>> = {
  E: 'NewOrderList',
  s: 'NewOrderCross',
  AB: 'NewOrderMultileg',
  AE: 'TradeCaptureReport',
};

/** 150 ExecType values of an ExecutionReport that reports no new execution (order state only). */
export const NON_FILL_EXEC_TYPES: ReadonlySet<string> = new Set('0345678ABCDEILMN9'.split(''));

function letters(first: string): string[] {
  return 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => first + c);
}

/**
 * Classifies an ExecutionReport by 150 ExecType and, for FIX 4.2 and earlier, 20 ExecTransType
 * (absent in 4.3+, where it is treated as 0 = New).
 *  - fill: 150=F, or 150=1/2 with 20=0 (FIX 4.2 partial fill / fill)
 *  - bust: 150=H TradeCancel, or 20=1 ExecTransType Cancel
 *  - unsupported: 150=G TradeCorrect or 20=2 Correct (a correction cannot be applied safely), an
 *    unknown ExecType or ExecTransType, or no ExecType at all
 *  - ignored: order-state reports (150=0/4/5/E/…) and 20=3 status restatements
 */
export function classifyExecutionReport(execType: string | undefined, execTransType: string | undefined): ExecClass {
  const tt = execTransType ?? '0';
  if (execType === undefined)
    return { kind: 'unsupported', reason: 'ExecutionReport has no ExecType (150): it cannot be told apart from a fill' };
  if (execType === 'F' && tt === '0') return FILL;
  if (execType === 'H' || tt === '1') return BUST;
  if (execType === 'G' || tt === '2') {
    return {
      kind: 'unsupported',
      reason: `trade correction (${execType === 'G' ? '150=G' : '20=2'}) is not applied: the corrected fill must be re-sent as a bust (150=H) and a new fill`,
    };
  }
  if (tt !== '0' && tt !== '3') return { kind: 'unsupported', reason: `ExecTransType (20) "${tt}" is not a FIX value (0, 1, 2 or 3)` };
  if (execType === 'F') return FILL;
  if (execType === '1' || execType === '2') return tt === '0' ? FILL : IGNORED;
  if (NON_FILL_EXEC_TYPES.has(execType)) return IGNORED;
  return {
    kind: 'unsupported',
    reason: `ExecType (150) "${execType}" is not a FIX value this parser knows: it may be a fill, so it is not skipped`,
  };
}

export type ExecClass = { readonly kind: 'fill' | 'bust' | 'ignored' } | { readonly kind: 'unsupported'; readonly reason: string };
// Shared results: the hot path classifies a million reports without allocating.
const FILL: ExecClass = { kind: 'fill' };
const BUST: ExecClass = { kind: 'bust' };
const IGNORED: ExecClass = { kind: 'ignored' };

const IGNORED_OTHER = { kind: 'ignored' } as const;

/** Classifies a MsgType other than D and 8. */
export function classifyOtherMsgType(
  msgType: string,
): { readonly kind: 'ignored' } | { readonly kind: 'unsupported' | 'unknown'; readonly reason: string } {
  if (IGNORED_MSG_TYPES.has(msgType)) return IGNORED_OTHER;
  const name = UNSUPPORTED_MSG_TYPES[msgType];
  if (name !== undefined) {
    return {
      kind: 'unsupported',
      reason: `MsgType ${msgType} (${name}) may carry orders or fills but is not supported: send orders as NewOrderSingle (35=D) and fills as ExecutionReport (35=8)`,
    };
  }
  return {
    kind: 'unknown',
    reason: `MsgType (35) "${msgType}" is not a standard FIX message type this parser knows (only D and 8 become rows)`,
  };
}
