/**
 * Typed review fixtures: a small, hand-written quarter for two vendors, with values chosen so the
 * formatted text in the report can be predicted by hand.
 */

import type { ReviewPackageData } from '../../lambdas/core/package/types';
import type { MaterialDifference } from '../../lambdas/core/review/compare';
import type { RuleOutcome } from '../../lambdas/core/review/evaluate';
import type { Finding } from '../../lambdas/shared/contracts/review';
import { ALL, type MetricName, type ReviewMetricRow } from '../../lambdas/shared/metrics';
import { row as metricRow } from '../review/fixtures';

type G = Partial<Pick<ReviewMetricRow, 'symbol' | 'order_category' | 'venue' | 'size_bucket' | 'sp500'>>;

export function row(source: string, g: G, metric: MetricName, value: number | null, extra: Partial<ReviewMetricRow> = {}): ReviewMetricRow {
  return metricRow({ source, metric, value, ...g, ...extra });
}

export const SYMBOLS = ['AAPL', 'MSFT', 'BRK.B'] as const;
const CATS = ['market', 'marketable_limit', 'non_marketable_limit', 'other'] as const;

/** Figures of one source; `shift` moves price improvement (the planted shortfall). */
function sourceRows(source: string, shift: number): ReviewMetricRow[] {
  const rows: ReviewMetricRow[] = [];
  const groups: G[] = [{}, ...CATS.map((c) => ({ order_category: c }))];
  for (const s of SYMBOLS) {
    groups.push({ symbol: s });
    for (const c of CATS) groups.push({ symbol: s, order_category: c });
  }
  groups.forEach((g, i) => {
    const market = g.order_category === 'market';
    rows.push(row(source, g, 'orders', 1000 + i, { n_orders: 1000 + i }));
    rows.push(row(source, g, 'shares_executed', 50_000 + 100 * i));
    rows.push(row(source, g, 'price_improvement_per_share', (market ? 0.0015 : 0.0008) + shift));
    rows.push(row(source, g, 'pct_shares_price_improved', 62.5));
    rows.push(row(source, g, 'pct_shares_at_quote', 30));
    rows.push(row(source, g, 'pct_shares_outside_quote', 7.5));
    rows.push(row(source, g, 'avg_effective_spread', 0.0123));
    rows.push(row(source, g, 'avg_quoted_spread', 0.0273));
    rows.push(row(source, g, 'spread_capture_pct', market ? 55 : 30));
    rows.push(row(source, g, 'eq_ratio_pct', market ? 45 : 70));
    rows.push(row(source, g, 'avg_exec_time_ms', market ? 150 : 240));
    rows.push(row(source, g, 'median_exec_time_ms', market ? 95 : 180));
    rows.push(row(source, g, 'p95_exec_time_ms', market ? 1250 : 2400));
    rows.push(row(source, g, 'fill_rate_pct', 98.2));
    if (g.order_category === 'non_marketable_limit') rows.push(row(source, g, 'limit_fill_rate_pct', 75));
    rows.push(row(source, g, 'cancel_rate_pct', 1.5));
    const mk = [0.0001, -0.0002, -0.0003, -0.0004, -0.0006];
    const horizons = [
      'markout_1s_per_share',
      'markout_5s_per_share',
      'markout_15s_per_share',
      'markout_60s_per_share',
      'markout_300s_per_share',
    ] as const;
    horizons.forEach((m, k) => {
      rows.push(row(source, g, m, (mk[k] ?? 0) * (market ? 1 : 0.5)));
    });
  });
  // Exclusions on the all-orders and market rows.
  for (const r of rows) {
    if (r.symbol !== ALL) continue;
    if (r.order_category === ALL)
      Object.assign(r, { excl_no_nbbo: 3, excl_stale_nbbo: 17, excl_negative_exec_time: r.metric.includes('exec_time') ? 2 : 0 });
    if (r.order_category === 'market') Object.assign(r, { excl_stale_nbbo: 11 });
  }
  const venues: [string, number, number][] = [
    ['XNAS', 40, 0],
    ['WHSL', 35, 1234.5],
    ['XNYS', 25, 0],
  ];
  for (const [v, share, pfof] of venues) {
    rows.push(row(source, { venue: v }, 'venue_share_pct', share, { n_executions: share * 10 }));
    rows.push(row(source, { venue: v }, 'pfof_received_usd', pfof));
    rows.push(row(source, { venue: v }, 'price_improvement_per_share', 0.001));
  }
  rows.push(row(source, {}, 'venue_hhi', 40 * 40 + 35 * 35 + 25 * 25));
  rows.push(row(source, {}, 'pfof_venue_share_pct', 35));
  rows.push(row(source, {}, 'pfof_received_usd', 1234.5));
  return rows;
}

export function outcome(partial: Partial<RuleOutcome> & Pick<RuleOutcome, 'rule_id' | 'metric' | 'status'>): RuleOutcome {
  return {
    period: '2026Q3',
    source: 'vendor-a',
    symbol: ALL,
    order_category: ALL,
    venue: ALL,
    size_bucket: ALL,
    sp500: ALL,
    direction: 'below',
    value: null,
    benchmark: null,
    benchmark_kind: 'peer',
    benchmark_ref: 'peer vendor-b',
    difference: null,
    tolerance: 0,
    confidence: 0.95,
    ci_lower: null,
    ci_upper: null,
    p_value: null,
    p_adjusted: null,
    family_size: 1,
    alpha: 0.05,
    test: 'welch',
    df: null,
    n_orders: null,
    n_eff: null,
    benchmark_n_orders: null,
    benchmark_n_eff: null,
    min_orders: 30,
    severity: 'medium',
    action: 'Review with the vendor.',
    note: '',
    ...partial,
  };
}

export const OUTCOMES: RuleOutcome[] = [
  outcome({
    rule_id: 'pi-market',
    metric: 'price_improvement_per_share',
    symbol: 'AAPL',
    order_category: 'market',
    status: 'breach',
    value: -0.00002501839588,
    benchmark: 0.0015,
    difference: -0.00152501839588,
    ci_upper: -0.0011,
    p_value: 0.0004,
    p_adjusted: 0.0012,
    family_size: 3,
    n_orders: 1013,
    severity: 'high',
    action: 'Investigate <price improvement> shortfall with the vendor & the wholesaler',
  }),
  outcome({
    rule_id: 'fill-limit',
    metric: 'limit_fill_rate_pct',
    order_category: 'non_marketable_limit',
    status: 'pass',
    value: 75,
    benchmark: 70,
    difference: 5,
    p_value: 0.9,
    n_orders: 900,
  }),
  outcome({ rule_id: 'pi-market', metric: 'price_improvement_per_share', source: 'vendor-b', status: 'breach', severity: 'high' }),
];

const G_ALL = { symbol: ALL, order_category: ALL, venue: ALL, size_bucket: ALL, sp500: ALL };

/** A finding of the Evaluate contract with hand-chosen figures (the cost is shares × gap, worked here). */
/** The headline test of a finding: a cluster bootstrap over 63 days and 3 symbols, seed 7, 12 tests in the family. */
function bootstrapTest(p_value: number | null, p_adjusted: number | null): Finding['test'] {
  return {
    method: 'cluster_bootstrap_days',
    p_value,
    p_adjusted,
    alpha: 0.05,
    family_size: 12,
    stage: 'headline',
    clusters: { days: 63, symbols: 3 },
    replicates: 999,
    seed: 7,
  };
}

export function finding(partial: Partial<Finding> & Pick<Finding, 'rule_id' | 'metric' | 'unit' | 'status'>): Finding {
  const source = partial.source ?? 'vendor-a';
  return {
    finding_id: `2026Q3/${source}/${partial.rule_id}`,
    period: '2026Q3',
    source,
    title: `Rule ${partial.rule_id}`,
    component: 'price_improvement',
    headline_group: G_ALL,
    direction: 'below',
    value: null,
    benchmark: null,
    provenance: {
      kind: 'peer',
      label: 'peer vendor-b',
      sources: ['vendor-b'],
      period: '2026Q3',
      n_orders: 5000,
      market_centers: [],
      config_version: null,
      note: '',
    },
    difference: null,
    tolerance: 0,
    ci: { level: 0.95, lower: null, upper: null, method: 'cluster_bootstrap' },
    test: bootstrapTest(null, null),
    n_orders: 0,
    minimum_detectable_difference: null,
    severity: 'medium',
    action: 'Review with the vendor.',
    customer_cost: { usd: null, method: 'none', shares: null, usd_per_share: null, explanation: '' },
    drilldown: [],
    note: '',
    ...partial,
  };
}

/**
 * vendor-a: price improvement on market orders $0.0030/share short of the peer on 13,700,000
 * executed shares: 13,700,000 × 0.0030 = $41,100 (the figure a committee reads); market orders
 * filled in 176 ms against the peer's 91 ms; the limit fill rate passes.
 */
export const FINDINGS: Finding[] = [
  finding({
    rule_id: 'pi-market',
    title: 'Price improvement on market orders against the peers',
    metric: 'price_improvement_per_share',
    unit: 'usd_per_share',
    status: 'breach',
    severity: 'high',
    headline_group: { ...G_ALL, order_category: 'market' },
    value: -0.00002501839588,
    benchmark: 0.00297498160412,
    difference: -0.003,
    ci: { level: 0.95, lower: null, upper: -0.0024, method: 'cluster_bootstrap' },
    n_orders: 4100,
    test: bootstrapTest(0.0002, 0.0024),
    action: 'Investigate <price improvement> shortfall with the vendor & the wholesaler',
    customer_cost: {
      usd: 41_100,
      method: 'price_gap',
      shares: 13_700_000,
      usd_per_share: 0.003,
      explanation: '13,700,000 executed shares × $0.0030/share below the peer',
    },
    drilldown: [
      {
        group_kind: 'symbol',
        group_value: 'AAPL',
        value: -0.0001,
        benchmark: 0.003,
        difference: -0.0031,
        n_orders: 1500,
        cost_usd: 18_600,
        p_adjusted: 0.01,
        breach: true,
      },
      {
        group_kind: 'venue',
        group_value: 'WHSL',
        value: -0.0002,
        benchmark: 0.003,
        difference: -0.0032,
        n_orders: 2100,
        cost_usd: 22_400,
        p_adjusted: null,
        breach: false,
      },
    ],
  }),
  finding({
    rule_id: 'speed-market',
    title: 'Fill time of market orders against the peers',
    component: 'speed',
    metric: 'avg_exec_time_ms',
    unit: 'ms',
    direction: 'above',
    status: 'breach',
    severity: 'medium',
    headline_group: { ...G_ALL, order_category: 'market' },
    value: 176,
    benchmark: 91,
    difference: 85,
    n_orders: 4100,
    customer_cost: { usd: null, method: 'latency_none', shares: null, usd_per_share: null, explanation: 'no dollar measure for speed' },
  }),
  finding({
    rule_id: 'fill-limit',
    title: 'Limit order fill rate against the peers',
    component: 'limit_fill',
    metric: 'limit_fill_rate_pct',
    unit: 'pct',
    status: 'pass',
    headline_group: { ...G_ALL, order_category: 'non_marketable_limit' },
    value: 75,
    benchmark: 70,
    difference: 5,
    n_orders: 900,
    minimum_detectable_difference: 4.2,
  }),
  finding({
    rule_id: 'eq-market',
    metric: 'eq_ratio_pct',
    unit: 'pct',
    status: 'no_benchmark',
    headline_group: { ...G_ALL, order_category: 'market' },
  }),
  finding({
    rule_id: 'pi-market',
    source: 'vendor-b',
    metric: 'price_improvement_per_share',
    unit: 'usd_per_share',
    status: 'pass',
    value: 0.003,
    benchmark: 0.0,
    difference: 0.003,
  }),
];

export function fixture(over: Partial<ReviewPackageData> = {}): ReviewPackageData {
  return {
    period: '2026Q3',
    source: 'vendor-a',
    generatedAt: '2026-10-05T11:00:00.000Z',
    codeVersion: 'abc1234',
    thresholdsVersion: '2026-11-21.1',
    runId: 'run-2026Q3-001',
    metrics: [...sourceRows('vendor-a', -0.0005), ...sourceRows('vendor-b', 0)],
    findings: FINDINGS,
    outcomes: OUTCOMES,
    venues: [
      { venue: 'WHSL', name: 'Wholesaler <One>', venue_type: 'WHOLESALER', approved: 'Y', pfof_per_share: 0.0015 },
      { venue: 'XNAS', name: 'Nasdaq', venue_type: 'EXCHANGE', approved: 'Y', pfof_per_share: 0 },
      { venue: 'XNYS', name: 'NYSE', venue_type: 'EXCHANGE', approved: 'N', pfof_per_share: 0 },
    ],
    monitoring: {
      status: 'heightened',
      since: '2026Q2',
      consecutive_clean: 0,
      history: [
        { period: '2026Q2', run_id: 'run-2026Q2-001', breaches: 2, conclusive: true, decision: 'enter_heightened', consecutive_clean: 0 },
        { period: '2026Q3', run_id: 'run-2026Q3-001', breaches: 1, conclusive: true, decision: 'remain_heightened', consecutive_clean: 0 },
      ],
    },
    cleanReviewsToExit: 2,
    reconciliation: [
      {
        source: 'vendor-a',
        period: '2026Q3',
        symbol: '*',
        order_type: 'market',
        metric: 'price_improvement_per_share',
        vendor_value: 0.0016,
        firm_value: -0.00002501839588,
        difference: 0.00162501839588,
        relative_difference: 64.95,
        abs_tolerance: 0.0001,
        rel_tolerance: 0.05,
        status: 'mismatch',
        note: '',
      },
      {
        source: 'vendor-a',
        period: '2026Q3',
        symbol: '*',
        order_type: '*',
        metric: 'avg_exec_time_ms',
        vendor_value: 150,
        firm_value: 151,
        difference: -1,
        relative_difference: -0.0066,
        abs_tolerance: 5,
        rel_tolerance: 0.05,
        status: 'match',
        note: '',
      },
    ],
    cases: [
      {
        case_id: 'C-2026-001',
        source: 'vendor-a',
        period: '2026Q2',
        rule_id: 'pi-market',
        status: 'open',
        closure: null,
        justification: null,
        opened_at: '2026-07-06T09:00:00Z',
        opened_by: 'jane.doe',
        last_event: 'corrective_action_plan',
        last_event_at: '2026-08-01T10:00:00Z',
        notified_at: '2026-07-07T09:00:00Z',
        plan_at: '2026-08-01T10:00:00Z',
        events: 2,
        breach_refs: [],
        timeline: [
          '2026-07-06 jane.doe opened: PI shortfall on market orders',
          '2026-08-01 jane.doe corrective_action_plan: vendor re-weights wholesaler',
        ],
      },
    ],
    differences: [
      difference({
        metric: 'price_improvement_per_share',
        order_category: 'market',
        better: 'vendor-b',
        worse: 'vendor-a',
        better_value: 0.0015,
        worse_value: 0.001,
        difference: 0.0005,
        p_value: 0.002,
        material: true,
      }),
      difference({ metric: 'avg_exec_time_ms', better: 'vendor-a', worse: 'vendor-b', material: false }),
    ],
    ...over,
  };
}

export function difference(
  partial: Partial<MaterialDifference> & Pick<MaterialDifference, 'metric' | 'better' | 'worse' | 'material'>,
): MaterialDifference {
  return {
    period: '2026Q3',
    dimension: 'source',
    symbol: ALL,
    order_category: ALL,
    source: ALL,
    better_value: 0,
    worse_value: 0,
    difference: 0,
    tolerance: 0,
    ci_lower: null,
    ci_upper: null,
    p_value: null,
    df: null,
    n_better: 1000,
    n_worse: 1000,
    note: '',
    ...partial,
  };
}
