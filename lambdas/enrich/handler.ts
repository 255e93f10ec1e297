/**
 * The enrichment steps of the review and daily workflows (lib/constructs/enrich-states.ts):
 *
 * - `plan`: which source × trade dates of a period (or one date) are missing or stale, from the
 *   load manifests and the `_figures/` lineage records (lambdas/enrich/lineage.ts). Each unit it
 *   returns is one bounded Map item: two Athena queries and two commits.
 * - `commit`: after a unit's Athena query has staged its files, replaces the partition's one
 *   object with a single PUT (merging the staged files with DuckDB; Athena's DuckDB engine wrote
 *   the object itself), and after order_figures writes the unit's lineage record.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { bucket, s3Client } from '../adapters/aws';
import { powertools } from '../adapters/powertools';
import { loadConfig } from '../shared/config';
import { FIGURE_TABLES, type FigureTableName, figureFileColumns, figureTable } from '../shared/figures';
import { LAKE } from '../shared/layout';
import { duckdbType, SOURCE_PATTERN } from '../shared/schema';
import {
  type EnrichUnit,
  type FiguresRecord,
  fingerprint,
  freshness,
  inputsOf,
  type LineageInput,
  type ManifestFacts,
  unitsWithData,
} from './lineage';

/** 'v3' stages with UNLOAD and merges here; 'duckdb' (Athena's DuckDB engine) COPYs the one object itself. */
export type AthenaEngine = 'v3' | 'duckdb';

export interface PlanInput {
  /** A period [start, end) of trade dates, or one `date`. */
  start?: string;
  end?: string;
  date?: string;
  /** Sources to enrich; absent or empty (a quarterly review's "every source"): every source with data. */
  sources?: string[];
  runId: string;
  /** Default: the configured ingest.maxQuoteAgeSeconds. */
  maxQuoteAgeS?: number;
  engine: AthenaEngine;
  /** sha256 of the composed SQL of each table, as embedded in the definition. */
  sql: Record<FigureTableName, string>;
  /** Re-enrich even fresh dates. */
  force?: boolean;
}

/** One Map item: the text around each table's SQL, and its parameters. */
export interface PlannedUnit extends EnrichUnit {
  runId: string;
  params: string[];
  fingerprint: string;
  engine: AthenaEngine;
  /** `before` + SQL + `after` is the Athena query (UNLOAD or COPY to the lake bucket). */
  wrap: Record<FigureTableName, { before: string; after: string }>;
}

export interface PlanOutput {
  units: PlannedUnit[];
  fresh: number;
  missing: number;
  stale: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RUN_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The query text around a table's SELECT. The S3 location is the one piece of SQL text not bound
 * as a parameter (Athena cannot bind a location); it is built only from the configured bucket, a
 * run id, a source slug and a date, each checked against its pattern here.
 */
export function wrapFor(engine: AthenaEngine, lakeBucket: string, unit: EnrichUnit & { runId: string }, table: FigureTableName) {
  if (!new RegExp(`^${SOURCE_PATTERN}$`).test(unit.source)) throw new Error(`not a source slug: ${unit.source}`);
  if (!DATE.test(unit.tradeDate)) throw new Error(`not a trade date: ${unit.tradeDate}`);
  if (!RUN_ID.test(unit.runId)) throw new Error(`not a run id: ${unit.runId}`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(lakeBucket)) throw new Error(`not a bucket name: ${lakeBucket}`);
  if (engine === 'duckdb') {
    const target = `s3://${lakeBucket}/${LAKE.figures(table, unit.source, unit.tradeDate)}`;
    return { before: 'COPY (', after: `) TO '${target}' (FORMAT parquet, COMPRESSION zstd)` };
  }
  const staging = `s3://${lakeBucket}/${LAKE.figuresStaging(unit.runId, unit.source, unit.tradeDate, table)}`;
  return { before: 'UNLOAD (', after: `) TO '${staging}' WITH (format = 'PARQUET', compression = 'ZSTD')` };
}

async function listKeys(s3: S3Client, b: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function getText(s3: S3Client, b: string, key: string): Promise<string | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
    return await (r.Body?.transformToString() ?? Promise.resolve(''));
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

/** Every load manifest of the lake (read in parallel, a few at a time). */
export async function readManifests(s3: S3Client, lakeBucket: string): Promise<ManifestFacts[]> {
  const keys = (await listKeys(s3, lakeBucket, LAKE.manifests)).filter((k) => k.endsWith('.json'));
  const out: ManifestFacts[] = [];
  for (let i = 0; i < keys.length; i += 16) {
    const texts = await Promise.all(keys.slice(i, i + 16).map((k) => getText(s3, lakeBucket, k)));
    for (const t of texts) if (t) out.push(JSON.parse(t) as ManifestFacts);
  }
  return out;
}

export async function planEnrichment(
  input: PlanInput & { maxQuoteAgeS: number },
  s3: S3Client = s3Client(),
  lakeBucket = bucket('lake'),
): Promise<PlanOutput> {
  const inRange = (d: string): boolean =>
    input.date ? d === input.date : (!input.start || d >= input.start) && (!input.end || d < input.end);
  const manifests = await readManifests(s3, lakeBucket);
  const wanted = unitsWithData(manifests).filter(
    (u) => inRange(u.tradeDate) && (!input.sources?.length || input.sources.includes(u.source)),
  );
  const out: PlanOutput = { units: [], fresh: 0, missing: 0, stale: 0 };
  for (const unit of wanted) {
    const inputs = inputsOf(manifests, unit);
    const fp = fingerprint(inputs, input.sql, input.maxQuoteAgeS);
    const recordText = await getText(s3, lakeBucket, LAKE.figuresRecord(unit.source, unit.tradeDate));
    const state = freshness(recordText ? (JSON.parse(recordText) as FiguresRecord) : undefined, fp);
    out[state] += 1;
    if (state === 'fresh' && !input.force) continue;
    const u = { ...unit, runId: input.runId };
    // What the commit will record: the inputs as they are now, so a re-drop during the run shows as stale next time.
    await s3.send(
      new PutObjectCommand({
        Bucket: lakeBucket,
        Key: `${LAKE.figuresStaging(input.runId, unit.source, unit.tradeDate, 'plan')}plan.json`,
        Body: JSON.stringify({ inputs, fingerprint: fp, sql: input.sql, max_quote_age_s: input.maxQuoteAgeS }),
        ContentType: 'application/json',
      }),
    );
    out.units.push({
      ...u,
      params: [`'${unit.source}'`, `'${unit.tradeDate}'`, String(input.maxQuoteAgeS)],
      fingerprint: fp,
      engine: input.engine,
      wrap: Object.fromEntries(FIGURE_TABLES.map((t) => [t.table, wrapFor(input.engine, lakeBucket, u, t.table)])) as PlannedUnit['wrap'],
    });
  }
  return out;
}

export interface CommitInput {
  unit: PlannedUnit;
  table: FigureTableName;
}

/** Merges staged Parquet files into one, with the table's file columns in schema order. */
async function mergeParquet(files: string[], table: FigureTableName, out: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await instance.connect();
  try {
    const spec = figureFileColumns(figureTable(table));
    const cols = spec.map((col) => `"${col.name}"`).join(', ');
    const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
    // A day without rows may stage no file: the partition still gets its (empty, typed) object.
    const from =
      files.length > 0
        ? `SELECT ${cols} FROM read_parquet([${list}]) ORDER BY 1`
        : `SELECT ${spec.map((col) => `CAST(NULL AS ${duckdbType(col.type)}) AS "${col.name}"`).join(', ')} WHERE false`;
    await c.run(`COPY (${from}) TO '${out.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    const r = await c.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet('${out.replaceAll("'", "''")}')`);
    return Number(r.getRowObjects()[0]?.n ?? 0);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

export async function commitEnrichment(
  input: CommitInput,
  s3: S3Client = s3Client(),
  lakeBucket = bucket('lake'),
): Promise<{ key: string; rows: number }> {
  const { unit, table } = input;
  const key = LAKE.figures(table, unit.source, unit.tradeDate);
  const work = mkdtempSync(join(tmpdir(), 'bestex-commit-'));
  let rows = 0;
  try {
    if (unit.engine === 'v3') {
      const prefix = LAKE.figuresStaging(unit.runId, unit.source, unit.tradeDate, table);
      const staged = await listKeys(s3, lakeBucket, prefix);
      const files: string[] = [];
      for (const [i, k] of staged.entries()) {
        const r = await s3.send(new GetObjectCommand({ Bucket: lakeBucket, Key: k }));
        const f = join(work, `part-${i}.parquet`);
        writeFileSync(f, await (r.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
        files.push(f);
      }
      const merged = join(work, 'merged.parquet');
      rows = await mergeParquet(files, table, merged);
      // One PUT replaces the partition's object: readers see the old figures or the new, never a mix.
      await s3.send(new PutObjectCommand({ Bucket: lakeBucket, Key: key, Body: readFileSync(merged) }));
      if (staged.length > 0) {
        await s3.send(new DeleteObjectsCommand({ Bucket: lakeBucket, Delete: { Objects: staged.map((Key) => ({ Key })) } }));
      }
    } else {
      const r = await s3.send(new GetObjectCommand({ Bucket: lakeBucket, Key: key }));
      const f = join(work, 'object.parquet');
      writeFileSync(f, await (r.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      rows = await mergeParquet([f], table, join(work, 'check.parquet'));
    }
    if (table === 'order_figures') await writeRecord(s3, lakeBucket, unit, rows);
    return { key, rows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The lineage record, written last: a unit whose run died before it is simply missing next time. */
async function writeRecord(s3: S3Client, lakeBucket: string, unit: PlannedUnit, orderRows: number): Promise<void> {
  const planKey = `${LAKE.figuresStaging(unit.runId, unit.source, unit.tradeDate, 'plan')}plan.json`;
  const plan = JSON.parse((await getText(s3, lakeBucket, planKey)) ?? '{}') as {
    inputs: LineageInput[];
    fingerprint: string;
    sql: Record<string, string>;
    max_quote_age_s: number;
  };
  const record: FiguresRecord = {
    source: unit.source,
    tradeDate: unit.tradeDate,
    fingerprint: plan.fingerprint,
    inputs: plan.inputs,
    sql: plan.sql,
    max_quote_age_s: plan.max_quote_age_s,
    rows: { order_figures: orderRows },
    objects: FIGURE_TABLES.map((t) => LAKE.figures(t.table, unit.source, unit.tradeDate)),
    enriched_at: new Date().toISOString(),
    run_id: unit.runId,
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: lakeBucket,
      Key: LAKE.figuresRecord(unit.source, unit.tradeDate),
      Body: JSON.stringify(record, null, 2),
      ContentType: 'application/json',
    }),
  );
  await s3.send(new DeleteObjectsCommand({ Bucket: lakeBucket, Delete: { Objects: [{ Key: planKey }] } }));
}

const { wrap } = powertools('enrich');
// The enrichment's inputs are typed here, not yet schemas (its owner's work): an object is all the wrapper checks.
const anObject = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null, 'expected an object');

export const plan = wrap('the enrichment plan input is not valid', anObject<PlanInput>(), (input) =>
  planEnrichment({ ...input, maxQuoteAgeS: input.maxQuoteAgeS ?? loadConfig().deployment.ingest.maxQuoteAgeSeconds }),
);
export const commit = wrap('the enrichment commit input is not valid', anObject<CommitInput>(), (input) => commitEnrichment(input));
