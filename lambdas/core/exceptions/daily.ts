/**
 * One trade date's exception outputs from the query results, the same on AWS (Athena result
 * CSVs read by the handler) and locally (engine rows): the exception rows, counts, notices (the
 * exceptions notice, and the due-diligence reminder on reminder days), the CSV and the HTML.
 */

import type { ExceptionSettings } from '../../shared/config';
import type { ExceptionKind } from '../../shared/metrics';
import type { Notice } from '../../shared/notice';
import { composeDueDiligenceNotice, describeStaleness, type StalenessRow, toStalenessRows } from '../regulatory/due-diligence';
import {
  composeExceptionNotice,
  countExceptions,
  type ExceptionRow,
  isReminderDay,
  renderExceptionsCsv,
  toExceptionRows,
} from './exceptions';
import { renderExceptionsHtml } from './html';

/** One query's output: its name (the SQL file's) and its rows. */
export interface NamedResult {
  name: string;
  rows: readonly Record<string, unknown>[];
  /** The result's columns (tells an exceptions result from a staleness one when the name does not). */
  columns?: readonly string[];
}

export interface DailyOutputs {
  date: string;
  rows: ExceptionRow[];
  staleness: StalenessRow[];
  counts: { kind: ExceptionKind; source: string; n: number }[];
  notices: Notice[];
  csv: string;
  html: string;
}

export interface SummarizeOptions {
  /** Where the report will be, quoted in the notice. */
  reportLocation?: string;
  generatedAt?: string;
}

export type DailyResult = { ok: true; value: DailyOutputs } | { ok: false; error: string };

const isStaleness = (r: NamedResult): boolean =>
  r.name === 'venue_staleness' ||
  (r.columns?.includes('stale_before') ?? false) ||
  (r.rows[0] !== undefined && 'stale_before' in r.rows[0]);

export function summarizeDay(
  date: string,
  results: readonly NamedResult[],
  settings: ExceptionSettings,
  opts: SummarizeOptions = {},
): DailyResult {
  const rows: ExceptionRow[] = [];
  const staleness: StalenessRow[] = [];
  for (const r of results) {
    if (isStaleness(r)) {
      const s = toStalenessRows(r.rows, r.name);
      if (!s.ok) return s;
      staleness.push(...s.rows);
      continue;
    }
    const e = toExceptionRows(r.rows, settings, r.name);
    if (!e.ok) return e;
    rows.push(...e.rows);
  }
  const notices: Notice[] = [];
  const notice = composeExceptionNotice(date, rows, settings, opts.reportLocation ? { reportLocation: opts.reportLocation } : {});
  if (notice) notices.push(notice);
  const reminderDay = isReminderDay(date, settings.dueDiligenceReminder);
  const reminder = reminderDay ? composeDueDiligenceNotice(date, staleness, settings.venueMaxAgeMonths) : null;
  if (reminder) notices.push(reminder);
  const reminders = staleness.filter((s) => s.stale).map((s) => describeStaleness(s, settings.venueMaxAgeMonths));
  return {
    ok: true,
    value: {
      date,
      rows,
      staleness,
      counts: countExceptions(rows),
      notices,
      csv: renderExceptionsCsv(rows),
      html: renderExceptionsHtml(date, rows, {
        worstCases: settings.worstCases,
        reminders,
        ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
      }),
    },
  };
}
