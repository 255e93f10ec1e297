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
  /**
   * Confidence interval of the difference (value − benchmark). The evaluate step writes a
   * one-sided bound as ci_lower/ci_upper (the other end null); ci_low/ci_high are accepted too.
   */
  ci_lower?: number | null;
  ci_upper?: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  /** Confidence level of the interval, e.g. 0.95. */
  confidence?: number | null;
  p_value?: number | null;
  /** Sample size: orders in the group (n_orders), or n. */
  n_orders?: number | null;
  n?: number | null;
  severity?: string;
  action?: string;
  direction?: string;
  tolerance?: number | null;
  min_orders?: number | null;
  /** Where the benchmark came from, e.g. "peer direct", "median of 3 sources" (benchmark_ref or benchmark_label). */
  benchmark_ref?: string;
  benchmark_label?: string;
  /** Why the status is what it is, e.g. "n=12 < min_orders 30" (note or reason). */
  note?: string;
  reason?: string;
}

export interface MonitoringHistoryEntryLike {
  period: string;
  run_id?: string;
  at?: string;
  breaches?: number;
  /** False when nothing could be tested. */
  conclusive?: boolean;
  /** enter_heightened, remain_heightened, exit_heightened, remain_normal. */
  decision?: string;
  status?: string;
  consecutive_clean?: number;
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
  /** vendor − firm. */
  difference?: number | null;
  relative_difference?: number | null;
  tolerance?: number | null;
  abs_tolerance?: number | null;
  rel_tolerance?: number | null;
  /** 'match' findings are listed as agreeing; anything else is a finding. */
  status?: string;
  note?: string;
}

/** A remediation case as listed in the next package. */
export interface CaseSummaryLike {
  case_id: string;
  source?: string;
  period?: string;
  /** 'open' or 'closed'. */
  status: string;
  /** remediated, justified or terminated, once closed. */
  closure?: string | null;
  justification?: string | null;
  rule_id?: string;
  opened_at?: string;
  opened_by?: string;
  /** Kind of the latest event (notified, note, corrective_action_plan, ...). */
  last_event?: string;
  last_event_at?: string;
  notified_at?: string | null;
  plan_at?: string | null;
  events?: number;
  /** "at who event: text", oldest first. */
  timeline?: readonly string[];
}

/** A flagged difference between sources or venues for the same symbols and order types. */
export interface MaterialDifferenceLike {
  dimension: string;
  metric: string;
  symbol?: string;
  order_category?: string;
  /** For venue comparisons: whose flow. */
  source?: string;
  better: string;
  worse: string;
  better_value?: number | null;
  worse_value?: number | null;
  difference?: number | null;
  p_value?: number | null;
  n_better?: number | null;
  n_worse?: number | null;
  material: boolean;
  note?: string;
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
  /** Flagged differences among sources and venues (only material ones are listed). */
  differences?: readonly MaterialDifferenceLike[];
  venues?: readonly VenueInfoLike[];
  /** Where the package lives, shown in the header (e.g. s3://bucket/packages/2026Q3/vendor-a/). */
  location?: string;
  /** Securities shown one by one in the dashboard (largest by executed shares, plus every one with an outcome). */
  maxSecurities?: number;
}
