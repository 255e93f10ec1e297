/**
 * Running SQL through the stack's Athena workgroup: start, poll until it ends, page through the
 * results, and say what it scanned and cost. The workgroup enforces the result location and the
 * per-query scan limit, so the CLI never sets an output location of its own.
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { awsCall, CliError } from './errors';

/** Athena's price: USD per TiB scanned (us-east-1 list price; see docs/cli.md). */
export const ATHENA_USD_PER_TB = 5;
const MB = 1024 * 1024;
const TB = 1024 ** 4;

/**
 * What Athena bills for a query: bytes rounded up to the next megabyte, at least 10 MB; a query
 * that scanned nothing (DDL, a reused result) costs nothing.
 */
export function athenaCostUsd(bytesScanned: number): number {
  if (bytesScanned <= 0) return 0;
  const billed = Math.max(10 * MB, Math.ceil(bytesScanned / MB) * MB);
  return (billed / TB) * ATHENA_USD_PER_TB;
}

export interface AthenaQuery {
  sql: string;
  workGroup: string;
  database: string;
  /** Athena ExecutionParameters (SQL literals, strings quoted) for the `?` placeholders. */
  params?: readonly string[];
  timeoutMs: number;
  /** @default 1000 */
  intervalMs?: number;
  onState?: (state: string, elapsedMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface AthenaResult {
  queryExecutionId: string;
  columns: string[];
  rows: Record<string, unknown>[];
  bytesScanned: number;
  costUsd: number;
  engineMs: number;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int']);
const FLOAT_TYPES = new Set(['double', 'float', 'real', 'decimal']);

/** Athena returns every value as a string; give back the JS values the local engine returns. */
export function athenaValue(raw: string | undefined, type: string | undefined): unknown {
  if (raw === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase();
  if (INTEGER_TYPES.has(t)) return Number(raw);
  if (t === 'bigint') {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (FLOAT_TYPES.has(t)) return Number(raw);
  if (t === 'boolean') return raw === 'true';
  return raw;
}

function failureMessage(q: GetQueryExecutionCommandOutput['QueryExecution'], id: string): string {
  const st = q?.Status;
  const reason = st?.StateChangeReason ?? st?.AthenaError?.ErrorMessage ?? 'no reason given';
  const category = st?.AthenaError?.ErrorCategory;
  const advice =
    category === 2
      ? 'fix the SQL'
      : category === 1
        ? 'an Athena system error: try again'
        : 'see the query in the Athena console (Recent queries)';
  return `Athena query ${id} ${st?.State === 'CANCELLED' ? 'was cancelled' : 'failed'}: ${reason}: ${advice}`;
}

/** Runs one statement and returns every row (all pages). A failed query is a CliError with Athena's reason. */
export async function runAthenaQuery(athena: AthenaClient, q: AthenaQuery): Promise<AthenaResult> {
  const sleep = q.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = q.now ?? Date.now;
  const start = now();
  const started = await awsCall({ action: `Athena StartQueryExecution (workgroup ${q.workGroup})` }, () =>
    athena.send(
      new StartQueryExecutionCommand({
        QueryString: q.sql,
        WorkGroup: q.workGroup,
        QueryExecutionContext: { Database: q.database, Catalog: 'AwsDataCatalog' },
        ...(q.params?.length ? { ExecutionParameters: [...q.params] } : {}),
      }),
    ),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new CliError('Athena StartQueryExecution returned no query id');
  let exec: GetQueryExecutionCommandOutput['QueryExecution'];
  for (;;) {
    const r = await awsCall({ action: 'Athena GetQueryExecution' }, () =>
      athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
    );
    exec = r.QueryExecution;
    const state = exec?.Status?.State ?? 'QUEUED';
    const elapsed = now() - start;
    q.onState?.(state, elapsed);
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') throw new CliError(failureMessage(exec, id));
    if (elapsed >= q.timeoutMs) {
      await awsCall({ action: 'Athena StopQueryExecution' }, () => athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })));
      throw new CliError(
        `Athena query ${id} did not finish within ${Math.round(q.timeoutMs / 1000)} s (last state ${state}); it was stopped: filter on the partition columns (source, trade_date) or raise --timeout`,
      );
    }
    await sleep(Math.min(q.intervalMs ?? 1000, Math.max(0, q.timeoutMs - elapsed)));
  }

  let columns: string[] = [];
  let info: ColumnInfo[] = [];
  const rows: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await awsCall({ action: 'Athena GetQueryResults' }, () =>
      athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) })),
    );
    if (first) {
      info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      columns = info.map((c, i) => c.Name ?? c.Label ?? `_col${i}`);
    }
    const data = page.ResultSet?.Rows ?? [];
    // A SELECT's first row is its header (Athena repeats the column names as data).
    const skip = first && exec?.StatementType === 'DML' ? 1 : 0;
    for (const row of data.slice(skip)) {
      const values = row.Data ?? [];
      rows.push(Object.fromEntries(columns.map((c, i) => [c, athenaValue(values[i]?.VarCharValue, info[i]?.Type)])));
    }
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);

  const bytesScanned = exec?.Statistics?.DataScannedInBytes ?? 0;
  return {
    queryExecutionId: id,
    columns,
    rows,
    bytesScanned,
    costUsd: athenaCostUsd(bytesScanned),
    engineMs: exec?.Statistics?.EngineExecutionTimeInMillis ?? 0,
  };
}
