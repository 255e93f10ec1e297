/**
 * Compile-time contract: what the review step produces must be renderable as is. `tsc --noEmit`
 * fails here (not at run time) if the review's outcome, monitoring, case, reconciliation or
 * comparison types stop fitting the package's structural interfaces.
 */
import type {
  CaseSummaryLike,
  MaterialDifferenceLike,
  MonitoringLike,
  ReconciliationFindingLike,
  RuleOutcomeLike,
} from '../../lambdas/package/types';
import type { CaseSummary } from '../../lambdas/review/cases';
import type { MaterialDifference } from '../../lambdas/review/compare';
import type { RuleOutcome } from '../../lambdas/review/evaluate';
import type { SourceMonitoring } from '../../lambdas/review/monitoring';
import type { ReconciliationFinding } from '../../lambdas/review/reconcile';

type Assignable<From, To> = From extends To ? true : false;
type Assert<T extends true> = T;

export type Contracts = [
  Assert<Assignable<RuleOutcome, RuleOutcomeLike>>,
  Assert<Assignable<SourceMonitoring, MonitoringLike>>,
  Assert<Assignable<CaseSummary, CaseSummaryLike>>,
  Assert<Assignable<ReconciliationFinding, ReconciliationFindingLike>>,
  Assert<Assignable<MaterialDifference, MaterialDifferenceLike>>,
];
