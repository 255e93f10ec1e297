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
import { once } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DatasetProfile } from '../shared/config';
import { csvField } from '../shared/csv';
import type { DatasetSpec } from '../shared/schema';
import { firstLineOf, type ReadResult, readCsv, readJsonl, readParquet } from './inputs';
import { timestampWindow } from './limits';
import type { RowCounts } from './manifest';
import { Bindings, fill, ident, lit, sqlFile } from './sqlfiles';
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
  /** Timestamps outside this many years around ingestedAt are rejected (limits.ts). */
  timestampWindowYears?: number;
  /** Key files of committed loads of other objects of the source (sql/keys.sql), local paths. */
  priorKeys?: string[];
  /** Where to write this load's key file, for datasets with a business key. */
  keysOut?: string;
}

export interface CoreFile {
  table: string;
  /** Trade date partition, when the table has one. */
  tradeDate?: string;
  path: string;
  rows: number;
}

export type CoreResult =
  | (RowCounts & {
      ok: true;
      files: CoreFile[];
      rejects?: { path: string; rows: number };
      /** This load's business keys (input.keysOut), when the dataset has a key and rows were written. */
      keyFile?: { path: string; rows: number };
      notes: string[];
    })
  | { ok: false; reason: string };

/** Prepares a DuckDB connection for normalisation (UTC session, macros). */
export async function prepare(db: DuckDBConnection): Promise<void> {
  await db.run("SET TimeZone = 'UTC'");
  // No output depends on DuckDB's row order (every row carries its line; the quarantine CSV is
  // sorted): without the guarantee, parallel scans and partitioned writes buffer less.
  await db.run('SET preserve_insertion_order = false');
  await db.run(sqlFile('macros'));
}

/**
 * The DuckDB that reads vendor files, locked down so that even a future mistake that let vendor
 * text into SQL could touch nothing but this load's own scratch directory: files only under
 * `workDir` (read and write), no extension installed or loaded, no other database attached, and
 * the configuration locked (no SET can undo any of it, nor change threads, memory or the spill
 * directory). Threads are therefore fixed when it opens.
 */
export async function openLockedDb(
  workDir: string,
  opts: { threads: number; memory: string },
): Promise<{ instance: DuckDBInstance; db: DuckDBConnection }> {
  const dir = workDir.endsWith('/') ? workDir : `${workDir}/`;
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads),
    memory_limit: opts.memory,
    temp_directory: join(workDir, 'duckdb-tmp'),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const db = await instance.connect();
  await prepare(db);
  await db.run(`SET allowed_directories = [${lit(dir)}]`);
  await db.run('SET enable_external_access = false');
  await db.run('SET lock_configuration = true');
  return { instance, db };
}

/** Whether normaliseFile would read this input with record numbers (one thread serves it). */
export const serialRead = (format: 'csv' | 'jsonl' | 'parquet', lineColumn?: string): boolean =>
  format === 'jsonl' || (format === 'csv' && !lineColumn);

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
  const bind = new Bindings();
  const delim = input.profile?.delimiter ?? ',';
  let read: ReadResult;
  if (input.format === 'csv') read = await readCsv(input.path, delim, bind, input.lineColumn ? { lineColumn: input.lineColumn } : {});
  else if (input.format === 'jsonl') read = await readJsonl(db, input.path, bind);
  else read = await readParquet(db, input.path);
  if (!read.ok) return read;
  lap('framing scan');

  const spec = input.spec;
  const names = read.fields.map((f) => f.name);
  const p = plan(spec, names, input.profile);
  if (p.missing.length) return { ok: false, reason: missingColumnsReason(spec, p, names, input.source, input.profile) };
  const notes = [...read.notes];
  const ignored = p.ignored.filter((n) => n !== input.lineColumn);
  if (ignored.length) notes.push(`columns not in the ${spec.name} schema were ignored: ${ignored.join(', ')}`);

  const window = timestampWindow(new Date(input.ingestedAt), input.timestampWindowYears ?? 20);
  const parts = stageParts(spec, p, read.fields, bind, window, input.profile);
  const keys = keyParts(spec);
  // JSON lines: blank lines are not records; a line that is not a JSON object, or an object that
  // repeats a key (which value would be the vendor's?), is rejected with its line number, the way
  // a CSV row with the wrong number of fields is.
  const jsonl = read.kind === 'jsonl';
  const where = jsonl ? ' WHERE nx_text(j) IS NOT NULL' : '';
  const record = jsonl
    ? "CASE WHEN jv IS NULL OR json_type(jv) <> 'OBJECT' THEN 'the line is not a JSON object: ' || nx_q(j) WHEN len(json_keys(jv)) <> len(list_distinct(json_keys(jv))) THEN 'the JSON object repeats the key ' || nx_q(list_filter(json_keys(jv), (k, i) -> list_position(json_keys(jv), k) < i)[1]) || ': each key must appear once' END"
    : 'CAST(NULL AS VARCHAR)';
  const originals = jsonl ? `j AS o_json, ${parts.originals}` : parts.originals;
  const stage = (inputSql: string, line: string) => fill('stage', { ...parts, originals, record, input: `${inputSql}${where}`, line });
  // The quarantine CSV: the file's own columns (for JSON lines, the line as `record`). Their
  // names are the vendor's, so SQL knows them by position (q_0, q_1, …) and only the CSV header,
  // written by lambdas/shared/csv.ts, carries them.
  const quarantine = jsonl
    ? [{ name: 'record', expr: 'o_json' }]
    : read.fields.map((f, i) => ({ name: quarantineName(f.name), expr: ident(`o_${i}`) }));
  const qcol = (i: number) => ident(`q_${i}`);

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
      bind,
    ),
    partition_select: byDate ? 'CASE WHEN nx_reason IS NULL THEN nx_trade_date END AS trade_date' : 'nx_reason IS NOT NULL AS nx_rejected',
    partition_by: byDate ? 'trade_date' : 'nx_rejected',
    dir: inQuotes(outDir),
  });
  await bind.apply(db);
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

  // Records that are not rows: lines the framing scan rejected, and records DuckDB's CSV reader
  // could not split into the header's fields (its lines are those of the copy it read: mapped
  // back to the dropped file's lines through the lines taken out of it).
  await db.run('CREATE OR REPLACE TEMP TABLE nx_structural (line BIGINT, "column" VARCHAR, reason VARCHAR)');
  const readerRejects: { line: number; reason: string }[] = [];
  if (read.kind === 'csv') {
    const rj = await db.runAndReadAll(
      `SELECT line, 'the row cannot be split into the header''s fields (' || string_agg(DISTINCT lower(error_type), ', ') || '): ' || nx_q(replace(replace(any_value(csv_line), chr(10), ' '), chr(13), '')) FROM nx_rj GROUP BY line ORDER BY line`,
    );
    const lines = mapLines(
      rj.getRows().map((r) => num(r[0])),
      read.removed,
    );
    rj.getRows().forEach((r, i) => {
      readerRejects.push({ line: lines[i] as number, reason: String(r[1]) });
    });
  }
  const faults = read.faults;
  if (faults.length + readerRejects.length) {
    const app = await db.createAppender('nx_structural', 'main', 'temp');
    for (const f of faults) {
      app.appendBigInt(BigInt(f.line));
      if (f.field !== null) app.appendVarchar(read.fields[f.field - 1]?.name ?? `field ${f.field}`);
      else app.appendNull();
      app.appendVarchar(`the line ${f.reason}: ${JSON.stringify(f.snippet)}`);
      app.endRow();
    }
    for (const r of readerRejects) {
      app.appendBigInt(BigInt(r.line));
      app.appendNull();
      app.appendVarchar(r.reason);
      app.endRow();
    }
    app.closeSync();
  }
  const structural = faults.length + readerRejects.length;
  let lineExpr = read.line;
  // Lines DuckDB's record numbers did not count: taken out before the read (faulty, blank) and
  // rejected by the reader. Record n is line n + 1 + the number of those lines before it.
  const skipped = [...read.removed, ...readerRejects.map((r) => r.line)].sort((a, b) => a - b);
  if (skipped.length && !input.lineColumn && read.kind === 'csv') {
    const firstShifted = await recordOffsets(db, skipped);
    lineExpr = `${read.line} + coalesce((SELECT max(k) FROM nx_offsets WHERE o_from <= nx_ord), 0)`;
    // Nothing to correct when every skipped line came after the last counted record (trailing
    // blank lines, a file cut off mid-row); otherwise the files are rewritten with true lines.
    if (firstShifted <= emitted) {
      for (const f of [...files, ...scratch]) await rewrite(db, 'relines', f.path);
    }
    lap('line numbers after lines taken out');
  }

  // Duplicates and conflicts, on the key columns of the valid rows just written: among them, and
  // against the keys committed by other objects of the source.
  let duplicates = 0;
  let conflicts = 0;
  if (keys && files.length) {
    const list = `[${files.map((f) => lit(f.path)).join(', ')}]`;
    await db.run(fill('dupkeys', { keyhash: keys.keyhash, files: list, hive: keys.hive }));
    const repeated = num((await db.runAndReadAll('SELECT count(*) FROM nx_dupkeys')).getRows()[0]?.[0]);
    let cross = 0;
    if (input.priorKeys?.length) {
      await db.run(fill('cross', { ...keys, files: list, prior: `[${input.priorKeys.map(lit).join(', ')}]` }));
      cross = num((await db.runAndReadAll('SELECT count(*) FROM nx_cross')).getRows()[0]?.[0]);
    }
    if (repeated > 0 || cross > 0) {
      await db.run(fill('fate', { ...keys, files: list }));
      if (cross > 0) {
        // A key the source already holds: the committed row decides, for every line of the key here.
        await db.run('DELETE FROM nx_fate WHERE (nx_line, filename) IN (SELECT (nx_line, filename) FROM nx_cross)');
        await db.run('INSERT INTO nx_fate BY NAME SELECT * FROM nx_cross');
      }
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
            quarantined: quarantine.map((q, i) => `m.${q.expr} AS ${qcol(i)}`).join(', '),
            key_columns: keys.key_columns,
          }),
        );
      }
    }
    lap('duplicates');
  }
  let keyFile: { path: string; rows: number } | undefined;
  if (keys && input.keysOut && files.length) {
    const list = `[${files.map((f) => lit(f.path)).join(', ')}]`;
    const r = await db.runAndReadAll(fill('keys', { ...keys, files: list, path: lit(input.keysOut) }));
    keyFile = { path: input.keysOut, rows: num(r.getRows()[0]?.[0]) };
    lap('key file');
  }

  // Local times the profile's dstResolution resolved: counted for the manifest (a second read,
  // only for a profile that sets it).
  if (parts.dst_resolved !== '0') {
    await db.run(stage(read.input('later'), lineExpr));
    const n = num((await db.runAndReadAll(`SELECT sum(${parts.dst_resolved}) FROM nx_checked WHERE nx_reason IS NULL`)).getRows()[0]?.[0]);
    if (n > 0)
      notes.push(
        `${n} local time(s) that are ambiguous or do not exist at a daylight-saving change were read as the ${input.profile?.dstResolution} instant (dstResolution in the vendor profile)`,
      );
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
          decoded: quarantine.map((_, i) => `p.o[${i + 1}] AS ${qcol(i)}`).join(', ') || 'NULL AS o_none',
          files: `[${scratch.map((s) => lit(s.path)).join(', ')}]`,
        }),
      );
    }
    if (conflicts) branches.push(sqlFile('rejects_conflicts'));
    const sql = fill('rejects', {
      empty: quarantine.map((_, i) => `CAST(NULL AS VARCHAR) AS ${qcol(i)}`).join(', ') || 'NULL AS o_none',
      branches: branches.join('\n'),
      columns: [...quarantine.map((_, i) => qcol(i)), 'line', '"column"', 'reason'].join(', '),
    });
    const n = await writeCsv(db, sql, [...quarantine.map((q) => q.name), 'line', 'column', 'reason'], path);
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
    ...(keyFile ? { keyFile } : {}),
    notes,
  };
}

/**
 * Line numbers in the copy DuckDB read → line numbers in the dropped file, given the dropped
 * file's lines taken out of the copy (sorted). `lines` must be sorted.
 */
export function mapLines(lines: readonly number[], removed: readonly number[]): number[] {
  const out: number[] = [];
  let k = 0;
  for (const c of lines) {
    // The c-th kept line: c plus the removed lines at or before it.
    while (k < removed.length && (removed[k] as number) <= c + k) k++;
    out.push(c + k);
  }
  return out;
}

/**
 * Streams the rows of `sql` into a CSV at `path` through the one CSV writer
 * (lambdas/shared/csv.ts: formula cells neutralised); returns the number of rows.
 */
export async function writeCsv(db: DuckDBConnection, sql: string, header: readonly string[], path: string): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${header.map(csvField).join(',')}\r\n`);
  const result = await db.stream(sql);
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const lines: string[] = [];
    for (const row of chunk.getRows()) {
      lines.push(row.map((v) => csvField(typeof v === 'bigint' ? Number(v) : v)).join(','));
      n++;
    }
    if (!out.write(`${lines.join('\r\n')}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

/** A path placed inside a SQL string literal ('{{dir}}'). */
const inQuotes = (path: string): string => path.replace(/'/g, "''");

const RESERVED = new Set(['line', 'column', 'reason']);
const quarantineName = (n: string): string => (RESERVED.has(n) ? `${n} (original)` : n);

/**
 * Lines that are not counted records (taken out, or skipped by the reader) make later records'
 * ordinals fall short; this fills nx_offsets (from which ordinal on, how many lines were skipped
 * before it) and returns the first ordinal that is shifted.
 */
async function recordOffsets(db: DuckDBConnection, skippedLines: readonly number[]): Promise<number> {
  const bad = skippedLines.map((l) => l - 1);
  const offsets = new Map<number, number>();
  let k = 0;
  for (const r of bad) {
    offsets.set(r - k, k + 1);
    k++;
  }
  await db.run('CREATE OR REPLACE TEMP TABLE nx_offsets (o_from BIGINT, k BIGINT)');
  const app = await db.createAppender('nx_offsets', 'main', 'temp');
  for (const [o, kk] of offsets) {
    app.appendBigInt(BigInt(o));
    app.appendBigInt(BigInt(kk));
    app.endRow();
  }
  app.closeSync();
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
  // A locked configuration (openLockedDb) fixed the threads when it opened.
  if (String((await db.runAndReadAll("SELECT current_setting('lock_configuration')")).getRows()[0]?.[0]) === 'true') return f();
  const before = String((await db.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]);
  await db.run(`SET threads = ${threads}`);
  try {
    return await f();
  } finally {
    await db.run(`SET threads = ${Number(before)}`);
  }
}

export { lit };
