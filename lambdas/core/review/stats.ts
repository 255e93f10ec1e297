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

// ─── Order-level inference robust to dependence within trading day and symbol (docs/review.md) ───

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same bootstrap, on any machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One cell of a ratio estimate: the sums of the numerator (y) and denominator (x) over the orders of
 * one trading day and one symbol (finer cells are fine: only the day and symbol labels matter).
 * `term` says which ratio of the contrast the cell belongs to.
 */
export interface RatioCell {
  term: number;
  day: string;
  symbol: string;
  y: number;
  x: number;
}

export interface ClusteredEstimate {
  /** Σ coef_k · R_k, with R_k = Σy/Σx over term k's cells. */
  estimate: number;
  /** Each term's ratio (NaN when its denominator is 0). */
  ratios: number[];
  /** Two-way clustered standard error (day, symbol). */
  se: number;
  /** Clusters: distinct days and symbols over all terms. */
  days: number;
  symbols: number;
  /** Degrees of freedom of the reference t: min(days, symbols) − 1. */
  df: number;
  /** The one-way variances and whether the two-way one fell back to their maximum (not positive definite). */
  varDay: number;
  varSymbol: number;
  fellBack: boolean;
}

/**
 * A contrast of ratio estimators (e.g. R_source − R_peers, or R_source − a fixed number when there
 * is one term) with a two-way cluster-robust variance by trading day and symbol (Cameron, Gelbach
 * and Miller 2011): V = V_day + V_symbol − V_day∩symbol, each V_g = G/(G−1) Σ_g (Σ_{i∈g} u_i)²,
 * where u_i = coef_k (y_i − R_k x_i)/X_k is the linearised (delta-method) influence of cell i on
 * the contrast. Cells of different terms on the same day enter the same day cluster, so the
 * covariance between a router and its peers on a shared market day is kept, not assumed away.
 * When V is not positive the larger one-way variance is used (their usual fallback).
 */
export function clusteredRatioContrast(cells: readonly RatioCell[], coefs: readonly number[]): ClusteredEstimate {
  const Y = coefs.map(() => 0);
  const X = coefs.map(() => 0);
  for (const c of cells) {
    Y[c.term] = (Y[c.term] as number) + c.y;
    X[c.term] = (X[c.term] as number) + c.x;
  }
  const ratios = coefs.map((_, k) => ((X[k] as number) > 0 ? (Y[k] as number) / (X[k] as number) : Number.NaN));
  const estimate = coefs.reduce((s, c, k) => s + c * (ratios[k] as number), 0);
  const byDay = new Map<string, number>();
  const bySym = new Map<string, number>();
  const byBoth = new Map<string, number>();
  for (const c of cells) {
    const k = c.term;
    const Xk = X[k] as number;
    if (!(Xk > 0)) continue;
    const u = ((coefs[k] as number) * (c.y - (ratios[k] as number) * c.x)) / Xk;
    byDay.set(c.day, (byDay.get(c.day) ?? 0) + u);
    bySym.set(c.symbol, (bySym.get(c.symbol) ?? 0) + u);
    const both = `${c.day}\u0001${c.symbol}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + u);
  }
  const v = (m: Map<string, number>): number => {
    const g = m.size;
    if (g < 2) return 0;
    let s = 0;
    for (const x of m.values()) s += x * x;
    return (g / (g - 1)) * s;
  };
  const varDay = v(byDay);
  const varSymbol = v(bySym);
  const twoWay = varDay + varSymbol - v(byBoth);
  const fellBack = !(twoWay > 0);
  const variance = fellBack ? Math.max(varDay, varSymbol) : twoWay;
  const days = byDay.size;
  const symbols = bySym.size;
  return {
    estimate,
    ratios,
    se: Math.sqrt(variance),
    days,
    symbols,
    df: Math.max(1, Math.min(days, symbols) - 1),
    varDay,
    varSymbol,
    fellBack,
  };
}

/**
 * A one-sided test of an estimate with standard error `se` on `df` degrees of freedom (the
 * clustered or bootstrap counterpart of oneSampleT). Exported for the findings engine.
 */
export function testEstimate(estimate: number, se: number, df: number, direction: Direction, alpha: number, margin = 0): OneSidedTest {
  return oneSided('t', estimate, se, df, direction, alpha, margin);
}

/**
 * The smallest gap in the worse direction a one-sided level-`alpha` test detects with probability
 * `power`, for an estimate with standard error `se` on `df` degrees of freedom:
 * (t_{1−α} + t_{power}) · se.
 */
export function minimumDetectableDifference(se: number, df: number, alpha: number, power = 0.8): number {
  if (!(se > 0)) return 0;
  return (tCritical(1 - alpha, df) + tCritical(power, df)) * se;
}

/**
 * Cluster bootstrap over trading days: `replicates` draws of as many days as there are, with
 * replacement; `stat` receives each day's multiplicity (0, 1, 2, …; aligned with `days`) and
 * returns the statistic of the resampled quarter (NaN if undefined; such draws are skipped).
 * Every source is resampled on the same drawn days, which keeps their shared-market-day
 * correlation. Seeded: the same seed gives the same replicates.
 */
export function dayBootstrap(
  days: readonly string[],
  stat: (weights: Float64Array) => number,
  opts: { replicates: number; seed: number },
): { replicates: number[]; se: number } {
  const rnd = seededRandom(opts.seed);
  const d = days.length;
  const w = new Float64Array(d);
  const out: number[] = [];
  for (let b = 0; b < opts.replicates; b++) {
    w.fill(0);
    for (let i = 0; i < d; i++) {
      const j = Math.floor(rnd() * d);
      w[j] = (w[j] as number) + 1;
    }
    out.push(stat(w));
  }
  return { replicates: out, se: sampleSd(out.filter(Number.isFinite)) };
}

/** Sample standard deviation (n − 1); NaN under two values. */
export function sampleSd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = values.reduce((s, x) => s + x, 0) / n;
  return Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
}
