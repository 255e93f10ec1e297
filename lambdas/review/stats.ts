/**
 * One-sided tests on summary statistics (mean, standard deviation, effective sample size), so a
 * threshold test never needs the per-order rows. The t distribution comes from @stdlib, a
 * maintained numerical library: nothing here approximates a distribution by hand.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Summary of one sample: its mean, standard deviation and (effective) size. */
export interface Sample {
  mean: number;
  sd: number;
  n: number;
}

/** `below`: values under the benchmark are worse; `above`: values over it are worse. */
export type Direction = 'below' | 'above';

export interface OneSidedTest {
  /** 't' for a one-sample test against a fixed benchmark, 'welch' for two samples. */
  kind: 't' | 'welch';
  /** value − benchmark (sample mean − benchmark, or mean₁ − mean₂). */
  difference: number;
  /** Standard error of the difference. */
  se: number;
  /** Test statistic (t), null when the standard error is zero. */
  statistic: number | null;
  /** Degrees of freedom (Welch–Satterthwaite for two samples), null when the standard error is zero. */
  df: number | null;
  /** One-sided p-value of H0 "the gap in the worse direction is at most `margin`". */
  p: number;
  /**
   * One-sided confidence bound for the difference at `confidence`: an upper bound when lower values
   * are worse (the interval is (−∞, upper]), a lower bound when higher values are worse.
   */
  ciLower: number | null;
  ciUpper: number | null;
  confidence: number;
}

/** Degrees of freedom of Welch's two-sample t (Welch–Satterthwaite). */
export function welchDf(a: Sample, b: Sample): number {
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  return (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
}

/** P(T ≥ t) for Student's t with `df` degrees of freedom (the upper tail, computed as a lower one for accuracy). */
export function upperTail(t: number, df: number): number {
  return tCdf(-t, df);
}

/** The `p` quantile of Student's t with `df` degrees of freedom. */
export function tCritical(p: number, df: number): number {
  return tQuantile(p, df);
}

/**
 * One-sided test of `difference` with standard error `se` and `df` degrees of freedom. `margin` is
 * the gap H0 allows in the worse direction (0: "not worse than the benchmark"; the tolerance:
 * "not worse by more than the tolerance").
 */
function oneSided(
  kind: OneSidedTest['kind'],
  difference: number,
  se: number,
  df: number,
  direction: Direction,
  alpha: number,
  margin: number,
): OneSidedTest {
  const sign = direction === 'below' ? -1 : 1;
  const gap = sign * difference;
  const confidence = 1 - alpha;
  if (!(se > 0)) {
    // No sampling variance (every value identical): the observed gap is the true gap.
    const p = gap > margin ? 0 : 1;
    return {
      kind,
      difference,
      se: 0,
      statistic: null,
      df: null,
      p,
      ciLower: direction === 'above' ? difference : null,
      ciUpper: direction === 'below' ? difference : null,
      confidence,
    };
  }
  const statistic = (gap - margin) / se;
  const q = tCritical(confidence, df);
  return {
    kind,
    difference,
    se,
    statistic,
    df,
    p: upperTail(statistic, df),
    ciLower: direction === 'above' ? difference - q * se : null,
    ciUpper: direction === 'below' ? difference + q * se : null,
    confidence,
  };
}

/** One-sample t: is the sample's mean worse than a fixed benchmark? df = n − 1. */
export function oneSampleT(sample: Sample, benchmark: number, direction: Direction, alpha: number, margin = 0): OneSidedTest {
  const se = sample.sd / Math.sqrt(sample.n);
  return oneSided('t', sample.mean - benchmark, se, sample.n - 1, direction, alpha, margin);
}

/** Welch's two-sample t: is sample `a` worse than sample `b` (unequal variances)? */
export function welchT(a: Sample, b: Sample, direction: Direction, alpha: number, margin = 0): OneSidedTest {
  const se = Math.sqrt((a.sd * a.sd) / a.n + (b.sd * b.sd) / b.n);
  return oneSided('welch', a.mean - b.mean, se, se > 0 ? welchDf(a, b) : Number.NaN, direction, alpha, margin);
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
