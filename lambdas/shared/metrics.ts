/**
 * Metric names, groupings and the review results contract (../shared/design/metrics.md). These
 * names are used verbatim in SQL output, configuration, reports and docs; a test checks that
 * every name here is produced by the SQL under sql/metrics/.
 */

export const METRICS = [
  'orders',
  'shares_ordered',
  'shares_executed',
  'executions',
  'price_improvement_per_share',
  'pct_shares_price_improved',
  'pct_shares_at_quote',
  'pct_shares_outside_quote',
  'net_price_improvement_per_share',
  'avg_effective_spread',
  'avg_quoted_spread',
  'eq_ratio_pct',
  'spread_capture_pct',
  'pct_effective_spread',
  'pct_quoted_spread',
  'weighted_pct_price_improvement',
  'avg_exec_time_ms',
  'median_exec_time_ms',
  'p95_exec_time_ms',
  'resting_time_to_fill_ms',
  'fill_rate_pct',
  'limit_fill_rate_pct',
  'cancel_rate_pct',
  'markout_1s_per_share',
  'markout_5s_per_share',
  'markout_15s_per_share',
  'markout_60s_per_share',
  'markout_300s_per_share',
  'realized_spread_15s',
  'realized_spread_60s',
  'price_impact_1s_per_share',
  'price_impact_5s_per_share',
  'price_impact_15s_per_share',
  'price_impact_60s_per_share',
  'price_impact_300s_per_share',
  'venue_share_pct',
  'pfof_venue_share_pct',
  'pfof_venue_share_executed_pct',
  'affiliated_venue_share_pct',
  'venue_hhi',
  'pfof_received_usd',
  'order_flow_payments_usd',
] as const;

export type MetricName = (typeof METRICS)[number];

export const isMetricName = (s: string): s is MetricName => (METRICS as readonly string[]).includes(s);

/**
 * The unit each metric is expressed in, as the SQL writes it (docs/metrics.md). `pct` is a
 * percentage (55 = 55 %); `pct_of_mid` is a percentage of the midpoint (small: 0.012 = 0.012 %);
 * `index` is the HHI (0-10,000). Reports, notices and reconciliation all read it from here.
 */
export type MetricUnit = 'count' | 'usd_per_share' | 'pct' | 'pct_of_mid' | 'ms' | 'usd' | 'index';

export const METRIC_UNITS: Record<MetricName, MetricUnit> = {
  orders: 'count',
  shares_ordered: 'count',
  shares_executed: 'count',
  executions: 'count',
  price_improvement_per_share: 'usd_per_share',
  pct_shares_price_improved: 'pct',
  pct_shares_at_quote: 'pct',
  pct_shares_outside_quote: 'pct',
  net_price_improvement_per_share: 'usd_per_share',
  avg_effective_spread: 'usd_per_share',
  avg_quoted_spread: 'usd_per_share',
  eq_ratio_pct: 'pct',
  spread_capture_pct: 'pct',
  pct_effective_spread: 'pct_of_mid',
  pct_quoted_spread: 'pct_of_mid',
  weighted_pct_price_improvement: 'pct_of_mid',
  avg_exec_time_ms: 'ms',
  median_exec_time_ms: 'ms',
  p95_exec_time_ms: 'ms',
  resting_time_to_fill_ms: 'ms',
  fill_rate_pct: 'pct',
  limit_fill_rate_pct: 'pct',
  cancel_rate_pct: 'pct',
  markout_1s_per_share: 'usd_per_share',
  markout_5s_per_share: 'usd_per_share',
  markout_15s_per_share: 'usd_per_share',
  markout_60s_per_share: 'usd_per_share',
  markout_300s_per_share: 'usd_per_share',
  realized_spread_15s: 'usd_per_share',
  realized_spread_60s: 'usd_per_share',
  price_impact_1s_per_share: 'usd_per_share',
  price_impact_5s_per_share: 'usd_per_share',
  price_impact_15s_per_share: 'usd_per_share',
  price_impact_60s_per_share: 'usd_per_share',
  price_impact_300s_per_share: 'usd_per_share',
  venue_share_pct: 'pct',
  pfof_venue_share_pct: 'pct',
  pfof_venue_share_executed_pct: 'pct',
  affiliated_venue_share_pct: 'pct',
  venue_hhi: 'index',
  pfof_received_usd: 'usd',
  order_flow_payments_usd: 'usd',
};

/** Order categories (Rule 606 order types). */
export const ORDER_CATEGORIES = ['market', 'marketable_limit', 'non_marketable_limit', 'other'] as const;
export type OrderCategory = (typeof ORDER_CATEGORIES)[number];

/** The grouping columns of review_metrics; '*' in a grouping column means "all". */
export const GROUP_COLUMNS = ['symbol', 'order_category', 'venue', 'size_bucket', 'sp500'] as const;
export type GroupColumn = (typeof GROUP_COLUMNS)[number];
/** The grouping columns' values of one row. */
export type GroupValues = Record<GroupColumn, string>;
export const ALL = '*';

/** Exclusion reasons counted beside every figure (never silently dropped). */
export const EXCLUSION_REASONS = ['no_nbbo', 'stale_nbbo', 'crossed_or_locked_nbbo', 'negative_exec_time', 'orphan_execution'] as const;

/**
 * One row of review_metrics (long format). `std_dev` and `n_eff` carry what the threshold
 * tests need (share-weighted standard deviation of the underlying per-order or per-execution
 * values, and the effective sample size), so a test never needs the raw rows.
 */
export interface ReviewMetricRow extends GroupValues {
  period: string;
  source: string;
  metric: MetricName;
  value: number | null;
  n_orders: number;
  n_executions: number;
  std_dev: number | null;
  n_eff: number | null;
  excl_no_nbbo: number;
  excl_stale_nbbo: number;
  excl_crossed_or_locked_nbbo: number;
  excl_negative_exec_time: number;
  excl_orphan_execution: number;
}

/** Column order of review_metrics everywhere (SQL output, Parquet, CSV, Glue, DuckDB). */
export const REVIEW_METRIC_COLUMNS = [
  'period',
  'source',
  ...GROUP_COLUMNS,
  'metric',
  'value',
  'n_orders',
  'n_executions',
  'std_dev',
  'n_eff',
  ...EXCLUSION_REASONS.map((r) => `excl_${r}` as const),
] as const satisfies readonly (keyof ReviewMetricRow)[];

/** Daily exception kinds (metrics.md "Daily exceptions"), in report order. */
export const EXCEPTION_KINDS = ['slow_fill', 'unapproved_venue', 'outside_nbbo', 'unfilled_marketable', 'orphan', 'nbbo_mismatch'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** Severities of breaches and exceptions, lowest first. */
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
