/**
 * The review's result tables as written (Parquet, one object per period): their column types are
 * defined here once, for the Evaluate step's Parquet and for the Glue tables (lib/catalog.ts).
 */

import { GROUP_COLUMNS, REVIEW_METRIC_COLUMNS } from '../../shared/metrics';
import { OUTCOME_COLUMNS } from './evaluate';

/** A typed column of a table the review writes as Parquet (the writer is adapters/parquet.ts). */
export type ParquetType = 'VARCHAR' | 'DOUBLE' | 'BIGINT';

export interface ParquetColumn {
  name: string;
  type: ParquetType;
}

const METRIC_TYPES: Record<string, ParquetColumn['type']> = { value: 'DOUBLE', std_dev: 'DOUBLE', n_eff: 'DOUBLE' };
export const REVIEW_METRICS_PARQUET: ParquetColumn[] = REVIEW_METRIC_COLUMNS.map((name) => ({
  name,
  type:
    METRIC_TYPES[name] ??
    ((GROUP_COLUMNS as readonly string[]).includes(name) || name === 'period' || name === 'source' || name === 'metric'
      ? 'VARCHAR'
      : 'BIGINT'),
}));
/** Every outcome column's Parquet type: a Record, so a column added to OUTCOME_COLUMNS must be typed here. */
const OUTCOME_TYPES: Record<(typeof OUTCOME_COLUMNS)[number], ParquetColumn['type']> = {
  period: 'VARCHAR',
  rule_id: 'VARCHAR',
  metric: 'VARCHAR',
  source: 'VARCHAR',
  symbol: 'VARCHAR',
  order_category: 'VARCHAR',
  venue: 'VARCHAR',
  size_bucket: 'VARCHAR',
  sp500: 'VARCHAR',
  direction: 'VARCHAR',
  status: 'VARCHAR',
  value: 'DOUBLE',
  benchmark: 'DOUBLE',
  benchmark_kind: 'VARCHAR',
  benchmark_ref: 'VARCHAR',
  difference: 'DOUBLE',
  tolerance: 'DOUBLE',
  confidence: 'DOUBLE',
  ci_lower: 'DOUBLE',
  ci_upper: 'DOUBLE',
  p_value: 'DOUBLE',
  p_adjusted: 'DOUBLE',
  family_size: 'BIGINT',
  alpha: 'DOUBLE',
  test: 'VARCHAR',
  df: 'DOUBLE',
  n_orders: 'BIGINT',
  n_eff: 'DOUBLE',
  benchmark_n_orders: 'BIGINT',
  benchmark_n_eff: 'DOUBLE',
  min_orders: 'BIGINT',
  severity: 'VARCHAR',
  action: 'VARCHAR',
  note: 'VARCHAR',
};
export const REVIEW_BREACHES_PARQUET: ParquetColumn[] = OUTCOME_COLUMNS.map((name) => ({ name, type: OUTCOME_TYPES[name] }));

/** review_findings: one row per finding (lambdas/shared/contracts/review.ts), nested parts as JSON text. */
export const REVIEW_FINDINGS_PARQUET: ParquetColumn[] = [
  { name: 'period', type: 'VARCHAR' },
  { name: 'rank', type: 'BIGINT' },
  { name: 'finding_id', type: 'VARCHAR' },
  { name: 'source', type: 'VARCHAR' },
  { name: 'rule_id', type: 'VARCHAR' },
  { name: 'problem', type: 'VARCHAR' },
  { name: 'component', type: 'VARCHAR' },
  { name: 'title', type: 'VARCHAR' },
  { name: 'metric', type: 'VARCHAR' },
  { name: 'unit', type: 'VARCHAR' },
  { name: 'order_category', type: 'VARCHAR' },
  { name: 'direction', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'severity', type: 'VARCHAR' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'benchmark', type: 'DOUBLE' },
  { name: 'benchmark_kind', type: 'VARCHAR' },
  { name: 'benchmark_label', type: 'VARCHAR' },
  { name: 'difference', type: 'DOUBLE' },
  { name: 'tolerance', type: 'DOUBLE' },
  { name: 'ci_level', type: 'DOUBLE' },
  { name: 'ci_lower', type: 'DOUBLE' },
  { name: 'ci_upper', type: 'DOUBLE' },
  { name: 'test_method', type: 'VARCHAR' },
  { name: 'p_value', type: 'DOUBLE' },
  { name: 'p_adjusted', type: 'DOUBLE' },
  { name: 'alpha', type: 'DOUBLE' },
  { name: 'family_size', type: 'BIGINT' },
  { name: 'n_orders', type: 'BIGINT' },
  { name: 'n_days', type: 'BIGINT' },
  { name: 'n_symbols', type: 'BIGINT' },
  { name: 'minimum_detectable_difference', type: 'DOUBLE' },
  { name: 'customer_cost_usd', type: 'DOUBLE' },
  { name: 'cost_method', type: 'VARCHAR' },
  { name: 'cost_explanation', type: 'VARCHAR' },
  { name: 'action', type: 'VARCHAR' },
  { name: 'note', type: 'VARCHAR' },
  { name: 'provenance_json', type: 'VARCHAR' },
  { name: 'drilldown_json', type: 'VARCHAR' },
  { name: 'related_json', type: 'VARCHAR' },
];
