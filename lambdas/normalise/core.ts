/**
 * The local core of normalisation: one input file on disk → validated Parquet files per
 * partition, a CSV of rejected rows, and the row accounting. No S3 here, so the benchmark and the
 * tests measure exactly the work the Lambda does between download and upload.
 *
 * The input is read once (sql/write.sql): every record is parsed, validated and written in one
 * streaming DuckDB scan, valid rows to their trade-date partition, rejected rows (with their
 * original fields and reasons) to a scratch partition. Everything after that works on the
 * Parquet just written, never on the input:
 *   - records counted from the write's statistics, unsplittable CSV records from the reader's
 *     rejects table;
 *   - duplicate keys from one column read back (sql/dupkeys.sql), and only when keys repeat, the
 *     exact duplicate/conflict decision (sql/fate.sql) and a rewrite of the files concerned;
 *   - the quarantine CSV from the scratch partition (sql/rejects.sql).
 * Two rare cases rewrite files or read the input again, and cost what they cost: records the CSV
 * reader could not split before the last one (every later line number shifts: sql/relines.sql),
 * and conflicting duplicates (their original fields are read again for those lines only).
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
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
  // No output depends on DuckDB's row order (every row carries its line; the quarantine CSV is
  // sorted): without the guarantee, parallel scans and partitioned writes buffer less.
  await db.run('SET preserve_insertion_order = false');
  await db.run(sqlFile('macros'));
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

const TIMING = !!process.env.BESTEX_NORMALISE_TIMING;
let mark = { wall: performance.now(), cpu: process.cpuUsage() };
/** BESTEX_NORMALISE_TIMING=1: wall and process CPU time of each step, on stderr. */
function lap(label: string): void {
  if (!TIMING) return;
  const now = { wall: performance.now(), cpu: process.cpuUsage() };
  const cpu = (now.cpu.user - mark.cpu.user + now.cpu.system - mark.cpu.system) / 1000;
  process.stderr.write(`normalise ${label}: ${(now.wall - mark.wall).toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU\n`);
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
  // The quarantine CSV: the file's own columns (for JSON lines, the line as `record`).
  const quarantine = jsonl
    ? [{ name: 'record', expr: 'o_json' }]
    : read.fields.map((f, i) => ({ name: quarantineName(f.name), expr: ident(`o_${i}`) }));

  const byDate = spec.partitionBy.includes('trade_date');
  if (byDate && !spec.columns.find((c) => c.name === spec.tradeDateFrom)?.required) {
    // A NULL trade date marks a rejected row (write.sql): only sound if valid rows always have one.
    throw new Error(`${spec.name}: tradeDateFrom ${spec.tradeDateFrom} must be a required column`);
  }

  const outDir = join(input.workDir, spec.table);
  mkdirSync(input.workDir, { recursive: true });
  const writeSql = fill('write', {
    columns: fileSelect(
      spec,
      { source: input.source, key: input.key, ingestedAt: input.ingestedAt },
      `[${quarantine.map((q) => q.expr).join(', ')}]`,
    ),
    partition_select: byDate ? 'CASE WHEN nx_reason IS NULL THEN nx_trade_date END AS trade_date' : 'nx_reason IS NOT NULL AS nx_rejected',
    partition_by: byDate ? 'trade_date' : 'nx_rejected',
    dir: inQuotes(outDir),
  });
  let written: Record<string, unknown>[];
  try {
    // A record-numbered scan is serial anyway (DuckDB computes WITH ORDINALITY on one thread);
    // a second DuckDB thread would only wait for it, spinning on a CPU the scan could use.
    await db.run(stage(read.input('first'), read.line));
    written = (await withThreads(db, read.serial ? 1 : undefined, () => db.runAndReadAll(writeSql))).getRowObjects();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // Failing to write (disk full, memory) is not the file's fault: fail, so the message is retried.
    if (msg.includes(outDir) || /out of memory/i.test(msg)) throw err;
    return { ok: false, reason: `the file cannot be read as ${input.format.toUpperCase()} (${firstLineOf(err)})` };
  }
  lap('read, validate and write');

  let files: CoreFile[] = [];
  const scratch: { path: string; rows: number }[] = [];
  let emitted = 0;
  for (const r of written) {
    const rows = num(r.count);
    emitted += rows;
    if (rows === 0) continue;
    const pk = r.partition_keys as { entries?: { key: string; value: string | null }[] } | null;
    const value = pk?.entries?.find((x) => x.key === (byDate ? 'trade_date' : 'nx_rejected'))?.value;
    const path = String(r.filename);
    if (byDate ? value === null || value === undefined : value === 'true') scratch.push({ path, rows });
    else if (byDate) files.push({ table: spec.table, tradeDate: String(value), path, rows });
    else files.push({ table: spec.table, path, rows });
  }
  // Output keys are numbered in this order when a partition has several files: keep it stable.
  files.sort((a, b) => (a.tradeDate ?? '').localeCompare(b.tradeDate ?? '') || a.path.localeCompare(b.path));

  // Records the CSV reader could not split into the header's fields.
  let structural = 0;
  await db.run('CREATE OR REPLACE TEMP TABLE nx_structural (line BIGINT, "column" VARCHAR, reason VARCHAR)');
  if (read.kind === 'csv') {
    await db.run(
      `INSERT INTO nx_structural SELECT line, NULL, 'the row cannot be split into the header''s fields (' || string_agg(DISTINCT lower(error_type), ', ') || '): ' || nx_q(replace(replace(any_value(csv_line), chr(10), ' '), chr(13), '')) FROM nx_rj GROUP BY line`,
    );
    structural = num((await db.runAndReadAll('SELECT count(*) FROM nx_structural')).getRows()[0]?.[0]);
  }
  let lineExpr = read.line;
  if (structural && !input.lineColumn) {
    const firstShifted = await recordOffsets(db);
    lineExpr = `${read.line} + coalesce((SELECT max(k) FROM nx_offsets WHERE o_from <= nx_ord), 0)`;
    // Nothing to correct when every skipped record came after the last counted one (a file cut
    // off mid-row); otherwise the files are rewritten with the true line numbers.
    if (firstShifted <= emitted) {
      for (const f of [...files, ...scratch]) await rewrite(db, 'relines', f.path);
    }
    lap('line numbers after unsplittable records');
  }

  // Duplicates and conflicts, on the key columns of the valid rows just written.
  let duplicates = 0;
  let conflicts = 0;
  if (keys && files.length) {
    const list = `[${files.map((f) => lit(f.path)).join(', ')}]`;
    await db.run(fill('dupkeys', { keyhash: keys.keyhash, files: list, hive: keys.hive }));
    const repeated = num((await db.runAndReadAll('SELECT count(*) FROM nx_dupkeys')).getRows()[0]?.[0]);
    if (repeated > 0) {
      await db.run(fill('fate', { ...keys, files: list }));
      const fates = await db.runAndReadAll('SELECT fate, count(*) FROM nx_fate GROUP BY fate');
      const fateCount = Object.fromEntries(fates.getRows().map((r) => [String(r[0]), num(r[1])]));
      duplicates = fateCount.duplicate ?? 0;
      conflicts = fateCount.conflict ?? 0;
      const touched = new Set((await db.runAndReadAll('SELECT DISTINCT filename FROM nx_fate')).getRows().map((r) => String(r[0])));
      for (const f of files) if (touched.has(f.path)) f.rows = await rewrite(db, 'drop_lines', f.path);
      files = files.filter((f) => f.rows > 0);
      if (conflicts) {
        // Only the conflicting lines are kept from this second read (see conflicts.sql).
        await db.run(stage(read.input('later'), lineExpr));
        await db.run(
          fill('conflicts', {
            quarantined: quarantine.map((q) => `m.${q.expr} AS ${ident(q.name)}`).join(', '),
            key_columns: keys.key_columns,
          }),
        );
      }
    }
    lap('duplicates');
  }

  const rowsRead = emitted + structural;
  const rowsWritten = files.reduce((a, f) => a + f.rows, 0);
  const rejected = rowsRead - rowsWritten - duplicates;
  let rejects: { path: string; rows: number } | undefined;
  if (rejected > 0) {
    const path = join(input.workDir, `${spec.table}.rejected.csv`);
    const branches: string[] = [];
    if (scratch.length) {
      branches.push(
        fill('rejects_scratch', {
          decoded: quarantine.map((q, i) => `p.o[${i + 1}] AS ${ident(q.name)}`).join(', ') || 'NULL AS o_none',
          files: `[${scratch.map((s) => lit(s.path)).join(', ')}]`,
        }),
      );
    }
    if (conflicts) branches.push(sqlFile('rejects_conflicts'));
    const sql = fill('rejects', {
      empty: quarantine.map((q) => `CAST(NULL AS VARCHAR) AS ${ident(q.name)}`).join(', ') || 'NULL AS o_none',
      branches: branches.join('\n'),
      path: inQuotes(path),
    });
    const r = await db.runAndReadAll(sql);
    const n = num(r.getRows()[0]?.[0]);
    if (n !== rejected) {
      throw new Error(
        `accounting mismatch in ${input.key}: read ${rowsRead}, wrote ${rowsWritten}, ${duplicates} duplicates, but ${n} rejected rows instead of ${rejected}`,
      );
    }
    rejects = { path, rows: n };
    lap('rejects');
  } else if (rejected < 0) {
    throw new Error(`accounting mismatch in ${input.key}: read ${rowsRead} but wrote ${rowsWritten} and dropped ${duplicates} duplicates`);
  }
  // The scratch partition never leaves the work directory.
  for (const s of scratch) rmSync(s.path, { force: true });
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

/** A path placed inside a SQL string literal ('{{dir}}'). */
const inQuotes = (path: string): string => path.replace(/'/g, "''");

const RESERVED = new Set(['line', 'column', 'reason']);
const quarantineName = (n: string): string => (RESERVED.has(n) ? `${n} (original)` : n);

/**
 * When the CSV reader skipped unsplittable records, later records' ordinals fall short; this
 * fills nx_offsets (from which ordinal on, how many records were skipped before it; bad records
 * are taken as one line each) and returns the first ordinal that is shifted.
 */
async function recordOffsets(db: DuckDBConnection): Promise<number> {
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
  return Math.min(...offsets.keys());
}

/** Rewrites one output file through sql/<name>.sql ({{src}} → {{dst}}); returns its row count. */
async function rewrite(db: DuckDBConnection, name: 'relines' | 'drop_lines', path: string): Promise<number> {
  const tmp = `${path}.rewrite`;
  const r = await db.runAndReadAll(fill(name, { src: inQuotes(path), dst: inQuotes(tmp) }));
  renameSync(tmp, path);
  return num(r.getRows()[0]?.[0]);
}

/** Runs f with DuckDB's thread count set to `threads` (undefined: as configured). */
async function withThreads<T>(db: DuckDBConnection, threads: number | undefined, f: () => Promise<T>): Promise<T> {
  if (threads === undefined) return f();
  const before = String((await db.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]);
  await db.run(`SET threads = ${threads}`);
  try {
    return await f();
  } finally {
    await db.run(`SET threads = ${Number(before)}`);
  }
}

export { lit };
