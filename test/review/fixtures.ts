/** Typed fixtures for the review tests: review_metrics rows and rule sets, with every field explicit. */
import { type ThresholdRule, type Thresholds, thresholdRuleSchema, thresholdsSchema } from '../../lambdas/shared/config';
import type { ReviewMetricRow } from '../../lambdas/shared/metrics';

export function row(p: Partial<ReviewMetricRow> & Pick<ReviewMetricRow, 'source' | 'metric'>): ReviewMetricRow {
  return {
    period: '2026Q3',
    symbol: '*',
    order_category: '*',
    venue: '*',
    size_bucket: '*',
    sp500: '*',
    value: null,
    n_orders: 1000,
    n_executions: 1200,
    std_dev: null,
    n_eff: null,
    excl_no_nbbo: 0,
    excl_stale_nbbo: 0,
    excl_crossed_or_locked_nbbo: 0,
    excl_negative_exec_time: 0,
    excl_orphan_execution: 0,
    ...p,
  };
}

/** A rule through the real schema, so fixtures get the same defaults as config files. */
export function rule(p: Partial<ThresholdRule> & Pick<ThresholdRule, 'id' | 'metric' | 'direction' | 'benchmark'>): ThresholdRule {
  return thresholdRuleSchema.parse({ tolerance: 0, severity: 'high', action: `act on ${p.id}`, ...p });
}

export function thresholds(rules: ThresholdRule[], extra: Partial<Thresholds> = {}): Thresholds {
  return thresholdsSchema.parse({ version: 'test-1', significance: 0.05, clean_reviews_to_exit: 2, rules, ...extra });
}

/** The rule most review tests exercise: price improvement on market orders at least $0.0002/share under $0.0012, from 50 orders. */
export function piMarketRule(p: Partial<ThresholdRule> = {}): ThresholdRule {
  return rule({
    id: 'pi-market',
    metric: 'price_improvement_per_share',
    group: { order_category: 'market' },
    direction: 'below',
    benchmark: { value: 0.0012 },
    tolerance: 0.0002,
    min_orders: 50,
    severity: 'high',
    ...p,
  });
}

/** A price-improvement row for market orders (what piMarketRule reads). */
export function piRow(p: Partial<ReviewMetricRow> & Pick<ReviewMetricRow, 'source'>): ReviewMetricRow {
  return row({ metric: 'price_improvement_per_share', order_category: 'market', ...p });
}
