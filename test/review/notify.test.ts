import { describe, expect, it } from 'vitest';
import { caseSummaries, casesForBreaches } from '../../lambdas/core/review/cases';
import { evaluateThresholds, type RuleOutcome } from '../../lambdas/core/review/evaluate';
import { initialMonitoring, nextMonitoringState } from '../../lambdas/core/review/monitoring';
import { composeNotices, fmtNum, MAX_MESSAGE_CHARS } from '../../lambdas/core/review/notify';
import { piMarketRule, piRow, row, rule, thresholds } from './fixtures';

const rules = thresholds([
  piMarketRule({ action: 'Investigate price improvement shortfall on market orders with the vendor.' }),
  rule({
    id: 'fill-time-avg',
    metric: 'avg_exec_time_ms',
    group: { order_category: 'market' },
    direction: 'above',
    benchmark: { value: 120 },
    tolerance: 30,
    min_orders: 50,
    severity: 'medium',
    action: 'Investigate latency sources.',
  }),
]);

const current = [
  piRow({ source: 'acme-sor', value: 0.0008, std_dev: 0.0002, n_eff: 4, n_orders: 812 }),
  piRow({ source: 'acme-sor', symbol: 'TINY', value: 0.0001, std_dev: 0.001, n_eff: 9, n_orders: 9 }),
  row({ source: 'acme-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 190, std_dev: 50, n_eff: 400, n_orders: 812 }),
  piRow({ source: 'bolt-sor', value: 0.0016, std_dev: 0.002, n_eff: 700, n_orders: 700 }),
  row({ source: 'bolt-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 110, std_dev: 40, n_eff: 700, n_orders: 700 }),
];
const outcomes = evaluateThresholds({ period: '2026Q3', current, thresholds: rules });
const monitoring = {
  'acme-sor': nextMonitoringState(initialMonitoring(), { period: '2026Q3', runId: 'r1', breaches: 2, conclusive: true }, 2),
  'bolt-sor': nextMonitoringState(initialMonitoring(), { period: '2026Q3', runId: 'r1', breaches: 0, conclusive: true }, 2),
};
const cases = caseSummaries(casesForBreaches(outcomes, [], { at: '2026-10-05T11:00:00.000Z' }));

describe('composeNotices', () => {
  const notices = composeNotices(outcomes, {
    period: '2026Q3',
    packageUri: (s) => `s3://results/packages/2026Q3/${s}/`,
    monitoring,
    cleanReviewsToExit: 2,
    runId: '2026Q3-r1',
    cases,
  });
  const [acme, bolt] = notices;

  it('one notice per source, subject with vendor, period, breach count and highest severity', () => {
    // Counted: exactly one notice for each source with outcomes, of kind review, in source order.
    expect(notices.map((n) => [n.attributes?.source, n.attributes?.kind])).toEqual([
      ['acme-sor', 'review'],
      ['bolt-sor', 'review'],
    ]);
    expect(acme?.subject).toBe('[bestex] acme-sor 2026Q3: 2 breaches (high)');
    expect(bolt?.subject).toBe('[bestex] bolt-sor 2026Q3: no breaches');
  });

  it('attributes for subscription filters', () => {
    expect(acme?.attributes).toEqual({ severity: 'high', source: 'acme-sor', period: '2026Q3', kind: 'review' });
    expect(bolt?.attributes).toEqual({ severity: 'none', source: 'bolt-sor', period: '2026Q3', kind: 'review' });
  });

  it('the breach table carries value, benchmark, difference, CI, p, n and severity', () => {
    const body = acme?.message ?? '';
    const line = body.split('\n').find((l) => l.includes('pi-market') && l.includes('0.0008')) ?? '';
    // p = F3(−4) = 0.01400 (t = −4, df 3); CI upper = −0.0004 + 2.353363 × 0.0001 = −0.0001647
    expect(line).toMatch(/order_category=market/);
    expect(line).toMatch(/0\.0012 fixed/);
    expect(line).toMatch(/-0\.0004\b/);
    expect(line).toMatch(/95% \(-inf, -0\.0001647\]/);
    expect(line).toMatch(/\b0\.014\b/);
    expect(line).toMatch(/812\/4/);
    expect(line).toMatch(/high$/);
    const lat = body.split('\n').find((l) => l.includes('fill-time-avg')) ?? '';
    expect(lat).toMatch(/190/);
    expect(lat).toMatch(/<0\.0001/);
    expect(lat).toMatch(/\[6\d\.\d+, \+inf\)/); // 70 − 1.6487 × 2.5 = 65.88
  });

  it('lists the actions, the insufficient samples, monitoring, cases and the package', () => {
    const body = acme?.message ?? '';
    expect(body).toMatch(/Actions:\n- pi-market \(high, 1 group\): Investigate price improvement shortfall/);
    expect(body).toMatch(/- fill-time-avg \(medium, 1 group\): Investigate latency sources\./);
    expect(body).toMatch(
      /Insufficient sample \(not tested, NOT a pass\): 1\n- pi-market price_improvement_per_share symbol=TINY order_category=market: 9 orders < min_orders 50/,
    );
    expect(body).toMatch(/Monitoring: HEIGHTENED since 2026Q3/);
    expect(body).toMatch(/2026Q3-acme-sor-pi-market \(opened 2026-10-05; vendor not yet notified/);
    expect(body).toMatch(/Review package: s3:\/\/results\/packages\/2026Q3\/acme-sor\/\n$/);
  });

  it('the clean notice is short and says so', () => {
    const body = bolt?.message ?? '';
    expect(body).toMatch(/No breaches\. 2 tests passed/);
    expect(body).not.toMatch(/Actions:/);
    expect(body.split('\n').length).toBeLessThan(12);
    expect(body).toMatch(/Review package: s3:\/\/results\/packages\/2026Q3\/bolt-sor\//);
  });

  it('dry runs are marked; a source without outcomes gets a "no data" notice', () => {
    const [n] = composeNotices([], {
      period: '2026-10',
      packageUri: '/home/x/packages',
      monitoring,
      dryRun: true,
      expectedSources: ['acme-sor'],
    });
    expect(n?.subject).toBe('[bestex dry-run] acme-sor 2026-10: no data');
    expect(n?.message).toMatch(/NO DATA/);
    expect(n?.attributes?.severity).toBe('none');
  });

  it('long tables are cut with a pointer to the package', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      ...(outcomes.find((o) => o.status === 'breach') as (typeof outcomes)[number]),
      symbol: `S${i}`,
    }));
    const [n] = composeNotices(many, { period: '2026Q3', packageUri: 'p', monitoring, maxRows: 2 });
    expect(n?.message).toMatch(/\.\.\. and 3 more breaches in the package\./);
  });
});

describe('notice details', () => {
  it('shows the Holm-adjusted p beside the raw one, and groups no-data outcomes per rule', () => {
    const lat = rule({
      id: 'lat',
      metric: 'avg_exec_time_ms',
      direction: 'above',
      benchmark: { value: 100 },
      tolerance: 2,
      min_orders: 10,
    });
    const decline = rule({ id: 'decline', metric: 'fill_rate_pct', direction: 'below', benchmark: { prior: true }, tolerance: 5 });
    const rows = [
      // SE = 20/√400 = 1: t = 3 (p ≈ 0.0014 at df 399) and t = 2.5 (p ≈ 0.0064); Holm: 2 × 0.0014, then max(…, 0.0064)
      row({ source: 'a', metric: 'avg_exec_time_ms', symbol: 'AAA', value: 103, std_dev: 20, n_eff: 400 }),
      row({ source: 'a', metric: 'avg_exec_time_ms', symbol: 'BBB', value: 102.5, std_dev: 20, n_eff: 400 }),
      row({ source: 'a', metric: 'fill_rate_pct', symbol: 'AAA', value: 90 }),
      row({ source: 'a', metric: 'fill_rate_pct', symbol: 'BBB', value: 90 }),
    ];
    const out = evaluateThresholds({
      period: '2026Q3',
      current: rows,
      thresholds: thresholds([lat, decline], { multiple_testing: 'holm' }),
    });
    const aaa = out.find((o) => o.symbol === 'AAA' && o.rule_id === 'lat') as RuleOutcome;
    expect(aaa.family_size).toBe(2);
    expect(aaa.p_value).toBeGreaterThan(0.0013);
    expect(aaa.p_value).toBeLessThan(0.0015);
    expect(aaa.p_adjusted).toBeCloseTo(2 * (aaa.p_value as number), 12);
    const [n] = composeNotices(out, { period: '2026Q3', packageUri: 'p', monitoring: {} });
    const line = n?.message.split('\n').find((l) => l.includes('symbol=AAA')) ?? '';
    expect(line).toContain(`${(aaa.p_value as number).toPrecision(2)} (adj ${(aaa.p_adjusted as number).toPrecision(2)})`);
    expect(n?.message).toMatch(
      /No data or no benchmark: 2 groups\n- decline fill_rate_pct \(2 groups, e\.g\. symbol=AAA\): the prior period has no fill_rate_pct/,
    );
  });
});

describe('message size', () => {
  it('a very long body is cut at MAX_MESSAGE_CHARS, keeping the package pointer', () => {
    const b = outcomes.find((o) => o.status === 'breach') as (typeof outcomes)[number];
    const many = Array.from({ length: 400 }, (_, i) => ({
      ...b,
      status: 'not_significant' as const,
      symbol: `SYM${i}`,
      note: 'x'.repeat(80),
    }));
    const [n] = composeNotices(many, { period: '2026Q3', packageUri: 's3://r/packages/2026Q3/acme-sor/', monitoring, maxRows: 1000 });
    expect(n?.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(n?.message).toMatch(
      /cut at 24000 characters: everything is in the package\)\n\nReview package: s3:\/\/r\/packages\/2026Q3\/acme-sor\/\n$/,
    );
  });
});

describe('fmtNum', () => {
  it('four significant digits, thousands separators, n/a', () => {
    expect(fmtNum(0.00081234)).toBe('0.0008123');
    expect(fmtNum(1234567)).toBe('1,234,567');
    expect(fmtNum(null)).toBe('n/a');
    expect(fmtNum(-0.0004)).toBe('-0.0004');
  });
});
