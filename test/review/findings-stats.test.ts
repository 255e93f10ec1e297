import { describe, expect, it } from 'vitest';
import {
  FILL_TIME_BIN_WIDTH,
  type FillTimeBin,
  hhi,
  matchedCells,
  quantileContrast,
  type VenueCell,
} from '../../lambdas/core/review/findings';
import { clusteredRatioContrast, dayBootstrap, minimumDetectableDifference, seededRandom } from '../../lambdas/core/review/stats';

describe('two-way clustered ratio (day, symbol) against a hand computation', () => {
  // R = Σy/Σx = 8/6; u_i = (y − R·x)/X = 1/9, −1/18, 2/9, −5/18.
  // V_day = 2·((1/18)² + (−1/18)²) = 1/81; V_sym = 2·((1/3)² + (−1/3)²) = 4/9;
  // V_day∩sym = 4/3·(1/81 + 1/324 + 4/81 + 25/324) = 46/243; V = 1/81 + 4/9 − 46/243 = 65/243.
  const cells = [
    { term: 0, day: 'd1', symbol: 'A', y: 2, x: 1 },
    { term: 0, day: 'd1', symbol: 'B', y: 1, x: 1 },
    { term: 0, day: 'd2', symbol: 'A', y: 4, x: 2 },
    { term: 0, day: 'd2', symbol: 'B', y: 1, x: 2 },
  ];
  it('estimate, one-way variances and the two-way standard error', () => {
    const r = clusteredRatioContrast(cells, [1]);
    expect(r.estimate).toBeCloseTo(4 / 3, 14);
    expect(r.varDay).toBeCloseTo(1 / 81, 14);
    expect(r.varSymbol).toBeCloseTo(4 / 9, 14);
    expect(r.se).toBeCloseTo(Math.sqrt(65 / 243), 14);
    expect(r.fellBack).toBe(false);
    expect([r.days, r.symbols, r.df]).toEqual([2, 2, 1]);
  });
  it('a router and its identical twin on the same days: the shared day and symbol shocks cancel in the contrast', () => {
    const twin = cells.map((c) => ({ ...c, term: 1 }));
    const r = clusteredRatioContrast([...cells, ...twin], [1, -1]);
    expect(r.estimate).toBe(0);
    expect(r.se).toBeLessThan(1e-12);
    // Treated as independent samples, the same data would claim a spread of √2 × the one-sample error.
    expect(Math.sqrt(2) * clusteredRatioContrast(cells, [1]).se).toBeGreaterThan(0.5);
  });
  it('a fixed number subtracted (one term) leaves the standard error unchanged', () => {
    const scaled = cells.map((c) => ({ ...c, y: c.y * 3 }));
    expect(clusteredRatioContrast(scaled, [1]).se).toBeCloseTo(3 * Math.sqrt(65 / 243), 12);
  });
});

describe('day bootstrap', () => {
  const days = Array.from({ length: 20 }, (_, i) => `d${i}`);
  const x = days.map((_, i) => i + 1);
  const mean = (w: Float64Array): number => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < w.length; i++) {
      s += (w[i] as number) * (x[i] as number);
      n += w[i] as number;
    }
    return s / n;
  };
  it('is reproducible with a seed and differs with another', () => {
    const a = dayBootstrap(days, mean, { replicates: 50, seed: 7 });
    const b = dayBootstrap(days, mean, { replicates: 50, seed: 7 });
    const c = dayBootstrap(days, mean, { replicates: 50, seed: 8 });
    expect(a.replicates).toEqual(b.replicates);
    expect(a.replicates).not.toEqual(c.replicates);
  });
  it('SE of a mean of 1..20 matches the textbook plug-in value σ/√n = √(399/12/20) = 1.2894', () => {
    const r = dayBootstrap(days, mean, { replicates: 4000, seed: 1 });
    expect(r.se).toBeGreaterThan(1.2894 * 0.95);
    expect(r.se).toBeLessThan(1.2894 * 1.05);
  });
  it('the generator is uniform enough: mean of 10 000 draws within 0.01 of 1/2', () => {
    const r = seededRandom(3);
    let s = 0;
    for (let i = 0; i < 10_000; i++) s += r();
    expect(Math.abs(s / 10_000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('minimum detectable difference', () => {
  it('(z₀.₉₅ + z₀.₈₀)·se for large df: (1.6449 + 0.8416)·2 from a normal table', () => {
    expect(minimumDetectableDifference(2, 1e7, 0.05, 0.8)).toBeCloseTo(2 * (1.6449 + 0.8416), 3);
  });
  it('with 10 df uses t: (1.812 + 0.879)·1 from a t table', () => {
    expect(minimumDetectableDifference(1, 10, 0.05, 0.8)).toBeCloseTo(1.812 + 0.879, 2);
  });
});

describe('concentration and quantiles', () => {
  it('Herfindahl index by hand', () => {
    expect(hhi([50, 50])).toBeCloseTo(5000, 9);
    expect(hhi([7])).toBeCloseTo(10000, 9);
    expect(hhi([1, 1, 1, 1])).toBeCloseTo(2500, 9);
    expect(hhi([60, 30, 10])).toBeCloseTo(3600 + 900 + 100, 9);
  });
  it('p95 of 1..1000 ms read from the 1 % log bins is 950 ms within 1 %', () => {
    const bins = new Map<number, number>();
    for (let ms = 1; ms <= 1000; ms++) {
      const b = Math.floor(Math.log1p(ms) / FILL_TIME_BIN_WIDTH);
      bins.set(b, (bins.get(b) ?? 0) + 1);
    }
    const own: FillTimeBin[] = [...bins].map(([bin, n]) => ({ source: 'a', trade_date: 'd', order_category: 'market', bin, n }));
    const bench: FillTimeBin[] = [
      { source: 'b', trade_date: 'd', order_category: 'market', bin: Math.floor(Math.log1p(60) / FILL_TIME_BIN_WIDTH), n: 5 },
    ];
    const r = quantileContrast(own, bench, 0.95, { replicates: 50, seed: 1 });
    expect(Math.abs(r.est - 950) / 950).toBeLessThan(0.01);
    expect(Math.abs(r.bench - 60) / 60).toBeLessThan(0.011);
  });
});

describe('matched PFOF cells', () => {
  const v = (over: Partial<VenueCell>): VenueCell => ({
    source: 's',
    trade_date: 'd1',
    symbol: 'A',
    size_bucket: '0',
    tod_bucket: '1',
    venue: 'XNAS',
    pfof_venue: false,
    shares: 0,
    covered_shares: 0,
    pi_amount: 0,
    ...over,
  });
  it('weights each matched cell by its PFOF shares and ignores cells with one kind of venue', () => {
    const cells = [
      v({ venue: 'WHSA', pfof_venue: true, covered_shares: 100, pi_amount: 0.1 }), // cell A/0/1: PFOF 0.001
      v({ covered_shares: 300, pi_amount: 0.9 }), // non-PFOF 0.003
      v({ symbol: 'B', venue: 'WHSA', pfof_venue: true, covered_shares: 500, pi_amount: -5 }), // unmatched
      v({ symbol: 'C', venue: 'WHSA', pfof_venue: true, covered_shares: 200, pi_amount: 0.4 }), // PFOF 0.002
      v({ symbol: 'C', covered_shares: 100, pi_amount: 0.2 }), // non-PFOF 0.002
    ];
    const m = matchedCells(cells);
    // gap = (100·(0.001 − 0.003) + 200·(0.002 − 0.002)) / 300
    expect(m.matched).toBe(2);
    expect(m.pfofShares).toBe(300);
    expect(m.gap).toBeCloseTo(-0.2 / 300, 12);
    expect(m.pfof).toBeCloseTo(0.5 / 300, 12);
    expect(m.other).toBeCloseTo(0.7 / 300, 12);
  });
});
