/**
 * Typed review fixtures: a small, hand-written quarter for two vendors, with values chosen so the
 * formatted text in the report can be predicted by hand.
 */

import type { ReviewPackageData, RuleOutcomeLike } from '../../lambdas/package/types';
import { ALL, type MetricName, type ReviewMetricRow } from '../../lambdas/shared/metrics';

type G = Partial<Pick<ReviewMetricRow, 'symbol' | 'order_category' | 'venue' | 'size_bucket' | 'sp500'>>;

export function row(source: string, g: G, metric: MetricName, value: number | null, extra: Partial<ReviewMetricRow> = {}): ReviewMetricRow {
  return {
    period: '2026Q3',
    source,
    symbol: g.symbol ?? ALL,
    order_category: g.order_category ?? ALL,
    venue: g.venue ?? ALL,
    size_bucket: g.size_bucket ?? ALL,
    sp500: g.sp500 ?? ALL,
    metric,
    value,
    n_orders: 1000,
    n_executions: 1200,
    std_dev: null,
    n_eff: null,
    excl_no_nbbo: 0,
    excl_stale_nbbo: 0,
    excl_crossed_or_locked_nbbo: 0,
    excl_negative_exec_time: 0,
    excl_orphan_execution: 0,
    ...extra,
  };
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

export function outcome(partial: Partial<RuleOutcomeLike> & Pick<RuleOutcomeLike, 'rule_id' | 'metric' | 'status'>): RuleOutcomeLike {
  return {
    source: 'vendor-a',
    symbol: ALL,
    order_category: ALL,
    venue: ALL,
    size_bucket: ALL,
    sp500: ALL,
    value: null,
    benchmark: null,
    difference: null,
    ci_lower: null,
    ci_upper: null,
    p_value: null,
    n_orders: null,
    severity: 'medium',
    action: 'Review with the vendor.',
    ...partial,
  };
}

export const OUTCOMES: RuleOutcomeLike[] = [
  outcome({
    rule_id: 'pi-market',
    metric: 'price_improvement_per_share',
    order_category: 'market',
    symbol: 'AAPL',
    status: 'breach',
    value: 0.0007,
    benchmark: 0.0012,
    difference: -0.0005,
    ci_upper: -0.00031,
    confidence: 0.95,
    p_value: 0.0004,
    n_orders: 1234,
    severity: 'high',
    action: 'Investigate <price improvement> shortfall & request routing changes',
  }),
  outcome({
    rule_id: 'latency-market',
    metric: 'avg_exec_time_ms',
    order_category: 'market',
    status: 'not_significant',
    value: 150,
    benchmark: 120,
    difference: 30,
    p_value: 0.21,
    n_orders: 40,
  }),
  outcome({
    rule_id: 'pi-market',
    metric: 'price_improvement_per_share',
    order_category: 'market',
    symbol: 'BRK.B',
    status: 'insufficient_sample',
    n_orders: 12,
    note: 'n=12 < min_orders 50',
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

export function fixture(over: Partial<ReviewPackageData> = {}): ReviewPackageData {
  return {
    period: '2026Q3',
    source: 'vendor-a',
    generatedAt: '2026-10-05T11:00:00.000Z',
    codeVersion: 'abc1234',
    thresholdsVersion: '2026-11-21.1',
    runId: 'run-2026Q3-001',
    metrics: [...sourceRows('vendor-a', -0.0005), ...sourceRows('vendor-b', 0)],
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
      clean_reviews_to_exit: 2,
      history: [
        { period: '2026Q2', run_id: 'run-2026Q2-001', breaches: 2, conclusive: true, decision: 'enter_heightened', consecutive_clean: 0 },
        { period: '2026Q3', run_id: 'run-2026Q3-001', breaches: 1, conclusive: true, decision: 'remain_heightened', consecutive_clean: 0 },
      ],
    },
    reconciliation: [
      {
        source: 'vendor-a',
        symbol: 'AAPL',
        order_type: 'market',
        metric: 'price_improvement_per_share',
        vendor_value: 0.0019,
        firm_value: 0.0007,
        difference: 0.0012,
        abs_tolerance: 0.0001,
        rel_tolerance: 0.05,
        status: 'mismatch',
      },
      {
        source: 'vendor-a',
        symbol: '*',
        order_type: '*',
        metric: 'avg_exec_time_ms',
        vendor_value: 150,
        firm_value: 151,
        difference: -1,
        status: 'match',
      },
    ],
    cases: [
      {
        case_id: 'C-2026-001',
        source: 'vendor-a',
        period: '2026Q2',
        status: 'open',
        closure: null,
        rule_id: 'pi-market',
        opened_at: '2026-07-06T09:00:00Z',
        last_event: 'corrective_action_plan',
        last_event_at: '2026-08-01T10:00:00Z',
        notified_at: '2026-07-07T09:00:00Z',
        plan_at: '2026-08-01T10:00:00Z',
        timeline: [
          '2026-07-06 jane.doe opened: PI shortfall on market orders',
          '2026-08-01 jane.doe corrective_action_plan: vendor re-weights wholesaler',
        ],
      },
    ],
    differences: [
      {
        dimension: 'source',
        metric: 'price_improvement_per_share',
        symbol: '*',
        order_category: 'market',
        better: 'vendor-b',
        worse: 'vendor-a',
        better_value: 0.0015,
        worse_value: 0.001,
        difference: 0.0005,
        p_value: 0.002,
        material: true,
      },
      { dimension: 'source', metric: 'avg_exec_time_ms', better: 'vendor-a', worse: 'vendor-b', material: false },
    ],
    ...over,
  };
}
