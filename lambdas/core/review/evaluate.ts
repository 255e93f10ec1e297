/**
 * Threshold evaluation: every rule × source × matching review_metrics row becomes one outcome with
 * its benchmark, gap, one-sided test, confidence bound and status. A breach needs both a gap beyond
 * the tolerance in the rule's direction and p < α (docs/review.md, metrics.md "Reviews, thresholds,
 * breaches"). Pure: rows in, outcomes out.
 */
import type { ThresholdRule, Thresholds } from '../../shared/config';
import { GROUP_COLUMNS, type GroupColumn, type GroupValues, type MetricName, type ReviewMetricRow } from '../../shared/metrics';
import { METRIC_KINDS, proportionN } from './metric-info';
import { type Direction, median, type OneSidedTest, oneSampleT, type Sample, welchT } from './stats';

export type OutcomeStatus = 'breach' | 'pass' | 'not_significant' | 'insufficient_sample' | 'no_data';
export type TestKind = 't' | 'welch' | 'proportion' | 'two_proportion' | 'none';
export type BenchmarkKind = 'value' | 'peer' | 'prior' | 'median';
export type Severity = ThresholdRule['severity'];

/**
 * One rule applied to one source and one group row. Flat, so it is also a row of review_breaches.
 * The group columns (GroupValues) are the row tested's; '' when no row matched (status no_data).
 */
export interface RuleOutcome extends GroupValues {
  period: string;
  rule_id: string;
  metric: MetricName;
  source: string;
  direction: Direction;
  status: OutcomeStatus;
  value: number | null;
  benchmark: number | null;
  benchmark_kind: BenchmarkKind;
  /** Where the benchmark came from, readable: "fixed", "peer firm", "prior 2026Q2", "median of 3 sources". */
  benchmark_ref: string;
  /** value − benchmark. */
  difference: number | null;
  tolerance: number;
  /** Confidence level of the one-sided bound (1 − α). */
  confidence: number;
  /** One-sided bound on the difference: (−∞, ci_upper] for `below` rules, [ci_lower, +∞) for `above`. */
  ci_lower: number | null;
  ci_upper: number | null;
  /** One-sided p-value of this test alone. */
  p_value: number | null;
  /** p-value after the multiple-testing adjustment (Holm within rule × source); equals p_value without one. */
  p_adjusted: number | null;
  /** Tests in the family the adjustment ran over (1 without one). */
  family_size: number;
  alpha: number;
  test: TestKind;
  df: number | null;
  n_orders: number | null;
  n_eff: number | null;
  benchmark_n_orders: number | null;
  benchmark_n_eff: number | null;
  min_orders: number;
  severity: Severity;
  action: string;
  /** Why the status is what it is, when it is not self-evident. */
  note: string;
}

/** Column order of review_breaches (Parquet, CSV) and of outcome tables. */
export const OUTCOME_COLUMNS = [
  'period',
  'rule_id',
  'metric',
  'source',
  ...GROUP_COLUMNS,
  'direction',
  'status',
  'value',
  'benchmark',
  'benchmark_kind',
  'benchmark_ref',
  'difference',
  'tolerance',
  'confidence',
  'ci_lower',
  'ci_upper',
  'p_value',
  'p_adjusted',
  'family_size',
  'alpha',
  'test',
  'df',
  'n_orders',
  'n_eff',
  'benchmark_n_orders',
  'benchmark_n_eff',
  'min_orders',
  'severity',
  'action',
  'note',
] as const satisfies readonly (keyof RuleOutcome)[];

export interface EvaluateInput {
  period: string;
  current: readonly ReviewMetricRow[];
  /** The prior period's review_metrics (for `{prior: true}` benchmarks). */
  prior?: readonly ReviewMetricRow[];
  thresholds: Thresholds;
  /** Restrict the sources tested (benchmarks still use every source); empty or absent = all. */
  sources?: readonly string[];
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

const groupKey = (r: Pick<ReviewMetricRow, GroupColumn>): string =>
  `${r.symbol}\u0001${r.order_category}\u0001${r.venue}\u0001${r.size_bucket}\u0001${r.sp500}`;

/** Rows indexed for the lookups a benchmark needs: one string key per row (metric + group), then source. */
class RowIndex {
  private readonly byMetricGroup = new Map<string, Map<string, ReviewMetricRow>>();
  private readonly byMetric = new Map<string, ReviewMetricRow[]>();
  readonly sources: string[];

  constructor(rows: readonly ReviewMetricRow[]) {
    const sources = new Set<string>();
    for (const r of rows) {
      sources.add(r.source);
      const k = `${r.metric}\u0002${groupKey(r)}`;
      let bySource = this.byMetricGroup.get(k);
      if (!bySource) {
        bySource = new Map();
        this.byMetricGroup.set(k, bySource);
      }
      bySource.set(r.source, r);
      const list = this.byMetric.get(r.metric);
      if (list) list.push(r);
      else this.byMetric.set(r.metric, [r]);
    }
    this.sources = [...sources].sort();
  }

  get(source: string, metric: string, g: Pick<ReviewMetricRow, GroupColumn>): ReviewMetricRow | undefined {
    return this.byMetricGroup.get(`${metric}\u0002${groupKey(g)}`)?.get(source);
  }

  /** Every source's row of the same metric and group. */
  peers(metric: string, g: Pick<ReviewMetricRow, GroupColumn>): ReviewMetricRow[] {
    return [...(this.byMetricGroup.get(`${metric}\u0002${groupKey(g)}`)?.values() ?? [])];
  }

  rowsOf(metric: string): readonly ReviewMetricRow[] {
    return this.byMetric.get(metric) ?? [];
  }
}

/** A group column the rule names must equal the row's value ('*' = only the "all" rows); one it leaves out matches any value. */
export function matchesGroup(rule: Pick<ThresholdRule, 'group'>, row: Pick<ReviewMetricRow, GroupColumn>): boolean {
  return GROUP_COLUMNS.every((c) => {
    const want = rule.group[c];
    return want === undefined || want === row[c];
  });
}

/** Sources a rule tests: its `sources`, else every source in the run except its benchmark peer. */
export function ruleSources(rule: ThresholdRule, runSources: readonly string[]): string[] {
  if (rule.sources) return [...rule.sources];
  const peer = 'peer' in rule.benchmark ? rule.benchmark.peer : undefined;
  return runSources.filter((s) => s !== peer);
}

export const alphaOf = (rule: ThresholdRule, thresholds: Thresholds): number => rule.significance ?? thresholds.significance;

/** Evaluates every rule; outcomes come in rule order, then source, then group. */
export function evaluateThresholds(input: EvaluateInput): RuleOutcome[] {
  const current = new RowIndex(input.current);
  const prior = new RowIndex(input.prior ?? []);
  const only = input.sources && input.sources.length > 0 ? new Set(input.sources) : undefined;
  const out: RuleOutcome[] = [];
  for (const rule of input.thresholds.rules) {
    const alpha = alphaOf(rule, input.thresholds);
    const bySource = new Map<string, ReviewMetricRow[]>();
    for (const r of current.rowsOf(rule.metric)) {
      if (!matchesGroup(rule, r)) continue;
      const list = bySource.get(r.source);
      if (list) list.push(r);
      else bySource.set(r.source, [r]);
    }
    for (const source of ruleSources(rule, current.sources)) {
      if (only && !only.has(source)) continue;
      const rows = (bySource.get(source) ?? []).sort((a, b) => compareGroups(a, b));
      if (rows.length === 0) {
        out.push(noRow(input.period, rule, source, alpha));
        continue;
      }
      const family = rows.map((row) => evaluateRow({ period: input.period, rule, alpha, row, current, prior }));
      adjustFamily(family, input.thresholds.multiple_testing ?? 'none');
      out.push(...family);
    }
  }
  return out;
}

function compareGroups(a: Pick<ReviewMetricRow, GroupColumn>, b: Pick<ReviewMetricRow, GroupColumn>): number {
  for (const c of GROUP_COLUMNS) {
    // '*' (all) sorts first, so the aggregate row leads its breakdown.
    if (a[c] !== b[c]) return a[c] === '*' ? -1 : b[c] === '*' ? 1 : a[c] < b[c] ? -1 : 1;
  }
  return 0;
}

function base(period: string, rule: ThresholdRule, source: string, alpha: number): RuleOutcome {
  return {
    period,
    rule_id: rule.id,
    metric: rule.metric,
    source,
    symbol: '',
    order_category: '',
    venue: '',
    size_bucket: '',
    sp500: '',
    direction: rule.direction,
    status: 'no_data',
    value: null,
    benchmark: null,
    benchmark_kind: benchmarkKind(rule),
    benchmark_ref: '',
    difference: null,
    tolerance: rule.tolerance,
    confidence: 1 - alpha,
    ci_lower: null,
    ci_upper: null,
    p_value: null,
    p_adjusted: null,
    family_size: 1,
    alpha,
    test: 'none',
    df: null,
    n_orders: null,
    n_eff: null,
    benchmark_n_orders: null,
    benchmark_n_eff: null,
    min_orders: rule.min_orders,
    severity: rule.severity,
    action: rule.action,
    note: '',
  };
}

function benchmarkKind(rule: ThresholdRule): BenchmarkKind {
  const b = rule.benchmark;
  return 'value' in b ? 'value' : 'peer' in b ? 'peer' : 'prior' in b ? 'prior' : 'median';
}

function noRow(period: string, rule: ThresholdRule, source: string, alpha: number): RuleOutcome {
  const o = base(period, rule, source, alpha);
  for (const c of GROUP_COLUMNS) o[c] = rule.group[c] ?? '';
  o.note = `no ${rule.metric} row for this source and group: the metric SQL produced none (no orders of this kind?)`;
  return o;
}

interface Benchmark {
  value: number;
  ref: string;
  /** The benchmark's own row, when it is a sample (peer, prior). */
  row?: ReviewMetricRow;
}

type BenchmarkResult =
  | { ok: true; value: Benchmark }
  | { ok: false; status: 'no_data' | 'insufficient_sample'; note: string; row?: ReviewMetricRow; ref?: string };

function resolveBenchmark(rule: ThresholdRule, row: ReviewMetricRow, current: RowIndex, prior: RowIndex): BenchmarkResult {
  const b = rule.benchmark;
  if ('value' in b) return { ok: true, value: { value: b.value, ref: 'fixed' } };
  if ('median' in b) {
    // The other sources only: with the tested source in the median, two sources would halve every gap.
    const others = current
      .peers(rule.metric, row)
      .filter((r) => r.source !== row.source && r.value !== null && Number.isFinite(r.value) && r.n_orders >= rule.min_orders);
    if (others.length === 0) {
      return {
        ok: false,
        status: 'no_data',
        note: `no other source has ${rule.metric} for this group with at least ${rule.min_orders} orders`,
      };
    }
    const names = others.map((r) => r.source).sort();
    const ref = `median of ${others.length} (${names.join(', ')})`;
    const middle = medianRow(others);
    // The median of other sources is itself an estimate: carry its sampling error into the test
    // (Welch), or a noisy peer figure would be treated as exact and breach on chance.
    return { ok: true, value: { value: median(others.map((r) => r.value as number)), ref, ...(middle ? { row: middle } : {}) } };
  }
  const [ref, found, where] =
    'peer' in b
      ? [`peer ${b.peer}`, current.get(b.peer, rule.metric, row), `peer ${b.peer}`]
      : ['prior period', prior.get(row.source, rule.metric, row), 'the prior period'];
  if (!found || found.value === null || !Number.isFinite(found.value)) {
    return { ok: false, status: 'no_data', note: `${where} has no ${rule.metric} value for this group` };
  }
  const label = 'peer' in b ? ref : `prior ${found.period}`;
  if (found.n_orders < rule.min_orders) {
    return {
      ok: false,
      status: 'insufficient_sample',
      note: `benchmark (${label}) rests on ${found.n_orders} orders < min_orders ${rule.min_orders}: not tested, not a pass`,
      row: found,
      ref: label,
    };
  }
  return { ok: true, value: { value: found.value, ref: label, row: found } };
}

/**
 * The benchmark row of a median over other sources: the middle source's own row (odd count), or
 * for an even count the mean of the two middle rows with the variance of that mean
 * ((s₁²/n₁ + s₂²/n₂)/4), expressed as a row with n = n₁ + n₂. Undefined when a row lacks its spread.
 */
export function medianRow(rows: readonly ReviewMetricRow[]): ReviewMetricRow | undefined {
  const sorted = [...rows].sort((a, b) => (a.value as number) - (b.value as number));
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid];
  const lo = sorted[mid - 1] as ReviewMetricRow;
  const hi = sorted[mid] as ReviewMetricRow;
  if (lo.std_dev === null || hi.std_dev === null || lo.n_eff === null || hi.n_eff === null) return undefined;
  const n = lo.n_eff + hi.n_eff;
  const varOfMean = (lo.std_dev ** 2 / lo.n_eff + hi.std_dev ** 2 / hi.n_eff) / 4;
  return {
    ...lo,
    source: `median(${lo.source},${hi.source})`,
    value: ((lo.value as number) + (hi.value as number)) / 2,
    std_dev: Math.sqrt(varOfMean * n),
    n_eff: n,
    n_orders: lo.n_orders + hi.n_orders,
    n_executions: lo.n_executions + hi.n_executions,
  };
}

/** The sample a test uses for a row: its own std_dev/n_eff (t), or a proportion's 0/1 spread (proportion). */
export function rowSample(row: ReviewMetricRow, kind: 't' | 'proportion'): Sample | null {
  if (row.value === null) return null;
  if (kind === 't') {
    if (row.std_dev === null || row.n_eff === null || !Number.isFinite(row.std_dev) || !Number.isFinite(row.n_eff)) return null;
    return { mean: row.value, sd: row.std_dev, n: row.n_eff };
  }
  const n = proportionN(row);
  if (n === null) return null;
  const p = Math.min(1, Math.max(0, row.value / 100));
  // A percentage of counts is the mean of 0/1 outcomes (×100): its SD is 100·√(p(1−p)).
  return { mean: row.value, sd: 100 * Math.sqrt(p * (1 - p)), n };
}

/**
 * The test 'auto' picks for a row: t for means (and for percentages whose row carries the 0/1
 * spread), proportion for percentages without one, none for quantiles, ratios, counts and indices,
 * whose std_dev (if any) describes the underlying values, not the figure's sampling error.
 */
export function autoTestKind(row: ReviewMetricRow): 't' | 'proportion' | 'none' {
  const kind = METRIC_KINDS[row.metric];
  const hasSpread = row.std_dev !== null && row.n_eff !== null;
  if (kind === 'mean') return hasSpread ? 't' : 'none';
  if (kind === 'proportion') return hasSpread ? 't' : proportionN(row) !== null ? 'proportion' : 'none';
  return 'none';
}

function testKindFor(rule: ThresholdRule, row: ReviewMetricRow): 't' | 'proportion' | 'none' {
  const asked = rule.test ?? 'auto';
  return asked === 'auto' ? autoTestKind(row) : asked;
}

/** A gap strictly beyond the tolerance, ignoring binary-rounding dust (0.0009 − 0.0012 is not < −0.0003). */
function beyond(gap: number, tolerance: number, scale: number): boolean {
  return gap - tolerance > 1e-12 * Math.max(1, scale);
}

function evaluateRow(a: {
  period: string;
  rule: ThresholdRule;
  alpha: number;
  row: ReviewMetricRow;
  current: RowIndex;
  prior: RowIndex;
}): RuleOutcome {
  const { rule, row, alpha } = a;
  const o = base(a.period, rule, row.source, alpha);
  for (const c of GROUP_COLUMNS) o[c] = row[c];
  o.n_orders = row.n_orders;
  o.n_eff = row.n_eff;
  o.value = row.value !== null && Number.isFinite(row.value) ? row.value : null;
  if (o.value === null) {
    o.note = `${rule.metric} is empty for this group (no covered orders or executions to compute it from)`;
    return o;
  }
  const bench = resolveBenchmark(rule, row, a.current, a.prior);
  const shown: Benchmark | undefined = bench.ok
    ? bench.value
    : bench.row && bench.row.value !== null
      ? { value: bench.row.value, ref: bench.ref ?? '', row: bench.row }
      : undefined;
  if (shown) {
    o.benchmark = shown.value;
    o.benchmark_ref = shown.ref;
    o.benchmark_n_orders = shown.row?.n_orders ?? null;
    o.benchmark_n_eff = shown.row?.n_eff ?? null;
    o.difference = o.value - shown.value;
  }
  // The tested row's own sample comes first: a small sample is never tested, whatever the benchmark.
  if (row.n_orders < rule.min_orders) {
    o.status = 'insufficient_sample';
    o.note = `${row.n_orders} orders < min_orders ${rule.min_orders}: not tested, not a pass`;
    return o;
  }
  if (!bench.ok) {
    o.status = bench.status;
    o.note = bench.note;
    return o;
  }
  const b = bench.value;
  const difference = o.value - b.value;
  const gapBeyond = beyond(
    (rule.direction === 'below' ? -1 : 1) * difference,
    rule.tolerance,
    Math.max(Math.abs(o.value), Math.abs(b.value)),
  );

  const kind = testKindFor(rule, row);
  if (kind === 'none') {
    o.status = gapBeyond ? 'breach' : 'pass';
    o.note = `deterministic comparison (no test): ${rule.metric} is a ${METRIC_KINDS[rule.metric]}${METRIC_KINDS[rule.metric] === 'mean' ? ' without std_dev' : ''}; the observed gap decides`;
    return o;
  }
  const sample = rowSample(row, kind);
  if (!sample) {
    o.status = 'no_data';
    o.note =
      kind === 't'
        ? `the rule asks for a t-test but the row has no std_dev/n_eff`
        : `${rule.metric} is not a percentage of counts: no proportion test`;
    return o;
  }
  if (!(sample.n >= 2)) {
    o.status = 'insufficient_sample';
    o.note = `effective sample size ${sample.n} < 2: no test possible`;
    return o;
  }
  const margin = rule.null_hypothesis === 'within_tolerance' ? rule.tolerance : 0;
  const benchSample = b.row ? rowSample(b.row, kind) : null;
  let t: OneSidedTest;
  if (benchSample && benchSample.n >= 2) {
    t = welchT(sample, benchSample, rule.direction, alpha, margin);
    o.test = kind === 't' ? 'welch' : 'two_proportion';
  } else {
    t = oneSampleT(sample, b.value, rule.direction, alpha, margin);
    o.test = kind === 't' ? 't' : 'proportion';
    if (b.row) o.note = 'benchmark row has no usable spread: tested against its value as a fixed number';
  }
  if (kind === 'proportion') o.n_eff = sample.n;
  o.p_value = t.p;
  o.df = t.df;
  o.ci_lower = t.ciLower;
  o.ci_upper = t.ciUpper;
  // Final for a pass; a gap beyond tolerance is decided in adjustFamily, after any multiple-testing adjustment.
  o.status = !gapBeyond ? 'pass' : t.p < alpha ? 'breach' : 'not_significant';
  return o;
}

/**
 * Holm's step-down adjustment: with p-values sorted p(1) ≤ … ≤ p(m), p̃(i) = max over j ≤ i of
 * min(1, (m − j + 1)·p(j)). Rejecting where p̃ < α keeps the family-wise error rate at α under any
 * dependence (the aggregate row and its breakdowns are not independent).
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Sets p_adjusted and family_size, and re-decides the tested outcomes whose gap is beyond tolerance. */
function adjustFamily(family: RuleOutcome[], method: 'none' | 'holm'): void {
  const tested = family.filter((o) => o.p_value !== null);
  const adjusted = method === 'holm' ? holm(tested.map((o) => o.p_value as number)) : tested.map((o) => o.p_value as number);
  tested.forEach((o, i) => {
    o.p_adjusted = adjusted[i] as number;
    o.family_size = method === 'holm' ? tested.length : 1;
    if (o.status !== 'breach' && o.status !== 'not_significant') return;
    o.status = o.p_adjusted < o.alpha ? 'breach' : 'not_significant';
    o.note =
      o.status === 'breach'
        ? ''
        : `gap beyond tolerance but p = ${fmtP(o.p_value as number)}${method === 'holm' ? ` (Holm-adjusted over ${tested.length} tests: ${fmtP(o.p_adjusted)})` : ''} ≥ α = ${o.alpha}: could be noise`;
  });
}

const fmtP = (p: number): string => (p < 1e-4 ? '<0.0001' : p.toPrecision(2));

/** The highest severity among breaches, or 'none'. */
export function highestSeverity(outcomes: readonly RuleOutcome[]): Severity | 'none' {
  let best: Severity | 'none' = 'none';
  for (const o of outcomes) {
    if (o.status !== 'breach') continue;
    if (best === 'none' || SEVERITY_RANK[o.severity] > SEVERITY_RANK[best]) best = o.severity;
  }
  return best;
}

/** Every source in the outcomes with its breach count (sorted by source). */
export function breachCounts(outcomes: readonly RuleOutcome[]): { source: string; breaches: number; evaluated: number }[] {
  const m = new Map<string, { breaches: number; evaluated: number }>();
  for (const o of outcomes) {
    const e = m.get(o.source) ?? { breaches: 0, evaluated: 0 };
    if (o.status === 'breach') e.breaches++;
    if (o.status === 'breach' || o.status === 'pass' || o.status === 'not_significant') e.evaluated++;
    m.set(o.source, e);
  }
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([source, e]) => ({ source, ...e }));
}
