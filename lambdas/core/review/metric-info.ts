/**
 * What the review needs to know about each metric beyond its name: its unit (for display and the
 * reconciliation defaults) and, for percentages of counts, which count the proportion rests on.
 */
import { METRIC_UNITS, type MetricName, type MetricUnit, type ReviewMetricRow } from '../../shared/metrics';

export { METRIC_UNITS, type MetricUnit } from '../../shared/metrics';

/**
 * What kind of statistic a metric is, which decides the test 'auto' picks: a mean of per-order or
 * per-execution values (t-test on its std_dev and n_eff), a percentage of counts (a mean of 0/1
 * outcomes), or a figure whose sampling error the row's std_dev does not describe (a quantile, a
 * ratio of two means, a count, a concentration index): compared deterministically.
 */
export type MetricKind = 'mean' | 'proportion' | 'quantile' | 'ratio' | 'count' | 'index';

export const METRIC_KINDS: Record<MetricName, MetricKind> = {
  orders: 'count',
  shares_ordered: 'count',
  shares_executed: 'count',
  executions: 'count',
  price_improvement_per_share: 'mean',
  pct_shares_price_improved: 'proportion',
  pct_shares_at_quote: 'proportion',
  pct_shares_outside_quote: 'proportion',
  net_price_improvement_per_share: 'mean',
  avg_effective_spread: 'mean',
  avg_quoted_spread: 'mean',
  eq_ratio_pct: 'ratio',
  spread_capture_pct: 'ratio',
  pct_effective_spread: 'mean',
  pct_quoted_spread: 'mean',
  weighted_pct_price_improvement: 'ratio',
  avg_exec_time_ms: 'mean',
  median_exec_time_ms: 'quantile',
  p95_exec_time_ms: 'quantile',
  resting_time_to_fill_ms: 'mean',
  fill_rate_pct: 'proportion',
  limit_fill_rate_pct: 'proportion',
  cancel_rate_pct: 'proportion',
  markout_1s_per_share: 'mean',
  markout_5s_per_share: 'mean',
  markout_15s_per_share: 'mean',
  markout_60s_per_share: 'mean',
  markout_300s_per_share: 'mean',
  realized_spread_15s: 'mean',
  realized_spread_60s: 'mean',
  price_impact_1s_per_share: 'mean',
  price_impact_5s_per_share: 'mean',
  price_impact_15s_per_share: 'mean',
  price_impact_60s_per_share: 'mean',
  price_impact_300s_per_share: 'mean',
  venue_share_pct: 'proportion',
  pfof_venue_share_pct: 'proportion',
  pfof_venue_share_executed_pct: 'proportion',
  affiliated_venue_share_pct: 'proportion',
  venue_hhi: 'index',
  pfof_received_usd: 'count',
  order_flow_payments_usd: 'count',
};

/**
 * Percentages of counts (0–100) that the proportion test treats as a mean of 0/1 outcomes, with the
 * count that is its sample size: orders for order-level rates and for share-of-flow figures (each
 * order is one routing decision), executions for the per-share price-improvement buckets.
 */
export const PROPORTION_BASIS: Partial<Record<MetricName, 'n_orders' | 'n_executions'>> = {
  pct_shares_price_improved: 'n_executions',
  pct_shares_at_quote: 'n_executions',
  pct_shares_outside_quote: 'n_executions',
  fill_rate_pct: 'n_orders',
  limit_fill_rate_pct: 'n_orders',
  cancel_rate_pct: 'n_orders',
  venue_share_pct: 'n_orders',
  pfof_venue_share_pct: 'n_orders',
  pfof_venue_share_executed_pct: 'n_orders',
  affiliated_venue_share_pct: 'n_orders',
};

/** The sample size a proportion rests on, or null for metrics that are not proportions. */
export function proportionN(row: Pick<ReviewMetricRow, 'metric' | 'n_orders' | 'n_executions'>): number | null {
  const basis = PROPORTION_BASIS[row.metric];
  return basis ? row[basis] : null;
}

const UNIT_LABEL: Record<MetricUnit, string> = {
  usd_per_share: '$/share',
  pct: '%',
  pct_of_mid: '% of mid',
  ms: 'ms',
  count: '',
  usd: '$',
  index: '',
};

export const unitLabel = (m: MetricName): string => UNIT_LABEL[METRIC_UNITS[m]];
