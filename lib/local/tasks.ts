/**
 * Local task handlers for the synthesised ASL, chosen by each Task state's Resource:
 * Lambda → the same handler module in process; Athena StartQueryExecution.sync → DuckDB over the
 * local lake, result CSV written to the local Athena bucket exactly as Athena writes it; SNS
 * Publish → the local outbox (and the console).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDBValue } from '@duckdb/node-api';
import { publish } from '../../lambdas/adapters/notify';
import { toAthenaCsv } from '../../lambdas/shared/athena-csv';
import type { Notice, PublishedNotice, Topic } from '../../lambdas/shared/notice';
import { type Engine, parseAthenaParams } from '../engine';
import { functionExport, functionName, type Template } from './asl';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type TaskHandler = (input: Json) => Promise<Json>;

export interface TaskContext {
  template: Template;
  s3: S3Client;
  athenaBucket: string;
  /** Opened lazily by the first Athena task of a run. */
  engine: () => Promise<Engine>;
  onNotice?: (n: PublishedNotice) => void | Promise<void>;
  /** Called before each Athena query: lets the engine see objects earlier steps wrote (figures). */
  beforeQuery?: (engine: Engine) => Promise<void>;
  /** Query ids and bytes, for the run summary. */
  onQuery?: (q: { id: string; name?: string; rows: number; ms: number }) => void;
}

interface AslState {
  Type: string;
  Resource?: string;
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

/** Every Task state (recursing into Map and Parallel) with its Resource. */
export function taskStates(definition: { States?: Record<string, AslState> }): { name: string; resource: string }[] {
  const out: { name: string; resource: string }[] = [];
  const walk = (states: Record<string, AslState> | undefined): void => {
    for (const [name, s] of Object.entries(states ?? {})) {
      if (s.Type === 'Task' && s.Resource) out.push({ name, resource: s.Resource });
      walk(s.Iterator?.States);
      walk(s.ItemProcessor?.States);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(definition.States);
  return out;
}

const LAMBDA_ARN = /^arn:aws:lambda:[^:]+:\d+:function:([^:]+)$/;

export function localHandlers(definition: { States?: Record<string, AslState> }, ctx: TaskContext): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const { name, resource } of taskStates(definition)) {
    const fn = LAMBDA_ARN.exec(resource);
    if (fn) {
      const folder = functionName(ctx.template, fn[1] as string);
      if (!folder) throw new Error(`state ${name}: Lambda ${fn[1]} has no BESTEX_FUNCTION`);
      handlers[name] = lambdaHandler(folder, functionExport(ctx.template, fn[1] as string));
    } else if (resource.startsWith('arn:aws:states:::athena:startQueryExecution')) {
      handlers[name] = athenaHandler(ctx);
    } else if (resource === 'arn:aws:states:::sns:publish') {
      handlers[name] = snsHandler(ctx);
    } else {
      throw new Error(`state ${name}: no local stand-in for ${resource}`);
    }
  }
  return handlers;
}

function lambdaHandler(folder: string, exportName: string): TaskHandler {
  return async (input) => {
    const mod = (await import(`../../lambdas/${folder}/handler.ts`)) as Record<string, ((e: unknown) => Promise<Json>) | undefined>;
    const fn = mod[exportName];
    if (typeof fn !== 'function') throw new Error(`lambdas/${folder}/handler.ts has no export "${exportName}"`);
    return (await fn(input)) ?? null;
  };
}

interface AthenaParams {
  QueryString: string;
  ExecutionParameters?: string[];
  WorkGroup?: string;
}

function athenaHandler(ctx: TaskContext): TaskHandler {
  return async (input) => {
    const p = input as unknown as AthenaParams;
    const id = randomUUID();
    const t0 = performance.now();
    const engine = await ctx.engine();
    await ctx.beforeQuery?.(engine);
    let result: Awaited<ReturnType<Engine['query']>>;
    try {
      const write = writeTarget(p.QueryString);
      result = write
        ? await writeToS3(ctx, engine, write, p.ExecutionParameters ?? [])
        : await engine.query(p.QueryString, p.ExecutionParameters ?? []);
    } catch (e) {
      // The shape Step Functions reports for a failed Athena query.
      throw Object.assign(new Error(`Athena query ${id} failed: ${(e as Error).message}`), { name: 'Athena.QueryFailed' });
    }
    const key = `results/${id}.csv`;
    const csv = toAthenaCsv(
      result.columns,
      result.rows.map((r) => result.columns.map((c) => r[c])),
    );
    await ctx.s3.send(new PutObjectCommand({ Bucket: ctx.athenaBucket, Key: key, Body: csv, ContentType: 'text/csv' }));
    ctx.onQuery?.({ id, rows: result.rows.length, ms: performance.now() - t0 });
    return {
      QueryExecution: {
        QueryExecutionId: id,
        Query: p.QueryString,
        StatementType: 'DML',
        ResultConfiguration: { OutputLocation: `s3://${ctx.athenaBucket}/${key}` },
        Status: { State: 'SUCCEEDED' },
        Statistics: { DataScannedInBytes: 0, EngineExecutionTimeInMillis: Math.round(performance.now() - t0) },
        WorkGroup: p.WorkGroup ?? 'local',
      },
    };
  };
}

/**
 * The two writing statements the enrichment sends (lambdas/enrich/handler.ts wrapFor): Athena
 * engine v3 `UNLOAD (SELECT …) TO 's3://b/prefix/' WITH (…)`, which writes files under an empty
 * prefix, and Athena-DuckDB `COPY (SELECT …) TO 's3://b/key' (…)`, which writes one object.
 */
function writeTarget(sql: string): { select: string; bucket: string; key: string } | undefined {
  const unload = /^UNLOAD \(([\s\S]*)\) TO 's3:\/\/([^/']+)\/([^']*\/)' WITH \([^()]*\)$/.exec(sql);
  if (unload) return { select: unload[1] as string, bucket: unload[2] as string, key: `${unload[3]}local-0.parquet` };
  const copy = /^COPY \(([\s\S]*)\) TO 's3:\/\/([^/']+)\/([^']+)' \([^()]*\)$/.exec(sql);
  if (copy) return { select: copy[1] as string, bucket: copy[2] as string, key: copy[3] as string };
  return undefined;
}

/** Runs the SELECT into one local Parquet file and PUTs it where Athena would have written. */
async function writeToS3(
  ctx: TaskContext,
  engine: Engine,
  w: { select: string; bucket: string; key: string },
  params: readonly string[],
): Promise<Awaited<ReturnType<Engine['query']>>> {
  const dir = mkdtempSync(join(tmpdir(), 'bestex-unload-'));
  try {
    const file = join(dir, 'out.parquet');
    const values = parseAthenaParams(params) as DuckDBValue[];
    await engine.connection.run(`COPY (${w.select}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`, values);
    await ctx.s3.send(new PutObjectCommand({ Bucket: w.bucket, Key: w.key, Body: readFileSync(file) }));
    return { columns: [], rows: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface SnsParams {
  TopicArn: string;
  Message: string;
  Subject?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

function snsHandler(ctx: TaskContext): TaskHandler {
  return async (input) => {
    const p = input as unknown as SnsParams;
    const topic = (p.TopicArn.split(':').pop() ?? 'compliance') as Topic;
    const notice: Notice = {
      subject: p.Subject ?? '',
      message: typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message),
      attributes: Object.fromEntries(Object.entries(p.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
    };
    const sent = await publish(topic, notice);
    await ctx.onNotice?.(sent);
    return { MessageId: sent.id };
  };
}
