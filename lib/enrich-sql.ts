/**
 * The enrichment SQL of one figures table for one engine form: sql/enrich/<table>.sql with each
 * `-- @include <part>` line replaced by sql/enrich/parts/<part>.sql, and `-- @include asof` by the
 * engine's own as-of lookup (parts/asof.trino.sql for Athena engine v3, parts/asof.duckdb.sql for
 * DuckDB locally and Athena's DuckDB engine). Everything but the as-of lookup is one text shared
 * by both forms, so a difference between them can only come from the lookup (proved absent by
 * test/enrich/asof-forms.test.ts). Read by CDK at synth time and by the local runtime.
 *
 * `-- @include params` is parts/params.sql (one source × trade date: every Athena query) or, for
 * the local engine's batch, parts/params_dates.sql (one source, many dates in one query pass).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FigureTableName } from '../lambdas/shared/figures';
import { SOURCE_PATTERN } from '../lambdas/shared/schema';
import type { SqlFile } from './sql-files';

/** Which as-of form: `trino` (portable window form) or `duckdb` (ASOF JOIN). */
export type AsofForm = 'trino' | 'duckdb';

export const ENRICH_DIR = new URL('../sql/enrich/', import.meta.url).pathname;

/** Tables in the order they must be computed: order_figures reads execution_figures. */
export const ENRICH_ORDER: readonly FigureTableName[] = ['execution_figures', 'order_figures'];

const INCLUDE = /^-- @include ([a-z_]+)[ \t]*$/gm;

/**
 * What one query covers: `one`, a source × trade date (the unit of work on AWS, every lookup its
 * own); `dates`, many dates of one source (a local table query, DuckDB only, whose lookups come
 * from the batch's temp table, parts/asof.batch.sql); `pairs`, the local batch's one as-of lookup
 * for all its sources and dates (probe_quotes.sql).
 */
export type EnrichScope = 'one' | 'dates' | 'pairs';

/** The part each scope includes for `params` and for `asof`. */
const SCOPE_PARTS: Record<EnrichScope, (form: AsofForm) => { params: string; asof: string }> = {
  one: (form) => ({ params: 'params', asof: `asof.${form}` }),
  dates: () => ({ params: 'params_dates', asof: 'asof.batch' }),
  pairs: (form) => ({ params: 'params_pairs', asof: `asof.${form}` }),
};

/** Composes `<table>.sql` text (exported for the SQL linter, which checks what actually runs). */
export function composeEnrichSql(text: string, form: AsofForm, readPart = defaultPart, scope: EnrichScope = 'one'): string {
  const parts = SCOPE_PARTS[scope](form);
  const partFile = (part: string): string => (part === 'asof' || part === 'params' ? parts[part] : part);
  return text.replace(INCLUDE, (m: string, part: string, at: number) => {
    const body = readPart(partFile(part)).trimEnd();
    if (body.endsWith(',')) throw new Error(`sql/enrich/parts/${part}: a part must not end with a comma (the include adds it)`);
    // A comma between CTEs; none after the last, where the final SELECT follows.
    return /^\s*SELECT\b/i.test(text.slice(at + m.length)) ? body : `${body},`;
  });
}

function defaultPart(name: string): string {
  return readFileSync(join(ENRICH_DIR, 'parts', `${name}.sql`), 'utf8');
}

/** The composed SQL of one table's enrichment (or of the batch's lookups, `probe_quotes`), with its hash (for evidence and staleness). */
export function enrichSql(table: FigureTableName | 'probe_quotes', form: AsofForm, scope: EnrichScope = 'one'): SqlFile {
  const path = join('sql', 'enrich', `${table}.sql`);
  const sql = composeEnrichSql(readFileSync(join(ENRICH_DIR, `${table}.sql`), 'utf8'), form, defaultPart, scope);
  return { name: table, path, sql, sha256: createHash('sha256').update(sql).digest('hex') };
}

/** Athena ExecutionParameters of one unit of work (SQL literals, in the files' `?` order). */
export function enrichParams(source: string, tradeDate: string, maxQuoteAgeS: number): string[] {
  if (!new RegExp(`^${SOURCE_PATTERN}$`).test(source)) throw new Error(`not a source slug: ${source}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(tradeDate)) throw new Error(`not a trade date: ${tradeDate}`);
  if (!(maxQuoteAgeS > 0)) throw new Error(`max quote age must be > 0, not ${maxQuoteAgeS}`);
  return [`'${source}'`, `'${tradeDate}'`, String(maxQuoteAgeS)];
}

/** The parameters of a local batch (scope `dates`): the dates joined by commas in the place of the one date. */
export function enrichBatchParams(source: string, tradeDates: readonly string[], maxQuoteAgeS: number): string[] {
  if (tradeDates.length === 0) throw new Error('a batch needs at least one trade date');
  for (const d of tradeDates) enrichParams(source, d, maxQuoteAgeS);
  return [`'${source}'`, `'${tradeDates.join(',')}'`, String(maxQuoteAgeS)];
}

/** The parameters of the batch's one as-of lookup (scope `pairs`): sources and dates side by side. */
export function enrichPairsParams(units: readonly { source: string; tradeDate: string }[], maxQuoteAgeS: number): string[] {
  if (units.length === 0) throw new Error('a batch needs at least one unit');
  for (const u of units) enrichParams(u.source, u.tradeDate, maxQuoteAgeS);
  return [`'${units.map((u) => u.source).join(',')}'`, `'${units.map((u) => u.tradeDate).join(',')}'`, String(maxQuoteAgeS)];
}
