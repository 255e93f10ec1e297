/**
 * Independent verification of the vendor (mission.md): each figure the vendor reports about itself
 * (`vendor_metrics`) is set beside the firm's own computation for the same source, period, symbol
 * and order category. A figure matches when it is within the absolute tolerance OR within the
 * relative tolerance of the firm's figure; anything else is a finding. Pure.
 */
import type { Thresholds } from '../../shared/config';
import { isMetricName, type MetricName, type ReviewMetricRow } from '../../shared/metrics';
import { METRIC_UNITS, type MetricUnit } from './metric-info';

/** One row of the vendor_metrics table (the vendor's own statistics). */
export interface VendorMetricRow {
  source: string;
  period: string;
  /** A symbol, or '*' for all. */
  symbol: string;
  /** An order category (market, marketable_limit, …) or '*'. */
  order_type: string;
  metric: string;
  value: number | null;
}

export type ReconciliationStatus = 'match' | 'mismatch' | 'firm_missing';

export interface ReconciliationFinding {
  source: string;
  period: string;
  metric: string;
  symbol: string;
  order_type: string;
  vendor_value: number | null;
  firm_value: number | null;
  /** vendor − firm. */
  difference: number | null;
  /** difference / |firm|, when the firm's figure is not zero. */
  relative_difference: number | null;
  abs_tolerance: number;
  rel_tolerance: number;
  status: ReconciliationStatus;
  note: string;
}

export interface Tolerance {
  abs: number;
  rel: number;
}

/** Defaults by unit: a tenth of a cent per share… see docs/review.md for the reasoning. */
export const DEFAULT_RECONCILE_TOLERANCE: Record<MetricUnit, Tolerance> = {
  usd_per_share: { abs: 0.0001, rel: 0.05 },
  pct: { abs: 0.5, rel: 0.02 },
  pct_of_mid: { abs: 0.005, rel: 0.05 },
  ms: { abs: 5, rel: 0.05 },
  count: { abs: 0, rel: 0 },
  usd: { abs: 1, rel: 0.01 },
  index: { abs: 10, rel: 0.02 },
};

/** The tolerance for a metric: the per-metric setting, else the file's default, else the unit's default (field by field). */
export function reconcileTolerance(metric: MetricName, config: Thresholds['reconciliation']): Tolerance {
  const unit = DEFAULT_RECONCILE_TOLERANCE[METRIC_UNITS[metric]];
  const m = config?.metrics?.[metric];
  const d = config?.default;
  return { abs: m?.abs ?? d?.abs ?? unit.abs, rel: m?.rel ?? d?.rel ?? unit.rel };
}

const firmKey = (source: string, metric: string, symbol: string, category: string): string =>
  `${source}\u0001${metric}\u0001${symbol}\u0001${category}`;

/** One finding per vendor row of the period, in the vendor rows' order. */
export function reconcileVendorMetrics(
  vendor: readonly VendorMetricRow[],
  firm: readonly ReviewMetricRow[],
  opts: { period: string; tolerances?: Thresholds['reconciliation'] },
): ReconciliationFinding[] {
  const index = new Map<string, ReviewMetricRow>();
  // The vendor reports by symbol and order type only: the firm's rows for all venues, sizes and lists.
  for (const r of firm) {
    if (r.venue === '*' && r.size_bucket === '*' && r.sp500 === '*') index.set(firmKey(r.source, r.metric, r.symbol, r.order_category), r);
  }
  const out: ReconciliationFinding[] = [];
  for (const v of vendor) {
    if (v.period !== opts.period) continue;
    const metric = v.metric;
    const known = isMetricName(metric);
    const tol = known ? reconcileTolerance(metric, opts.tolerances) : { abs: 0, rel: 0 };
    const f: ReconciliationFinding = {
      source: v.source,
      period: v.period,
      metric: v.metric,
      symbol: v.symbol,
      order_type: v.order_type,
      vendor_value: v.value,
      firm_value: null,
      difference: null,
      relative_difference: null,
      abs_tolerance: tol.abs,
      rel_tolerance: tol.rel,
      status: 'firm_missing',
      note: '',
    };
    out.push(f);
    if (!known) {
      f.note = `"${v.metric}" is not a metric name of metrics.md: the firm computes no such figure`;
      continue;
    }
    const row = index.get(firmKey(v.source, v.metric, v.symbol, v.order_type));
    if (!row || row.value === null || !Number.isFinite(row.value)) {
      f.note = `the firm has no ${v.metric} for symbol=${v.symbol} order_type=${v.order_type} (no such orders in the firm's data?)`;
      continue;
    }
    f.firm_value = row.value;
    if (v.value === null || !Number.isFinite(v.value)) {
      f.status = 'mismatch';
      f.note = 'the vendor row has no value';
      continue;
    }
    const d = v.value - row.value;
    f.difference = d;
    f.relative_difference = row.value !== 0 ? d / Math.abs(row.value) : null;
    // Float dust must not turn an exact agreement into a finding.
    const eps = 1e-12 * Math.max(1, Math.abs(row.value));
    const within = Math.abs(d) <= tol.abs + eps || Math.abs(d) <= tol.rel * Math.abs(row.value) + eps;
    f.status = within ? 'match' : 'mismatch';
    if (!within)
      f.note = `differs by ${d} (${f.relative_difference === null ? 'n/a' : `${(100 * f.relative_difference).toFixed(2)} %`}), beyond abs ${tol.abs} and rel ${tol.rel}`;
  }
  return out;
}
