/**
 * DuckDB as the local Athena. It runs the project's Athena (Trino) SQL files unchanged: the only
 * difference between the engines is sql/local/trino-compat.sql (macros for Trino-only names),
 * loaded once per engine. Tables are views over the local lake generated from the canonical
 * schema (lib/catalog.ts), so a query sees exactly the columns and types Athena sees.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { FIGURE_TABLES } from '../../lambdas/shared/figures';
import { DATASETS } from '../../lambdas/shared/schema';
import { sqlString } from '../../lambdas/shared/sql-text';
import { duckdbViewSql, figuresViewSql, reviewFindingsViewSql, reviewMetricsViewSql } from '../catalog';
import { viewFiles } from '../sql-files';
import { type Param, parseAthenaParams, toPlain } from './values';

export { parseAthenaParam, parseAthenaParams } from './values';

export interface EngineOptions {
  /** Directory laid out like the lake bucket (`<table>/source=…/trade_date=…/part-….parquet`). */
  lakeDir?: string;
  /** Directory laid out like the results bucket (`review_metrics/period=…/<run>.parquet`). */
  resultsDir?: string;
  /** DuckDB memory_limit, e.g. '4GB'. */
  memoryLimit?: string;
  threads?: number;
}

export interface QueryResult {
  columns: string[];
  /** Plain JS values: numbers (BIGINT as number when safe, else a decimal string), strings, ISO strings for dates and timestamps, booleans, null. */
  rows: Record<string, unknown>[];
}

export interface Engine {
  /** Runs one statement; `params` are Athena ExecutionParameters (SQL literals) bound to its `?` in order. */
  query(sql: string, params?: readonly string[]): Promise<QueryResult>;
  /** Runs one or more statements without parameters (DDL, SET, COPY ...). */
  run(sql: string): Promise<void>;
  close(): void;
  connection: DuckDBConnection;
}

/** The repository's sql/ folder. */
export const SQL_DIR = new URL('../../sql/', import.meta.url).pathname;
export const TRINO_COMPAT_FILE = join(SQL_DIR, 'local', 'trino-compat.sql');

/** s3rver stores object `k` as `<bucket dir>/k._S3rver_object`; a plain copy of a bucket has `k`. */
const OBJECT_SUFFIXES = ['.parquet', '.parquet._S3rver_object'] as const;

/** Files under `dir` (recursively) whose names end with one of `suffixes`. */
function hasFileEndingWith(dir: string, suffix: string): boolean {
  if (!existsSync(dir)) return false;
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return names.some((n) => n.endsWith(suffix));
}

/**
 * The globs under `root/<table>/` that match at least one file (DuckDB's read_parquet fails on
 * a glob that matches nothing, so a table with no file becomes an empty typed view instead).
 */
export function tableGlobs(root: string | undefined, table: string): string[] {
  if (!root) return [];
  const dir = join(root, table);
  return OBJECT_SUFFIXES.filter((s) => hasFileEndingWith(dir, s)).map((s) => `${dir}/**/*${s}`);
}

/**
 * The files of `table` that committed load manifests name (`<root>/_manifests/*.json`, each the
 * commit record of one drop object's load): a file a killed or replaced load left behind is
 * never visible. A lake without manifests (a hand-made copy) is read whole, as `tableGlobs`.
 */
export function committedFiles(root: string | undefined, table: string): string[] {
  if (!root) return [];
  const dir = join(root, '_manifests');
  if (!existsSync(dir)) return tableGlobs(root, table);
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') && !name.endsWith('.json._S3rver_object')) continue;
    let m: { status?: string; outputs?: { table?: string; key?: string }[] };
    try {
      m = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue;
    }
    if (m.status !== 'loaded') continue;
    for (const o of m.outputs ?? []) {
      if (o.table !== table || !o.key) continue;
      const path = join(root, o.key);
      const stored = OBJECT_SUFFIXES.map((sfx) => path + sfx.slice('.parquet'.length)).find((p) => existsSync(p));
      if (stored) files.push(stored);
    }
  }
  return files;
}

/**
 * (Re)creates the figures views over `lakeDir`: a table with no file yet is an empty typed view,
 * so after the first enrichment writes one the view must be created again to see it.
 */
export async function refreshFigureViews(engine: Pick<Engine, 'run'>, lakeDir: string | undefined): Promise<void> {
  for (const spec of FIGURE_TABLES) await engine.run(figuresViewSql(spec, tableGlobs(lakeDir, spec.table)));
}

export async function openEngine(opts: EngineOptions): Promise<Engine> {
  const config: Record<string, string> = {};
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  if (opts.threads !== undefined) config.threads = String(opts.threads);
  const instance = await DuckDBInstance.create(':memory:', config);
  const connection = await instance.connect();
  let closed = false;

  const run = async (sql: string): Promise<void> => {
    await connection.run(sql);
  };

  const query = async (sql: string, params: readonly string[] = []): Promise<QueryResult> => {
    const values: Param[] = parseAthenaParams(params);
    const reader = await connection.runAndReadAll(sql, values.length > 0 ? (values as DuckDBValue[]) : undefined);
    return toPlain(reader);
  };

  try {
    await run(`SET TimeZone = 'UTC'`);
    await run(readFileSync(TRINO_COMPAT_FILE, 'utf8'));
    for (const spec of DATASETS) await run(duckdbViewSql(spec, committedFiles(opts.lakeDir, spec.table)));
    await refreshFigureViews({ run }, opts.lakeDir);
    await run(reviewMetricsViewSql(tableGlobs(opts.resultsDir, 'review_metrics')));
    const breaches = tableGlobs(opts.resultsDir, 'review_breaches');
    // Breach columns belong to the evaluate step; until a review has written one, an empty view
    // keeps `SELECT * FROM review_breaches` answering instead of failing.
    const list = breaches.map(sqlString).join(', ');
    await run(
      breaches.length > 0
        ? `CREATE OR REPLACE VIEW review_breaches AS SELECT * FROM read_parquet([${list}], hive_partitioning = false, union_by_name = true)`
        : 'CREATE OR REPLACE VIEW review_breaches AS SELECT CAST(NULL AS VARCHAR) AS period, CAST(NULL AS VARCHAR) AS source WHERE false',
    );
    await run(reviewFindingsViewSql(tableGlobs(opts.resultsDir, 'review_findings')));
    for (const file of viewFiles()) {
      try {
        await run(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file}: cannot create the view: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    connection.closeSync();
    instance.closeSync();
    throw e;
  }

  return {
    query,
    run,
    connection,
    close: () => {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
