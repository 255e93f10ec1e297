/**
 * Parquet in and out through DuckDB (the writer the project measured fastest, already in the Lambda
 * layer): the review's tables go through a CSV in Athena's dialect, then DuckDB COPY with the
 * column types stated, so Parquet and CSV hold exactly the same values.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ParquetColumn } from '../core/review/tables';
import { quoteIdent as ident, sqlString } from '../shared/sql-text';

async function withDuckDb<T>(fn: (dir: string, run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-review-'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn(dir, async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Converts a CSV in Athena's dialect (see csv.ts) with these columns into a zstd Parquet file's bytes. */
export async function csvToParquet(csv: string, columns: readonly ParquetColumn[]): Promise<Uint8Array> {
  return withDuckDb(async (dir, run) => {
    const src = join(dir, 'in.csv');
    const dst = join(dir, 'out.parquet');
    writeFileSync(src, csv);
    const cols = `{${columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ')}}`;
    // allow_quoted_nulls=false keeps "" (empty string) apart from an empty unquoted field (NULL).
    await run(
      `COPY (SELECT ${columns.map((c) => ident(c.name)).join(', ')} FROM read_csv(${sqlString(src)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${cols})) TO ${sqlString(dst)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return new Uint8Array(readFileSync(dst));
  });
}

/** Every row of a Parquet file's bytes, BIGINT as number. */
export async function readParquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  return withDuckDb(async (dir, run) => {
    const src = join(dir, 'in.parquet');
    writeFileSync(src, bytes);
    const rows = await run(`SELECT * FROM read_parquet(${sqlString(src)})`);
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  });
}
