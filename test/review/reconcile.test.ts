import { describe, expect, it } from 'vitest';
import { reconcileTolerance, reconcileVendorMetrics, type VendorMetricRow } from '../../lambdas/core/review/reconcile';
import { piRow, row } from './fixtures';

const v = (p: Partial<VendorMetricRow> & Pick<VendorMetricRow, 'metric' | 'value'>): VendorMetricRow => ({
  source: 'acme-sor',
  period: '2026Q3',
  symbol: '*',
  order_type: 'market',
  ...p,
});

const firm = [
  piRow({ source: 'acme-sor', value: 0.0008 }),
  piRow({ source: 'acme-sor', venue: 'XNAS', value: 0.5 }),
  row({ source: 'acme-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 150 }),
  row({ source: 'acme-sor', metric: 'orders', order_category: 'market', value: 812 }),
  row({ source: 'acme-sor', metric: 'fill_rate_pct', order_category: 'market', symbol: 'AAPL', value: 97.5 }),
];

describe('reconcileVendorMetrics', () => {
  it('classifies each vendor figure against the firm figure for the same group (all venues, sizes, lists)', () => {
    const out = reconcileVendorMetrics(
      [
        v({ metric: 'price_improvement_per_share', value: 0.0015 }), // vendor claims more PI: 0.0007 > 0.0001 and > 5 %
        v({ metric: 'avg_exec_time_ms', value: 153 }), // 3 ms: within 5 ms
        v({ metric: 'orders', value: 812 }), // exact
        v({ metric: 'orders', value: 813, symbol: '*', order_type: 'market', period: '2026Q2' }), // other period: ignored
        v({ metric: 'fill_rate_pct', symbol: 'AAPL', value: 99.5 }), // 2 pp > 0.5 pp and > 2 % of 97.5 (1.95)
        v({ metric: 'cancel_rate_pct', value: 1 }), // the firm has none
        v({ metric: 'secret_sauce', value: 1 }), // not a metric
      ],
      firm,
      { period: '2026Q3' },
    );
    expect(out.map((f) => [f.metric, f.status])).toEqual([
      ['price_improvement_per_share', 'mismatch'],
      ['avg_exec_time_ms', 'match'],
      ['orders', 'match'],
      ['fill_rate_pct', 'mismatch'],
      ['cancel_rate_pct', 'firm_missing'],
      ['secret_sauce', 'firm_missing'],
    ]);
    const pi = out[0];
    expect(pi?.firm_value).toBe(0.0008); // the all-venues row, not XNAS
    expect(pi?.difference).toBeCloseTo(0.0007, 15);
    expect(pi?.relative_difference).toBeCloseTo(0.875, 12);
    expect(out[5]?.note).toMatch(/not a metric name/);
  });

  it('relative tolerance rescues a large figure; configuration overrides per metric, then default, then unit', () => {
    const firmBig = [row({ source: 'acme-sor', metric: 'avg_exec_time_ms', order_category: 'market', value: 1000 })];
    // 40 ms off 1000: beyond 5 ms abs, within 5 % rel
    expect(reconcileVendorMetrics([v({ metric: 'avg_exec_time_ms', value: 1040 })], firmBig, { period: '2026Q3' })[0]?.status).toBe(
      'match',
    );
    const strict = { metrics: { avg_exec_time_ms: { rel: 0.01 } } };
    expect(
      reconcileVendorMetrics([v({ metric: 'avg_exec_time_ms', value: 1040 })], firmBig, { period: '2026Q3', tolerances: strict })[0]
        ?.status,
    ).toBe('mismatch');
    expect(reconcileTolerance('avg_exec_time_ms', strict)).toEqual({ abs: 5, rel: 0.01 });
    expect(reconcileTolerance('orders', { default: { abs: 2 } })).toEqual({ abs: 2, rel: 0 });
    expect(reconcileTolerance('price_improvement_per_share', undefined)).toEqual({ abs: 0.0001, rel: 0.05 });
  });
});
