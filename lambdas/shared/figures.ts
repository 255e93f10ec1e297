/**
 * The figures layer: one row per order (`order_figures`) and per execution (`execution_figures`),
 * computed once per source × trade date by sql/enrich/ (the one place the as-of NBBO lookup
 * lives) and read by every aggregation, exception check, regulatory report and analyst view.
 * The columns here are the single source of truth for the Glue tables, the local DuckDB views and
 * the docs' tables (docs/metrics.md, docs/analyst-guide.md), exactly as lambdas/shared/schema.ts
 * is for the canonical datasets. Formulas: ../shared/design/metrics.md.
 */
import type { ColumnSpec, PartitionColumn } from './schema';

export type FigureTableName = 'order_figures' | 'execution_figures';

export interface FigureTableSpec {
  readonly table: FigureTableName;
  readonly description: string;
  /** Every column a query sees, partition columns included (they come last in the files' paths). */
  readonly columns: readonly ColumnSpec[];
  readonly partitionBy: readonly PartitionColumn[];
  /** Identifies a row within a partition. */
  readonly key: readonly string[];
}

/** Seconds after execution at which mids are taken (markouts, realized spreads, price impact). */
export const HORIZONS_S = [1, 5, 15, 60, 300] as const;

const str = (name: string, description: string): ColumnSpec => ({ name, type: 'string', description });
const int = (name: string, description: string): ColumnSpec => ({ name, type: 'int64', description });
const num = (name: string, description: string): ColumnSpec => ({ name, type: 'decimal', description });
const ts = (name: string, description: string): ColumnSpec => ({ name, type: 'timestamp', description });
const bool = (name: string, description: string): ColumnSpec => ({ name, type: 'boolean', description });

const PARTITION: ColumnSpec[] = [
  { name: 'source', type: 'string', required: true, description: 'the drop source slug (SOR vendor)' },
  { name: 'trade_date', type: 'date', required: true, description: 'trade date in America/New_York' },
];

const perHorizon = (make: (s: number) => ColumnSpec): ColumnSpec[] => HORIZONS_S.map(make);

/** Order fields both tables carry (an execution repeats its order's). */
const ORDER_CLASS: ColumnSpec[] = [
  str('symbol', 'security symbol'),
  str('side', 'B, S, SS or SX'),
  int('side_sign', '+1 buy, -1 any sell'),
  str('order_type', 'MKT or LMT'),
  str('order_category', 'market, marketable_limit, non_marketable_limit or other (tif OPG/CLS, or a limit order with no usable NBBO)'),
  str(
    'size_bucket',
    'Rule 605 notional bucket of qty × mid at receipt (0, 250, 1000, 5000, 10000, 20000, 50000, 200000); NULL without a usable mid',
  ),
  str('sp500', 'Y when the symbol is on the SP500 reference list effective at trade_date, else N'),
  bool('regular_hours', 'received 09:30 <= t < 16:00 America/New_York'),
  str('directed', 'Y if the customer chose the venue'),
  bool(
    'covered',
    'market or marketable limit, regular hours, not directed, usable NBBO at receipt: counts in price-improvement, spread and execution-time figures',
  ),
];

const ORDER_FIGURES_COLUMNS: ColumnSpec[] = [
  str('order_id', 'the order, unique per source and trade date'),
  str('symbol', 'security symbol'),
  str('side', 'B, S, SS or SX'),
  int('side_sign', '+1 buy, -1 any sell'),
  str('order_type', 'MKT or LMT'),
  str('tif', 'time in force'),
  num('limit_price', 'limit price (LMT)'),
  int('qty', 'shares ordered'),
  ts('received_ts', 'when the SOR received the order'),
  int('received_us', 'received_ts in epoch microseconds (exact on every engine)'),
  ts('canceled_ts', 'when the order was canceled, if it was'),
  int('canceled_us', 'canceled_ts in epoch microseconds'),
  str('directed', 'Y if the customer chose the venue'),
  ...ORDER_CLASS.filter((c) => !['symbol', 'side', 'side_sign', 'order_type', 'directed'].includes(c.name)),
  str('nbbo_status', 'NBBO at receipt: ok, no_nbbo, stale_nbbo or crossed_or_locked_nbbo'),
  str('exclusion_reason', 'NULL when the order counts in covered figures, else the first named reason that applies'),
  num('nbb', "national best bid in effect at receipt (the firm's quotes; shown even when unusable)"),
  num('nbo', 'national best offer in effect at receipt (shown even when unusable)'),
  num('mid', '(nbb + nbo) / 2 when the NBBO is usable'),
  num('quoted_spread', 'nbo - nbb when the NBBO is usable'),
  num('quote_age_ms', 'age of that quote at receipt, milliseconds (exact)'),
  num('notional', 'qty × mid at receipt (the size bucket is taken from it)'),
  num('vendor_nbb', 'NBB the vendor reported (reconciled, never trusted)'),
  num('vendor_nbo', 'NBO the vendor reported'),
  int('executions', 'fills of the order on its trade date, all venues'),
  int('shares_executed', 'shares filled'),
  ts('first_fill_ts', 'first fill'),
  int('first_fill_us', 'first_fill_ts in epoch microseconds'),
  num('first_fill_ms', 'first fill - received, milliseconds, exact (negative = bad data); NULL without a fill'),
  ts('last_fill_ts', 'last fill'),
  bool('filled', 'any execution'),
  bool('canceled_unfilled', 'canceled with no fill'),
  int('unfilled_shares', 'qty - shares_executed, at least 0'),
  int('routed_shares', 'shares routed to venues (routes of the order)'),
  int('pfof_routed_shares', 'routed shares at venues with pfof_per_share > 0 as of trade_date'),
  int('pfof_executed_shares', 'executed shares at venues with pfof_per_share > 0 as of trade_date'),
  num('avg_price', 'share-weighted fill price'),
  num('price_improvement', 'share-weighted over fills, USD per share (covered only)'),
  num('effective_spread', 'share-weighted over fills (covered only)'),
  num('realized_spread_15s', 'share-weighted over fills with a usable mid 15 s later (covered only)'),
  num('realized_spread_60s', 'share-weighted over fills with a usable mid 60 s later (covered only)'),
  num('exec_time_ms', 'share-weighted execution time, exact milliseconds, over fills at or after receipt (covered only)'),
  int('shares_improved', 'covered fill shares with price improvement > 0'),
  int('shares_at_quote', 'covered fill shares with price improvement = 0'),
  int('shares_outside_quote', 'covered fill shares with price improvement < 0'),
  num('improvement_amount', 'Σ max(PI, 0) × shares, USD (covered only)'),
  num('outside_amount', 'Σ max(-PI, 0) × shares, USD (covered only)'),
  ...perHorizon((s) => num(`markout_${s}s`, `share-weighted markout ${s} s after the fill, over fills with a usable mid then`)),
  ...perHorizon((s) => num(`price_impact_${s}s`, `share-weighted mid-to-mid price impact ${s} s after the fill`)),
  num('resting_time_to_fill_ms', 'share-weighted fill time of a non-marketable limit order, exact milliseconds'),
  num('net_price_improvement', 'price improvement net of fees per share (rebates count as negative fees; covered only)'),
  ...PARTITION,
];

const EXECUTION_FIGURES_COLUMNS: ColumnSpec[] = [
  str('exec_id', 'the execution, unique per source'),
  str('order_id', 'its parent order'),
  str('route_id', 'its child order, if given'),
  str('venue', 'ISO 10383 MIC of the execution venue'),
  ts('exec_ts', 'execution time'),
  int('exec_us', 'exec_ts in epoch microseconds (exact on every engine)'),
  num('price', 'USD per share'),
  int('qty', 'shares executed'),
  str('liquidity', 'A added, R removed, X auction'),
  num('fee', 'USD for the whole fill; negative = rebate'),
  ...ORDER_CLASS,
  str('exclusion_reason', 'NULL when the execution counts in covered figures, else the first named reason that applies'),
  ts('received_ts', "the order's receipt"),
  int('received_us', 'received_ts in epoch microseconds'),
  str('nbbo_status', "NBBO at the order's receipt: ok, no_nbbo, stale_nbbo or crossed_or_locked_nbbo"),
  num('nbb_receipt', 'NBB in effect at receipt (shown even when unusable)'),
  num('nbo_receipt', 'NBO in effect at receipt'),
  num('mid_receipt', 'mid at receipt when usable'),
  num('quoted_spread_receipt', 'NBO - NBB at receipt when usable'),
  num('nbb_exec', 'NBB in effect at exec_ts (shown even when unusable)'),
  num('nbo_exec', 'NBO in effect at exec_ts'),
  num('mid_exec', 'mid at exec_ts when usable'),
  str('exec_quote_status', 'NBBO at exec_ts: ok or the reason it is unusable'),
  ...perHorizon((s) => num(`mid_${s}s`, `mid in effect at exec_ts + ${s} s (NULL when unusable)`)),
  // Every figure of a horizon has a named reason when it is missing (metrics.md: exclusions are
  // counted by reason, never silent drops): the markout is NULL exactly when this is not ok, the
  // price impact when this or exec_quote_status is not ok, the realized spread when this is not
  // ok or the execution is not covered (its exclusion_reason).
  ...perHorizon((s) =>
    str(
      `mid_${s}s_status`,
      `NBBO at exec_ts + ${s} s: ok, no_nbbo, stale_nbbo, crossed_or_locked_nbbo, or orphan_execution (no order, so no symbol to look up)`,
    ),
  ),
  num('fill_time_ms', 'exec_ts - received, exact milliseconds, for every execution with an order (may be negative)'),
  num('exec_time_ms', 'exec_ts - received, exact milliseconds; covered and non-negative only'),
  num('price_improvement', 'buy: NBO - P, sell: P - NBB, at receipt (covered only)'),
  num('effective_spread', '2·s·(P - mid at receipt) (covered only)'),
  num('realized_spread_15s', '2·s·(P - mid 15 s later) (covered only)'),
  num('realized_spread_60s', '2·s·(P - mid 60 s later) (covered only)'),
  ...perHorizon((s) => num(`markout_${s}s`, `s·(mid ${s} s later - P), every execution with that mid usable`)),
  ...perHorizon((s) => num(`price_impact_${s}s`, `s·(mid ${s} s later - mid at exec_ts), both usable`)),
  num('outside_nbbo_amount', 'per share beyond the NBBO at exec_ts (buy P - NBO, sell NBB - P; > 0 outside); NULL when unusable'),
  str('venue_type', "EXCHANGE, ATS, WHOLESALER or SDP from the source's venues list (NULL if unknown)"),
  str('venue_approved', 'Y, N, or NULL when the venue is not on the list'),
  num('pfof_per_share', 'venue terms as of trade_date'),
  num('fee_per_share', 'venue terms as of trade_date'),
  num('rebate_per_share', 'venue terms as of trade_date'),
  bool('pfof_venue', 'pfof_per_share > 0'),
  num('fee_per_share_paid', 'fee / qty'),
  ...PARTITION,
];

export const FIGURE_TABLES: readonly FigureTableSpec[] = [
  {
    table: 'order_figures',
    description: 'One row per order: category, size bucket, NBBO at receipt, fills and share-weighted figures (docs/metrics.md).',
    columns: ORDER_FIGURES_COLUMNS,
    partitionBy: ['source', 'trade_date'],
    key: ['order_id'],
  },
  {
    table: 'execution_figures',
    description: 'One row per execution: NBBO at receipt and at exec_ts, later mids, price figures, venue terms (docs/metrics.md).',
    columns: EXECUTION_FIGURES_COLUMNS,
    partitionBy: ['source', 'trade_date'],
    key: ['exec_id'],
  },
];

export function figureTable(name: FigureTableName): FigureTableSpec {
  const spec = FIGURE_TABLES.find((t) => t.table === name);
  if (!spec) throw new Error(`unknown figures table ${name}`);
  return spec;
}

/** Columns stored in the Parquet files (partition columns live in the path). */
export const figureFileColumns = (spec: FigureTableSpec): ColumnSpec[] =>
  spec.columns.filter((c) => !spec.partitionBy.includes(c.name as PartitionColumn));

/** The docs' table of a figures table (docs/metrics.md, docs/analyst-guide.md), generated here so the two cannot drift. */
export function figuresDocTable(spec: FigureTableSpec): string {
  const type = (c: ColumnSpec): string =>
    ({ string: 'string', int64: 'bigint', decimal: 'double', timestamp: 'timestamp', date: 'date', boolean: 'boolean' })[c.type];
  const rows = spec.columns.map((c) => `| \`${c.name}\` | ${type(c)} | ${c.description.replaceAll('|', '\\|')} |`);
  return [`| column | type | meaning |`, '| --- | --- | --- |', ...rows].join('\n');
}

/** Replaces each `<!-- figures:<table> -->…<!-- /figures -->` block of a Markdown text with the generated table. */
export function withFiguresDocTables(markdown: string): string {
  return markdown.replace(/<!-- figures:([a-z_]+) -->[\s\S]*?<!-- \/figures -->/g, (_m, table: string) => {
    const spec = FIGURE_TABLES.find((t) => t.table === table);
    if (!spec) throw new Error(`no figures table ${table}`);
    return `<!-- figures:${table} -->\n${figuresDocTable(spec)}\n<!-- /figures -->`;
  });
}
