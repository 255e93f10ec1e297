/**
 * What a daily exceptions run covers: the trade date (given, or the last weekday before `now` in
 * New York, since the schedule fires the next morning) and the Athena ExecutionParameters every
 * sql/exceptions file binds.
 */
import type { ExceptionSettings } from '../../shared/config';
import { TRADE_DATE_ZONE } from '../../shared/schema';
import { exceptionParams, isIsoDate } from './exceptions';

export interface DailyInput {
  date?: string;
  dryRun?: boolean;
}

export interface PreparedDay {
  date: string;
  dryRun: boolean;
  /** Athena ExecutionParameters (SQL literals) for the params CTE of sql/exceptions/*.sql. */
  params: string[];
}

const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: TRADE_DATE_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The last weekday strictly before `now`'s New York date (exchange holidays are not known here). */
export function previousTradeDate(now: Date): string {
  const today = new Date(`${nyDate.format(now)}T00:00:00Z`);
  const d = new Date(today.getTime() - 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export type PrepareResult = { ok: true; value: PreparedDay } | { ok: false; error: string };

export function prepareDay(input: DailyInput, ctx: { now: Date; settings: ExceptionSettings; maxQuoteAgeSeconds: number }): PrepareResult {
  const date = input.date ?? previousTradeDate(ctx.now);
  if (!isIsoDate(date)) return { ok: false, error: `date "${date}" is not a trade date: write it as YYYY-MM-DD, e.g. 2026-07-01` };
  return { ok: true, value: { date, dryRun: input.dryRun ?? false, params: exceptionParams(date, ctx.settings, ctx.maxQuoteAgeSeconds) } };
}
