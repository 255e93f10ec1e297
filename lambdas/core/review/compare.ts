/**
 * Material differences among markets (FINRA Rule 5310 .09): the same symbols and order categories
 * set side by side across sources (vendors, direct routing) and across the venues each source
 * reached, with the best one tested against every other by Welch's t. A difference is material
 * when it is beyond the comparison's tolerance AND significant at the configured level. Pure.
 */
import type { Thresholds } from '../../shared/config';
import type { MetricName, ReviewMetricRow } from '../../shared/metrics';
import { autoTestKind, rowSample } from './evaluate';
import { welchT } from './stats';

export interface ComparisonSpec {
  metric: MetricName;
  better: 'higher' | 'lower';
  tolerance: number;
}

/** What is compared when the thresholds file has no `comparisons`. */
export const DEFAULT_COMPARISONS: readonly ComparisonSpec[] = [
  { metric: 'price_improvement_per_share', better: 'higher', tolerance: 0.0002 },
  { metric: 'avg_effective_spread', better: 'lower', tolerance: 0.0005 },
  { metric: 'avg_exec_time_ms', better: 'lower', tolerance: 25 },
  { metric: 'markout_15s_per_share', better: 'higher', tolerance: 0.0005 },
  { metric: 'fill_rate_pct', better: 'higher', tolerance: 5 },
];

export type Dimension = 'source' | 'venue';

export interface SideBySideEntry {
  /** The source (dimension source) or the venue (dimension venue). */
  name: string;
  value: number;
  n_orders: number;
  n_eff: number | null;
  std_dev: number | null;
}

export interface SideBySide {
  dimension: Dimension;
  metric: MetricName;
  better: 'higher' | 'lower';
  symbol: string;
  order_category: string;
  /** For venue tables: whose flow; '' for source tables. */
  source: string;
  /** Entries with enough orders, best first. */
  entries: SideBySideEntry[];
}

export interface MaterialDifference {
  period: string;
  dimension: Dimension;
  metric: MetricName;
  symbol: string;
  order_category: string;
  source: string;
  better: string;
  worse: string;
  better_value: number;
  worse_value: number;
  /** better_value − worse_value (positive when higher is better, negative when lower is better). */
  difference: number;
  tolerance: number;
  /** One-sided bound on the difference at 1 − α, in the favourable direction. */
  ci_lower: number | null;
  ci_upper: number | null;
  p_value: number | null;
  df: number | null;
  n_better: number;
  n_worse: number;
  /** Beyond tolerance AND p < α. */
  material: boolean;
  note: string;
}

export interface CompareOptions {
  period: string;
  comparisons?: Thresholds['comparisons'];
  /** Default significance (the thresholds file's). */
  alpha: number;
  /** Only compare these sources; empty or absent = all. */
  sources?: readonly string[];
}

export interface MarketComparison {
  tables: SideBySide[];
  differences: MaterialDifference[];
}

const isAll = (r: ReviewMetricRow): boolean => r.size_bucket === '*' && r.sp500 === '*';

export function compareMarkets(rows: readonly ReviewMetricRow[], opts: CompareOptions): MarketComparison {
  const specs = opts.comparisons?.metrics ?? DEFAULT_COMPARISONS;
  const minOrders = opts.comparisons?.min_orders ?? 30;
  const alpha = opts.comparisons?.significance ?? opts.alpha;
  const only = opts.sources && opts.sources.length > 0 ? new Set(opts.sources) : undefined;
  const tables: SideBySide[] = [];
  const differences: MaterialDifference[] = [];
  for (const spec of specs) {
    const groups = new Map<
      string,
      { dimension: Dimension; symbol: string; order_category: string; source: string; rows: ReviewMetricRow[] }
    >();
    for (const r of rows) {
      if (r.metric !== spec.metric || !isAll(r) || r.value === null || !Number.isFinite(r.value) || r.n_orders < minOrders) continue;
      if (only && !only.has(r.source)) continue;
      const dimension: Dimension = r.venue === '*' ? 'source' : 'venue';
      const source = dimension === 'venue' ? r.source : '';
      const k = `${dimension}\u0001${r.symbol}\u0001${r.order_category}\u0001${source}`;
      const g = groups.get(k) ?? { dimension, symbol: r.symbol, order_category: r.order_category, source, rows: [] };
      g.rows.push(r);
      groups.set(k, g);
    }
    for (const g of [...groups.values()].sort(
      (a, b) =>
        cmp(a.dimension, b.dimension) || cmp(a.source, b.source) || cmp(a.symbol, b.symbol) || cmp(a.order_category, b.order_category),
    )) {
      if (g.rows.length < 2) continue;
      const sign = spec.better === 'higher' ? 1 : -1;
      const sorted = [...g.rows].sort((a, b) => sign * ((b.value as number) - (a.value as number)));
      const nameOf = (r: ReviewMetricRow): string => (g.dimension === 'source' ? r.source : r.venue);
      tables.push({
        dimension: g.dimension,
        metric: spec.metric,
        better: spec.better,
        symbol: g.symbol,
        order_category: g.order_category,
        source: g.source,
        entries: sorted.map((r) => ({
          name: nameOf(r),
          value: r.value as number,
          n_orders: r.n_orders,
          n_eff: r.n_eff,
          std_dev: r.std_dev,
        })),
      });
      const best = sorted[0] as ReviewMetricRow;
      for (const worse of sorted.slice(1)) {
        differences.push(compareTwo(opts.period, spec, g.dimension, g.source, best, worse, nameOf, alpha));
      }
    }
  }
  return { tables, differences };
}

function compareTwo(
  period: string,
  spec: ComparisonSpec,
  dimension: Dimension,
  source: string,
  best: ReviewMetricRow,
  worse: ReviewMetricRow,
  nameOf: (r: ReviewMetricRow) => string,
  alpha: number,
): MaterialDifference {
  const difference = (best.value as number) - (worse.value as number);
  const d: MaterialDifference = {
    period,
    dimension,
    metric: spec.metric,
    symbol: best.symbol,
    order_category: best.order_category,
    source,
    better: nameOf(best),
    worse: nameOf(worse),
    better_value: best.value as number,
    worse_value: worse.value as number,
    difference,
    tolerance: spec.tolerance,
    ci_lower: null,
    ci_upper: null,
    p_value: null,
    df: null,
    n_better: best.n_orders,
    n_worse: worse.n_orders,
    material: false,
    note: '',
  };
  const kind = autoTestKind(best);
  const a = kind === 'none' ? null : rowSample(best, kind);
  const b = kind === 'none' ? null : rowSample(worse, kind);
  if (!a || !b || a.n < 2 || b.n < 2) {
    d.note = `no test: ${spec.metric} rows carry no spread (std_dev/n_eff) to test with`;
    return d;
  }
  // "best is better": above the other when higher is better, below it when lower is better.
  const t = welchT(a, b, spec.better === 'higher' ? 'above' : 'below', alpha);
  d.p_value = t.p;
  d.df = t.df;
  d.ci_lower = t.ciLower;
  d.ci_upper = t.ciUpper;
  const beyond = Math.abs(difference) - spec.tolerance > 1e-12 * Math.max(1, Math.abs(best.value as number));
  d.material = beyond && t.p < alpha;
  if (beyond && !d.material) d.note = `beyond tolerance but p ≥ ${alpha}`;
  return d;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
