/**
 * Heightened monitoring: a source with a breach is reviewed monthly until it has a configured number
 * of consecutive clean reviews. The state is a fold over the source's review history, so re-running
 * a period replaces that period's entry instead of counting it twice. Persisted as one JSON object
 * (source → state) at `monitoring/state.json` in the results bucket; the prepare step reads
 * `status` from it to choose the sources of a monthly run.
 */
import { RESULTS } from '../../shared/layout';
import type { Result } from '../../shared/result';

export type MonitoringStatus = 'normal' | 'heightened';

/**
 * What a review did to the status. `remain_*` also covers inconclusive reviews (nothing could be
 * tested): they neither count as clean nor reset the count.
 */
export type MonitoringDecision = 'enter_heightened' | 'remain_heightened' | 'exit_heightened' | 'remain_normal';

export interface MonitoringHistoryEntry {
  period: string;
  run_id: string;
  breaches: number;
  /** False when no rule could be evaluated for the source (no data, every group too small). */
  conclusive: boolean;
  decision: MonitoringDecision;
  /** Consecutive clean reviews after this one. */
  consecutive_clean: number;
}

export interface SourceMonitoring {
  status: MonitoringStatus;
  /** Period whose review put the source into its current status (null: never changed). */
  since: string | null;
  /** Consecutive conclusive reviews without a breach, ending with the latest. */
  consecutive_clean: number;
  history: MonitoringHistoryEntry[];
}

/** The whole persisted object: source → state. */
export type MonitoringState = Record<string, SourceMonitoring>;

/** One source's result in one review. */
export interface SourceReview {
  period: string;
  runId: string;
  breaches: number;
  conclusive: boolean;
}

export const MONITORING_STATE_KEY = RESULTS.monitoringState;

export const initialMonitoring = (): SourceMonitoring => ({ status: 'normal', since: null, consecutive_clean: 0, history: [] });

/** One transition, ignoring history bookkeeping. */
function step(prev: SourceMonitoring, review: SourceReview, cleanReviewsToExit: number): SourceMonitoring {
  const entry = (decision: MonitoringDecision, consecutive_clean: number): MonitoringHistoryEntry => ({
    period: review.period,
    run_id: review.runId,
    breaches: review.breaches,
    conclusive: review.conclusive,
    decision,
    consecutive_clean,
  });
  if (review.breaches > 0) {
    // A breach while heightened (a second breach in a row) keeps the source on, and restarts the count.
    const decision: MonitoringDecision = prev.status === 'heightened' ? 'remain_heightened' : 'enter_heightened';
    return {
      status: 'heightened',
      since: prev.status === 'heightened' ? prev.since : review.period,
      consecutive_clean: 0,
      history: [...prev.history, entry(decision, 0)],
    };
  }
  if (!review.conclusive) {
    const decision: MonitoringDecision = prev.status === 'heightened' ? 'remain_heightened' : 'remain_normal';
    return { ...prev, history: [...prev.history, entry(decision, prev.consecutive_clean)] };
  }
  const clean = prev.consecutive_clean + 1;
  if (prev.status === 'heightened' && clean >= cleanReviewsToExit) {
    return {
      status: 'normal',
      since: review.period,
      consecutive_clean: clean,
      history: [...prev.history, entry('exit_heightened', clean)],
    };
  }
  const decision: MonitoringDecision = prev.status === 'heightened' ? 'remain_heightened' : 'remain_normal';
  return { ...prev, consecutive_clean: clean, history: [...prev.history, entry(decision, clean)] };
}

/**
 * The state after `review`. A review of a period already in the history (a re-run) replaces that
 * entry and the state is replayed from the start, so re-runs never count twice.
 */
export function nextMonitoringState(
  prev: SourceMonitoring | undefined,
  review: SourceReview,
  cleanReviewsToExit: number,
): SourceMonitoring {
  const p = prev ?? initialMonitoring();
  const at = p.history.findIndex((h) => h.period === review.period);
  if (at < 0) return step(p, review, cleanReviewsToExit);
  const reviews: SourceReview[] = p.history.map((h, i) =>
    i === at ? review : { period: h.period, runId: h.run_id, breaches: h.breaches, conclusive: h.conclusive },
  );
  return reviews.reduce((s, r) => step(s, r, cleanReviewsToExit), initialMonitoring());
}

/** Applies one run's reviews to the whole state; sources not reviewed keep their state. */
export function applyReviews(
  state: MonitoringState,
  reviews: readonly (SourceReview & { source: string })[],
  cleanReviewsToExit: number,
): MonitoringState {
  const next: MonitoringState = { ...state };
  for (const r of reviews) next[r.source] = nextMonitoringState(state[r.source], r, cleanReviewsToExit);
  return next;
}

export type ParseResult<T> = Result<T>;

/** Validates a parsed state.json; the error says where and what is wrong. */
export function parseMonitoringState(value: unknown, where: string): ParseResult<MonitoringState> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `${where}: expected an object of source → monitoring state` };
  }
  const out: MonitoringState = {};
  for (const [source, raw] of Object.entries(value as Record<string, unknown>)) {
    const s = raw as Partial<SourceMonitoring> | null;
    if (
      !s ||
      (s.status !== 'normal' && s.status !== 'heightened') ||
      typeof s.consecutive_clean !== 'number' ||
      !Array.isArray(s.history) ||
      !(s.since === null || typeof s.since === 'string')
    ) {
      return {
        ok: false,
        reason: `${where}: entry "${source}" must have status (normal|heightened), since (string|null), consecutive_clean (number), history (array)`,
      };
    }
    out[source] = { status: s.status, since: s.since, consecutive_clean: s.consecutive_clean, history: s.history };
  }
  return { ok: true, value: out };
}

/** A one-line description for notices and the package: "heightened since 2026Q3 (0 of 2 clean reviews)". */
export function describeMonitoring(s: SourceMonitoring | undefined, cleanReviewsToExit: number): string {
  if (!s) return 'normal (no review history)';
  if (s.status === 'heightened') {
    return `HEIGHTENED since ${s.since ?? '?'}: reviewed monthly until ${cleanReviewsToExit} consecutive clean reviews (${s.consecutive_clean} so far)`;
  }
  const last = s.history[s.history.length - 1];
  return last?.decision === 'exit_heightened'
    ? `normal again since ${s.since ?? '?'} (left heightened monitoring)`
    : 'normal (quarterly reviews)';
}
