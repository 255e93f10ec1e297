/**
 * What the review package renders. Every shape is the producer's own type: the findings contract
 * (lambdas/shared/contracts/review.ts) for what Evaluate decided, the review modules' types for
 * outcomes, monitoring, cases, reconciliation and comparison, and the committee module's for the
 * committee's record. Nothing is restated here, so a change upstream fails the typecheck here.
 */

import type { Finding } from '../../shared/contracts/review';
import type { ReviewMetricRow } from '../../shared/metrics';
import type { CaseSummary } from '../review/cases';
import type { AgendaItem, CommitteeRecord, DueDiligenceStatus, DueDiligenceVersion, PeriodMinutes } from '../review/committee';
import type { MaterialDifference } from '../review/compare';
import type { RuleOutcome } from '../review/evaluate';
import type { SourceMonitoring } from '../review/monitoring';
import type { ReconciliationFinding } from '../review/reconcile';

/** What the source says about a venue (the lake's `venues` dataset), to mark PFOF and approval. */
export interface VenueInfo {
  source?: string;
  venue: string;
  name?: string;
  venue_type?: string;
  approved?: string;
  pfof_per_share?: number | null;
}

/** The committee's record as this review shows it. */
export interface CommitteeView {
  /** What this review puts before the committee, and by when. */
  agenda: readonly AgendaItem[];
  decideBy: string;
  /** Minutes, determinations, dissent and sign-offs of this period. */
  minutes: PeriodMinutes;
  /** Determinations on file for this source's items (any period), latest per item. */
  determinations: readonly Extract<CommitteeRecord, { kind: 'determination' }>[];
  /** Items of earlier reviews (and due-diligence refreshes) still without a determination. */
  openItems: readonly AgendaItem[];
  dueDiligence: { status: DueDiligenceStatus; versions: readonly DueDiligenceVersion[] };
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
  /** review_metrics rows; rows of other sources are the peers beside the router. */
  metrics: readonly ReviewMetricRow[];
  /** The findings of the run (only those of `source` are shown). */
  findings: readonly Finding[];
  /** Every evaluated rule row (review_breaches), for the analysts' tables. */
  outcomes: readonly RuleOutcome[];
  monitoring?: SourceMonitoring;
  /** Consecutive clean reviews that end heightened monitoring (from the thresholds file). */
  cleanReviewsToExit?: number;
  /** The vendor's self-reported figures against the firm's (matches included). */
  reconciliation?: readonly ReconciliationFinding[];
  cases?: readonly CaseSummary[];
  /** Differences among sources and venues (only material ones are listed). */
  differences?: readonly MaterialDifference[];
  venues?: readonly VenueInfo[];
  committee?: CommitteeView;
  /** Where the package lives (s3:// prefix), shown in the header. */
  location?: string;
  /** A link that opens the package (S3 console or the firm's base URL). */
  link?: string;
  /** Securities shown one by one in the dashboard (largest by executed shares, plus every one with a finding). */
  maxSecurities?: number;
}
