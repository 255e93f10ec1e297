/**
 * Running SQL through the Athena workgroup. The client is mocked (aws-sdk-client-mock) because no
 * local stand-in covers these paths: the local target runs the same SQL on DuckDB, and moto's
 * Athena (test/aws-emulator) answers every query at once from canned results, so it cannot queue,
 * fail or outlast a timeout. The responses are written in the shapes of the Athena API reference:
 * a query queued then running, results in two pages (NextToken) with the header row only on the
 * first, typed columns and NULLs, a failed query, and one that runs past the timeout.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { athenaCostUsd, athenaValue, runAthenaQuery } from '../../lib/aws/athena';
import { CliError } from '../../lib/aws/errors';
import { humanBytes } from '../../lib/cli/support/output';

const ID = '0f6d3c1a-7b2e-4c5d-8e9f-a0b1c2d3e4f5';
/** ColumnInfo as Athena returns it for a SELECT (catalog hive, no schema or table names). */
const column = (Name: string, Type: string, Precision: number, CaseSensitive: boolean) => ({
  CatalogName: 'hive',
  SchemaName: '',
  TableName: '',
  Name,
  Label: Name,
  Type,
  Precision,
  Scale: 0,
  Nullable: 'UNKNOWN',
  CaseSensitive,
});
const COLUMNS = [
  column('source', 'varchar', 2147483647, true),
  column('n', 'bigint', 19, false),
  column('value', 'double', 17, false),
  column('flag', 'boolean', 0, false),
];
const row = (...v: (string | undefined)[]) => ({ Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })) });

function execution(state: string, extra: Record<string, unknown> = {}) {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      Query: 'SELECT source, count(*) AS n ...',
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `s3://bestex-athena/results/${ID}.csv` },
      QueryExecutionContext: { Database: 'bestex', Catalog: 'awsdatacatalog' },
      Status: { State: state, SubmissionDateTime: new Date('2026-10-05T11:00:00Z') },
      WorkGroup: 'Bestex-bestex',
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3', EffectiveEngineVersion: 'Athena engine version 3' },
      ...extra,
    },
  };
}

const SUCCEEDED = execution('SUCCEEDED', {
  Statistics: {
    EngineExecutionTimeInMillis: 1834,
    DataScannedInBytes: 123_456_789,
    TotalExecutionTimeInMillis: 2101,
    QueryQueueTimeInMillis: 120,
  },
});

/** A client whose GetQueryExecution answers `states` in turn (the last one repeated) and GetQueryResults the page of its NextToken. */
function athenaStub(states: unknown[], pages: unknown[]) {
  const client = new AthenaClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  let polls = 0;
  mock
    .on(StartQueryExecutionCommand)
    .resolves({ QueryExecutionId: ID })
    .on(GetQueryExecutionCommand)
    .callsFake(() => states[Math.min(polls++, states.length - 1)])
    .on(GetQueryResultsCommand)
    .callsFake((input: { NextToken?: string }) => pages[Number(input.NextToken ?? 0)])
    .on(StopQueryExecutionCommand)
    .resolves({});
  return { client, mock };
}

const noSleep = async () => {};

describe('bestex query on Athena', () => {
  it('runs in the workgroup with the parameters, pages through the results and types the values', async () => {
    const stub = athenaStub(
      [execution('QUEUED'), execution('RUNNING'), SUCCEEDED],
      [
        {
          ResultSet: {
            Rows: [
              row('source', 'n', 'value', 'flag'),
              row('acme-sor', '12', '0.0015', 'true'),
              row('bolt-sor', '9007199254740993', '-2.5E-4', 'false'),
            ],
            ResultSetMetadata: { ColumnInfo: COLUMNS },
          },
          NextToken: '1',
          UpdateCount: 0,
        },
        { ResultSet: { Rows: [row('sip', '0', undefined, undefined)], ResultSetMetadata: { ColumnInfo: COLUMNS } }, UpdateCount: 0 },
      ],
    );
    const states: string[] = [];
    const r = await runAthenaQuery(stub.client, {
      sql: 'SELECT source, count(*) AS n FROM review_metrics WHERE period = ? GROUP BY source',
      params: ["'2026Q3'"],
      workGroup: 'Bestex-bestex',
      database: 'bestex',
      timeoutMs: 60_000,
      sleep: noSleep,
      onState: (s) => states.push(s),
    });
    const start = stub.mock.call(0).args[0];
    expect(start).toBeInstanceOf(StartQueryExecutionCommand);
    expect(start.input).toEqual({
      QueryString: 'SELECT source, count(*) AS n FROM review_metrics WHERE period = ? GROUP BY source',
      WorkGroup: 'Bestex-bestex',
      QueryExecutionContext: { Database: 'bestex', Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["'2026Q3'"],
    });
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(r.columns).toEqual(['source', 'n', 'value', 'flag']);
    expect(r.rows).toEqual([
      { source: 'acme-sor', n: 12, value: 0.0015, flag: true },
      // Beyond 2^53 a bigint stays a decimal string, as the local engine returns it.
      { source: 'bolt-sor', n: '9007199254740993', value: -0.00025, flag: false },
      // The second page has no header row; missing VarCharValue is NULL.
      { source: 'sip', n: 0, value: null, flag: null },
    ]);
    expect(stub.mock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, '1']);
    expect(r.bytesScanned).toBe(123_456_789);
    // 123,456,789 B rounds up to 118 MiB; 118 MiB / 1 TiB × $5 = 118 × 5 / 2^20.
    expect(r.costUsd).toBeCloseTo((118 * 5) / 1_048_576, 15);
  });

  it('does not drop the first row of a statement without a header (SHOW TABLES)', async () => {
    const stub = athenaStub(
      [execution('SUCCEEDED', { StatementType: 'UTILITY', Statistics: { DataScannedInBytes: 0 } })],
      [{ ResultSet: { Rows: [row('orders'), row('quotes')], ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] } } }],
    );
    const r = await runAthenaQuery(stub.client, {
      sql: 'SHOW TABLES',
      workGroup: 'w',
      database: 'bestex',
      timeoutMs: 1000,
      sleep: noSleep,
    });
    expect(r.rows).toEqual([{ tab_name: 'orders' }, { tab_name: 'quotes' }]);
    expect(r.costUsd).toBe(0);
  });

  it('fails with Athena’s reason and what to do', async () => {
    const failed = execution('FAILED', {
      Status: {
        State: 'FAILED',
        StateChangeReason:
          "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized to access requested resources",
        AthenaError: {
          ErrorCategory: 2,
          ErrorType: 1006,
          Retryable: false,
          ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
        },
      },
      Statistics: { DataScannedInBytes: 0 },
    });
    const stub = athenaStub([execution('RUNNING'), failed], []);
    const err = await runAthenaQuery(stub.client, {
      sql: 'SELECT nope FROM orders',
      workGroup: 'w',
      database: 'bestex',
      timeoutMs: 60_000,
      sleep: noSleep,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toBe(
      `Athena query ${ID} failed: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized to access requested resources: fix the SQL`,
    );
    expect(stub.mock.commandCalls(GetQueryResultsCommand).length).toBe(0);
  });

  it('stops a query that runs past the timeout and says how to narrow it', async () => {
    const stub = athenaStub([execution('RUNNING')], []);
    let clock = 0;
    const err = await runAthenaQuery(stub.client, {
      sql: 'SELECT * FROM quotes',
      workGroup: 'w',
      database: 'bestex',
      timeoutMs: 5000,
      intervalMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^Athena query .* did not finish within 5 s \(last state RUNNING\); it was stopped: filter on the partition columns/,
    );
    expect(stub.mock.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: ID }]);
    expect(stub.mock.commandCalls(GetQueryExecutionCommand).length).toBe(6);
  });
});

describe('cost and values', () => {
  it('bills at least 10 MB, rounds up to the megabyte, $5 per TiB', () => {
    expect(athenaCostUsd(0)).toBe(0);
    expect(athenaCostUsd(1)).toBeCloseTo((10 * 5) / 1_048_576, 15);
    expect(athenaCostUsd(10 * 1024 * 1024 + 1)).toBeCloseTo((11 * 5) / 1_048_576, 15);
    expect(athenaCostUsd(1024 ** 4)).toBe(5);
  });

  it('types Athena strings like the local engine does', () => {
    expect(athenaValue('42', 'integer')).toBe(42);
    expect(athenaValue('1.5', 'decimal')).toBe(1.5);
    expect(athenaValue('2026-07-01', 'date')).toBe('2026-07-01');
    expect(athenaValue(undefined, 'varchar')).toBeNull();
    expect(humanBytes(123_456_789)).toBe('117.74 MiB');
  });
});
