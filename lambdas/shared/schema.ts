/**
 * The canonical datasets of the lake: the single source of truth for column names, types and
 * row rules (../shared/design/data-contract.md §2). Validation, the Parquet schema, the Glue
 * table columns, the local DuckDB views and the docs' tables are all generated from this file.
 */

/** Logical column types, mapped to each engine below. */
export type ColumnType = 'string' | 'int64' | 'decimal' | 'timestamp' | 'date' | 'boolean';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Rejected when empty. */
  readonly required?: boolean;
  /** Whole-value regular expression (RE2/ECMAScript common subset, so DuckDB and JS agree). */
  readonly pattern?: string;
  /** Allowed values after the vendor profile's code mapping. */
  readonly enum?: readonly string[];
  /** Numeric value must be > 0. */
  readonly positive?: boolean;
  /** Value written when the input is empty. */
  readonly default?: string;
  /** Required (and > 0) only when another column has one of these values. */
  readonly requiredWhen?: { readonly column: string; readonly in: readonly string[] };
  /** Must be empty when another column has one of these values. */
  readonly emptyWhen?: { readonly column: string; readonly in: readonly string[] };
  /** Set by the pipeline, never read from the input (e.g. quotes.crossed). */
  readonly derived?: boolean;
  readonly description: string;
}

export type DatasetName = 'orders' | 'routes' | 'executions' | 'quotes' | 'venues' | 'vendor-metrics' | 'reference' | 'rule605';

/** Drop datasets: the canonical ones plus `fix`, which is split into orders and executions. */
export type DropDataset = DatasetName | 'fix';

export type PartitionColumn = 'source' | 'trade_date';

export interface DatasetSpec {
  readonly name: DatasetName;
  /** Table name in the lake, Glue and DuckDB (SQL identifiers cannot carry '-'). */
  readonly table: string;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  /** Hive partition columns, in path order. */
  readonly partitionBy: readonly PartitionColumn[];
  /** The timestamp column whose America/New_York date is the row's trade_date. */
  readonly tradeDateFrom?: string;
  /** Columns that identify a row within a source (duplicates/conflicts are judged on them). */
  readonly key?: readonly string[];
}

const SIDES = ['B', 'S', 'SS', 'SX'] as const;
const MIC = '[A-Z0-9]{4}';
const SYMBOL = '[A-Z][A-Z0-9.\\-/]{0,11}';

export const ORDER_TYPES = ['MKT', 'LMT'] as const;
export const TIFS = ['DAY', 'IOC', 'FOK', 'GTC', 'OPG', 'CLS'] as const;
export const VENUE_TYPES = ['EXCHANGE', 'ATS', 'WHOLESALER', 'SDP'] as const;
export const LIQUIDITY = ['A', 'R', 'X'] as const;

/** Source slug: who sent a drop (an SOR vendor, or the firm's market-data feed). */
export const SOURCE_PATTERN = '[a-z0-9][a-z0-9-]{0,31}';

export const DATASETS: readonly DatasetSpec[] = [
  {
    name: 'orders',
    table: 'orders',
    description: 'Parent orders as the SOR received them (one row per order).',
    partitionBy: ['source', 'trade_date'],
    tradeDateFrom: 'received_ts',
    key: ['order_id'],
    columns: [
      { name: 'order_id', type: 'string', required: true, description: 'unique per source and trade date' },
      { name: 'symbol', type: 'string', required: true, pattern: SYMBOL, description: 'security symbol' },
      { name: 'side', type: 'string', required: true, enum: SIDES, description: 'B buy, S sell, SS sell short, SX sell short exempt' },
      { name: 'order_type', type: 'string', required: true, enum: ORDER_TYPES, description: 'MKT or LMT' },
      {
        name: 'limit_price',
        type: 'decimal',
        positive: true,
        requiredWhen: { column: 'order_type', in: ['LMT'] },
        emptyWhen: { column: 'order_type', in: ['MKT'] },
        description: 'required and > 0 for LMT, empty for MKT',
      },
      { name: 'tif', type: 'string', required: true, enum: TIFS, description: 'time in force' },
      { name: 'qty', type: 'int64', required: true, positive: true, description: 'shares ordered' },
      { name: 'received_ts', type: 'timestamp', required: true, description: 'when the SOR received the order' },
      {
        name: 'directed',
        type: 'string',
        enum: ['Y', 'N'],
        default: 'N',
        description: 'Y if the customer chose the venue (excluded from Rule 606 non-directed figures)',
      },
      {
        name: 'vendor_nbb',
        type: 'decimal',
        positive: true,
        description: 'NBB the vendor says it saw at receipt (reconciled, never trusted)',
      },
      {
        name: 'vendor_nbo',
        type: 'decimal',
        positive: true,
        description: 'NBO the vendor says it saw at receipt (reconciled, never trusted)',
      },
      { name: 'canceled_ts', type: 'timestamp', description: 'when the order was canceled, if it was' },
    ],
  },
  {
    name: 'routes',
    table: 'routes',
    description: 'Child orders the SOR sent to venues.',
    partitionBy: ['source', 'trade_date'],
    tradeDateFrom: 'sent_ts',
    key: ['route_id'],
    columns: [
      { name: 'route_id', type: 'string', required: true, description: 'child order id' },
      { name: 'order_id', type: 'string', required: true, description: 'parent order (orphans are reported, not dropped)' },
      { name: 'venue', type: 'string', required: true, pattern: MIC, description: 'ISO 10383 MIC' },
      { name: 'sent_ts', type: 'timestamp', required: true, description: 'when the route was sent' },
      { name: 'qty', type: 'int64', required: true, positive: true, description: 'shares routed' },
      { name: 'limit_price', type: 'decimal', positive: true, description: 'limit on the child order' },
      { name: 'route_type', type: 'string', description: 'IOC, DAY, POST, ...' },
    ],
  },
  {
    name: 'executions',
    table: 'executions',
    description: 'Fills.',
    partitionBy: ['source', 'trade_date'],
    tradeDateFrom: 'exec_ts',
    key: ['exec_id'],
    columns: [
      { name: 'exec_id', type: 'string', required: true, description: 'unique per source' },
      { name: 'order_id', type: 'string', required: true, description: 'parent order' },
      { name: 'route_id', type: 'string', description: 'child order' },
      { name: 'venue', type: 'string', required: true, pattern: MIC, description: 'ISO 10383 MIC of the execution venue' },
      { name: 'exec_ts', type: 'timestamp', required: true, description: 'execution time' },
      { name: 'price', type: 'decimal', required: true, positive: true, description: 'USD per share' },
      { name: 'qty', type: 'int64', required: true, positive: true, description: 'shares executed' },
      { name: 'liquidity', type: 'string', enum: LIQUIDITY, description: 'A added, R removed, X auction, empty unknown' },
      { name: 'fee', type: 'decimal', description: 'USD for the whole fill; negative = rebate received' },
    ],
  },
  {
    name: 'quotes',
    table: 'quotes',
    description: "NBBO updates from the firm's own market data.",
    partitionBy: ['trade_date'],
    tradeDateFrom: 'ts',
    columns: [
      { name: 'symbol', type: 'string', required: true, pattern: SYMBOL, description: 'security symbol' },
      { name: 'ts', type: 'timestamp', required: true, description: 'quote time' },
      { name: 'bid', type: 'decimal', required: true, positive: true, description: 'national best bid' },
      { name: 'ask', type: 'decimal', required: true, positive: true, description: 'national best offer' },
      { name: 'bid_size', type: 'int64', description: 'shares at the bid' },
      { name: 'ask_size', type: 'int64', description: 'shares at the offer' },
      { name: 'crossed', type: 'boolean', derived: true, description: 'bid > ask: kept, but the NBBO is unusable' },
    ],
  },
  {
    name: 'venues',
    table: 'venues',
    description: 'What each SOR says about the venues it can reach (due-diligence record).',
    partitionBy: ['source'],
    key: ['venue', 'effective_from'],
    columns: [
      { name: 'venue', type: 'string', required: true, pattern: MIC, description: 'ISO 10383 MIC' },
      { name: 'name', type: 'string', description: 'venue name' },
      { name: 'venue_type', type: 'string', required: true, enum: VENUE_TYPES, description: 'EXCHANGE, ATS, WHOLESALER or SDP' },
      { name: 'approved', type: 'string', required: true, enum: ['Y', 'N'], description: "on the firm's approved list for this vendor" },
      { name: 'pfof_per_share', type: 'decimal', default: '0', description: 'USD received per share routed there; 0 if none' },
      { name: 'fee_per_share', type: 'decimal', default: '0', description: 'USD access fee per share' },
      { name: 'rebate_per_share', type: 'decimal', default: '0', description: 'USD rebate per share' },
      { name: 'effective_from', type: 'date', required: true, description: 'first day this record applies' },
      {
        name: 'affiliated',
        type: 'string',
        enum: ['Y', 'N'],
        default: 'N',
        description: 'Y if the venue is an affiliate of the broker-dealer (a conflict to disclose and review)',
      },
    ],
  },
  {
    name: 'vendor-metrics',
    table: 'vendor_metrics',
    description: "The vendor's own statistics, reconciled against the firm's computation.",
    partitionBy: ['source'],
    key: ['period', 'symbol', 'order_type', 'metric'],
    columns: [
      { name: 'period', type: 'string', required: true, pattern: '[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))', description: '2026Q3 or 2026-07' },
      { name: 'symbol', type: 'string', required: true, pattern: `(\\*|${SYMBOL})`, description: 'symbol, or * for all' },
      { name: 'order_type', type: 'string', required: true, description: 'order category (market, marketable_limit, ...) or *' },
      { name: 'metric', type: 'string', required: true, description: 'a metric name from metrics.md' },
      { name: 'value', type: 'decimal', required: true, description: "the vendor's figure" },
    ],
  },
  {
    name: 'reference',
    table: 'reference',
    description: 'Symbol lists such as the S&P 500 membership (Rule 605/606 split).',
    partitionBy: ['source'],
    key: ['list', 'symbol', 'effective_from'],
    columns: [
      { name: 'list', type: 'string', required: true, pattern: '[A-Z0-9_]{1,32}', description: 'list name, e.g. SP500' },
      { name: 'symbol', type: 'string', required: true, pattern: SYMBOL, description: 'member symbol' },
      { name: 'effective_from', type: 'date', required: true, description: 'first day of membership' },
    ],
  },
  {
    name: 'rule605',
    table: 'public_605',
    description:
      "Other market centers' published Rule 605(a)(2) summary files (OES CSV, field names as the SEC's technical specification): the review's industry benchmark.",
    partitionBy: ['source'],
    key: ['rprtentitycd', 'rptdate', 'sp500', 'ordersize', 'ordertype'],
    columns: [
      { name: 'dsgntparticipant', type: 'string', description: 'DsgntParticipant: Designated Participant code' },
      { name: 'rprtentitycd', type: 'string', required: true, description: 'RprtEntityCd: the reporting market center' },
      { name: 'rptdate', type: 'string', required: true, pattern: '[0-9]{4}(0[1-9]|1[0-2])', description: 'RptDate: month, YYYYMM' },
      { name: 'sp500', type: 'string', required: true, enum: ['Y', 'N'], description: 'Sp500: S&P 500 flag' },
      {
        name: 'ordersize',
        type: 'string',
        required: true,
        enum: ['0', '250', '1000', '5000', '10000', '20000', '50000', '200000', '199999'],
        description: 'OrderSize: notional bucket (lower bound, USD; 199999 = all under $200,000)',
      },
      { name: 'ordertype', type: 'string', required: true, enum: ['M', 'ML'], description: 'OrderType: M market, ML marketable limit' },
      { name: 'avgorderqty', type: 'decimal', description: 'AvgOrderQty' },
      { name: 'avgordersize', type: 'decimal', description: 'AvgOrderSize' },
      { name: 'exctdordermidptavg', type: 'decimal', description: 'ExctdOrderMidPtAvg' },
      { name: 'pctexctdatquotorbetter', type: 'decimal', description: 'PctExctdAtQuotOrBetter (fraction)' },
      { name: 'pctexctdpi', type: 'decimal', description: 'PctExctdPI (fraction)' },
      { name: 'wghtdavgpctpi', type: 'decimal', description: 'WghtdAvgPctPI (fraction of the midpoint)' },
      { name: 'avgeffctvsprdpct', type: 'decimal', description: 'AvgEffctvSprdPct' },
      { name: 'avgpctquotsprd', type: 'decimal', description: 'AvgPctQuotSprd' },
      { name: 'avgefqpct', type: 'decimal', description: 'AvgEFQPct (E/Q, fraction)' },
      { name: 'avgrealsprdpct15sec', type: 'decimal', description: 'AvgRealSprdPct15sec' },
      { name: 'avgrealsprdpct1min', type: 'decimal', description: 'AvgRealSprdPct1min' },
      { name: 'wghtdavgexctntime', type: 'decimal', description: 'WghtdAvgExctnTime (ms)' },
    ],
  },
];

/** Lineage columns every canonical row carries, after the dataset's own columns. */
export const LINEAGE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'source', type: 'string', required: true, description: 'the drop source slug' },
  { name: 'source_key', type: 'string', required: true, description: "the drop object's key" },
  { name: 'source_line', type: 'int64', required: true, description: '1-based line (or record) number in that object' },
  { name: 'ingested_at', type: 'timestamp', required: true, description: 'when the pipeline wrote the row' },
];

export const DROP_DATASETS: readonly DropDataset[] = [...DATASETS.map((d) => d.name), 'fix'];

export function dataset(name: DatasetName): DatasetSpec {
  const spec = DATASETS.find((d) => d.name === name);
  if (!spec) throw new Error(`unknown dataset ${name}`);
  return spec;
}

export function datasetByTable(table: string): DatasetSpec | undefined {
  return DATASETS.find((d) => d.table === table);
}

/**
 * The columns stored in each Parquet file: dataset columns then lineage, minus the partition
 * columns (those live in the path, as Hive and Glue expect).
 */
export function fileColumns(spec: DatasetSpec): ColumnSpec[] {
  return [...spec.columns, ...LINEAGE_COLUMNS].filter((c) => !spec.partitionBy.includes(c.name as PartitionColumn));
}

/** Columns as a query sees them: file columns plus partition columns. */
export function tableColumns(spec: DatasetSpec): ColumnSpec[] {
  const partition: ColumnSpec[] = spec.partitionBy.map((p) =>
    p === 'source'
      ? (LINEAGE_COLUMNS[0] as ColumnSpec)
      : { name: 'trade_date', type: 'date', required: true, description: 'trade date in America/New_York' },
  );
  return [...fileColumns(spec), ...partition];
}

const GLUE_TYPES: Record<ColumnType, string> = {
  string: 'string',
  int64: 'bigint',
  decimal: 'double',
  timestamp: 'timestamp',
  date: 'date',
  boolean: 'boolean',
};

/**
 * DuckDB types. Timestamps are TIMESTAMPTZ so that Parquet gets isAdjustedToUTC=true, and so
 * that `ts AT TIME ZONE 'America/New_York'` means the same as on Athena (UTC instant → local).
 */
const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  decimal: 'DOUBLE',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
  boolean: 'BOOLEAN',
};

export const glueType = (t: ColumnType): string => GLUE_TYPES[t];
export const duckdbType = (t: ColumnType): string => DUCKDB_TYPES[t];

/** The timezone whose calendar date is a row's trade date. */
export const TRADE_DATE_ZONE = 'America/New_York';
