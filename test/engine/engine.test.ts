import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { DATASETS, tableColumns } from '../../lambdas/shared/schema';
import { type Engine, openEngine, parseAthenaParam } from '../../lib/engine';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bestex-engine-'));
  const lake = join(dir, 'lake');
  const results = join(dir, 'results');
  // Write two order files, one named like a plain bucket copy, one like s3rver stores objects.
  const writer = await openEngine({});
  const p1 = join(lake, 'orders', 'source=acme-sor', 'trade_date=2026-07-01');
  const p2 = join(lake, 'orders', 'source=bolt-sor', 'trade_date=2026-07-02');
  const p3 = join(results, 'review_metrics', 'period=2026Q3');
  for (const p of [p1, p2, p3]) mkdirSync(p, { recursive: true });
  const row = (id: string, ts: string) =>
    `SELECT '${id}' AS order_id, 'AAPL' AS symbol, 'B' AS side, 'LMT' AS order_type, 190.5 AS limit_price, 'DAY' AS tif,
      CAST(100 AS BIGINT) AS qty, TIMESTAMPTZ '${ts}' AS received_ts, 'N' AS directed, CAST(NULL AS DOUBLE) AS vendor_nbb,
      CAST(NULL AS DOUBLE) AS vendor_nbo, CAST(NULL AS TIMESTAMPTZ) AS canceled_ts, 'k/${id}.csv' AS source_key,
      CAST(2 AS BIGINT) AS source_line, TIMESTAMPTZ '2026-07-03 00:00:00' AS ingested_at`;
  await writer.run(`COPY (${row('o1', '2026-07-01 13:30:00.123456')}) TO '${p1}/part-a.parquet' (FORMAT parquet)`);
  await writer.run(`COPY (${row('o2', '2026-07-02 14:00:00')}) TO '${p2}/part-b.parquet._S3rver_object' (FORMAT parquet)`);
  await writer.run(
    `COPY (SELECT '2026Q3' AS period, 'acme-sor' AS source, '*' AS symbol, '*' AS order_category, '*' AS venue, '*' AS size_bucket, '*' AS sp500,
      'orders' AS metric, 1.0 AS value, 1 AS n_orders, 0 AS n_executions, NULL AS std_dev, NULL AS n_eff, 0 AS excl_no_nbbo, 0 AS excl_stale_nbbo,
      0 AS excl_crossed_or_locked_nbbo, 0 AS excl_negative_exec_time, 0 AS excl_orphan_execution) TO '${p3}/run1.parquet' (FORMAT parquet)`,
  );
  writer.close();
  engine = await openEngine({ lakeDir: lake, resultsDir: results });
});

afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openEngine', () => {
  it('reads both object namings with typed Hive partitions and plain JS values', async () => {
    const r = await engine.query('SELECT order_id, source, trade_date, qty, limit_price, received_ts FROM orders ORDER BY order_id');
    expect(r.rows).toEqual([
      {
        order_id: 'o1',
        source: 'acme-sor',
        trade_date: '2026-07-01',
        qty: 100,
        limit_price: 190.5,
        received_ts: '2026-07-01T13:30:00.123456Z',
      },
      {
        order_id: 'o2',
        source: 'bolt-sor',
        trade_date: '2026-07-02',
        qty: 100,
        limit_price: 190.5,
        received_ts: '2026-07-02T14:00:00.000Z',
      },
    ]);
  });

  it('binds Athena execution parameters to ? in order', async () => {
    const r = await engine.query(
      `WITH params AS (SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s)
       SELECT p.period, p.max_quote_age_s, count(*) AS n FROM orders o, params p WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date GROUP BY 1, 2`,
      ["'2026Q3'", "'2026-07-02'", "'2026-10-01'", '10'],
    );
    expect(r.rows).toEqual([{ period: '2026Q3', max_quote_age_s: 10, n: 1 }]);
  });

  it('gives every canonical table its schema columns, even with no file (empty typed view)', async () => {
    for (const spec of DATASETS) {
      const r = await engine.query(`DESCRIBE ${spec.table}`);
      expect(r.rows.map((x) => x.column_name)).toEqual(tableColumns(spec).map((c) => c.name));
    }
    const q = await engine.query('SELECT count(*) AS n FROM quotes');
    expect(q.rows).toEqual([{ n: 0 }]);
  });

  it('exposes review_metrics with the contract columns', async () => {
    const r = await engine.query('SELECT * FROM review_metrics');
    expect(r.columns).toEqual([...REVIEW_METRIC_COLUMNS]);
    expect(r.rows[0]).toMatchObject({ period: '2026Q3', metric: 'orders', value: 1, n_orders: 1, std_dev: null });
  });

  it('runs Trino-only names through the compat macros with Trino semantics', async () => {
    const r = await engine.query(
      `SELECT date_diff('millisecond', TIMESTAMP '2026-07-01 00:00:00.900', TIMESTAMP '2026-07-01 00:00:02.100') AS ms,
              date_diff('millisecond', TIMESTAMP '2026-07-01 00:00:02.100', TIMESTAMP '2026-07-01 00:00:00.900') AS neg,
              regexp_like('AAPL', '^[A-Z]+$') AS re, to_unixtime(TIMESTAMP '1970-01-01 00:00:01.5') AS ux`,
    );
    expect(r.rows).toEqual([{ ms: 1200, neg: -1200, re: true, ux: 1.5 }]);
  });
});

describe('parseAthenaParam', () => {
  it('reads quoted strings, dates, numbers and NULL', () => {
    expect(parseAthenaParam("'2026Q3'")).toBe('2026Q3');
    expect(parseAthenaParam("'O''Neil'")).toBe("O'Neil");
    expect(parseAthenaParam("DATE '2026-07-01'")).toBe('2026-07-01');
    expect(parseAthenaParam('10')).toBe(10);
    expect(parseAthenaParam('-2.5e1')).toBe(-25);
    expect(parseAthenaParam('NULL')).toBeNull();
  });
  it('says which parameter is wrong and how to write it', () => {
    expect(() => parseAthenaParam('2026Q3', 0)).toThrow(/parameter 1 .*quote strings/);
  });
});

describe('review_breaches', () => {
  it('is an empty table until a review writes breaches', async () => {
    const e = await openEngine({});
    const r = await e.query('SELECT count(*) AS n FROM review_breaches');
    e.close();
    expect(r.rows).toEqual([{ n: 0 }]);
  });
});
