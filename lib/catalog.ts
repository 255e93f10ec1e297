/**
 * The lake's catalog, generated from the canonical schema (lambdas/shared/schema.ts) for both
 * engines: Glue table inputs for Athena (with partition projection, so no crawler and no
 * MSCK REPAIR) and the DuckDB view SQL the local engine creates. Both come from the same
 * `tableColumns`/`fileColumns` lists, so the two catalogs cannot drift (test/engine/catalog.test.ts).
 *
 * Pure functions only: the CDK construct passes `glueTableInput(...)` to `aws_glue.CfnTable`
 * (the objects are structurally `CfnTable.TableInputProperty`), lib/engine runs `duckdbViewSql`.
 */

import { CASE_EVENTS_PREFIX } from '../lambdas/core/review/cases';
import type { ParquetColumn, ParquetType } from '../lambdas/core/review/tables';
import { REVIEW_BREACHES_PARQUET, REVIEW_FINDINGS_PARQUET, REVIEW_METRICS_PARQUET } from '../lambdas/core/review/tables';
import { type FigureTableSpec, figureFileColumns } from '../lambdas/shared/figures';
import {
  type ColumnSpec,
  type DatasetSpec,
  duckdbType,
  fileColumns,
  glueType,
  type PartitionColumn,
  tableColumns,
} from '../lambdas/shared/schema';
import { quoteIdent as ident, sqlString as literal } from '../lambdas/shared/sql-text';

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** The subset of `aws_glue.CfnTable.TableInputProperty` this project sets. */
export interface GlueTableInput {
  readonly name: string;
  readonly description: string;
  readonly tableType: 'EXTERNAL_TABLE';
  readonly parameters: Record<string, string>;
  readonly partitionKeys: GlueColumn[];
  readonly storageDescriptor: {
    readonly location: string;
    readonly inputFormat: string;
    readonly outputFormat: string;
    readonly serdeInfo: { readonly serializationLibrary: string; readonly parameters: Record<string, string> };
    readonly columns: GlueColumn[];
    readonly compressed: boolean;
    readonly storedAsSubDirectories: boolean;
  };
}

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    parameters: { 'serialization.format': '1' },
  },
} as const;

/** First trade date partition projection enumerates; Athena stops at NOW. */
export const PROJECTION_START_DATE = '2020-01-01';

const glueColumn = (c: ColumnSpec): GlueColumn => ({ name: c.name, type: glueType(c.type), comment: c.description.slice(0, 255) });

/** The columns of a dataset's Glue table, in order: file columns then partition keys. */
export function glueColumns(spec: DatasetSpec): { columns: GlueColumn[]; partitionKeys: GlueColumn[] } {
  const files = new Set(fileColumns(spec).map((c) => c.name));
  const all = tableColumns(spec).map(glueColumn);
  return { columns: all.filter((c) => files.has(c.name)), partitionKeys: all.filter((c) => !files.has(c.name)) };
}

/**
 * Glue table input for one canonical dataset, with partition projection: `source` is an enum
 * over the configured sources (a new source needs a redeploy, which is also when its vendor
 * profile ships) and `trade_date` a daily date range from 2020-01-01 to NOW.
 */
export function glueTableInput(spec: DatasetSpec, lakeBucket: string, sources: readonly string[]): GlueTableInput {
  const { columns, partitionKeys } = glueColumns(spec);
  // Named `<table>_files`: the dataset's own name is the view over committed loads (canonicalViewSql).
  return {
    ...projectedTableInput(spec.table, spec.description, spec.partitionBy, columns, partitionKeys, lakeBucket, sources),
    name: filesTable(spec),
  };
}

/** Glue table input for a figures table (lambdas/shared/figures.ts), laid out like the canonical tables. */
export function figuresGlueTableInput(spec: FigureTableSpec, lakeBucket: string, sources: readonly string[]): GlueTableInput {
  const files = new Set(figureFileColumns(spec).map((c) => c.name));
  const all = spec.columns.map(glueColumn);
  return projectedTableInput(
    spec.table,
    spec.description,
    spec.partitionBy,
    all.filter((c) => files.has(c.name)),
    all.filter((c) => !files.has(c.name)),
    lakeBucket,
    sources,
  );
}

function projectedTableInput(
  table: string,
  description: string,
  partitionBy: readonly PartitionColumn[],
  columns: GlueColumn[],
  partitionKeys: GlueColumn[],
  lakeBucket: string,
  sources: readonly string[],
): GlueTableInput {
  const base = `s3://${lakeBucket}/${table}/`;
  const parameters: Record<string, string> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'projection.enabled': 'true',
  };
  const template: string[] = [];
  for (const p of partitionBy) {
    if (p === 'source') {
      if (sources.length === 0) throw new Error(`glueTableInput(${table}): no sources configured for the source partition projection`);
      parameters['projection.source.type'] = 'enum';
      parameters['projection.source.values'] = sources.join(',');
    } else {
      parameters['projection.trade_date.type'] = 'date';
      parameters['projection.trade_date.range'] = `${PROJECTION_START_DATE},NOW`;
      parameters['projection.trade_date.format'] = 'yyyy-MM-dd';
      parameters['projection.trade_date.interval'] = '1';
      parameters['projection.trade_date.interval.unit'] = 'DAYS';
    }
    template.push(`${p}=\${${p}}`);
  }
  parameters['storage.location.template'] = `${base}${template.join('/')}/`;
  return {
    name: table,
    description,
    tableType: 'EXTERNAL_TABLE',
    parameters,
    partitionKeys,
    storageDescriptor: { location: base, ...PARQUET, columns, compressed: true, storedAsSubDirectories: true },
  };
}

const GLUE_OF_PARQUET: Record<ParquetType, 'string' | 'double' | 'bigint'> = { VARCHAR: 'string', DOUBLE: 'double', BIGINT: 'bigint' };

/**
 * The review_metrics table over the results bucket. Each review writes
 * `review_metrics/period=<p>/<runId>.parquet` with `period` inside the file too, so the table is
 * unpartitioned (Athena reads every object under the location) and needs no projection.
 */
export function reviewMetricsTableInput(resultsBucket: string): GlueTableInput {
  return resultsTableInput(
    resultsBucket,
    'review_metrics',
    'Execution-quality metrics of every review, long format (docs/metrics.md).',
    REVIEW_METRICS_PARQUET,
  );
}

/**
 * A table of Parquet objects the review writes under `<name>/` in the results bucket: unpartitioned
 * (Athena reads every object under the location), typed as the Evaluate step writes it.
 */
function resultsTableInput(resultsBucket: string, name: string, description: string, columns: readonly ParquetColumn[]): GlueTableInput {
  return {
    name,
    description,
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
    partitionKeys: [],
    storageDescriptor: {
      location: `s3://${resultsBucket}/${name}/`,
      ...PARQUET,
      columns: columns.map((c) => ({ name: c.name, type: GLUE_OF_PARQUET[c.type] })),
      compressed: true,
      storedAsSubDirectories: true,
    },
  };
}

/** The DuckDB view of a results table over its files (or empty, typed, when there are none). */
function resultsViewSql(name: string, columns: readonly ParquetColumn[], globs: string[]): string {
  const cols = columns.map((c) => ({ name: c.name, type: c.type as string }));
  if (globs.length === 0) return `CREATE OR REPLACE VIEW ${ident(name)} AS ${emptySelect(cols)}`;
  const select = cols.map((c) => `CAST(${ident(c.name)} AS ${c.type}) AS ${ident(c.name)}`).join(', ');
  return `CREATE OR REPLACE VIEW ${ident(name)} AS SELECT ${select} FROM read_parquet([${globs.map(literal).join(', ')}], hive_partitioning = false, union_by_name = true)`;
}

/** `SELECT CAST(NULL AS T) AS c, ... WHERE false`: a typed empty relation with the table's columns. */
function emptySelect(cols: readonly { name: string; type: string }[]): string {
  return `SELECT ${cols.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(', ')} WHERE false`;
}

/** DuckDB columns of a dataset as a query sees them (file columns + partition columns). */
export function duckdbColumns(spec: DatasetSpec): { name: string; type: string }[] {
  return tableColumns(spec).map((c) => ({ name: c.name, type: duckdbType(c.type) }));
}

/**
 * `CREATE OR REPLACE VIEW <table> AS ...` over the Parquet files matched by `globs` (Hive
 * partitions typed from the schema; files from older schema versions are unioned by name), or
 * a typed empty view when `globs` is empty (DuckDB fails on a glob that matches nothing).
 */
export function duckdbViewSql(spec: DatasetSpec, globs: string[]): string {
  return partitionedViewSql(spec.table, duckdbColumns(spec), spec.partitionBy, globs);
}

/**
 * The DuckDB view of a figures table, as `duckdbViewSql` for a canonical one, except that a
 * column no file has yet reads as NULL: figures are derived, so a column added to the schema
 * lands in a lake whose partitions predate it until they are re-enriched (they are then stale:
 * the SQL's hash changed), and opening the engine must not fail in between.
 */
export function figuresViewSql(spec: FigureTableSpec, globs: string[]): string {
  const cols = spec.columns.map((c) => ({ name: c.name, type: duckdbType(c.type) }));
  return partitionedViewSql(spec.table, cols, spec.partitionBy, globs, true);
}

function partitionedViewSql(
  table: string,
  cols: { name: string; type: string }[],
  partitionBy: readonly string[],
  globs: string[],
  newColumnsAsNull = false,
): string {
  if (globs.length === 0) return `CREATE OR REPLACE VIEW ${ident(table)} AS ${emptySelect(cols)}`;
  const hiveTypes = cols.filter((c) => partitionBy.includes(c.name)).map((c) => `${literal(c.name)}: ${c.type}`);
  const opts = ['hive_partitioning = true', 'union_by_name = true'];
  if (hiveTypes.length > 0) opts.push(`hive_types = {${hiveTypes.join(', ')}}`);
  const select = cols.map((c) => `CAST(${ident(c.name)} AS ${c.type}) AS ${ident(c.name)}`).join(', ');
  const files = `read_parquet([${globs.map(literal).join(', ')}], ${opts.join(', ')})`;
  const from = newColumnsAsNull ? `(SELECT * FROM ${files} UNION ALL BY NAME ${emptySelect(cols)}) AS files` : files;
  return `CREATE OR REPLACE VIEW ${ident(table)} AS SELECT ${select} FROM ${from}`;
}

/** DuckDB view of review_metrics over results files (or empty, typed, when there are none). */
export function reviewMetricsViewSql(globs: string[]): string {
  return resultsViewSql('review_metrics', REVIEW_METRICS_PARQUET, globs);
}

/** review_breaches: every threshold outcome of each period's review (lambdas/core/review/evaluate.ts OUTCOME_COLUMNS). */
export function reviewBreachesTableInput(resultsBucket: string): GlueTableInput {
  return resultsTableInput(
    resultsBucket,
    'review_breaches',
    'Threshold outcomes of every review: breaches, passes, insufficient samples (docs/review.md).',
    REVIEW_BREACHES_PARQUET,
  );
}

/** review_findings: one row per finding of each period's review, ranked (lambdas/shared/contracts/review.ts). */
export function reviewFindingsTableInput(resultsBucket: string): GlueTableInput {
  return resultsTableInput(
    resultsBucket,
    'review_findings',
    'Findings of every review: one per rule × source at its headline, with benchmark provenance, cost and drill-down (docs/review.md).',
    REVIEW_FINDINGS_PARQUET,
  );
}

/** DuckDB view of review_findings over results files (or empty, typed, when there are none). */
export function reviewFindingsViewSql(globs: string[]): string {
  return resultsViewSql('review_findings', REVIEW_FINDINGS_PARQUET, globs);
}

/** case_events: the append-only remediation case log, one JSON object per event (lambdas/core/review/cases.ts). */
export function caseEventsTableInput(resultsBucket: string): GlueTableInput {
  const str = (name: string): GlueColumn => ({ name, type: 'string' });
  return {
    name: 'case_events',
    description: 'Remediation case log: one row per event, append-only (docs/review.md).',
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'json', EXTERNAL: 'TRUE' },
    partitionKeys: [],
    storageDescriptor: {
      location: `s3://${resultsBucket}/${CASE_EVENTS_PREFIX}`,
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'FALSE' } },
      columns: [
        str('case_id'),
        { name: 'seq', type: 'bigint' },
        ...['source', 'period', 'rule_id', 'event', 'closure', 'justification', 'text', 'who', 'at'].map(str),
        { name: 'breach_refs', type: 'array<string>' },
      ],
      compressed: false,
      storedAsSubDirectories: true,
    },
  };
}

/** Internal Glue table name of a canonical dataset's raw files; the dataset's own name is a view. */
export const filesTable = (spec: DatasetSpec): string => `${spec.table}_files`;

/** Glue table over the load manifests, so Athena sees which files a committed load produced. */
export const LAKE_COMMITS_TABLE = 'lake_commits';

/**
 * Glue table input for `_manifests/<keyId>.json` (one JSON line each, lambdas/normalise/manifest.ts).
 * Only the fields the canonical views read are declared; the SerDe ignores the rest.
 */
export function lakeCommitsTableInput(lakeBucket: string): GlueTableInput {
  return {
    name: LAKE_COMMITS_TABLE,
    description: 'Load manifests: a load is committed when its manifest says loaded; outputs name its files.',
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'json', EXTERNAL: 'TRUE' },
    partitionKeys: [],
    storageDescriptor: {
      location: `s3://${lakeBucket}/_manifests/`,
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'FALSE' } },
      columns: [
        { name: 'status', type: 'string' },
        { name: 'outputs', type: 'array<struct<table:string,key:string,rows:bigint>>' },
      ],
      compressed: false,
      storedAsSubDirectories: false,
    },
  };
}

/**
 * Athena view giving a canonical dataset its analyst-facing name over only committed files: a
 * killed load's parts, or a superseded load's not yet collected, are under the prefix but named
 * by no loaded manifest. Partition predicates on the view reach the `_files` table's projection.
 * `lakeBucket` may be a CDK token; it is the deploy's own bucket name, never vendor input.
 */
export function canonicalViewSql(spec: DatasetSpec, lakeBucket: string): string {
  const cols = tableColumns(spec)
    .map((c) => c.name)
    .join(', ');
  return [
    `CREATE OR REPLACE VIEW ${spec.table} AS`,
    `SELECT ${cols}`,
    `FROM ${filesTable(spec)}`,
    `WHERE "$path" IN (`,
    `  SELECT concat('s3://${lakeBucket}/', o."key")`,
    `  FROM ${LAKE_COMMITS_TABLE} CROSS JOIN UNNEST(outputs) AS t (o)`,
    `  WHERE status = 'loaded' AND o."table" = '${spec.table}'`,
    `)`,
  ].join('\n');
}
