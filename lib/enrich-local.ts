/**
 * One unit of enrichment on the local engine: the figures of one source × trade date, computed by
 * sql/enrich (lib/enrich-sql.ts) and written as ONE Parquet object per partition, which `put`
 * replaces whole (a single PUT to the lake bucket, or a rename in a plain directory), so a reader
 * sees the old partition or the new one, never a mix. Re-running a date gives the same rows.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { FIGURE_TABLES, type FigureTableName, figureFileColumns, figureTable } from '../lambdas/shared/figures';
import { DATASETS } from '../lambdas/shared/schema';
import { duckdbViewSql, figuresViewSql } from './catalog';
import { type Engine, parseAthenaParams, refreshFigureViews, tableGlobs } from './engine';
import { type AsofForm, ENRICH_ORDER, enrichParams, enrichSql } from './enrich-sql';

export interface EnrichUnit {
  source: string;
  tradeDate: string;
}

/** Replaces the object of one figures partition with the Parquet file at `file`. */
export type PutPartition = (table: FigureTableName, unit: EnrichUnit, file: string) => Promise<void>;

export interface EnrichLocalOptions {
  maxQuoteAgeS: number;
  /** Which as-of form to run (default `duckdb`, the fastest here). */
  form?: AsofForm;
  /** The lake directory the engine reads (to refresh the figures views after each write). */
  lakeDir: string;
  put?: PutPartition;
}

export interface EnrichResult extends EnrichUnit {
  rows: Record<FigureTableName, number>;
  /** sha256 of the composed SQL of each table, for lineage. */
  sql: Record<FigureTableName, string>;
  ms: number;
}

/** The key of the one object of a figures partition (the lake layout of the canonical tables). */
export const figuresKey = (table: FigureTableName, u: EnrichUnit): string =>
  `${table}/source=${u.source}/trade_date=${u.tradeDate}/part-0.parquet`;

/** A `put` for a plain lake directory: rename into place (atomic within one file system). */
export const renameInto =
  (lakeDir: string): PutPartition =>
  async (table, unit, file) => {
    const target = join(lakeDir, figuresKey(table, unit));
    mkdirSync(dirname(target), { recursive: true });
    renameSync(file, target);
  };

/**
 * Temporary views that shadow the lake-wide ones with only the unit's partitions (its source and
 * date; quotes of the date; the source's venues; all reference lists), so each query lists a
 * handful of files instead of the whole lake. Same columns and types: the same generator.
 */
async function scopeToUnit(engine: Engine, lakeDir: string, unit: EnrichUnit): Promise<string[]> {
  const scoped = (table: string, partitions: string): string[] =>
    tableGlobs(join(lakeDir, table), partitions).map((g) => g.replace(`/${partitions}/**/`, `/${partitions}/`));
  const temp = (sql: string): string => sql.replace(/^CREATE OR REPLACE VIEW/, 'CREATE OR REPLACE TEMP VIEW');
  const names: string[] = [];
  for (const spec of DATASETS) {
    const part = spec.partitionBy.map((p) => (p === 'source' ? `source=${unit.source}` : `trade_date=${unit.tradeDate}`)).join('/');
    if (spec.table === 'reference') continue;
    await engine.run(temp(duckdbViewSql(spec, part ? scoped(spec.table, part) : tableGlobs(lakeDir, spec.table))));
    names.push(spec.table);
  }
  for (const spec of FIGURE_TABLES) {
    await engine.run(temp(figuresViewSql(spec, scoped(spec.table, `source=${unit.source}/trade_date=${unit.tradeDate}`))));
    names.push(spec.table);
  }
  return names;
}

export async function enrichLocal(engine: Engine, unit: EnrichUnit, opts: EnrichLocalOptions): Promise<EnrichResult> {
  const t0 = performance.now();
  const form = opts.form ?? 'duckdb';
  const put = opts.put ?? renameInto(opts.lakeDir);
  const params = parseAthenaParams(enrichParams(unit.source, unit.tradeDate, opts.maxQuoteAgeS)) as DuckDBValue[];
  // Staging beside a plain lake keeps the final rename on one file system; a lake behind S3 gets
  // the file uploaded, so it stages in the temp directory instead.
  mkdirSync(opts.lakeDir, { recursive: true });
  const staging = mkdtempSync(opts.put ? join(tmpdir(), 'bestex-enrich-') : join(opts.lakeDir, '.enrich-'));
  const rows = {} as Record<FigureTableName, number>;
  const sql = {} as Record<FigureTableName, string>;
  let scoped = await scopeToUnit(engine, opts.lakeDir, unit);
  try {
    for (const table of ENRICH_ORDER) {
      const file = enrichSql(table, form);
      const cols = figureFileColumns(figureTable(table))
        .map((c) => `"${c.name}"`)
        .join(', ');
      const out = join(staging, `${table}.parquet`);
      const body = file.sql.trim().replace(/;\s*$/, '');
      await engine.connection.run(
        `COPY (SELECT ${cols} FROM (${body}) AS enriched) TO '${out.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
        params,
      );
      const n = await engine.query(`SELECT count(*) AS n FROM read_parquet('${out.replaceAll("'", "''")}')`);
      rows[table] = Number(n.rows[0]?.n ?? 0);
      sql[table] = file.sha256;
      await put(table, unit, out);
      // The partition now has its object: let the next query (order_figures reads execution_figures) see it.
      for (const t of scoped) await engine.run(`DROP VIEW IF EXISTS temp."${t}"`);
      scoped = await scopeToUnit(engine, opts.lakeDir, unit);
    }
  } finally {
    for (const t of scoped) await engine.run(`DROP VIEW IF EXISTS temp."${t}"`);
    rmSync(staging, { recursive: true, force: true });
  }
  await refreshFigureViews(engine, opts.lakeDir);
  return { ...unit, rows, sql, ms: performance.now() - t0 };
}
