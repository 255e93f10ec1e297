import { describe, expect, it } from 'vitest';
import { compareMarkets } from '../../lambdas/core/review/compare';
import { piRow, row } from './fixtures';

const F2 = (t: number): number => 0.5 + t / (2 * Math.sqrt(2 + t * t));

describe('compareMarkets', () => {
  const rows = [
    // sources, all venues: bolt best; acme worse by 0.0006 (SE = √(0.0004²/2·2) = 0.0004 → t 1.5, df 2); zed worse by 0.0012 with tight spread
    piRow({ source: 'bolt-sor', value: 0.0016, std_dev: 0.0004, n_eff: 2, n_orders: 500 }),
    piRow({ source: 'acme-sor', value: 0.001, std_dev: 0.0004, n_eff: 2, n_orders: 500 }),
    piRow({ source: 'zed-sor', value: 0.0004, std_dev: 0.0001, n_eff: 1000, n_orders: 1000 }),
    piRow({ source: 'tiny-sor', value: 0.01, std_dev: 0.0001, n_eff: 5, n_orders: 5 }),
    // venues within acme: XNAS better than EDGX by 20 ms on latency (lower is better)
    row({
      source: 'acme-sor',
      venue: 'XNAS',
      metric: 'avg_exec_time_ms',
      order_category: 'market',
      value: 100,
      std_dev: 30,
      n_eff: 900,
      n_orders: 900,
    }),
    row({
      source: 'acme-sor',
      venue: 'EDGX',
      metric: 'avg_exec_time_ms',
      order_category: 'market',
      value: 160,
      std_dev: 30,
      n_eff: 900,
      n_orders: 900,
    }),
  ];
  const { tables, differences } = compareMarkets(rows, { period: '2026Q3', alpha: 0.05 });

  it('side-by-side tables, best first, small samples left out', () => {
    const pi = tables.find((t) => t.dimension === 'source' && t.metric === 'price_improvement_per_share');
    expect(pi?.entries.map((e) => e.name)).toEqual(['bolt-sor', 'acme-sor', 'zed-sor']);
    const lat = tables.find((t) => t.dimension === 'venue' && t.metric === 'avg_exec_time_ms');
    expect(lat).toMatchObject({ source: 'acme-sor', order_category: 'market' });
    expect(lat?.entries.map((e) => e.name)).toEqual(['XNAS', 'EDGX']);
  });

  it('the best is tested against each other one (Welch); material = beyond tolerance and significant', () => {
    const acme = differences.find((d) => d.worse === 'acme-sor');
    expect(acme).toMatchObject({ dimension: 'source', better: 'bolt-sor', material: false });
    expect(acme?.difference).toBeCloseTo(0.0006, 15);
    expect(acme?.p_value).toBeCloseTo(1 - F2(1.5), 12); // 0.1362: not significant with n_eff 2
    expect(acme?.note).toMatch(/beyond tolerance but p/);
    const zed = differences.find((d) => d.worse === 'zed-sor');
    expect(zed?.material).toBe(false); // n_eff 2 on the better side keeps p above 0.05
    const venue = differences.find((d) => d.dimension === 'venue');
    expect(venue).toMatchObject({ better: 'XNAS', worse: 'EDGX', difference: -60, material: true });
    expect(venue?.ci_upper).toBeLessThan(-55);
  });

  it('sources can be restricted and tolerances configured', () => {
    const r = compareMarkets(rows, {
      period: '2026Q3',
      alpha: 0.05,
      comparisons: { metrics: [{ metric: 'avg_exec_time_ms', better: 'lower', tolerance: 100 }] },
    });
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]?.material).toBe(false); // 60 ms within a 100 ms tolerance
    expect(compareMarkets(rows, { period: '2026Q3', alpha: 0.05, sources: ['bolt-sor'] }).differences).toEqual([]);
  });
});
