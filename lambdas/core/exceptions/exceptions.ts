/**
 * Daily exceptions, the pure part: the SQL parameters, exception rows as read from the engine or
 * from Athena result CSVs, counts, the worst cases, the day's CSV and the compliance notice.
 * The SQL (sql/exceptions/*.sql) finds the exceptions; everything here only shapes them.
 */

import { type ExceptionSettings, exceptionsSchema } from '../../shared/config';
import { toCsv } from '../../shared/csv';
import { EXCEPTION_KINDS, type ExceptionKind, SEVERITIES, type Severity } from '../../shared/metrics';
import { fitSubject, type Notice } from '../../shared/notice';
import { oneLine } from '../../shared/text';

/** One exception, the columns every sql/exceptions file (except venue_staleness) returns. */
export interface ExceptionRow {
  trade_date: string;
  source: string;
  kind: ExceptionKind;
  severity: Severity;
  order_id: string | null;
  exec_id: string | null;
  symbol: string | null;
  venue: string | null;
  detail: string;
  value: number | null;
  threshold: number | null;
}

export const EXCEPTION_COLUMNS = [
  'trade_date',
  'source',
  'kind',
  'severity',
  'order_id',
  'exec_id',
  'symbol',
  'venue',
  'detail',
  'value',
  'threshold',
] as const satisfies readonly (keyof ExceptionRow)[];

/** The file of the same folder that returns due-diligence staleness rows instead. */
export const STALENESS_SQL_FILE = 'venue_staleness';

/** Settings with every default filled in (config/bestex.json `exceptions` may be absent). */
export function exceptionSettings(configured?: Partial<ExceptionSettings>): ExceptionSettings {
  return exceptionsSchema.parse(configured ?? {});
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `date` minus whole calendar months; a day past the target month's end becomes its last day. */
export function monthsBefore(date: string, months: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`"${date}" is not a YYYY-MM-DD date`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1 - months;
  const first = new Date(Date.UTC(y, mo, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(Number(m[3]), last))).toISOString().slice(0, 10);
}

/**
 * Athena ExecutionParameters for every file in sql/exceptions, in their params-CTE order:
 * trade_date, slow_fill_ms, nbbo_tolerance, unfilled_timeout_s, max_quote_age_s, venue_stale_before.
 */
export function exceptionParams(date: string, settings: ExceptionSettings, maxQuoteAgeSeconds: number): string[] {
  if (!isIsoDate(date)) throw new Error(`trade date "${date}" is not a YYYY-MM-DD date`);
  return [
    `'${date}'`,
    String(settings.slowFillMs),
    String(settings.nbboTolerance),
    String(settings.unfilledTimeoutSeconds),
    String(maxQuoteAgeSeconds),
    `'${monthsBefore(date, settings.venueMaxAgeMonths)}'`,
  ];
}

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};
const isKind = (s: string): s is ExceptionKind => (EXCEPTION_KINDS as readonly string[]).includes(s);
const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

export type RowsResult = { ok: true; rows: ExceptionRow[] } | { ok: false; error: string };

/**
 * Exception rows from query output (engine rows, or Athena CSV objects whose values are strings),
 * with the configured severity applied. `where` names the input in error messages.
 */
export function toExceptionRows(input: readonly Record<string, unknown>[], settings: ExceptionSettings, where: string): RowsResult {
  const rows: ExceptionRow[] = [];
  for (const [i, r] of input.entries()) {
    const kind = str(r.kind) ?? '';
    const sev = str(r.severity) ?? '';
    const source = str(r.source);
    const date = str(r.trade_date);
    if (!isKind(kind)) return { ok: false, error: `${where}, row ${i + 1}: kind "${kind}" is not one of ${EXCEPTION_KINDS.join(', ')}` };
    if (!isSeverity(sev)) return { ok: false, error: `${where}, row ${i + 1}: severity "${sev}" is not one of ${SEVERITIES.join(', ')}` };
    if (!source || !date)
      return { ok: false, error: `${where}, row ${i + 1}: source and trade_date are required (is this an exceptions result?)` };
    rows.push({
      trade_date: date.slice(0, 10),
      source,
      kind,
      severity: settings.severity[kind] ?? sev,
      order_id: str(r.order_id),
      exec_id: str(r.exec_id),
      symbol: str(r.symbol),
      venue: str(r.venue),
      detail: str(r.detail) ?? '',
      value: num(r.value),
      threshold: num(r.threshold),
    });
  }
  return { ok: true, rows };
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Exceptions per kind and source, in kind order then source. */
export function countExceptions(rows: readonly ExceptionRow[]): { kind: ExceptionKind; source: string; n: number }[] {
  const counts = new Map<string, { kind: ExceptionKind; source: string; n: number }>();
  for (const r of rows) {
    const k = `${r.kind}\u0000${r.source}`;
    const c = counts.get(k) ?? { kind: r.kind, source: r.source, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  return [...counts.values()].sort(
    (a, b) => EXCEPTION_KINDS.indexOf(a.kind) - EXCEPTION_KINDS.indexOf(b.kind) || a.source.localeCompare(b.source),
  );
}

/**
 * How far past its threshold an exception is, to rank cases within a severity: value/threshold
 * where the threshold is positive, the value itself otherwise (shares, USD), and infinity for an
 * open-ended one (an unfilled order never canceled).
 */
export function excess(r: ExceptionRow): number {
  if (r.value === null) return Number.POSITIVE_INFINITY;
  if (r.threshold !== null && r.threshold > 0) return r.value / r.threshold;
  return r.value;
}

/** The n worst cases: highest severity first, then the largest excess, then a stable order. */
export function worstCases(rows: readonly ExceptionRow[], n: number): ExceptionRow[] {
  return [...rows]
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        excess(b) - excess(a) ||
        EXCEPTION_KINDS.indexOf(a.kind) - EXCEPTION_KINDS.indexOf(b.kind) ||
        a.source.localeCompare(b.source) ||
        (a.exec_id ?? a.order_id ?? '').localeCompare(b.exec_id ?? b.order_id ?? ''),
    )
    .slice(0, n);
}

/** Rows in report order: kind, source, then ids. */
export function sortExceptions(rows: readonly ExceptionRow[]): ExceptionRow[] {
  return [...rows].sort(
    (a, b) =>
      EXCEPTION_KINDS.indexOf(a.kind) - EXCEPTION_KINDS.indexOf(b.kind) ||
      a.source.localeCompare(b.source) ||
      (a.order_id ?? '').localeCompare(b.order_id ?? '') ||
      (a.exec_id ?? '').localeCompare(b.exec_id ?? ''),
  );
}

/** The day's exceptions as CSV, through the one CSV writer (formula cells neutralised). */
export function renderExceptionsCsv(rows: readonly ExceptionRow[]): string {
  return toCsv(EXCEPTION_COLUMNS, sortExceptions(rows) as unknown as Readonly<Record<string, unknown>>[]);
}

/** A short human reading of a value against its threshold, per kind. */
export function describeValue(r: ExceptionRow): string {
  const f = (x: number | null, d: number): string => (x === null ? 'n/a' : x.toFixed(d));
  switch (r.kind) {
    case 'slow_fill':
      return `${f(r.value, 0)} ms (limit ${f(r.threshold, 0)} ms)`;
    case 'outside_nbbo':
      return `$${f(r.value, 4)}/sh outside (tolerance $${f(r.threshold, 4)})`;
    case 'nbbo_mismatch':
      return `$${f(r.value, 4)} off (tick $${f(r.threshold, 4)})`;
    case 'unfilled_marketable':
      return r.value === null
        ? `never canceled (timeout ${f(r.threshold, 0)} s)`
        : `canceled after ${f(r.value, 0)} s (timeout ${f(r.threshold, 0)} s)`;
    case 'unapproved_venue':
    case 'orphan':
      return `${f(r.value, 0)} shares`;
  }
}

const caseLine = (r: ExceptionRow): string =>
  `- [${r.severity}] ${r.kind} ${r.source} ${r.exec_id ? `exec ${r.exec_id}` : `order ${r.order_id ?? '?'}`}${r.symbol ? ` ${r.symbol}` : ''}${r.venue ? ` @ ${r.venue}` : ''}: ${describeValue(r)}. ${r.detail}`;

export interface NoticeOptions {
  /** Where the full report is (shown in the message), e.g. an s3:// URI or a local path. */
  reportLocation?: string;
}

/**
 * The compliance notice for a day, or null when no exception reaches `settings.notifyAt`. One
 * notice per day covering every source: counts by kind and source (all severities, so the reader
 * sees the whole day) and the worst cases at or above the notify level.
 */
export function composeExceptionNotice(
  date: string,
  rows: readonly ExceptionRow[],
  settings: ExceptionSettings,
  opts: NoticeOptions = {},
): Notice | null {
  const floor = severityRank(settings.notifyAt);
  const serious = rows.filter((r) => severityRank(r.severity) >= floor);
  if (serious.length === 0) return null;
  const top = serious.reduce<Severity>((m, r) => (severityRank(r.severity) > severityRank(m) ? r.severity : m), 'low');
  const sources = [...new Set(serious.map((r) => r.source))].sort();
  const bySeverity = SEVERITIES.slice()
    .reverse()
    .map((s) => [s, rows.filter((r) => r.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const counts = countExceptions(rows);
  const width = Math.max(...counts.map((c) => c.kind.length));
  const lines = [
    `Daily execution exceptions for trade date ${date}: ${rows.length} in total (${bySeverity}); ${serious.length} at or above ${settings.notifyAt}.`,
    '',
    'Counts by kind and source:',
    ...counts.map((c) => `  ${c.kind.padEnd(width)}  ${c.source}: ${c.n}`),
    '',
    `Worst cases (up to ${settings.worstCases}):`,
    ...worstCases(serious, settings.worstCases).map(caseLine),
  ];
  if (opts.reportLocation) lines.push('', `Full report: ${opts.reportLocation}`);
  return {
    subject: fitSubject(`bestex exceptions ${date}: ${serious.length} at or above ${settings.notifyAt} (${sources.join(', ')})`),
    // Each entry is one line: a vendor value (an exec_id with a newline) cannot start another.
    message: `${lines.map(oneLine).join('\n')}\n`,
    attributes: { severity: top, source: sources.join(','), period: date, kind: 'exceptions' },
  };
}

/** True when the daily run should repeat the due-diligence reminder on this trade date. */
export function isReminderDay(date: string, cadence: ExceptionSettings['dueDiligenceReminder']): boolean {
  if (cadence === 'daily') return true;
  // Monthly: the first weekday of the month (holidays aside), so a stale record is raised once a month.
  const d = new Date(`${date}T00:00:00Z`);
  for (let day = 1; day <= 7; day++) {
    const c = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), day));
    const wd = c.getUTCDay();
    if (wd !== 0 && wd !== 6) return c.getUTCDate() === d.getUTCDate();
  }
  return false;
}
