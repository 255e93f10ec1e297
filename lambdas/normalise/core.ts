/**
 * The local core of normalisation: one input file on disk → validated Parquet files per
 * partition, a CSV of rejected rows, and the row accounting. No S3 here, so the benchmark and the
 * tests measure exactly the work the Lambda does between download and upload.
 *
 * Passes over the input (each a streaming DuckDB scan, nothing materialised but small tables):
 *   1. keys:    count records, collect hashes of repeated keys, record unsplittable CSV rows
 *   2. fate:    only when keys repeat: exact duplicate/conflict decision on those rows
 *   3. write:   valid, non-duplicate rows → Parquet, partitioned by trade date
 *   4. rejects: only when something was rejected: rejected rows → CSV with line, column, reason
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetProfile } from '../shared/config';
import type { DatasetSpec } from '../shared/schema';
import { firstLineOf, type ReadResult, readCsv, readJsonl, readParquet } from './inputs';
import { fill, ident, lit, sqlFile } from './sqlfiles';
import { fileSelect, keyParts, missingColumnsReason, plan, stageParts } from './sqlgen';

export interface CoreInput {
  /** Local file (already decompressed for csv/jsonl). */
  path: string;
  format: 'csv' | 'jsonl' | 'parquet';
  spec: DatasetSpec;
  source: string;
  /** The drop key (lineage source_key). */
  key: string;
  profile?: DatasetProfile | undefined;
  /** A CSV column holding the record's line number (FIX parser output), instead of counting. */
  lineColumn?: string;
  ingestedAt: string;
  /** Scratch directory for this input's outputs. */
  workDir: string;
}

export interface CoreFile {
  table: string;
  /** Trade date partition, when the table has one. */
  tradeDate?: string;
  path: string;
  rows: number;
}

export type CoreResult =
  | {
      ok: true;
      rows_read: number;
      rows_written: number;
      rows_rejected: number;
      rows_duplicate: number;
      files: CoreFile[];
      rejects?: { path: string; rows: number };
      notes: string[];
    }
  | { ok: false; reason: string };

/** Prepares a DuckDB connection for normalisation (UTC session, macros). */
export async function prepare(db: DuckDBConnection): Promise<void> {
  await db.run("SET TimeZone = 'UTC'");
  // A partitioned COPY buffers rows per partition until this many; a quarter of dates would
  // otherwise hold the whole file in memory. Smaller row groups cost Athena little.
  await db.run('SET partitioned_write_flush_threshold = 65536');
  await db.run(sqlFile('macros'));
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

const TIMING = !!process.env.BESTEX_NORMALISE_TIMING;
let mark = performance.now();
function lap(label: string): void {
  if (!TIMING) return;
  const now = performance.now();
  process.stderr.write(`normalise ${label}: ${(now - mark).toFixed(0)} ms\n`);
  mark = now;
}

export async function normaliseFile(db: DuckDBConnection, input: CoreInput): Promise<CoreResult> {
  lap('start');
  const delim = input.profile?.delimiter ?? ',';
  let read: ReadResult;
  if (input.format === 'csv') read = await readCsv(input.path, delim, input.lineColumn ? { lineColumn: input.lineColumn } : {});
  else if (input.format === 'jsonl') read = await readJsonl(db, input.path);
  else read = await readParquet(db, input.path);
  if (!read.ok) return read;

  const spec = input.spec;
  const names = read.fields.map((f) => f.name);
  const p = plan(spec, names, input.profile);
  if (p.missing.length) return { ok: false, reason: missingColumnsReason(spec, p, names, input.source, input.profile) };
  const notes = [...read.notes];
  const ignored = p.ignored.filter((n) => n !== input.lineColumn);
  if (ignored.length) notes.push(`columns not in the ${spec.name} schema were ignored: ${ignored.join(', ')}`);

  const parts = stageParts(spec, p, read.fields, input.profile);
  const keys = keyParts(spec);
  // JSON lines: blank lines are not records; a line that is not a JSON object is rejected with
  // its line number, the way a CSV row with the wrong number of fields is.
  const jsonl = read.kind === 'jsonl';
  const where = jsonl ? ' WHERE nx_text(j) IS NOT NULL' : '';
  const record = jsonl
    ? "CASE WHEN jv IS NULL OR json_type(jv) <> 'OBJECT' THEN 'the line is not a JSON object: ' || nx_q(j) END"
    : 'CAST(NULL AS VARCHAR)';
  const originals = jsonl ? `j AS o_json, ${parts.originals}` : parts.originals;
  const stage = (inputSql: string, line: string) => fill('stage', { ...parts, originals, record, input: `${inputSql}${where}`, line });

  // Pass 1.
  try {
    await db.run(stage(read.input('first'), read.line));
    await db.run(fill('keys', { keyhash: keys ? keys.keyhash : '0' }));
  } catch (err) {
    return { ok: false, reason: `the file cannot be read as ${input.format.toUpperCase()} (${firstLineOf(err)})` };
  }
  lap('keys pass');
  const total = num((await db.runAndReadAll('SELECT n FROM nx_keys WHERE total = 1')).getRows()[0]?.[0]);
  const candidates = num((await db.runAndReadAll('SELECT count(*) FROM nx_keys WHERE total = 0')).getRows()[0]?.[0]);

  // Records the CSV reader could not split into the header's fields.
  let structural = 0;
  await db.run('CREATE OR REPLACE TEMP TABLE nx_structural (line BIGINT, "column" VARCHAR, reason VARCHAR)');
  if (read.kind === 'csv') {
    await db.run(
      `INSERT INTO nx_structural SELECT line, NULL, 'the row cannot be split into the header''s fields (' || string_agg(DISTINCT lower(error_type), ', ') || '): ' || nx_q(replace(replace(any_value(csv_line), chr(10), ' '), chr(13), '')) FROM nx_rj GROUP BY line`,
    );
    structural = num((await db.runAndReadAll('SELECT count(*) FROM nx_structural')).getRows()[0]?.[0]);
  }
  const lineExpr = structural && !input.lineColumn ? await lineWithSkips(db, read.line) : read.line;
  await db.run(stage(read.input('later'), lineExpr));

  // Pass 2: exact duplicates and conflicts among the candidate rows.
  if (keys && candidates > 0) {
    await db.run(fill('fate', { key: keys.key, rowhash: keys.rowhash, keyhash: keys.keyhash }));
  } else {
    await db.run(
      'CREATE OR REPLACE TEMP TABLE nx_fate (nx_line BIGINT, fate VARCHAR, first_line BIGINT, other_lines VARCHAR, k VARCHAR[])',
    );
  }
  lap('fate pass');
  const fates = await db.runAndReadAll('SELECT fate, count(*) FROM nx_fate GROUP BY fate');
  const fateCount = Object.fromEntries(fates.getRows().map((r) => [String(r[0]), num(r[1])]));
  const duplicates = fateCount.duplicate ?? 0;

  // Pass 3: Parquet.
  const outDir = join(input.workDir, spec.table);
  mkdirSync(input.workDir, { recursive: true });
  const byDate = spec.partitionBy.includes('trade_date');
  const written = await db.runAndReadAll(
    fill('write', {
      columns: fileSelect(spec, { source: input.source, key: input.key, ingestedAt: input.ingestedAt }),
      partition_select: byDate ? ', nx_trade_date AS trade_date' : '',
      not_dropped: fateCount.duplicate || fateCount.conflict ? ' AND nx_line NOT IN (SELECT nx_line FROM nx_fate)' : '',
      dir: byDate ? outDir : `${outDir}.parquet`,
      partition_by: byDate ? 'PARTITION_BY (trade_date), ' : '',
      // Each open partition buffers its current row group: small row groups bound memory when a
      // file spans a quarter of trade dates.
      options: byDate ? "FILENAME_PATTERN 'part-{i}', ROW_GROUP_SIZE 16384, " : '',
    }),
  );
  lap('write pass');
  const files: CoreFile[] = [];
  let rowsWritten = 0;
  for (const r of written.getRowObjects()) {
    const rows = num(r.count);
    rowsWritten += rows;
    if (rows === 0) continue;
    const f: CoreFile = { table: spec.table, path: String(r.filename), rows };
    if (byDate) {
      const pk = r.partition_keys as { entries?: { key: string; value: string }[] } | null;
      const d = pk?.entries?.find((x) => x.key === 'trade_date')?.value;
      if (!d) throw new Error(`DuckDB returned no trade_date partition for ${String(r.filename)}`);
      f.tradeDate = d;
    }
    files.push(f);
  }

  const rowsRead = total + structural;
  const rejected = rowsRead - rowsWritten - duplicates;
  let rejects: { path: string; rows: number } | undefined;
  if (rejected > 0) {
    const path = join(input.workDir, `${spec.table}.rejected.csv`);
    const quarantined = jsonl
      ? 'o_json AS record'
      : read.fields.map((f, i) => `${ident(`o_${i}`)} AS ${ident(quarantineName(f.name))}`).join(', ');
    const sql = fill('rejects', {
      originals: quarantined,
      key_columns: keys?.key_columns ?? "''",
      key_label: keys?.key_label ?? "''",
      path,
    });
    const r = await db.runAndReadAll(sql);
    const n = num(r.getRows()[0]?.[0]);
    if (n !== rejected) {
      throw new Error(
        `accounting mismatch in ${input.key}: read ${rowsRead}, wrote ${rowsWritten}, ${duplicates} duplicates, but ${n} rejected rows instead of ${rejected}`,
      );
    }
    rejects = { path, rows: n };
  } else if (rejected < 0) {
    throw new Error(`accounting mismatch in ${input.key}: read ${rowsRead} but wrote ${rowsWritten} and dropped ${duplicates} duplicates`);
  }
  return {
    ok: true,
    rows_read: rowsRead,
    rows_written: rowsWritten,
    rows_rejected: rejected,
    rows_duplicate: duplicates,
    files,
    ...(rejects ? { rejects } : {}),
    notes,
  };
}

const RESERVED = new Set(['line', 'column', 'reason']);
const quarantineName = (n: string): string => (RESERVED.has(n) ? `${n} (original)` : n);

/**
 * When the CSV reader skipped unsplittable records, later records' ordinals shift; this maps an
 * ordinal back to its record number (bad records are taken as one line each).
 */
async function lineWithSkips(db: DuckDBConnection, base: string): Promise<string> {
  const bad = (await db.runAndReadAll('SELECT line FROM nx_structural ORDER BY line')).getRows().map((r) => num(r[0]) - 1);
  const offsets = new Map<number, number>();
  let k = 0;
  for (const r of bad) {
    offsets.set(r - k, k + 1);
    k++;
  }
  await db.run('CREATE OR REPLACE TEMP TABLE nx_offsets (o_from BIGINT, k BIGINT)');
  const rows = [...offsets.entries()].map(([o, kk]) => `(${o}, ${kk})`);
  if (rows.length) await db.run(`INSERT INTO nx_offsets VALUES ${rows.join(', ')}`);
  return `${base} + coalesce((SELECT max(k) FROM nx_offsets WHERE o_from <= nx_ord), 0)`;
}

export { lit };
