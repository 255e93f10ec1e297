/**
 * Enrichment on the local engine: the figures of source × trade date units, computed by
 * sql/enrich (lib/enrich-sql.ts) and written as ONE Parquet object per partition, which `put`
 * replaces whole (a single PUT to the lake bucket, or a rename in a plain directory), so a reader
 * sees the old partition or the new one, never a mix. Re-running a date gives the same rows.
 *
 * Locally the units run in batches of up to `batchDates` dates (default 4), every source of those
 * dates together: one view set-up; one as-of lookup for all of them (probe_quotes.sql, into the
 * temp table batch_probe_quotes, so each date's quotes are sorted once, not once per source and
 * table); then per source one query per table over its dates (scope `dates`, reading the lookups
 * from that table), written with PARTITION_BY into one staged file per date, then put partition
 * by partition. The per-unit cost of a query per table per date (planning, view set-up, file
 * listing) was most of the time at small scale, and the repeated quote sorts most of it at mid
 * scale (docs/performance.md). On AWS each unit stays one bounded unit of work (scope `one`).
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { FIGURE_TABLES, type FigureTableName, figureFileColumns, figureTable } from '../lambdas/shared/figures';
import { DATASETS, duckdbType } from '../lambdas/shared/schema';
import { duckdbViewSql, figuresViewSql } from './catalog';
import { type Engine, parseAthenaParams, refreshFigureViews, tableGlobs } from './engine';
import { type AsofForm, ENRICH_ORDER, type EnrichScope, enrichBatchParams, enrichPairsParams, enrichParams, enrichSql } from './enrich-sql';

/** How a local run groups its queries: one unit per query (`one`, as on AWS) or a batch of dates (`dates`). */
export type BatchScope = Exclude<EnrichScope, 'pairs'>;

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
  /**
   * `dates` (default): batches of up to `batchDates` dates; `one`: one query per table per unit
   * with the very text Athena runs (for tests that compare the two).
   */
  scope?: BatchScope;
  /** Dates per batch in scope `dates` (default 4; docs/performance.md has the peak RSS it keeps). */
  batchDates?: number;
}

export interface EnrichResult extends EnrichUnit {
  rows: Record<FigureTableName, number>;
  /**
   * sha256 of the composed per-unit SQL of each table (scope `one`, what lineage records and the
   * AWS definition embeds); a batch differs only in its params part and gives the same rows.
   */
  sql: Record<FigureTableName, string>;
  /** Wall time of the unit's batch divided among its dates. */
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

/** Dates per local query unless told (docs/performance.md, Figures layer). */
export const DEFAULT_BATCH_DATES = 4;

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * Temporary views that shadow the lake-wide ones with only the batch's partitions (its units; the
 * quotes of its dates; its sources' venues; all reference lists), so each query lists a handful of
 * files instead of the whole lake. Same columns and types: the same generator.
 */
async function scopeToBatch(engine: Engine, lakeDir: string, units: readonly EnrichUnit[]): Promise<string[]> {
  const scoped = (table: string, partitions: string): string[] =>
    tableGlobs(join(lakeDir, table), partitions).map((g) => g.replace(`/${partitions}/**/`, `/${partitions}/`));
  const temp = (sql: string): string => sql.replace(/^CREATE OR REPLACE VIEW/, 'CREATE OR REPLACE TEMP VIEW');
  const partitionsOf = (partitionBy: readonly string[]): string[] => {
    const each = units.map((u) => partitionBy.map((p) => (p === 'source' ? `source=${u.source}` : `trade_date=${u.tradeDate}`)).join('/'));
    return [...new Set(each)];
  };
  const names: string[] = [];
  for (const spec of DATASETS) {
    if (spec.table === 'reference') continue;
    const globs =
      spec.partitionBy.length > 0 ? partitionsOf(spec.partitionBy).flatMap((p) => scoped(spec.table, p)) : tableGlobs(lakeDir, spec.table);
    await engine.run(temp(duckdbViewSql(spec, globs)));
    names.push(spec.table);
  }
  for (const spec of FIGURE_TABLES) {
    const globs = partitionsOf(['source', 'trade_date']).flatMap((p) => scoped(spec.table, p));
    await engine.run(temp(figuresViewSql(spec, globs)));
    names.push(spec.table);
  }
  return names;
}

interface Batch {
  dates: string[];
  /** The batch's units by source, each source's dates sorted. */
  sources: { source: string; dates: string[] }[];
}

/** Splits units into batches of at most `size` distinct dates, every source of those dates together. */
function batches(units: readonly EnrichUnit[], size: number): Batch[] {
  const dates = [...new Set(units.map((u) => u.tradeDate))].sort();
  const out: Batch[] = [];
  for (let i = 0; i < dates.length; i += size) {
    const chunk = dates.slice(i, i + size);
    const bySource = new Map<string, Set<string>>();
    for (const u of units) if (chunk.includes(u.tradeDate)) bySource.set(u.source, (bySource.get(u.source) ?? new Set()).add(u.tradeDate));
    const sources = [...bySource].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([source, ds]) => ({ source, dates: [...ds].sort() }));
    out.push({ dates: chunk, sources });
  }
  return out;
}

/**
 * Runs one table's query over a batch and leaves exactly one staged Parquet file per date under
 * `staging` (an empty, typed one for a date without rows, so re-running a date that lost its rows
 * replaces the old object). Returns each date's file and row count.
 */
async function stageTable(
  engine: Engine,
  table: FigureTableName,
  form: AsofForm,
  scope: EnrichScope,
  source: string,
  params: DuckDBValue[],
  dates: readonly string[],
  staging: string,
): Promise<Map<string, { file: string; rows: number }>> {
  const spec = figureTable(table);
  const fileCols = figureFileColumns(spec);
  const cols = fileCols.map((c) => `"${c.name}"`).join(', ');
  const body = enrichSql(table, form, scope).sql.trim().replace(/;\s*$/, '');
  const dir = join(staging, `${table}-${source}`);
  // trade_date is written as the Hive directory only (as in the lake), never inside the files.
  await engine.connection.run(
    `COPY (SELECT ${cols}, trade_date FROM (${body}) AS enriched) TO ${quote(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (trade_date))`,
    params,
  );
  const out = new Map<string, { file: string; rows: number }>();
  for (const d of dates) {
    const part = join(dir, `trade_date=${d}`);
    let files: string[] = [];
    try {
      files = readdirSync(part)
        .filter((f) => f.endsWith('.parquet'))
        .map((f) => join(part, f));
    } catch {
      files = [];
    }
    const file = join(staging, `${table}-${source}-${d}.parquet`);
    if (files.length === 0) {
      const empty = fileCols.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS "${c.name}"`).join(', ');
      await engine.run(`COPY (SELECT ${empty} WHERE false) TO ${quote(file)} (FORMAT parquet, COMPRESSION zstd)`);
    } else if (files.length === 1) {
      renameSync(files[0] as string, file);
    } else {
      // A writer may split a large partition; the lake keeps one object per partition.
      await engine.run(
        `COPY (SELECT * FROM read_parquet([${files.map(quote).join(', ')}], hive_partitioning = false)) TO ${quote(file)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    out.set(d, { file, rows: 0 });
  }
  const counts = await engine.query(
    `SELECT file_name, num_rows FROM parquet_file_metadata([${[...out.values()].map((v) => quote(v.file)).join(', ')}])`,
  );
  const byFile = new Map(counts.rows.map((r) => [String(r.file_name), Number(r.num_rows)]));
  for (const v of out.values()) v.rows = byFile.get(v.file) ?? 0;
  return out;
}

/**
 * Enriches every unit (any sources and dates), batch by batch. Each partition is replaced by one
 * `put` of its staged file; order_figures of a batch is computed after the batch's
 * execution_figures partitions are in place (it reads them).
 */
export async function enrichLocalMany(engine: Engine, units: readonly EnrichUnit[], opts: EnrichLocalOptions): Promise<EnrichResult[]> {
  const form = opts.form ?? 'duckdb';
  const scope = opts.scope ?? 'dates';
  const size = scope === 'one' ? 1 : Math.max(1, opts.batchDates ?? DEFAULT_BATCH_DATES);
  const put = opts.put ?? renameInto(opts.lakeDir);
  const sha = Object.fromEntries(ENRICH_ORDER.map((t) => [t, enrichSql(t, form).sha256])) as Record<FigureTableName, string>;
  // Staging beside a plain lake keeps the final rename on one file system; a lake behind S3 gets
  // the file uploaded, so it stages in the temp directory instead.
  mkdirSync(opts.lakeDir, { recursive: true });
  const results: EnrichResult[] = [];
  // Scope `one` is a batch per unit (one source, one date): the text Athena runs, lookups included.
  const work = scope === 'one' ? units.flatMap((u) => batches([u], 1)) : batches(units, size);
  for (const batch of work) {
    const t0 = performance.now();
    const batchUnits = batch.sources.flatMap((s) => s.dates.map((tradeDate) => ({ source: s.source, tradeDate })));
    const staging = mkdtempSync(opts.put ? join(tmpdir(), 'bestex-enrich-') : join(opts.lakeDir, '.enrich-'));
    const rows = new Map(batchUnits.map((u) => [`${u.source}/${u.tradeDate}`, {} as Record<FigureTableName, number>]));
    let scoped = await scopeToBatch(engine, opts.lakeDir, batchUnits);
    try {
      if (scope === 'dates') {
        const params = parseAthenaParams(enrichPairsParams(batchUnits, opts.maxQuoteAgeS)) as DuckDBValue[];
        const lookups = enrichSql('probe_quotes', form, 'pairs').sql.trim().replace(/;\s*$/, '');
        await engine.connection.run(`CREATE OR REPLACE TEMP TABLE batch_probe_quotes AS ${lookups}`, params);
      }
      for (const table of ENRICH_ORDER) {
        for (const { source, dates } of batch.sources) {
          const params = parseAthenaParams(
            scope === 'one'
              ? enrichParams(source, dates[0] as string, opts.maxQuoteAgeS)
              : enrichBatchParams(source, dates, opts.maxQuoteAgeS),
          ) as DuckDBValue[];
          const staged = await stageTable(engine, table, form, scope, source, params, dates, staging);
          for (const [d, s] of staged) {
            await put(table, { source, tradeDate: d }, s.file);
            (rows.get(`${source}/${d}`) as Record<FigureTableName, number>)[table] = s.rows;
          }
        }
        // The partitions now have their objects: let the next query (order_figures reads execution_figures) see them.
        for (const t of scoped) await engine.run(`DROP VIEW IF EXISTS temp."${t}"`);
        scoped = await scopeToBatch(engine, opts.lakeDir, batchUnits);
      }
    } finally {
      for (const t of scoped) await engine.run(`DROP VIEW IF EXISTS temp."${t}"`);
      await engine.run('DROP TABLE IF EXISTS temp.batch_probe_quotes');
      rmSync(staging, { recursive: true, force: true });
    }
    const ms = (performance.now() - t0) / batchUnits.length;
    for (const u of batchUnits)
      results.push({ ...u, rows: rows.get(`${u.source}/${u.tradeDate}`) as Record<FigureTableName, number>, sql: { ...sha }, ms });
  }
  await refreshFigureViews(engine, opts.lakeDir);
  return results;
}

/** One unit of enrichment (one source × trade date). */
export async function enrichLocal(engine: Engine, unit: EnrichUnit, opts: EnrichLocalOptions): Promise<EnrichResult> {
  const [r] = await enrichLocalMany(engine, [unit], opts);
  return r as EnrichResult;
}
