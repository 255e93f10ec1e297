import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../lambdas/core/review/cases';
import { OUTCOME_COLUMNS } from '../../lambdas/core/review/evaluate';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { DATASETS, fileColumns } from '../../lambdas/shared/schema';
import { caseEventsTableInput, duckdbViewSql, glueTableInput, reviewBreachesTableInput, reviewMetricsTableInput } from '../../lib/catalog';
import { openEngine } from '../../lib/engine';

/** How a Glue (Hive) type is spelled by DuckDB's DESCRIBE for the same logical type. */
const DUCK_OF_GLUE: Record<string, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
  boolean: 'BOOLEAN',
};

const SOURCES = ['acme-sor', 'bolt-sor', 'sip'];
/** Athena's own placeholders in a location template (not JS template placeholders). */
const P = (name: string): string => ['$', '{', name, '}'].join('');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Glue tables and DuckDB views come from the one schema module', () => {
  it('have the same column names and mapped types for every dataset, with and without files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bestex-catalog-'));
    dirs.push(dir);
    // A lake with one (typed) file per table, so the non-empty read_parquet views are described too.
    const seed = await openEngine({});
    for (const spec of DATASETS) {
      const p = join(dir, spec.table, ...spec.partitionBy.map((k) => (k === 'source' ? 'source=acme-sor' : 'trade_date=2026-07-01')));
      mkdirSync(p, { recursive: true });
      // File columns only: partition columns live in the path, as Athena expects.
      const cols = fileColumns(spec)
        .map((c) => c.name)
        .join(', ');
      await seed.run(`COPY (SELECT ${cols} FROM ${spec.table}) TO '${p}/part-x.parquet' (FORMAT parquet)`);
    }
    seed.close();

    for (const lakeDir of [undefined, dir]) {
      const engine = await openEngine(lakeDir ? { lakeDir } : {});
      for (const spec of DATASETS) {
        const glue = glueTableInput(spec, 'lake-bucket', SOURCES);
        const glueCols = [...glue.storageDescriptor.columns, ...glue.partitionKeys].map((c) => ({
          name: c.name,
          type: DUCK_OF_GLUE[c.type],
        }));
        const described = await engine.query(`DESCRIBE ${spec.table}`);
        const duckCols = described.rows.map((r) => ({ name: r.column_name, type: r.column_type }));
        expect(duckCols, spec.table).toEqual(glueCols);
        // Partition keys are exactly the schema's Hive partitions, in path order; file columns exclude them.
        expect(glue.partitionKeys.map((c) => c.name)).toEqual([...spec.partitionBy]);
        expect(glue.storageDescriptor.columns.map((c) => c.name)).toEqual(fileColumns(spec).map((c) => c.name));
      }
      engine.close();
    }
  });

  it('projects partitions: source as an enum of configured sources, trade_date as a daily date range', () => {
    const orders = glueTableInput(DATASETS[0] as (typeof DATASETS)[number], 'my-lake', SOURCES);
    expect(orders.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.source.type': 'enum',
      'projection.source.values': 'acme-sor,bolt-sor,sip',
      'projection.trade_date.type': 'date',
      'projection.trade_date.range': '2020-01-01,NOW',
      'projection.trade_date.format': 'yyyy-MM-dd',
      'storage.location.template': `s3://my-lake/orders/source=${P('source')}/trade_date=${P('trade_date')}/`,
    });
    expect(orders.storageDescriptor.serdeInfo.serializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    const quotes = glueTableInput(DATASETS.find((d) => d.table === 'quotes') as (typeof DATASETS)[number], 'my-lake', SOURCES);
    expect(quotes.parameters['storage.location.template']).toBe(`s3://my-lake/quotes/trade_date=${P('trade_date')}/`);
    expect(quotes.parameters['projection.source.type']).toBeUndefined();
    const venues = glueTableInput(DATASETS.find((d) => d.table === 'venues') as (typeof DATASETS)[number], 'my-lake', SOURCES);
    expect(venues.parameters['storage.location.template']).toBe(`s3://my-lake/venues/source=${P('source')}/`);
    expect(venues.parameters['projection.trade_date.type']).toBeUndefined();
  });

  it('refuses a source projection with no sources', () => {
    expect(() => glueTableInput(DATASETS[0] as (typeof DATASETS)[number], 'b', [])).toThrow(/no sources/);
  });

  it('describes review_metrics with the results contract columns in order', async () => {
    const t = reviewMetricsTableInput('results-bucket');
    expect(t.storageDescriptor.columns.map((c) => c.name)).toEqual([...REVIEW_METRIC_COLUMNS]);
    expect(t.storageDescriptor.location).toBe('s3://results-bucket/review_metrics/');
    const engine = await openEngine({});
    const d = await engine.query('DESCRIBE review_metrics');
    engine.close();
    expect(d.rows.map((r) => ({ name: r.column_name, type: r.column_type }))).toEqual(
      t.storageDescriptor.columns.map((c) => ({ name: c.name, type: DUCK_OF_GLUE[c.type] })),
    );
  });

  it('describes review_breaches and case_events from the shapes the review writes', () => {
    const b = reviewBreachesTableInput('results-bucket');
    expect(b.storageDescriptor.columns.map((c) => c.name)).toEqual([...OUTCOME_COLUMNS]);
    expect(b.storageDescriptor.columns.find((c) => c.name === 'p_value')?.type).toBe('double');
    expect(b.storageDescriptor.location).toBe('s3://results-bucket/review_breaches/');
    const c = caseEventsTableInput('results-bucket');
    const event: Required<CaseEvent> = {
      case_id: 'c',
      seq: 1,
      source: 's',
      period: 'p',
      rule_id: 'r',
      event: 'opened',
      closure: 'remediated',
      justification: 'j',
      text: 't',
      who: 'w',
      at: 'a',
      breach_refs: [],
    };
    expect(c.storageDescriptor.columns.map((x) => x.name).sort()).toEqual(Object.keys(event).sort());
    expect(c.storageDescriptor.location).toBe('s3://results-bucket/cases/events/');
  });

  it('quotes glob paths as SQL literals', () => {
    const sql = duckdbViewSql(DATASETS[0] as (typeof DATASETS)[number], ["/tmp/it's/orders/**/*.parquet"]);
    expect(sql).toContain("'/tmp/it''s/orders/**/*.parquet'");
  });
});
