import { describe, expect, it } from 'vitest';
import {
  applyReviews,
  describeMonitoring,
  initialMonitoring,
  nextMonitoringState,
  parseMonitoringState,
  type SourceMonitoring,
  type SourceReview,
} from '../../lambdas/core/review/monitoring';

const review = (period: string, breaches: number, conclusive = true): SourceReview => ({
  period,
  runId: `${period}-run`,
  breaches,
  conclusive,
});
const N = 2;
const fold = (reviews: SourceReview[]): SourceMonitoring =>
  reviews.reduce<SourceMonitoring>((s, r) => nextMonitoringState(s, r, N), initialMonitoring());

describe('nextMonitoringState transitions', () => {
  it('normal + clean review stays normal', () => {
    const s = nextMonitoringState(undefined, review('2026Q2', 0), N);
    expect(s).toMatchObject({ status: 'normal', since: null, consecutive_clean: 1 });
    expect(s.history).toEqual([
      { period: '2026Q2', run_id: '2026Q2-run', breaches: 0, conclusive: true, decision: 'remain_normal', consecutive_clean: 1 },
    ]);
  });

  it('normal + breach enters heightened monitoring from that period', () => {
    const s = fold([review('2026Q2', 0), review('2026Q3', 2)]);
    expect(s).toMatchObject({ status: 'heightened', since: '2026Q3', consecutive_clean: 0 });
    expect(s.history.at(-1)?.decision).toBe('enter_heightened');
  });

  it('a second breach in a row keeps heightened monitoring on (since unchanged)', () => {
    const s = fold([review('2026Q3', 1), review('2026-10', 1)]);
    expect(s).toMatchObject({ status: 'heightened', since: '2026Q3', consecutive_clean: 0 });
    expect(s.history.map((h) => h.decision)).toEqual(['enter_heightened', 'remain_heightened']);
  });

  it('one clean review is not enough; the second consecutive clean one exits', () => {
    const one = fold([review('2026Q3', 1), review('2026-10', 0)]);
    expect(one).toMatchObject({ status: 'heightened', consecutive_clean: 1 });
    const two = nextMonitoringState(one, review('2026-11', 0), N);
    expect(two).toMatchObject({ status: 'normal', since: '2026-11', consecutive_clean: 2 });
    expect(two.history.at(-1)?.decision).toBe('exit_heightened');
  });

  it('a breach between clean reviews restarts the count', () => {
    const s = fold([review('2026Q3', 1), review('2026-10', 0), review('2026-11', 3), review('2026-12', 0)]);
    expect(s).toMatchObject({ status: 'heightened', since: '2026Q3', consecutive_clean: 1 });
  });

  it('an inconclusive review (nothing testable) neither counts as clean nor resets', () => {
    const s = fold([review('2026Q3', 1), review('2026-10', 0), review('2026-11', 0, false)]);
    expect(s).toMatchObject({ status: 'heightened', consecutive_clean: 1 });
    expect(s.history.at(-1)?.decision).toBe('remain_heightened');
    expect(nextMonitoringState(s, review('2026-12', 0), N).status).toBe('normal');
  });

  it('the exit count is configurable', () => {
    let s = fold([review('2026Q3', 1)]);
    for (const p of ['2026-10', '2026-11']) s = nextMonitoringState(s, review(p, 0), 3);
    expect(s.status).toBe('heightened');
    expect(nextMonitoringState(s, review('2026-12', 0), 3).status).toBe('normal');
  });

  it('re-running a period replaces its entry instead of counting twice', () => {
    const once = fold([review('2026Q3', 1), review('2026-10', 0)]);
    const again = nextMonitoringState(once, { ...review('2026-10', 0), runId: 'rerun' }, N);
    expect(again).toMatchObject({ status: 'heightened', consecutive_clean: 1 });
    expect(again.history).toHaveLength(2);
    expect(again.history[1]?.run_id).toBe('rerun');
    // A re-run that now finds the breach gone un-does the entry into heightened monitoring.
    const fixed = nextMonitoringState(once, review('2026Q3', 0), N);
    expect(fixed).toMatchObject({ status: 'normal', consecutive_clean: 2 });
  });
});

describe('state object', () => {
  it('applyReviews changes only the sources reviewed', () => {
    const bolt = fold([review('2026Q2', 0)]);
    const next = applyReviews({ 'bolt-sor': bolt }, [{ source: 'acme-sor', ...review('2026Q3', 2) }], N);
    expect(next['bolt-sor']).toBe(bolt);
    expect(next['acme-sor']?.status).toBe('heightened');
  });

  it('parses what it writes and rejects malformed entries with the place', () => {
    const state = { 'acme-sor': fold([review('2026Q3', 1)]) };
    const r = parseMonitoringState(JSON.parse(JSON.stringify(state)), 's3://r/monitoring/state.json');
    expect(r).toEqual({ ok: true, value: state });
    const bad = parseMonitoringState({ 'acme-sor': { status: 'paused' } }, 's3://r/monitoring/state.json');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/s3:\/\/r\/monitoring\/state.json: entry "acme-sor"/);
  });

  it('describes the status for notices', () => {
    expect(describeMonitoring(fold([review('2026Q3', 1)]), 2)).toMatch(/HEIGHTENED since 2026Q3.*2 consecutive clean reviews \(0 so far\)/);
    expect(describeMonitoring(undefined, 2)).toMatch(/normal/);
  });
});
