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

/** How many trade dates one query covers: `one` (the unit of work on AWS) or `dates` (a local batch, DuckDB only). */
export type EnrichScope = 'one' | 'dates';

/** Composes `<table>.sql` text (exported for the SQL linter, which checks what actually runs). */
export function composeEnrichSql(text: string, form: AsofForm, readPart = defaultPart, scope: EnrichScope = 'one'): string {
  const partFile = (part: string): string => {
    if (part === 'asof') return `asof.${form}`;
    if (part === 'params' && scope === 'dates') return 'params_dates';
    return part;
  };
  return text.replace(INCLUDE, (_m, part: string) => {
    const body = readPart(partFile(part)).trimEnd();
    if (body.endsWith(',')) throw new Error(`sql/enrich/parts/${part}: a part must not end with a comma (the include adds it)`);
    return `${body},`;
  });
}

function defaultPart(name: string): string {
  return readFileSync(join(ENRICH_DIR, 'parts', `${name}.sql`), 'utf8');
}

/** The composed SQL of one table's enrichment, with its hash (for evidence and staleness). */
export function enrichSql(table: FigureTableName, form: AsofForm, scope: EnrichScope = 'one'): SqlFile {
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
