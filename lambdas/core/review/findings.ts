/**
 * Order-level findings (docs/review.md): each finding rule is tested once per source at its
 * headline group, with inference at the order (cluster-robust by trading day and symbol, or a
 * day bootstrap for quantiles and concentration), multiplicity controlled by Holm over every
 * headline test of the source, drill-down tested only behind a breached headline, and the rules
 * of one problem folded into one finding with its customer cost. Pure: cells in, findings out.
 */
import type { FindingRule, FindingsSettings, OrderCellSum } from '../../shared/config';
import {
  type BenchmarkProvenance,
  type DrilldownRow,
  type Finding,
  type FindingStatus,
  type MarketCenterRef,
  type RelatedRule,
  rankFindings,
} from '../../shared/contracts/review';
import { holm } from './evaluate';
import {
  clusteredRatioContrast,
  dayBootstrap,
  minimumDetectableDifference,
  type OneSidedTest,
  type RatioCell,
  testEstimate,
} from './stats';

/** One cell of sql/review/order_cells.sql: sums over the orders of a source, day, symbol, category, size bucket. */
export type OrderCell = {
  source: string;
  trade_date: string;
  symbol: string;
  order_category: string;
  size_bucket: string;
  sp500: string;
} & Record<OrderCellSum, number>;

/** One cell of sql/review/venue_cells.sql: executions of a source at one venue, by day, symbol, size and time of day. */
export interface VenueCell {
  source: string;
  trade_date: string;
  symbol: string;
  size_bucket: string;
  tod_bucket: string;
  venue: string;
  pfof_venue: boolean;
  shares: number;
  covered_shares: number;
  pi_amount: number;
}

/** One bin of sql/review/fill_time_hist.sql: first-fill times binned on ln(1 + ms) in steps of FILL_TIME_BIN_WIDTH. */
export interface FillTimeBin {
  source: string;
  trade_date: string;
  order_category: string;
  bin: number;
  n: number;
}

/** Bin width of fill_time_hist.sql on ln(1 + ms): 1 % relative resolution. */
export const FILL_TIME_BIN_WIDTH = 0.01;

/** One cell of another market center's Rule 605(a)(2) summary (table public_605), values as the file gives them. */
export interface Industry605Row {
  market_center: string;
  month: string;
  order_type: 'M' | 'ML';
  size_bucket: string;
  sp500: string;
  pct_price_improvement: number | null;
  eq_ratio: number | null;
  exec_time_ms: number | null;
  pct_outside_quote: number | null;
  file?: string;
}

export interface FindingsInput {
  period: string;
  cells: readonly OrderCell[];
  venueCells?: readonly VenueCell[];
  fillTimes?: readonly FillTimeBin[];
  /** The previous period's order cells (benchmark `prior`); absent on a first review. */
  priorCells?: readonly OrderCell[];
  priorPeriod?: string;
  industry605?: readonly Industry605Row[];
  settings: FindingsSettings;
  alpha: number;
  /** Thresholds version, recorded in fixed benchmarks' provenance. */
  configVersion: string;
  /** Sources to test (benchmarks still pool every source); absent = all. */
  sources?: readonly string[];
}

/** A headline or drill-down row as evaluated: the rows of review_breaches. */
export interface EvaluatedRow {
  finding_id: string;
  rule_id: string;
  source: string;
  stage: 'headline' | 'drilldown';
  drill_kind: string;
  drill_value: string;
  status: FindingStatus;
  value: number | null;
  benchmark: number | null;
  difference: number | null;
  p_value: number | null;
  p_adjusted: number | null;
  family_size: number;
  ci_lower: number | null;
  ci_upper: number | null;
  n_orders: number;
  df: number | null;
  mdd: number | null;
  note: string;
}

export interface FindingsResult {
  findings: Finding[];
  rows: EvaluatedRow[];
}

/** Order category → Rule 605(a)(2) order type. */
const OES_TYPE: Record<string, 'M' | 'ML' | undefined> = { market: 'M', marketable_limit: 'ML' };

// ─── A rule's headline estimate ──────────────────────────────────────────────

interface Estimate {
  value: number | null;
  benchmark: number | null;
  provenance: BenchmarkProvenance;
  n_orders: number;
  /** Orders behind a sample benchmark (null when fixed). */
  bench_orders: number | null;
  days: number;
  symbols: number;
  /** Standard error of value − benchmark, and its degrees of freedom. */
  se: number | null;
  df: number | null;
  method: Finding['test']['method'];
  ciMethod: Finding['ci']['method'];
  replicates: number;
  /** Set when no test is possible: why. */
  status?: 'insufficient_sample' | 'no_benchmark';
  note: string;
  /** For the cost: the denominator of the source's value and, for fill rates, the shares and spread. */
  denominator: number;
  costBase?: { shares: number; spread: number };
  /** Drill-down groups, computed only behind a breached headline. */
  drill: () => DrillEstimate[];
}

/**
 * The fields every day-bootstrap estimate starts from (quantile, venue HHI, matched PFOF gap):
 * no value or standard error until the bootstrap runs, no drill-down.
 */
function bootstrapEstimate(
  ctx: Ctx,
  fields: Pick<Estimate, 'provenance' | 'n_orders' | 'bench_orders' | 'days' | 'symbols'> & Partial<Estimate>,
): Estimate {
  return {
    value: null,
    benchmark: null,
    se: null,
    df: null,
    method: 'day_bootstrap_se_t',
    ciMethod: 'cluster_bootstrap',
    replicates: ctx.input.settings.bootstrap_replicates,
    note: '',
    denominator: 0,
    drill: () => [],
    ...fields,
  };
}

interface DrillEstimate {
  kind: DrilldownRow['group_kind'];
  value: string;
  est: number | null;
  bench: number | null;
  se: number | null;
  df: number | null;
  n_orders: number;
  denominator: number;
  costBase?: { shares: number; spread: number };
}

const provenance = (p: Partial<BenchmarkProvenance> & Pick<BenchmarkProvenance, 'kind' | 'label'>): BenchmarkProvenance => ({
  sources: [],
  period: null,
  n_orders: null,
  market_centers: [],
  config_version: null,
  note: '',
  ...p,
});

const sum = (cells: readonly OrderCell[], k: OrderCellSum): number => cells.reduce((s, c) => s + c[k], 0);

interface Ctx {
  input: FindingsInput;
  source: string;
  peers: string[];
  rule: FindingRule;
}

/** The benchmark side of a ratio rule: cells of another population (peers, one peer, prior) or a per-cell fixed value. */
type RatioBench =
  | { kind: 'cells'; cells: OrderCell[]; provenance: BenchmarkProvenance }
  | { kind: 'fixed'; value: (c: OrderCell) => number | null; provenance: BenchmarkProvenance }
  | { kind: 'none'; provenance: BenchmarkProvenance; note: string };

function ratioBench(ctx: Ctx, inCats: (c: OrderCell) => boolean): RatioBench {
  const { rule, input, peers, source } = ctx;
  const b = rule.benchmark;
  if ('peers' in b) {
    const cells = input.cells.filter((c) => peers.includes(c.source) && inCats(c));
    const label = peers.length === 1 ? `peer ${peers[0]}` : `peers ${peers.join(', ')} (orders pooled)`;
    if (peers.length === 0)
      return {
        kind: 'none',
        provenance: provenance({ kind: 'peer', label: 'no peer router in this run' }),
        note: 'no other router to compare with',
      };
    return { kind: 'cells', cells, provenance: provenance({ kind: 'peer', label, sources: peers, period: input.period }) };
  }
  if ('peer' in b) {
    const cells = input.cells.filter((c) => c.source === b.peer && inCats(c));
    if (cells.length === 0)
      return {
        kind: 'none',
        provenance: provenance({ kind: 'peer', label: `source ${b.peer}`, sources: [b.peer] }),
        note: `no ${b.peer} orders this period (the firm has no such source in the run)`,
      };
    return {
      kind: 'cells',
      cells,
      provenance: provenance({ kind: 'peer', label: `source ${b.peer}`, sources: [b.peer], period: input.period }),
    };
  }
  if ('prior' in b) {
    const label = `prior period ${input.priorPeriod ?? ''}`.trim();
    if (!input.priorCells)
      return {
        kind: 'none',
        provenance: provenance({ kind: 'prior', label, sources: [source] }),
        note: 'no prior period reviewed at order level: a first review has nothing to decline from',
      };
    const cells = input.priorCells.filter((c) => c.source === source && inCats(c));
    return {
      kind: 'cells',
      cells,
      provenance: provenance({ kind: 'prior', label, sources: [source], period: input.priorPeriod ?? null }),
    };
  }
  if ('value' in b) {
    return {
      kind: 'fixed',
      value: () => b.value,
      provenance: provenance({
        kind: 'fixed',
        label: `fixed ${b.value}: ${b.basis}`,
        config_version: input.configVersion,
        note: b.basis,
      }),
    };
  }
  if ('industry_605' in b) {
    const field = b.industry_605;
    const rows = (input.industry605 ?? []).filter((r) => r[field] !== null && Number.isFinite(r[field]));
    if (rows.length === 0)
      return {
        kind: 'none',
        provenance: provenance({ kind: 'industry_605', label: 'Rule 605 industry (no public_605 rows loaded)' }),
        note: 'no other market center’s Rule 605(a)(2) summary is loaded for this period (dataset rule605)',
      };
    // Median over market centers of each order type × size × S&P 500 cell: one outlying center does not set the bar.
    const byCell = new Map<string, number[]>();
    for (const r of rows) {
      const k = `${r.order_type}|${r.size_bucket}|${r.sp500}`;
      const list = byCell.get(k) ?? [];
      list.push(r[field] as number);
      byCell.set(k, list);
    }
    const med = new Map([...byCell].map(([k, v]) => [k, medianOf(v)]));
    const centers = [...new Set(rows.map((r) => r.market_center))].sort();
    const months = [...new Set(rows.map((r) => r.month))].sort();
    const refs: MarketCenterRef[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const k = `${r.market_center}|${r.month}`;
      if (seen.has(k)) continue;
      seen.add(k);
      refs.push({ market_center: r.market_center, month: r.month, orders: 0, ...(r.file ? { file: r.file } : {}) });
    }
    return {
      kind: 'fixed',
      value: (c) => {
        const t = OES_TYPE[c.order_category];
        const v = t ? med.get(`${t}|${c.size_bucket}|${c.sp500}`) : undefined;
        return v === undefined ? null : v * rule.scale;
      },
      provenance: provenance({
        kind: 'industry_605',
        label: `Rule 605(a)(2) industry: median of ${centers.length} market center(s), ${months[0]}${months.length > 1 ? `..${months[months.length - 1]}` : ''}`,
        market_centers: refs.sort((a, b) => (a.market_center + a.month < b.market_center + b.month ? -1 : 1)),
        note: `${field} per order type × size bucket × S&P 500 cell, weighted by this source's own mix (summary files carry no order counts)`,
      }),
    };
  }
  return { kind: 'none', provenance: provenance({ kind: 'fixed', label: 'none' }), note: 'benchmark not applicable' };
}

function medianOf(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** A ratio contrast of the source's cells against the benchmark, on any subset (headline or one drill-down group). */
function ratioContrast(
  rule: FindingRule,
  own: readonly OrderCell[],
  bench: RatioBench,
  benchCells: readonly OrderCell[],
): {
  est: number | null;
  bench: number | null;
  se: number | null;
  df: number | null;
  days: number;
  symbols: number;
  den: number;
  benchDen: number;
} {
  const num = rule.numerator as OrderCellSum;
  const den = rule.denominator as OrderCellSum;
  const s = rule.scale;
  if (bench.kind === 'fixed') {
    // Matched coverage: only the source's cells the benchmark has a value for.
    const used = own.filter((c) => c[den] > 0 && bench.value(c) !== null);
    const D = sum(used, den);
    if (!(D > 0)) return { est: null, bench: null, se: null, df: null, days: 0, symbols: 0, den: 0, benchDen: 0 };
    const bv = used.reduce((a, c) => a + c[den] * (bench.value(c) as number), 0) / D;
    // The fixed benchmark is a number, not an estimate: the variance is the source's alone.
    const est = clusteredRatioContrast(
      used.map((c) => ({ term: 0, day: c.trade_date, symbol: c.symbol, y: c[num], x: c[den] })),
      [1],
    );
    return { est: s * est.estimate, bench: bv, se: s * est.se, df: est.df, days: est.days, symbols: est.symbols, den: D, benchDen: 0 };
  }
  const rc: RatioCell[] = [];
  for (const c of own) if (c[den] > 0) rc.push({ term: 0, day: c.trade_date, symbol: c.symbol, y: c[num], x: c[den] });
  for (const c of benchCells) if (c[den] > 0) rc.push({ term: 1, day: `b:${c.trade_date}`, symbol: c.symbol, y: c[num], x: c[den] });
  // Peers on the same day share its market: same day cluster. The prior period's days are other days.
  if (bench.provenance.kind !== 'prior') for (const r of rc) if (r.term === 1) r.day = r.day.slice(2);
  const D = sum(own, den);
  const BD = sum(benchCells, den);
  if (!(D > 0) || !(BD > 0))
    return {
      est: D > 0 ? (s * sum(own, num)) / D : null,
      bench: BD > 0 ? (s * sum(benchCells, num)) / BD : null,
      se: null,
      df: null,
      days: 0,
      symbols: 0,
      den: D,
      benchDen: BD,
    };
  const e = clusteredRatioContrast(rc, [1, -1]);
  return {
    est: s * (e.ratios[0] as number),
    bench: s * (e.ratios[1] as number),
    se: s * e.se,
    df: e.df,
    days: e.days,
    symbols: e.symbols,
    den: D,
    benchDen: BD,
  };
}

const distinct = <T>(xs: readonly T[]): number => new Set(xs).size;

function costBaseOf(cells: readonly OrderCell[]): { shares: number; spread: number } {
  const qs = sum(cells, 'quoted_shares');
  return { shares: sum(cells, 'shares'), spread: qs > 0 ? sum(cells, 'qs_qty_amount') / qs : 0 };
}

function estimateRatio(ctx: Ctx): Estimate {
  const { rule, input, source } = ctx;
  const cats = new Set<string>(rule.categories);
  const inCats = (c: OrderCell): boolean => cats.has(c.order_category);
  const own = input.cells.filter((c) => c.source === source && inCats(c));
  const bench = ratioBench(ctx, inCats);
  const benchCells = bench.kind === 'cells' ? bench.cells : [];
  const r = ratioContrast(rule, own, bench, benchCells);
  const n = sum(
    own.filter((c) => c[rule.denominator as OrderCellSum] > 0),
    'orders',
  );
  const base: Estimate = {
    value: r.est,
    benchmark: r.bench,
    provenance: { ...bench.provenance, n_orders: bench.kind === 'cells' ? sum(benchCells, 'orders') : null },
    n_orders: n,
    bench_orders: bench.kind === 'cells' ? sum(benchCells, 'orders') : null,
    days: distinct(own.map((c) => c.trade_date)),
    symbols: distinct(own.map((c) => c.symbol)),
    se: r.se,
    df: r.df,
    method: 'two_way_clustered_t (day, symbol; delta method)',
    ciMethod: 'clustered_se',
    replicates: 0,
    note: '',
    denominator: r.den,
    costBase: costBaseOf(own),
    drill: () => ratioDrill(ctx, own, bench, benchCells, r.bench),
  };
  if (bench.kind === 'none') return { ...base, status: 'no_benchmark', note: bench.note };
  if (r.bench === null)
    return {
      ...base,
      status: bench.kind === 'fixed' ? 'no_benchmark' : 'insufficient_sample',
      note: 'the benchmark has no orders of this kind',
    };
  if (bench.kind === 'cells') {
    const bDays = distinct(benchCells.map((c) => c.trade_date));
    const bOrders = sum(benchCells, 'orders');
    if (bOrders < rule.min_orders || bDays < rule.min_days)
      return {
        ...base,
        status: 'insufficient_sample',
        note: `benchmark rests on ${bOrders} orders over ${bDays} days (< ${rule.min_orders} or < ${rule.min_days} days)`,
      };
  }
  if (n < rule.min_orders || base.days < rule.min_days)
    return {
      ...base,
      status: 'insufficient_sample',
      note: `${n} orders over ${base.days} trading days (< ${rule.min_orders} orders or < ${rule.min_days} days): not tested, not a pass`,
    };
  if (r.se === null) return { ...base, status: 'insufficient_sample', note: 'no variance could be estimated' };
  return base;
}

/** A ratio rule's drill-down groups (symbol, size bucket, day, month; venue from the venue cells). */
function ratioDrill(
  ctx: Ctx,
  own: readonly OrderCell[],
  bench: RatioBench,
  benchCells: readonly OrderCell[],
  headlineBench: number | null,
): DrillEstimate[] {
  const { rule } = ctx;
  const out: DrillEstimate[] = [];
  for (const kind of rule.drilldown) {
    if (kind === 'venue') continue;
    const key = (c: OrderCell): string =>
      kind === 'symbol'
        ? c.symbol
        : kind === 'size_bucket'
          ? c.size_bucket
          : kind === 'trade_date'
            ? c.trade_date
            : c.trade_date.slice(0, 7);
    const groups = new Map<string, OrderCell[]>();
    for (const c of own) {
      const g = groups.get(key(c)) ?? [];
      g.push(c);
      groups.set(key(c), g);
    }
    const benchBy = new Map<string, OrderCell[]>();
    // Daily drill-down of a prior benchmark compares with the whole prior period, not a calendar twin.
    const byKey = bench.kind === 'cells' && !(kind === 'trade_date' && bench.provenance.kind === 'prior');
    for (const c of benchCells) {
      const k = byKey ? key(c) : '*';
      const g = benchBy.get(k) ?? [];
      g.push(c);
      benchBy.set(k, g);
    }
    for (const [value, cells] of groups) {
      const bc = bench.kind === 'cells' ? (byKey ? (benchBy.get(value) ?? []) : benchCells) : [];
      const d = ratioContrast(rule, cells, bench, bc);
      out.push({
        kind,
        value,
        est: d.est,
        bench: d.bench,
        se: d.se,
        df: d.df,
        n_orders: sum(cells, 'orders'),
        denominator: d.den,
        costBase: costBaseOf(cells),
      });
    }
  }
  if (rule.drilldown.includes('venue')) out.push(...venueDrill(ctx, headlineBench));
  return out;
}

/** The source's price improvement per share at each venue, against the headline benchmark (descriptive). */
function venueDrill(ctx: Ctx, benchmark: number | null): DrillEstimate[] {
  const cells = (ctx.input.venueCells ?? []).filter((c) => c.source === ctx.source && c.covered_shares > 0);
  const by = new Map<string, { pi: number; sh: number; days: Set<string> }>();
  for (const c of cells) {
    const e = by.get(c.venue) ?? { pi: 0, sh: 0, days: new Set<string>() };
    e.pi += c.pi_amount;
    e.sh += c.covered_shares;
    e.days.add(c.trade_date);
    by.set(c.venue, e);
  }
  return [...by].map(([venue, e]) => ({
    kind: 'venue' as const,
    value: venue,
    est: e.pi / e.sh,
    bench: benchmark,
    se: null,
    df: null,
    n_orders: 0,
    denominator: e.sh,
  }));
}

/** Persistence: the ratio month by month against the benchmark; "consistently worse" = worse in every month (intersection-union test). */
function estimatePersistence(
  ctx: Ctx,
): Estimate & { monthly: { month: string; test: OneSidedTest | null; est: number | null; bench: number | null; n: number }[] } {
  const headline = estimateRatio({ ...ctx, rule: { ...ctx.rule, drilldown: [] } });
  const cats = new Set<string>(ctx.rule.categories);
  const inCats = (c: OrderCell): boolean => cats.has(c.order_category);
  const own = ctx.input.cells.filter((c) => c.source === ctx.source && inCats(c));
  const bench = ratioBench(ctx, inCats);
  const months = [...new Set(own.map((c) => c.trade_date.slice(0, 7)))].sort();
  const monthly = months.map((m) => {
    const o = own.filter((c) => c.trade_date.startsWith(m));
    const b = bench.kind === 'cells' ? bench.cells.filter((c) => c.trade_date.startsWith(m)) : [];
    const r = ratioContrast(ctx.rule, o, bench, b);
    const t =
      r.est !== null && r.bench !== null && r.se !== null && r.df !== null
        ? testEstimate(r.est - r.bench, r.se, r.df, ctx.rule.direction, ctx.input.alpha)
        : null;
    return { month: m, test: t, est: r.est, bench: r.bench, n: sum(o, 'orders') };
  });
  const drill = monthly.map(
    (m): DrillEstimate => ({
      kind: 'month',
      value: m.month,
      est: m.est,
      bench: m.bench,
      se: m.test?.se ?? null,
      df: m.test?.df ?? null,
      n_orders: m.n,
      denominator: 0,
    }),
  );
  const out = { ...headline, drill: () => drill, monthly, method: 'intersection-union over months (two-way clustered t per month)' };
  if (!headline.status && months.length < 2)
    return { ...out, status: 'insufficient_sample', note: `persistence needs at least two months; this period has ${months.length}` };
  return out;
}

// ─── Bootstrap statistics: quantile, concentration, matched cells ────────────

function histQuantile(bins: readonly number[], counts: Float64Array, q: number): number {
  let total = 0;
  for (const c of counts) total += c;
  if (!(total > 0)) return Number.NaN;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < bins.length; i++) {
    const c = counts[i] as number;
    if (c > 0 && cum + c >= target) {
      // Interpolate inside the bin on ln(1 + ms).
      const frac = (target - cum) / c;
      const lo = (bins[i] as number) * FILL_TIME_BIN_WIDTH;
      return Math.exp(lo + frac * FILL_TIME_BIN_WIDTH) - 1;
    }
    cum += c;
  }
  return Math.exp(((bins[bins.length - 1] as number) + 1) * FILL_TIME_BIN_WIDTH) - 1;
}

/** Quantile of first-fill time from day histograms, source vs pooled benchmark, with a day-bootstrap SE. */
export function quantileContrast(
  own: readonly FillTimeBin[],
  bench: readonly FillTimeBin[],
  q: number,
  opts: { replicates: number; seed: number },
): { est: number; bench: number; se: number; days: string[] } {
  const days = [...new Set([...own, ...bench].map((b) => b.trade_date))].sort();
  const dayIx = new Map(days.map((d, i) => [d, i]));
  const bins = [...new Set([...own, ...bench].map((b) => b.bin))].sort((a, b) => a - b);
  const binIx = new Map(bins.map((b, i) => [b, i]));
  const nb = bins.length;
  const H = [new Float64Array(days.length * nb), new Float64Array(days.length * nb)];
  const put = (rows: readonly FillTimeBin[], h: Float64Array): void => {
    for (const r of rows) {
      const i = (dayIx.get(r.trade_date) as number) * nb + (binIx.get(r.bin) as number);
      h[i] = (h[i] as number) + r.n;
    }
  };
  put(own, H[0] as Float64Array);
  put(bench, H[1] as Float64Array);
  const acc = [new Float64Array(nb), new Float64Array(nb)];
  // Sparse per day: only the occupied bins, so a replicate costs the number of occupied (day, bin) pairs.
  const sparse = H.map((h) =>
    days.map((_, d) => {
      const ix: number[] = [];
      for (let i = 0; i < nb; i++) if ((h[d * nb + i] as number) > 0) ix.push(i);
      return { ix: Int32Array.from(ix), n: Float64Array.from(ix.map((i) => h[d * nb + i] as number)) };
    }),
  );
  const stat = (w: Float64Array | null): number => {
    const qs = [0, 1].map((t) => {
      const a = acc[t] as Float64Array;
      const sp = sparse[t] as { ix: Int32Array; n: Float64Array }[];
      a.fill(0);
      for (let d = 0; d < days.length; d++) {
        const wd = w ? (w[d] as number) : 1;
        if (wd === 0) continue;
        const { ix, n } = sp[d] as { ix: Int32Array; n: Float64Array };
        for (let k = 0; k < ix.length; k++) {
          const i = ix[k] as number;
          a[i] = (a[i] as number) + wd * (n[k] as number);
        }
      }
      return histQuantile(bins, a, q);
    });
    return (qs[0] as number) - (qs[1] as number);
  };
  const point = [0, 1].map((t) => {
    const a = new Float64Array(nb);
    const h = H[t] as Float64Array;
    for (let d = 0; d < days.length; d++) for (let i = 0; i < nb; i++) a[i] = (a[i] as number) + (h[d * nb + i] as number);
    return histQuantile(bins, a, q);
  });
  const boot = dayBootstrap(days, stat, opts);
  return { est: point[0] as number, bench: point[1] as number, se: boot.se, days };
}

function estimateQuantile(ctx: Ctx): Estimate {
  const { rule, input, source, peers } = ctx;
  const cats = new Set<string>(rule.categories);
  const all = (input.fillTimes ?? []).filter((b) => cats.has(b.order_category));
  const own = all.filter((b) => b.source === source);
  const b = rule.benchmark;
  const benchSources = 'peers' in b ? peers : 'peer' in b ? [b.peer] : [];
  const bench = all.filter((x) => benchSources.includes(x.source));
  const prov = provenance({
    kind: 'peer',
    label: benchSources.length ? `${benchSources.length > 1 ? 'peers' : 'peer'} ${benchSources.join(', ')} (orders pooled)` : 'no peer',
    sources: benchSources,
    period: input.period,
  });
  const n = own.reduce((s, x) => s + x.n, 0);
  const days = distinct(own.map((x) => x.trade_date));
  const base = bootstrapEstimate(ctx, {
    provenance: prov,
    n_orders: n,
    bench_orders: bench.reduce((s, x) => s + x.n, 0),
    days,
    symbols: 0,
  });
  if (bench.length === 0)
    return {
      ...base,
      status: 'no_benchmark',
      note: benchSources.length ? 'the benchmark source has no filled orders' : 'no peer router in this run',
    };
  if (own.length === 0) return { ...base, status: 'insufficient_sample', note: 'no filled orders of this kind' };
  const r = quantileContrast(own, bench, rule.quantile as number, {
    replicates: input.settings.bootstrap_replicates,
    seed: input.settings.seed,
  });
  const res: Estimate = {
    ...base,
    value: r.est,
    benchmark: r.bench,
    se: r.se,
    df: Math.max(1, r.days.length - 1),
    provenance: { ...prov, n_orders: base.bench_orders },
  };
  res.drill = () => {
    const out: DrillEstimate[] = [];
    if (rule.drilldown.includes('trade_date')) {
      for (const d of [...new Set(own.map((x) => x.trade_date))].sort()) {
        const o = own.filter((x) => x.trade_date === d);
        const bb = bench.filter((x) => x.trade_date === d);
        const binsO = [...new Set(o.map((x) => x.bin))].sort((a, c) => a - c);
        const cO = new Float64Array(binsO.map((bin) => o.filter((x) => x.bin === bin).reduce((s, x) => s + x.n, 0)));
        const binsB = [...new Set(bb.map((x) => x.bin))].sort((a, c) => a - c);
        const cB = new Float64Array(binsB.map((bin) => bb.filter((x) => x.bin === bin).reduce((s, x) => s + x.n, 0)));
        out.push({
          kind: 'trade_date',
          value: d,
          est: histQuantile(binsO, cO, rule.quantile as number),
          bench: binsB.length ? histQuantile(binsB, cB, rule.quantile as number) : null,
          se: null,
          df: null,
          n_orders: o.reduce((s, x) => s + x.n, 0),
          denominator: 0,
        });
      }
    }
    return out;
  };
  if (n < rule.min_orders || days < rule.min_days)
    return {
      ...res,
      status: 'insufficient_sample',
      note: `${n} filled orders over ${days} days (< ${rule.min_orders} or < ${rule.min_days} days)`,
    };
  return res;
}

/** Herfindahl index (0–10 000) of shares by venue from per-venue totals. */
export function hhi(shares: ArrayLike<number> & Iterable<number>): number {
  let t = 0;
  for (const s of shares) t += s;
  if (!(t > 0)) return Number.NaN;
  let h = 0;
  for (const s of shares) h += ((s / t) * 100) ** 2;
  return h;
}

function estimateHhi(ctx: Ctx): Estimate {
  const { input, source, peers, rule } = ctx;
  const cells = (input.venueCells ?? []).filter((c) => c.shares > 0);
  const who = [source, ...peers];
  const days = [...new Set(cells.filter((c) => who.includes(c.source)).map((c) => c.trade_date))].sort();
  const venues = [...new Set(cells.map((c) => c.venue))].sort();
  const dIx = new Map(days.map((d, i) => [d, i]));
  const vIx = new Map(venues.map((v, i) => [v, i]));
  const nv = venues.length;
  const M = who.map(() => new Float64Array(days.length * nv));
  for (const c of cells) {
    const s = who.indexOf(c.source);
    const d = dIx.get(c.trade_date);
    if (s < 0 || d === undefined) continue;
    const m = M[s] as Float64Array;
    const i = d * nv + (vIx.get(c.venue) as number);
    m[i] = (m[i] as number) + c.shares;
  }
  const tot = new Float64Array(nv);
  const stat = (w: Float64Array | null): number => {
    const h = who.map((_, s) => {
      tot.fill(0);
      const m = M[s] as Float64Array;
      for (let d = 0; d < days.length; d++) {
        const wd = w ? (w[d] as number) : 1;
        if (wd === 0) continue;
        for (let v = 0; v < nv; v++) tot[v] = (tot[v] as number) + wd * (m[d * nv + v] as number);
      }
      return hhi(tot);
    });
    const peerH = h.slice(1).filter(Number.isFinite);
    // The mean of the peers' own indices: pooling peers' flow would dilute concentration by construction.
    return (h[0] as number) - peerH.reduce((a, b) => a + b, 0) / peerH.length;
  };
  const ownShares = cells.filter((c) => c.source === source);
  const base = bootstrapEstimate(ctx, {
    provenance: provenance({
      kind: 'peer',
      label: `mean of the peers' own indices (${peers.join(', ')})`,
      sources: peers,
      period: input.period,
    }),
    n_orders: 0,
    bench_orders: null,
    days: distinct(ownShares.map((c) => c.trade_date)),
    symbols: distinct(ownShares.map((c) => c.symbol)),
  });
  if (peers.length === 0) return { ...base, status: 'no_benchmark', note: 'no peer router in this run' };
  if (ownShares.length === 0) return { ...base, status: 'insufficient_sample', note: 'no executions' };
  const own = hhi(venues.map((v) => ownShares.filter((c) => c.venue === v).reduce((a, c) => a + c.shares, 0)));
  const diff = stat(null);
  const boot = dayBootstrap(days, stat, { replicates: input.settings.bootstrap_replicates, seed: input.settings.seed });
  const ownN = sum(
    input.cells.filter((c) => c.source === source),
    'orders',
  );
  const res = { ...base, value: own, benchmark: own - diff, se: boot.se, df: Math.max(1, days.length - 1), n_orders: ownN };
  const totalOwn = ownShares.reduce((a, c) => a + c.shares, 0);
  res.drill = () => {
    const out: DrillEstimate[] = [];
    if (rule.drilldown.includes('venue')) {
      for (const v of venues) {
        const sh = ownShares.filter((c) => c.venue === v).reduce((a, c) => a + c.shares, 0);
        if (sh > 0)
          out.push({ kind: 'venue', value: v, est: (100 * sh) / totalOwn, bench: null, se: null, df: null, n_orders: 0, denominator: sh });
      }
    }
    return out;
  };
  if (res.days < rule.min_days) return { ...res, status: 'insufficient_sample', note: `${res.days} trading days < ${rule.min_days}` };
  return res;
}

const cellKey = (c: VenueCell): string => `${c.symbol}\u0001${c.size_bucket}\u0001${c.tod_bucket}`;

/**
 * Matched-cell gap: Σ_c w_c (PI_pfof,c − PI_other,c) / Σ_c w_c over the symbol × size × time-of-day
 * cells where the source executed covered shares at both PFOF and non-PFOF venues, w_c = PFOF
 * shares in the cell. What a PFOF share cost against the same order at a venue that does not pay.
 */
export function matchedCells(
  cells: readonly VenueCell[],
  weights?: { days: readonly string[]; w: Float64Array },
): {
  pfof: number;
  other: number;
  gap: number;
  pfofShares: number;
  matched: number;
} {
  const dayW = weights ? new Map(weights.days.map((d, i) => [d, weights.w[i] as number])) : undefined;
  const acc = new Map<string, [number, number, number, number]>();
  for (const c of cells) {
    if (!(c.covered_shares > 0)) continue;
    const w = dayW ? (dayW.get(c.trade_date) ?? 0) : 1;
    if (w === 0) continue;
    const k = cellKey(c);
    const a = acc.get(k) ?? [0, 0, 0, 0];
    if (c.pfof_venue) {
      a[0] += w * c.pi_amount;
      a[1] += w * c.covered_shares;
    } else {
      a[2] += w * c.pi_amount;
      a[3] += w * c.covered_shares;
    }
    acc.set(k, a);
  }
  let W = 0;
  let gp = 0;
  let go = 0;
  let matched = 0;
  for (const [pi, ps, oi, os] of acc.values()) {
    if (!(ps > 0 && os > 0)) continue;
    matched++;
    W += ps;
    gp += pi;
    go += (ps * oi) / os;
  }
  return W > 0
    ? { pfof: gp / W, other: go / W, gap: (gp - go) / W, pfofShares: W, matched }
    : { pfof: Number.NaN, other: Number.NaN, gap: Number.NaN, pfofShares: 0, matched: 0 };
}

/** matchedCells' gap as a function of day weights, on flat arrays (the bootstrap calls it hundreds of times). */
function matchedGapOnDays(cells: readonly VenueCell[], days: readonly string[]): (w: Float64Array) => number {
  const dIx = new Map(days.map((d, i) => [d, i]));
  const kIx = new Map<string, number>();
  const used = cells.filter((c) => c.covered_shares > 0 && dIx.has(c.trade_date));
  const day = new Int32Array(used.length);
  const slot = new Int32Array(used.length);
  const pi = new Float64Array(used.length);
  const sh = new Float64Array(used.length);
  used.forEach((c, i) => {
    const k = cellKey(c);
    let j = kIx.get(k);
    if (j === undefined) {
      j = kIx.size;
      kIx.set(k, j);
    }
    day[i] = dIx.get(c.trade_date) as number;
    slot[i] = 4 * j + (c.pfof_venue ? 0 : 2);
    pi[i] = c.pi_amount;
    sh[i] = c.covered_shares;
  });
  const acc = new Float64Array(4 * kIx.size);
  return (w) => {
    acc.fill(0);
    for (let i = 0; i < used.length; i++) {
      const wd = w[day[i] as number] as number;
      if (wd === 0) continue;
      const o = slot[i] as number;
      acc[o] = (acc[o] as number) + wd * (pi[i] as number);
      acc[o + 1] = (acc[o + 1] as number) + wd * (sh[i] as number);
    }
    let W = 0;
    let g = 0;
    for (let j = 0; j < acc.length; j += 4) {
      const ps = acc[j + 1] as number;
      const os = acc[j + 3] as number;
      if (!(ps > 0 && os > 0)) continue;
      W += ps;
      g += (acc[j] as number) - (ps * (acc[j + 2] as number)) / os;
    }
    return W > 0 ? g / W : Number.NaN;
  };
}

function estimateMatched(ctx: Ctx): Estimate {
  const { input, source, rule } = ctx;
  const own = (input.venueCells ?? []).filter((c) => c.source === source);
  const days = [...new Set(own.map((c) => c.trade_date))].sort();
  const point = matchedCells(own);
  const base = bootstrapEstimate(ctx, {
    value: Number.isFinite(point.pfof) ? point.pfof : null,
    benchmark: Number.isFinite(point.other) ? point.other : null,
    provenance: provenance({
      kind: 'peer',
      label: `this router's non-PFOF venues in the same symbol × size × time-of-day cells (${point.matched} matched cells)`,
      sources: [source],
      period: input.period,
      note: 'weighted by PFOF shares per cell',
    }),
    n_orders: sum(
      input.cells.filter((c) => c.source === source && rule.categories.includes(c.order_category as never)),
      'covered_orders',
    ),
    bench_orders: null,
    days: days.length,
    symbols: distinct(own.map((c) => c.symbol)),
    denominator: point.pfofShares,
  });
  if (point.matched === 0) return { ...base, status: 'no_benchmark', note: 'no cell has executions at both PFOF and non-PFOF venues' };
  const boot = dayBootstrap(days, matchedGapOnDays(own, days), {
    replicates: input.settings.bootstrap_replicates,
    seed: input.settings.seed,
  });
  const res = { ...base, se: boot.se, df: Math.max(1, days.length - 1) };
  res.drill = () => {
    const out: DrillEstimate[] = [];
    for (const kind of rule.drilldown) {
      if (kind !== 'venue' && kind !== 'symbol' && kind !== 'size_bucket') continue;
      const key = (c: VenueCell): string => (kind === 'symbol' ? c.symbol : c.size_bucket);
      if (kind === 'venue') {
        // Each PFOF venue against the non-PFOF venues of the same cells.
        for (const v of [...new Set(own.filter((c) => c.pfof_venue).map((c) => c.venue))].sort()) {
          const m = matchedCells(own.filter((c) => !c.pfof_venue || c.venue === v));
          if (m.matched > 0)
            out.push({ kind, value: v, est: m.pfof, bench: m.other, se: null, df: null, n_orders: 0, denominator: m.pfofShares });
        }
        continue;
      }
      for (const g of [...new Set(own.map(key))].sort()) {
        const m = matchedCells(own.filter((c) => key(c) === g));
        if (m.matched > 0)
          out.push({ kind, value: g, est: m.pfof, bench: m.other, se: null, df: null, n_orders: 0, denominator: m.pfofShares });
      }
    }
    return out;
  };
  if (days.length < rule.min_days) return { ...res, status: 'insufficient_sample', note: `${days.length} trading days < ${rule.min_days}` };
  if (res.n_orders < rule.min_orders)
    return { ...res, status: 'insufficient_sample', note: `${res.n_orders} covered orders < ${rule.min_orders}` };
  return res;
}

// ─── Cost ────────────────────────────────────────────────────────────────────

/** The gap in the worse direction (≥ 0), or 0 when not worse. */
const worseGap = (rule: FindingRule, value: number | null, bench: number | null): number =>
  value === null || bench === null ? 0 : Math.max(0, (rule.direction === 'below' ? -1 : 1) * (value - bench));

function costOf(
  rule: FindingRule,
  value: number | null,
  bench: number | null,
  denominator: number,
  base?: { shares: number; spread: number },
): Finding['customer_cost'] {
  const gap = worseGap(rule, value, bench);
  if (rule.cost === 'price_gap') {
    // The gap is in the rule's unit (scaled); per share when the denominator is shares, a fraction of dollars otherwise.
    const perUnit = gap / rule.scale;
    const usd = perUnit * denominator;
    const perShare = rule.unit === 'usd_per_share';
    return {
      usd,
      method: 'price_gap',
      shares: perShare ? denominator : null,
      usd_per_share: perShare ? perUnit : null,
      explanation: perShare
        ? `${Math.round(denominator).toLocaleString('en-US')} shares × $${perUnit.toFixed(4)}/share ${rule.direction === 'below' ? 'below' : 'above'} the benchmark`
        : `${(perUnit * 100).toFixed(3)} % of $${Math.round(denominator).toLocaleString('en-US')} ${rule.denominator ?? ''}`,
    };
  }
  if (rule.cost === 'unfilled_at_spread' && base) {
    // Shares that would have filled at the benchmark's fill rate, priced at the average quoted spread at receipt:
    // what crossing the spread to get them done instead would have cost.
    const shares = (gap / rule.scale) * base.shares;
    return {
      usd: shares * base.spread,
      method: 'unfilled_at_spread',
      shares,
      usd_per_share: base.spread,
      explanation: `${Math.round(shares).toLocaleString('en-US')} more unfilled shares than at the benchmark's fill rate × $${base.spread.toFixed(4)} average quoted spread`,
    };
  }
  return {
    usd: null,
    method: 'none',
    shares: null,
    usd_per_share: null,
    explanation: 'no dollar measure for this rule: the gap itself is the finding',
  };
}

// ─── The evaluation ──────────────────────────────────────────────────────────

interface Tested {
  rule: FindingRule;
  est: Estimate;
  test: OneSidedTest | null;
  p: number | null;
  padj: number | null;
  familySize: number;
  status: FindingStatus;
  mdd: number | null;
  beyond: boolean;
  note: string;
  monthly?: { month: string; test: OneSidedTest | null }[];
}

function estimate(ctx: Ctx): Estimate & { monthly?: { month: string; test: OneSidedTest | null }[] } {
  switch (ctx.rule.statistic) {
    case 'ratio':
      return estimateRatio(ctx);
    case 'persistence':
      return estimatePersistence(ctx);
    case 'quantile':
      return estimateQuantile(ctx);
    case 'venue_hhi':
      return estimateHhi(ctx);
    case 'pfof_matched':
      return estimateMatched(ctx);
  }
}

export function evaluateFindings(input: FindingsInput): FindingsResult {
  const { settings, alpha } = input;
  const all = [...new Set([...input.cells.map((c) => c.source), ...(input.venueCells ?? []).map((c) => c.source)])].sort();
  const tested = input.sources?.length ? all.filter((s) => input.sources?.includes(s)) : all;
  const findings: Finding[] = [];
  const rows: EvaluatedRow[] = [];
  for (const source of tested) {
    const peers = all.filter((s) => s !== source && !settings.peer_exclude.includes(s));
    const results: Tested[] = settings.rules
      .filter((rule) => !('peer' in rule.benchmark && rule.benchmark.peer === source))
      .map((rule) => {
        const est = estimate({ input, source, peers, rule });
        const base: Tested = {
          rule,
          est,
          test: null,
          p: null,
          padj: null,
          familySize: 0,
          status: est.status ?? 'pass',
          mdd: null,
          beyond: false,
          note: est.note,
        };
        if (est.status || est.value === null || est.benchmark === null || est.se === null || est.df === null || !Number.isFinite(est.se)) {
          if (!est.status) {
            base.status = 'insufficient_sample';
            base.note = base.note || 'no estimate';
          }
          return base;
        }
        const diff = est.value - est.benchmark;
        base.beyond = worseGap(rule, est.value, est.benchmark) - rule.tolerance > 1e-12 * Math.max(1, Math.abs(est.benchmark));
        if (est.monthly) {
          // Intersection-union: worse in every month ⇔ the largest monthly p-value is small (level α, no adjustment needed inside).
          const ps = est.monthly.map((m) => m.test?.p ?? 1);
          base.monthly = est.monthly;
          base.p = Math.max(...ps);
          base.beyond = base.beyond && est.monthly.every((m) => m.test !== null && worseGap(rule, m.test.difference, 0) > rule.tolerance);
          base.test = testEstimate(diff, est.se, est.df, rule.direction, alpha);
        } else {
          base.test = testEstimate(diff, est.se, est.df, rule.direction, alpha);
          base.p = base.test.p;
        }
        return base;
      });
    // Stage 1: Holm over every headline test of the source.
    const withP = results.filter((r) => r.p !== null);
    const adj = holm(withP.map((r) => r.p as number));
    withP.forEach((r, i) => {
      r.padj = adj[i] as number;
      r.familySize = withP.length;
      r.status = r.padj < alpha && r.beyond ? 'breach' : 'pass';
      // The smallest gap the test would have flagged at the Holm bound it faced in the worst case (α/m).
      r.mdd = Math.max(
        r.rule.tolerance,
        minimumDetectableDifference(r.est.se as number, r.est.df as number, alpha / withP.length, settings.power),
      );
      if (r.status === 'pass' && r.beyond) r.note = `gap beyond tolerance but adjusted p = ${fmtP(r.padj)} ≥ α = ${alpha}: could be chance`;
    });
    for (const r of results) rows.push(headlineRow(input.period, source, r));

    // One finding per problem: the first breached rule (config order) leads; the problem's other rules are its evidence.
    const problems = [...new Set(results.map((r) => r.rule.problem))];
    for (const problem of problems) {
      const members = results.filter((r) => r.rule.problem === problem);
      const lead = members.find((r) => r.status === 'breach');
      if (!lead) {
        for (const r of members) findings.push(toFinding(input, source, r, [], undefined));
        continue;
      }
      const drill = drilldown(input, source, lead, alpha, settings.drilldown_rows);
      for (const d of drill.rows) rows.push(d);
      const related = members.filter((r) => r !== lead).map((r) => relatedOf(r));
      findings.push(toFinding(input, source, lead, drill.out, related));
    }
  }
  return { findings: rankFindings(findings), rows };
}

const fmtP = (p: number): string => (p < 1e-4 ? '<0.0001' : p.toPrecision(2));
const findingId = (period: string, source: string, rule: string): string => `${period}/${source}/${rule}`;

function headlineRow(period: string, source: string, r: Tested): EvaluatedRow {
  return {
    finding_id: findingId(period, source, r.rule.id),
    rule_id: r.rule.id,
    source,
    stage: 'headline',
    drill_kind: '',
    drill_value: '',
    status: r.status,
    value: r.est.value,
    benchmark: r.est.benchmark,
    difference: r.est.value !== null && r.est.benchmark !== null ? r.est.value - r.est.benchmark : null,
    p_value: r.p,
    p_adjusted: r.padj,
    family_size: r.familySize,
    ci_lower: r.test?.ciLower ?? null,
    ci_upper: r.test?.ciUpper ?? null,
    n_orders: r.est.n_orders,
    df: r.est.df,
    mdd: r.mdd,
    note: r.note,
  };
}

function relatedOf(r: Tested): RelatedRule {
  return {
    rule_id: r.rule.id,
    title: r.rule.title,
    metric: r.rule.metric,
    unit: r.rule.unit,
    status: r.status,
    value: r.est.value,
    benchmark: r.est.benchmark,
    provenance_label: r.est.provenance.label,
    difference: r.est.value !== null && r.est.benchmark !== null ? r.est.value - r.est.benchmark : null,
    p_adjusted: r.padj,
    customer_cost_usd: r.status === 'breach' ? costOf(r.rule, r.est.value, r.est.benchmark, r.est.denominator, r.est.costBase).usd : null,
  };
}

/** Stage 2 (behind a breached headline only): each drill-down kind is one Holm family; rows ranked by cost, else gap. */
function drilldown(
  input: FindingsInput,
  source: string,
  lead: Tested,
  alpha: number,
  keep: number,
): { out: DrilldownRow[]; rows: EvaluatedRow[] } {
  const rule = lead.rule;
  const out: DrilldownRow[] = [];
  const rows: EvaluatedRow[] = [];
  const all = lead.est.drill();
  const kinds = [...new Set(all.map((d) => d.kind))];
  for (const kind of kinds) {
    const ds = all.filter((d) => d.kind === kind);
    const tests = ds.map((d) =>
      d.est !== null && d.bench !== null && d.se !== null && d.df !== null && d.se > 0
        ? testEstimate(d.est - d.bench, d.se, d.df, rule.direction, alpha)
        : null,
    );
    const idx = tests.flatMap((t, i) => (t ? [i] : []));
    const adj = holm(idx.map((i) => (tests[i] as OneSidedTest).p));
    const padj = new Map(idx.map((i, k) => [i, adj[k] as number]));
    const built = ds.map((d, i) => {
      const cost = d.kind === 'month' ? null : costOf(rule, d.est, d.bench, d.denominator, d.costBase).usd;
      const p = padj.get(i) ?? null;
      const breach = p !== null && p < alpha && worseGap(rule, d.est, d.bench) > rule.tolerance;
      const row: DrilldownRow = {
        group_kind: d.kind,
        group_value: d.value,
        value: d.est,
        benchmark: d.bench,
        difference: d.est !== null && d.bench !== null ? d.est - d.bench : null,
        n_orders: d.n_orders,
        cost_usd: cost,
        p_adjusted: p,
        breach,
      };
      rows.push({
        finding_id: findingId(input.period, source, rule.id),
        rule_id: rule.id,
        source,
        stage: 'drilldown',
        drill_kind: d.kind,
        drill_value: d.value,
        status: breach ? 'breach' : p === null ? 'insufficient_sample' : 'pass',
        value: d.est,
        benchmark: d.bench,
        difference: row.difference,
        p_value: tests[i]?.p ?? null,
        p_adjusted: p,
        family_size: idx.length,
        ci_lower: tests[i]?.ciLower ?? null,
        ci_upper: tests[i]?.ciUpper ?? null,
        n_orders: d.n_orders,
        df: d.df,
        mdd: null,
        note: p === null ? 'descriptive: no test for this group' : '',
      });
      return { row, gap: worseGap(rule, d.est, d.bench) };
    });
    // Months and days read in time order; other kinds by what they cost (then by gap).
    const ordered =
      kind === 'month'
        ? built
        : [...built].sort(
            (a, b) => (b.row.cost_usd ?? -1) - (a.row.cost_usd ?? -1) || b.gap - a.gap || (a.row.group_value < b.row.group_value ? -1 : 1),
          );
    out.push(...ordered.slice(0, kind === 'month' ? ordered.length : keep).map((x) => x.row));
  }
  return { out, rows };
}

function toFinding(input: FindingsInput, source: string, r: Tested, drill: DrilldownRow[], related: RelatedRule[] | undefined): Finding {
  const { rule, est } = r;
  const level = 1 - input.alpha;
  const diff = est.value !== null && est.benchmark !== null ? est.value - est.benchmark : null;
  const cost =
    r.status === 'breach'
      ? costOf(rule, est.value, est.benchmark, est.denominator, est.costBase)
      : { usd: null, method: 'none' as const, shares: null, usd_per_share: null, explanation: 'not a breach: no cost claimed' };
  return {
    finding_id: findingId(input.period, source, rule.id),
    period: input.period,
    source,
    rule_id: rule.id,
    title: rule.title,
    component: rule.component,
    metric: rule.metric,
    unit: rule.unit,
    headline_group: {
      symbol: '*',
      order_category: rule.categories.length === 1 ? (rule.categories[0] as string) : rule.categories.join('+'),
      venue: '*',
      size_bucket: '*',
      sp500: '*',
    },
    direction: rule.direction,
    status: r.status,
    value: est.value,
    benchmark: est.benchmark,
    provenance: est.provenance,
    difference: diff,
    tolerance: rule.tolerance,
    ci: {
      level,
      lower: r.test?.ciLower ?? null,
      upper: r.test?.ciUpper ?? null,
      method: r.test ? est.ciMethod : 'none',
    },
    test: {
      method: r.test ? est.method : 'none',
      p_value: r.p,
      p_adjusted: r.padj,
      alpha: input.alpha,
      family_size: r.familySize,
      stage: 'headline',
      clusters: { days: est.days, symbols: est.symbols },
      replicates: r.test ? est.replicates : 0,
      seed: r.test && est.replicates > 0 ? input.settings.seed : null,
    },
    n_orders: Math.round(est.n_orders),
    minimum_detectable_difference: r.status === 'pass' ? r.mdd : null,
    severity: rule.severity,
    action: rule.action,
    customer_cost: cost,
    drilldown: drill,
    note: r.note,
    problem: rule.problem,
    ...(related ? { related } : {}),
  };
}
