/**
 * The package's tables as CSV and Parquet. CSV is for people: written by shared/csv.ts, so a vendor
 * value that looks like a formula shows as text (numbers stay numbers, NULL is empty); Parquet is written by DuckDB, the project's Parquet writer, from a typed column list so the
 * files read back with the same types everywhere (Athena, DuckDB, pandas).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RuleOutcome } from '../core/review/evaluate';
import { REVIEW_BREACHES_PARQUET, REVIEW_METRICS_PARQUET } from '../core/review/tables';
import { toCsv as writeCsv } from '../shared/csv';
import type { ReviewMetricRow } from '../shared/metrics';
import { quoteIdent as ident } from '../shared/sql-text';

export type ColumnKind = 'VARCHAR' | 'DOUBLE' | 'BIGINT';
export interface TableColumn {
  name: string;
  kind: ColumnKind;
}
export type TableRow = Readonly<Record<string, unknown>>;

/** review_metrics, in the contract's column order, typed as the Evaluate step writes it (core/review/tables.ts). */
export const METRIC_TABLE: readonly TableColumn[] = REVIEW_METRICS_PARQUET.map((c) => ({ name: c.name, kind: c.type }));

/**
 * Breaches: the columns and types of review_breaches exactly (lambdas/core/review/tables.ts), so the
 * package's breaches.parquet and the Athena table read alike (p_adjusted DOUBLE, family_size BIGINT).
 */
export const BREACH_TABLE: readonly TableColumn[] = REVIEW_BREACHES_PARQUET.map((c) => ({ name: c.name, kind: c.type as ColumnKind }));

/** The breach rows of a source's outcomes, one value per BREACH_TABLE column. */
export function breachRows(outcomes: readonly RuleOutcome[]): TableRow[] {
  return outcomes
    .filter((o) => o.status === 'breach')
    .map((o) => Object.fromEntries(BREACH_TABLE.map(({ name }) => [name, (o as unknown as Record<string, unknown>)[name] ?? null])));
}

export const metricRows = (rows: readonly ReviewMetricRow[]): TableRow[] => rows as unknown as TableRow[];

/** A table as CSV through the one CSV writer (formula cells neutralised; numbers at full precision: this is data). */
export function toCsv(columns: readonly TableColumn[], rows: readonly TableRow[]): string {
  return writeCsv(
    columns.map((c) => c.name),
    rows,
  );
}

async function withDuckDb<T>(
  fn: (
    dir: string,
    run: (sql: string) => Promise<Record<string, unknown>[]>,
    con: Awaited<ReturnType<DuckDBInstance['connect']>>,
  ) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bestex-package-'));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const run = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    return await fn(dir, run, con);
  } finally {
    con.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes rows to Parquet (zstd) through DuckDB's appender and returns the file's bytes. */
export async function toParquet(columns: readonly TableColumn[], rows: readonly TableRow[]): Promise<Buffer> {
  return withDuckDb(async (dir, run, con) => {
    await run(`CREATE TABLE t (${columns.map((c) => `${ident(c.name)} ${c.kind}`).join(', ')})`);
    const app = await con.createAppender('t');
    for (const r of rows) {
      for (const c of columns) {
        const v = r[c.name];
        if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) app.appendNull();
        else if (c.kind === 'VARCHAR') app.appendVarchar(String(v));
        else if (c.kind === 'DOUBLE') app.appendDouble(Number(v));
        else app.appendBigInt(BigInt(Math.round(Number(v))));
      }
      app.endRow();
    }
    app.closeSync();
    const file = join(dir, 't.parquet');
    await run(`COPY t TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
    return readFile(file);
  });
}

/** Reads a Parquet file's rows (JS values: BIGINT as bigint); used for review_metrics from the evaluate step. */
export async function readParquet(bytes: Buffer): Promise<Record<string, unknown>[]> {
  return withDuckDb(async (dir, run) => {
    const file = join(dir, 'in.parquet');
    await writeFile(file, bytes);
    return run(`SELECT * FROM read_parquet('${file}')`);
  });
}
