/**
 * The review's result tables as written (Parquet, one object per period): their column types are
 * defined here once, for the Evaluate step's Parquet and for the Glue tables (lib/catalog.ts).
 */
import { GROUP_COLUMNS, REVIEW_METRIC_COLUMNS } from '../shared/metrics';
import { OUTCOME_COLUMNS } from './evaluate';
import type { ParquetColumn } from './parquet';

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
