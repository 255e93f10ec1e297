import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  breachCounts,
  evaluateThresholds,
  highestSeverity,
  holm,
  matchesGroup,
  medianRow,
  type RuleOutcome,
} from '../../lambdas/core/review/evaluate';
import { thresholdsSchema } from '../../lambdas/shared/config';
import { piMarketRule, piRow, row, rule, thresholds } from './fixtures';

const F3 = (t: number): number => 0.5 + (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;
const F2 = (t: number): number => 0.5 + t / (2 * Math.sqrt(2 + t * t));

const only = (outcomes: RuleOutcome[], source: string): RuleOutcome => {
  const found = outcomes.filter((o) => o.source === source);
  expect(found).toHaveLength(1);
  return found[0] as RuleOutcome;
};

const piRule = piMarketRule();

describe('fixed benchmark, one-sample t', () => {
  it('planted shortfall: breach with the hand-worked p-value, CI and figures', () => {
    // value 0.0008, sd 0.0002, n_eff 4: SE 0.0001, t = −4, df 3 → p = F3(−4) = 0.0140…
    const current = [piRow({ source: 'acme-sor', value: 0.0008, std_dev: 0.0002, n_eff: 4, n_orders: 800 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'acme-sor');
    expect(o.status).toBe('breach');
    expect(o.test).toBe('t');
    expect(o.benchmark).toBe(0.0012);
    expect(o.benchmark_kind).toBe('value');
    expect(o.difference).toBeCloseTo(-0.0004, 15);
    expect(o.df).toBe(3);
    expect(o.p_value).toBeCloseTo(F3(-4), 12);
    expect(o.p_value).toBeLessThan(0.05);
    expect(o.ci_upper).toBeCloseTo(-0.0004 + 2.353363 * 0.0001, 8);
    expect(o.ci_lower).toBeNull();
    expect(o.confidence).toBeCloseTo(0.95, 12);
    expect(o).toMatchObject({
      n_orders: 800,
      n_eff: 4,
      severity: 'high',
      rule_id: 'pi-market',
      order_category: 'market',
      tolerance: 0.0002,
    });
    expect(o.action).toBe('act on pi-market');
  });

  it('gap beyond tolerance but p ≥ α: not_significant, not a breach', () => {
    // SE 0.0002: t = −2, df 3 → p = 0.0697
    const current = [piRow({ source: 'acme-sor', value: 0.0008, std_dev: 0.0004, n_eff: 4 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'acme-sor');
    expect(o.status).toBe('not_significant');
    expect(o.p_value).toBeCloseTo(F3(-2), 12);
  });

  it('clean vendor above the benchmark: pass', () => {
    const current = [piRow({ source: 'bolt-sor', value: 0.0015, std_dev: 0.003, n_eff: 900 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'bolt-sor');
    expect(o.status).toBe('pass');
    expect(o.p_value).toBeGreaterThan(0.5);
  });

  it('a significant gap within tolerance is a pass (materiality first)', () => {
    const current = [piRow({ source: 'acme-sor', value: 0.00105, std_dev: 0.0001, n_eff: 10000 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'acme-sor');
    expect(o.p_value).toBeLessThan(1e-6);
    expect(o.status).toBe('pass');
  });

  it('binary-rounding dust at exactly the tolerance is not a breach', () => {
    const r = rule({ ...piRule, benchmark: { value: 0.0015 }, tolerance: 0.0003 });
    const current = [piRow({ source: 'a', value: 0.0012, std_dev: 0.00001, n_eff: 1000 })];
    expect(0.0015 - 0.0012).toBeGreaterThan(0.0003); // the dust this guards against
    expect(only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([r]) }), 'a').status).toBe('pass');
  });

  it('null_hypothesis within_tolerance tests the gap beyond the tolerance', () => {
    const r = rule({ ...piRule, null_hypothesis: 'within_tolerance' });
    const current = [piRow({ source: 'a', value: 0.0008, std_dev: 0.0002, n_eff: 4 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([r]) }), 'a');
    // (0.0004 − 0.0002) / 0.0001 = 2 → p = F3(−2) = 0.0697 → not significant
    expect(o.p_value).toBeCloseTo(F3(-2), 12);
    expect(o.status).toBe('not_significant');
  });

  it('per-rule significance overrides the file level', () => {
    const r = rule({ ...piRule, significance: 0.1 });
    const current = [piRow({ source: 'a', value: 0.0008, std_dev: 0.0004, n_eff: 4 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([r]) }), 'a');
    expect(o.alpha).toBe(0.1);
    expect(o.status).toBe('breach'); // p 0.0697 < 0.10
    expect(o.confidence).toBeCloseTo(0.9, 12);
  });
});

describe('insufficient sample and no data', () => {
  it('below min_orders: insufficient_sample, shown with its figures, never a pass or breach', () => {
    const current = [piRow({ source: 'acme-sor', symbol: 'TINY', value: 0.0001, std_dev: 0.0001, n_eff: 12, n_orders: 12 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'acme-sor');
    expect(o.status).toBe('insufficient_sample');
    expect(o.symbol).toBe('TINY');
    expect(o.value).toBe(0.0001);
    expect(o.benchmark).toBe(0.0012);
    expect(o.p_value).toBeNull();
    expect(o.note).toMatch(/12 orders < min_orders 50/);
  });

  it('a source with no matching row gets a no_data outcome naming the rule group', () => {
    const current = [row({ source: 'acme-sor', metric: 'avg_exec_time_ms', value: 100 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'acme-sor');
    expect(o.status).toBe('no_data');
    expect(o.order_category).toBe('market');
    expect(o.symbol).toBe('');
  });

  it('a null value is no_data', () => {
    const current = [piRow({ source: 'a', value: null })];
    expect(only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) }), 'a').status).toBe('no_data');
  });
});

describe('benchmarks', () => {
  const latency = (benchmark: Parameters<typeof rule>[0]['benchmark']) =>
    rule({
      id: 'lat',
      metric: 'avg_exec_time_ms',
      group: { order_category: 'market' },
      direction: 'above',
      benchmark,
      tolerance: 10,
      min_orders: 30,
    });

  it('peer: Welch two-sample t against the peer source in the same run; the peer itself is not tested', () => {
    // acme mean 150, sd 10, n 2; direct mean 120, sd 10, n 2 → SE 10, t 3, df 2
    const current = [
      row({ source: 'acme-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 150, std_dev: 10, n_eff: 2, n_orders: 40 }),
      row({ source: 'direct', metric: 'avg_exec_time_ms', order_category: 'market', value: 120, std_dev: 10, n_eff: 2, n_orders: 40 }),
    ];
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latency({ peer: 'direct' })]) });
    expect(out.map((o) => o.source)).toEqual(['acme-sor']);
    const o = out[0] as RuleOutcome;
    expect(o.test).toBe('welch');
    expect(o.benchmark).toBe(120);
    expect(o.benchmark_ref).toBe('peer direct');
    expect(o.df).toBeCloseTo(2, 12);
    expect(o.p_value).toBeCloseTo(1 - F2(3), 12); // 0.0477
    expect(o.status).toBe('breach');
    expect(o.ci_lower).toBeCloseTo(30 - 2.919986 * 10, 4);
  });

  it('peer missing: no_data; peer too small: insufficient_sample', () => {
    const acme = row({
      source: 'acme-sor',
      metric: 'avg_exec_time_ms',
      order_category: 'market',
      value: 150,
      std_dev: 10,
      n_eff: 50,
      n_orders: 50,
    });
    const a = evaluateThresholds({ period: '2026Q3', current: [acme], thresholds: thresholds([latency({ peer: 'direct' })]) });
    expect(only(a, 'acme-sor').status).toBe('no_data');
    const small = row({
      source: 'direct',
      metric: 'avg_exec_time_ms',
      order_category: 'market',
      value: 100,
      std_dev: 10,
      n_eff: 5,
      n_orders: 5,
    });
    const b = evaluateThresholds({ period: '2026Q3', current: [acme, small], thresholds: thresholds([latency({ peer: 'direct' })]) });
    expect(only(b, 'acme-sor').status).toBe('insufficient_sample');
    expect(only(b, 'acme-sor').note).toMatch(/benchmark/);
  });

  it('prior: Welch against the same source and group of the prior period', () => {
    const current = [
      row({ source: 'acme-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 150, std_dev: 10, n_eff: 2, n_orders: 40 }),
    ];
    const prior = [
      row({
        period: '2026Q2',
        source: 'acme-sor',
        metric: 'avg_exec_time_ms',
        order_category: 'market',
        value: 120,
        std_dev: 10,
        n_eff: 2,
        n_orders: 40,
      }),
      row({
        period: '2026Q2',
        source: 'other',
        metric: 'avg_exec_time_ms',
        order_category: 'market',
        value: 10,
        std_dev: 10,
        n_eff: 2,
        n_orders: 40,
      }),
    ];
    const o = only(
      evaluateThresholds({ period: '2026Q3', current, prior, thresholds: thresholds([latency({ prior: true })]) }),
      'acme-sor',
    );
    expect(o.benchmark).toBe(120);
    expect(o.benchmark_ref).toBe('prior 2026Q2');
    expect(o.p_value).toBeCloseTo(1 - F2(3), 12);
    const first = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latency({ prior: true })]) });
    expect(only(first, 'acme-sor').status).toBe('no_data');
    expect(only(first, 'acme-sor').note).toMatch(/prior period/);
  });

  it('median: of the other sources with enough orders, Welch against the middle source (odd count)', () => {
    const mk = (source: string, value: number, n_orders = 100) =>
      row({ source, metric: 'avg_exec_time_ms', order_category: 'market', value, std_dev: 20, n_eff: 2, n_orders });
    const current = [mk('a', 200), mk('b', 100), mk('c', 140), mk('d', 120), mk('tiny', 5000, 3)];
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latency({ median: true })]) });
    const a = only(out, 'a');
    // others with ≥ 30 orders: b 100, c 140, d 120 → median is d's row (120, sd 20, n 2).
    // Welch: SE² = 400/2 + 400/2 = 400, t = 80/20 = 4, df = 400²/(200²/1 + 200²/1) = 2.
    expect(a.benchmark).toBe(120);
    expect(a.benchmark_ref).toBe('median of 3 (b, c, d)');
    expect(a.test).toBe('welch');
    expect(a.df).toBeCloseTo(2, 12);
    expect(a.p_value).toBeCloseTo(1 - F2(4), 12);
    expect(a.status).toBe('breach');
    // b's others: a 200, c 140, d 120 → median 140; b is faster: pass
    expect(only(out, 'b').benchmark).toBe(140);
    expect(only(out, 'b').status).toBe('pass');
  });

  it('median of an even count: the mean of the two middle rows, with the variance of that mean', () => {
    const mk = (source: string, value: number) =>
      row({ source, metric: 'avg_exec_time_ms', order_category: 'market', value, std_dev: 20, n_eff: 2, n_orders: 100 });
    const two = medianRow([mk('b', 100), mk('c', 140)]);
    // mean 120; variance of the mean (200 + 200)/4 = 100, carried as n = 4, sd = √(100·4) = 20
    expect(two).toMatchObject({ value: 120, n_eff: 4, source: 'median(b,c)' });
    expect(two?.std_dev).toBeCloseTo(20, 12);
    expect(medianRow([mk('b', 100), mk('c', 140), mk('d', 120)])?.source).toBe('d');
    const a = only(
      evaluateThresholds({
        period: '2026Q3',
        current: [mk('a', 200), mk('b', 100), mk('c', 140)],
        thresholds: thresholds([latency({ median: true })]),
      }),
      'a',
    );
    // SE² = 200 + 100 = 300, t = 80/√300 ≈ 4.62, Welch df between 2 and 3: p between the df-3 and df-2 tails
    expect(a.test).toBe('welch');
    expect(a.p_value as number).toBeGreaterThan(1 - F3(80 / Math.sqrt(300)));
    expect(a.p_value as number).toBeLessThan(1 - F2(80 / Math.sqrt(300)));
  });

  it('median of one noisy peer is not treated as exact: a chance gap is not a breach', () => {
    // Markouts: the tested vendor −0.02, the only other +0.018, both sd 0.3 over 200 fills. Against
    // +0.018 as a fixed number t ≈ −1.79 (p ≈ 0.04, a false breach); with the peer's own error
    // t ≈ −1.27 (p ≈ 0.10).
    const mk = (source: string, value: number) =>
      row({ source, metric: 'markout_15s_per_share', order_category: 'market', value, std_dev: 0.3, n_eff: 200, n_orders: 200 });
    const markout = rule({
      id: 'markout',
      metric: 'markout_15s_per_share',
      group: { order_category: 'market' },
      direction: 'below',
      benchmark: { median: true },
      tolerance: 0.002,
      min_orders: 50,
      severity: 'medium',
    });
    const o = only(
      evaluateThresholds({ period: '2026Q3', current: [mk('bolt', -0.02), mk('acme', 0.018)], thresholds: thresholds([markout]) }),
      'bolt',
    );
    expect(o.test).toBe('welch');
    expect(o.p_value as number).toBeGreaterThan(0.05);
    expect(o.status).toBe('not_significant');
  });

  it('median with no other source: no_data', () => {
    const current = [row({ source: 'a', metric: 'avg_exec_time_ms', order_category: 'market', value: 1, std_dev: 1, n_eff: 40 })];
    expect(only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latency({ median: true })]) }), 'a').status).toBe(
      'no_data',
    );
  });
});

describe('tests without a std_dev', () => {
  const p95Rule = rule({
    id: 'p95',
    metric: 'p95_exec_time_ms',
    direction: 'above',
    benchmark: { value: 500 },
    tolerance: 100,
    min_orders: 50,
  });

  it('proportions: Welch on 0/1 outcomes (hand-worked: 80 % vs 90 %, n 100 each)', () => {
    const r = rule({ id: 'fill', metric: 'fill_rate_pct', direction: 'below', benchmark: { prior: true }, tolerance: 5, min_orders: 50 });
    const current = [row({ source: 'a', metric: 'fill_rate_pct', value: 80, n_orders: 100 })];
    const prior = [row({ period: '2026Q2', source: 'a', metric: 'fill_rate_pct', value: 90, n_orders: 100 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, prior, thresholds: thresholds([r]) }), 'a');
    // sd 100·√(.8·.2) = 40 and 100·√(.9·.1) = 30; SE = √(16 + 9) = 5; t = −2; df = 625 / ((16² + 9²)/99) = 183.6
    expect(o.test).toBe('two_proportion');
    expect(o.df).toBeCloseTo((625 * 99) / (256 + 81), 9);
    // Between the normal tail (0.02275) and the df = 100 tail (0.0241) of |t| = 2.
    expect(o.p_value).toBeGreaterThan(0.02275);
    expect(o.p_value).toBeLessThan(0.0241);
    expect(o.status).toBe('breach');
  });

  it('one-sample proportion against a fixed share', () => {
    const r = rule({
      id: 'pfof',
      metric: 'pfof_venue_share_pct',
      direction: 'above',
      benchmark: { value: 50 },
      tolerance: 5,
      min_orders: 4,
    });
    // 75 % of n = 4: sd = 100·√(.75·.25) = 43.30; SE 21.65; t = 25/21.65 = 1.1547, df 3
    const current = [row({ source: 'a', metric: 'pfof_venue_share_pct', value: 75, n_orders: 4 })];
    const o = only(evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([r]) }), 'a');
    expect(o.test).toBe('proportion');
    expect(o.p_value).toBeCloseTo(1 - F3(25 / ((100 * Math.sqrt(0.75 * 0.25)) / 2)), 12);
    expect(o.status).toBe('not_significant');
  });

  it('quantiles and indices are compared deterministically', () => {
    const current = [
      row({ source: 'a', metric: 'p95_exec_time_ms', value: 650 }),
      row({ source: 'b', metric: 'p95_exec_time_ms', value: 590 }),
    ];
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([p95Rule]) });
    expect(only(out, 'a')).toMatchObject({ status: 'breach', test: 'none', p_value: null, difference: 150 });
    expect(only(out, 'b').status).toBe('pass');
  });

  it('a quantile is compared deterministically even when its row carries the std_dev of the underlying times', () => {
    const out = evaluateThresholds({
      period: '2026Q3',
      current: [row({ source: 'a', metric: 'p95_exec_time_ms', value: 650, std_dev: 45, n_eff: 1682 })],
      thresholds: thresholds([p95Rule]),
    });
    expect(only(out, 'a')).toMatchObject({ status: 'breach', test: 'none', p_value: null });
    expect(only(out, 'a').note).toMatch(/is a quantile/);
  });

  it("test: 't' on a row without std_dev is no_data, not a silent pass", () => {
    const r = rule({ id: 'p95', metric: 'p95_exec_time_ms', direction: 'above', benchmark: { value: 500 }, tolerance: 100, test: 't' });
    const out = evaluateThresholds({
      period: '2026Q3',
      current: [row({ source: 'a', metric: 'p95_exec_time_ms', value: 650 })],
      thresholds: thresholds([r]),
    });
    expect(only(out, 'a').status).toBe('no_data');
  });
});

describe('multiple testing (Holm within rule × source)', () => {
  const latencyRule = rule({
    id: 'lat',
    metric: 'avg_exec_time_ms',
    direction: 'above',
    benchmark: { value: 100 },
    tolerance: 5,
    min_orders: 10,
  });

  it('holm: hand-worked adjusted p-values', () => {
    // sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06
    const adj = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => {
      expect(adj[i]).toBeCloseTo(want, 15);
    });
    // 0.8·2 = 1.6 capped at 1; then max(1, 0.9·1) = 1
    expect(holm([0.9, 0.8])).toEqual([1, 1]);
    expect(holm([0.2, 0.01])).toEqual([0.2, 0.02]);
  });

  it('a family of groups: a lone p = 0.03 is a breach alone, not after Holm over 3 tests', () => {
    // sd 20, n 4 → SE 10. t = 3 (value 130): p = 1 − F3(3) = 0.0288; t = 0.5 (105 → gap 5, not beyond) and t = 0 (100).
    const current = [
      row({ source: 'a', metric: 'avg_exec_time_ms', symbol: 'AAA', value: 130, std_dev: 20, n_eff: 4 }),
      row({ source: 'a', metric: 'avg_exec_time_ms', symbol: 'BBB', value: 105, std_dev: 20, n_eff: 4 }),
      row({ source: 'a', metric: 'avg_exec_time_ms', symbol: 'CCC', value: 100, std_dev: 20, n_eff: 4 }),
    ];
    const alone = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latencyRule]) });
    const aaa = alone.find((o) => o.symbol === 'AAA') as RuleOutcome;
    expect(aaa.p_value).toBeCloseTo(1 - F3(3), 12);
    expect(aaa).toMatchObject({ status: 'breach', family_size: 1 });
    expect(aaa.p_adjusted).toBe(aaa.p_value);
    const adjusted = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latencyRule], { multiple_testing: 'holm' }) });
    const a2 = adjusted.find((o) => o.symbol === 'AAA') as RuleOutcome;
    expect(a2.family_size).toBe(3);
    expect(a2.p_adjusted).toBeCloseTo(3 * (1 - F3(3)), 12); // smallest of three: × 3
    expect(a2.status).toBe('not_significant');
    expect(a2.note).toMatch(/Holm-adjusted over 3 tests/);
    expect(adjusted.filter((o) => o.status === 'pass')).toHaveLength(2);
  });

  it('families are per source: another source’s tests do not dilute', () => {
    const current = [
      row({ source: 'a', metric: 'avg_exec_time_ms', value: 130, std_dev: 20, n_eff: 4 }),
      row({ source: 'b', metric: 'avg_exec_time_ms', value: 100, std_dev: 20, n_eff: 4 }),
    ];
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([latencyRule], { multiple_testing: 'holm' }) });
    expect(only(out, 'a')).toMatchObject({ status: 'breach', family_size: 1 });
  });
});

describe('groups, sources and summaries', () => {
  it('a rule column left out matches every value; "*" matches only the aggregate', () => {
    expect(
      matchesGroup(
        { group: { order_category: 'market' } },
        row({ source: 'a', metric: 'orders', order_category: 'market', symbol: 'AAPL' }),
      ),
    ).toBe(true);
    expect(
      matchesGroup(
        { group: { order_category: 'market', symbol: '*' } },
        row({ source: 'a', metric: 'orders', order_category: 'market', symbol: 'AAPL' }),
      ),
    ).toBe(false);
    const current = ['*', 'AAPL', 'MSFT'].map((symbol) => piRow({ source: 'a', symbol, value: 0.002, std_dev: 0.001, n_eff: 100 }));
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]) });
    expect(out.map((o) => o.symbol)).toEqual(['*', 'AAPL', 'MSFT']);
  });

  it('rule.sources and the run restriction limit the sources tested', () => {
    const current = ['a', 'b'].map((source) =>
      row({ source, metric: 'price_improvement_per_share', order_category: 'market', value: 0.002, std_dev: 0.001, n_eff: 100 }),
    );
    expect(
      evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([rule({ ...piRule, sources: ['b'] })]) }).map((o) => o.source),
    ).toEqual(['b']);
    expect(
      evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule]), sources: ['a'] }).map((o) => o.source),
    ).toEqual(['a']);
  });

  it('highest severity and breach counts', () => {
    const lat = rule({
      id: 'lat',
      metric: 'avg_exec_time_ms',
      direction: 'above',
      benchmark: { value: 100 },
      tolerance: 0,
      severity: 'low',
    });
    const current = [
      piRow({ source: 'a', value: 0.0001, std_dev: 0.0001, n_eff: 100 }),
      row({ source: 'a', metric: 'avg_exec_time_ms', value: 300, std_dev: 10, n_eff: 100 }),
      piRow({ source: 'b', value: 0.002, std_dev: 0.0001, n_eff: 100 }),
      row({ source: 'b', metric: 'avg_exec_time_ms', value: 300, std_dev: 10, n_eff: 100 }),
    ];
    const out = evaluateThresholds({ period: '2026Q3', current, thresholds: thresholds([piRule, lat]) });
    expect(highestSeverity(out.filter((o) => o.source === 'a'))).toBe('high');
    expect(highestSeverity(out.filter((o) => o.source === 'b'))).toBe('low');
    expect(highestSeverity([])).toBe('none');
    expect(breachCounts(out)).toEqual([
      { source: 'a', breaches: 2, evaluated: 2 },
      { source: 'b', breaches: 1, evaluated: 2 },
    ]);
  });

  it('the row rule set of the fixtures validates and keeps pi-market at 0.0012 $/share for market orders', () => {
    const t = thresholdsSchema.parse(JSON.parse(readFileSync(new URL('../fixtures/review/row-rules.json', import.meta.url), 'utf8')));
    const pi = t.rules.find((r) => r.id === 'pi-market');
    expect(pi).toMatchObject({
      metric: 'price_improvement_per_share',
      direction: 'below',
      benchmark: { value: 0.0012 },
      group: { order_category: 'market' },
    });
    const covered = new Set(t.rules.map((r) => r.metric));
    for (const m of [
      'price_improvement_per_share',
      'spread_capture_pct',
      'avg_exec_time_ms',
      'p95_exec_time_ms',
      'limit_fill_rate_pct',
      'pfof_venue_share_pct',
      'venue_hhi',
    ]) {
      expect(covered.has(m as never), m).toBe(true);
    }
    expect([...covered].some((m) => m.startsWith('markout_'))).toBe(true);
  });

  it('duplicate rule ids are rejected by the schema', () => {
    expect(() => thresholds([piRule, piRule])).toThrow(/duplicate rule id/);
  });
});
