/**
 * What the review package renders. The rule outcome, monitoring, reconciliation and case shapes are
 * structural: they list only the fields the report reads, so the evaluate step's own types (which
 * carry more) are assignable to them, and optional sections render from whatever is present.
 */
import type { ReviewMetricRow } from '../shared/metrics';

export type OutcomeStatus = 'breach' | 'pass' | 'not_significant' | 'insufficient_sample' | 'no_data';

/** One threshold rule applied to one source and group: what the report and breaches files show. */
export interface RuleOutcomeLike {
  rule_id: string;
  metric: string;
  source: string;
  /** Grouping columns; absent or '*' means "all". */
  symbol?: string;
  order_category?: string;
  venue?: string;
  size_bucket?: string;
  sp500?: string;
  status: OutcomeStatus;
  value?: number | null;
  benchmark?: number | null;
  /** value − benchmark, in the metric's unit. */
  difference?: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  p_value?: number | null;
  n?: number | null;
  severity?: string;
  action?: string;
  direction?: string;
  tolerance?: number | null;
  /** How the benchmark was chosen, e.g. "peer:direct", "median", "0.0012". */
  benchmark_label?: string;
  /** Why the outcome is not a breach or pass, e.g. "n=12 < min_orders 30". */
  reason?: string;
}

export interface MonitoringHistoryEntryLike {
  period: string;
  runId?: string;
  at?: string;
  status?: string;
  breaches?: number;
  note?: string;
}

/** Heightened-monitoring state of one source. */
export interface MonitoringLike {
  /** 'heightened' or 'normal'. */
  status: string;
  since?: string | null;
  consecutive_clean?: number;
  clean_reviews_to_exit?: number;
  history?: readonly MonitoringHistoryEntryLike[];
}

/** A difference between the vendor's self-reported figure and the firm's own. */
export interface ReconciliationFindingLike {
  source?: string;
  symbol?: string;
  order_type?: string;
  order_category?: string;
  metric: string;
  vendor_value?: number | null;
  firm_value?: number | null;
  difference?: number | null;
  tolerance?: number | null;
  status?: string;
  note?: string;
}

export interface CaseEventLike {
  type?: string;
  at?: string;
  by?: string;
  note?: string;
}

/** A remediation case as listed in the next package. */
export interface CaseSummaryLike {
  case_id?: string;
  id?: string;
  source?: string;
  status: string;
  rule_id?: string;
  metric?: string;
  opened_at?: string;
  updated_at?: string;
  title?: string;
  summary?: string;
  last_event?: CaseEventLike;
  events?: readonly CaseEventLike[];
}

/** What the source says about a venue (from the `venues` dataset), to mark PFOF and approval. */
export interface VenueInfoLike {
  source?: string;
  venue: string;
  name?: string;
  venue_type?: string;
  approved?: string;
  pfof_per_share?: number | null;
}

export interface ReviewPackageData {
  period: string;
  source: string;
  /** ISO-8601 instant. */
  generatedAt: string;
  codeVersion: string;
  thresholdsVersion: string;
  runId?: string;
  dryRun?: boolean;
  /** review_metrics rows; rows of other sources feed the side-by-side comparison. */
  metrics: readonly ReviewMetricRow[];
  /** Rule outcomes; only those of `source` are shown. */
  outcomes: readonly RuleOutcomeLike[];
  monitoring?: MonitoringLike;
  reconciliation?: readonly ReconciliationFindingLike[];
  cases?: readonly CaseSummaryLike[];
  venues?: readonly VenueInfoLike[];
  /** Where the package lives, shown in the header (e.g. s3://bucket/packages/2026Q3/vendor-a/). */
  location?: string;
  /** Securities shown one by one in the dashboard (largest by executed shares, plus every one with an outcome). */
  maxSecurities?: number;
}
