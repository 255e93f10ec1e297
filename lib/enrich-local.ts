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
import { type FigureTableName, figureFileColumns, figureTable } from '../lambdas/shared/figures';
import { type Engine, parseAthenaParams, refreshFigureViews } from './engine';
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
      await refreshFigureViews(engine, opts.lakeDir);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { ...unit, rows, sql, ms: performance.now() - t0 };
}
