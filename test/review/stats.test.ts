import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, oneSampleT, tCritical, upperTail, welchDf, welchT } from '../../lambdas/core/review/stats';

// Closed forms of Student's t CDF for small degrees of freedom: an independent check of @stdlib.
const F1 = (t: number): number => 0.5 + Math.atan(t) / Math.PI;
const F2 = (t: number): number => 0.5 + t / (2 * Math.sqrt(2 + t * t));
const F3 = (t: number): number => 0.5 + (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;

/** A sample's mean in [−1, 1], standard deviation in [sdMin, 1] and size in [3, nMax]. */
const sampleArb = (sdMin: number, nMax: number) =>
  fc.record({
    mean: fc.double({ min: -1, max: 1, noNaN: true }),
    sd: fc.double({ min: sdMin, max: 1, noNaN: true }),
    n: fc.integer({ min: 3, max: nMax }),
  });
const directionArb = fc.constantFrom<'below' | 'above'>('below', 'above');

describe('t distribution (stdlib) against closed forms and tables', () => {
  it('upper tails match the closed forms for 1, 2 and 3 degrees of freedom', () => {
    for (const t of [-3, -1.2, 0, 0.5, 2, 4.5]) {
      expect(upperTail(t, 1)).toBeCloseTo(1 - F1(t), 12);
      expect(upperTail(t, 2)).toBeCloseTo(1 - F2(t), 12);
      expect(upperTail(t, 3)).toBeCloseTo(1 - F3(t), 12);
    }
  });

  it('one-sided 95 % critical values match a printed t table', () => {
    // Table values (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), 3 decimals.
    expect(tCritical(0.95, 1)).toBeCloseTo(6.314, 3);
    expect(tCritical(0.95, 3)).toBeCloseTo(2.353, 3);
    expect(tCritical(0.95, 10)).toBeCloseTo(1.812, 3);
    expect(tCritical(0.95, 30)).toBeCloseTo(1.697, 3);
    expect(tCritical(0.99, 20)).toBeCloseTo(2.528, 3);
  });
});

describe('oneSampleT', () => {
  it('hand-worked: mean 0.0008, sd 0.0004, n 4 vs 0.0012 (below is worse): t = -2, df = 3', () => {
    const r = oneSampleT({ mean: 0.0008, sd: 0.0004, n: 4 }, 0.0012, 'below', 0.05);
    // SE = 0.0004 / √4 = 0.0002; t = (−0.0004)/0.0002 = −2 → p = F3(−2) = 0.5 − (0.4948717 + 0.8570719)/π = 0.069663
    expect(r.se).toBeCloseTo(0.0002, 15);
    expect(r.statistic).toBeCloseTo(2, 12); // statistic is the gap in the worse direction over SE
    expect(r.df).toBe(3);
    expect(r.p).toBeCloseTo(0.069663, 6);
    expect(r.p).toBeCloseTo(F3(-2), 12);
    // Upper bound of the difference: −0.0004 + 2.353363 × 0.0002
    expect(r.ciUpper).toBeCloseTo(-0.0004 + 2.353363 * 0.0002, 9);
    expect(r.ciLower).toBeNull();
  });

  it('direction above mirrors below', () => {
    const r = oneSampleT({ mean: 150, sd: 40, n: 4 }, 110, 'above', 0.05);
    // SE 20, t = 2, df 3: p = 1 − F3(2)
    expect(r.p).toBeCloseTo(1 - F3(2), 12);
    expect(r.ciLower).toBeCloseTo(40 - 2.353363 * 20, 4);
    expect(r.ciUpper).toBeNull();
  });

  it('a margin (tolerance in H0) shifts the statistic', () => {
    const r = oneSampleT({ mean: 0.0008, sd: 0.0004, n: 4 }, 0.0012, 'below', 0.05, 0.0002);
    // (0.0004 − 0.0002) / 0.0002 = 1 → p = 1 − F3(1)
    expect(r.p).toBeCloseTo(1 - F3(1), 12);
  });

  it('zero spread: the observed gap decides', () => {
    expect(oneSampleT({ mean: 1, sd: 0, n: 50 }, 2, 'below', 0.05).p).toBe(0);
    expect(oneSampleT({ mean: 3, sd: 0, n: 50 }, 2, 'below', 0.05).p).toBe(1);
  });
});

describe('welchT', () => {
  it('hand-worked: equal n = 2 and sd = 0.1 gives df = 2 exactly', () => {
    const a = { mean: 0.5, sd: 0.1, n: 2 };
    const b = { mean: 0.7, sd: 0.1, n: 2 };
    // va = vb = 0.005; SE = 0.1; t = −2; df = (0.01)² / (2 × 0.005² / 1) = 2
    expect(welchDf(a, b)).toBeCloseTo(2, 12);
    const r = welchT(a, b, 'below', 0.05);
    expect(r.se).toBeCloseTo(0.1, 12);
    expect(r.p).toBeCloseTo(F2(-2), 12); // 0.0917517
    expect(r.p).toBeCloseTo(0.0917517, 6);
    expect(r.ciUpper).toBeCloseTo(-0.2 + 2.919986 * 0.1, 5);
  });

  it('Welch–Satterthwaite df by hand: sd 0.003/n 100 against sd 0.002/n 50', () => {
    const df = welchDf({ mean: 0, sd: 0.003, n: 100 }, { mean: 0, sd: 0.002, n: 50 });
    // (9e-8 + 8e-8)² / ((9e-8)²/99 + (8e-8)²/49) = 2.89e-14 / 2.124316e-16
    expect(df).toBeCloseTo(2.89e-14 / (9e-8 ** 2 / 99 + 8e-8 ** 2 / 49), 9);
    expect(df).toBeCloseTo(136.04, 1);
  });

  it('property: against a benchmark with no spread, Welch equals the one-sample test', () => {
    fc.assert(
      fc.property(sampleArb(0.001, 5000), fc.double({ min: -1, max: 1, noNaN: true }), directionArb, (sample, bench, dir) => {
        const w = welchT(sample, { mean: bench, sd: 0, n: 10 }, dir, 0.05);
        const o = oneSampleT(sample, bench, dir, 0.05);
        expect(w.df).toBeCloseTo(sample.n - 1, 6);
        expect(w.p).toBeCloseTo(o.p, 9);
      }),
    );
  });

  it('property: p < α exactly when the one-sided bound excludes zero', () => {
    fc.assert(
      fc.property(sampleArb(0.01, 500), directionArb, (sample, dir) => {
        const r = oneSampleT(sample, 0, dir, 0.05);
        fc.pre(Math.abs(r.p - 0.05) > 1e-9);
        const excludes = dir === 'below' ? (r.ciUpper as number) < 0 : (r.ciLower as number) > 0;
        expect(r.p < 0.05).toBe(excludes);
      }),
    );
  });
});

describe('median', () => {
  it('odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
