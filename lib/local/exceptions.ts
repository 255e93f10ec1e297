/**
 * The local path of the daily exceptions (`bestex exceptions --date …`): the same SQL files the
 * daily state machine runs on Athena, run by the local engine with the same parameters, then the
 * same summarizeDay as the handler.
 */

import { type DailyOutputs, type NamedResult, summarizeDay } from '../../lambdas/core/exceptions/daily';
import { exceptionParams, exceptionSettings, isIsoDate, STALENESS_SQL_FILE } from '../../lambdas/core/exceptions/exceptions';
import { composeDueDiligenceNotice, type StalenessRow, toStalenessRows } from '../../lambdas/core/regulatory/due-diligence';
import type { ExceptionSettings } from '../../lambdas/shared/config';
import type { Notice } from '../../lambdas/shared/notice';
import type { Engine } from '../engine';
import { sqlFiles } from '../sql-files';

export interface DailyRunOptions {
  /** config/bestex.json `exceptions` (defaults filled in). */
  settings?: Partial<ExceptionSettings>;
  /** config/bestex.json `ingest.maxQuoteAgeSeconds` (default 10). */
  maxQuoteAgeSeconds?: number;
  reportLocation?: string;
  generatedAt?: string;
}

/** Runs every sql/exceptions file for one trade date; throws with the file name when one fails. */
async function runFolder(
  engine: Engine,
  date: string,
  settings: ExceptionSettings,
  maxQuoteAgeSeconds: number,
  only?: string,
): Promise<NamedResult[]> {
  if (!isIsoDate(date)) throw new Error(`--date "${date}" is not a trade date: write it as YYYY-MM-DD, e.g. 2026-07-01`);
  const params = exceptionParams(date, settings, maxQuoteAgeSeconds);
  const out: NamedResult[] = [];
  for (const f of sqlFiles('exceptions')) {
    if (only && f.name !== only) continue;
    try {
      const r = await engine.query(f.sql, params);
      out.push({ name: f.name, rows: r.rows, columns: r.columns });
    } catch (e) {
      throw new Error(`${f.path}: ${(e as Error).message}`);
    }
  }
  return out;
}

export async function runDailyExceptions(engine: Engine, date: string, opts: DailyRunOptions = {}): Promise<DailyOutputs> {
  const settings = exceptionSettings(opts.settings);
  const results = await runFolder(engine, date, settings, opts.maxQuoteAgeSeconds ?? 10);
  const r = summarizeDay(date, results, settings, {
    ...(opts.reportLocation ? { reportLocation: opts.reportLocation } : {}),
    ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The due-diligence check on its own, as of a date (a reminder whatever the day). */
export async function runDueDiligence(
  engine: Engine,
  date: string,
  opts: DailyRunOptions = {},
): Promise<{ rows: StalenessRow[]; notice: Notice | null }> {
  const settings = exceptionSettings(opts.settings);
  const [result] = await runFolder(engine, date, settings, opts.maxQuoteAgeSeconds ?? 10, STALENESS_SQL_FILE);
  const rows = toStalenessRows(result?.rows ?? [], `sql/exceptions/${STALENESS_SQL_FILE}.sql`);
  if (!rows.ok) throw new Error(rows.error);
  return { rows: rows.rows, notice: composeDueDiligenceNotice(date, rows.rows, settings.venueMaxAgeMonths) };
}
