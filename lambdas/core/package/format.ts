/**
 * Numbers and text for people: every figure in the report goes through these, so a committee sees
 * the same unit and precision for a metric everywhere ($0.0012/share, 55.0 %, 150 ms).
 */
import { METRIC_UNITS, type MetricName, type MetricUnit } from '../../shared/metrics';

export type Unit = MetricUnit;

/** Plain-English labels for the committee. */
export const METRIC_LABELS: Record<MetricName, string> = {
  orders: 'Orders',
  shares_ordered: 'Shares ordered',
  shares_executed: 'Shares executed',
  executions: 'Executions',
  price_improvement_per_share: 'Price improvement vs NBBO',
  pct_shares_price_improved: 'Shares price-improved',
  pct_shares_at_quote: 'Shares at the quote',
  pct_shares_outside_quote: 'Shares outside the quote',
  net_price_improvement_per_share: 'Price improvement net of fees and rebates',
  avg_effective_spread: 'Average effective spread',
  avg_quoted_spread: 'Average quoted spread',
  eq_ratio_pct: 'Effective/quoted spread (E/Q)',
  spread_capture_pct: 'Effective-spread capture',
  pct_effective_spread: 'Effective spread, % of mid',
  pct_quoted_spread: 'Quoted spread, % of mid',
  weighted_pct_price_improvement: 'Weighted % price improvement',
  avg_exec_time_ms: 'Average fill time',
  median_exec_time_ms: 'Median fill time',
  p95_exec_time_ms: '95th percentile fill time',
  resting_time_to_fill_ms: 'Resting limit order time to fill',
  fill_rate_pct: 'Order fill rate',
  limit_fill_rate_pct: 'Limit order fill rate',
  cancel_rate_pct: 'Cancel rate',
  markout_1s_per_share: 'Markout 1 s',
  markout_5s_per_share: 'Markout 5 s',
  markout_15s_per_share: 'Markout 15 s',
  markout_60s_per_share: 'Markout 60 s',
  markout_300s_per_share: 'Markout 300 s',
  realized_spread_15s: 'Realized spread 15 s',
  realized_spread_60s: 'Realized spread 60 s',
  price_impact_1s_per_share: 'Price impact 1 s (mid to mid)',
  price_impact_5s_per_share: 'Price impact 5 s (mid to mid)',
  price_impact_15s_per_share: 'Price impact 15 s (mid to mid)',
  price_impact_60s_per_share: 'Price impact 60 s (mid to mid)',
  price_impact_300s_per_share: 'Price impact 300 s (mid to mid)',
  venue_share_pct: 'Share of volume',
  pfof_venue_share_pct: 'Share routed to PFOF venues',
  pfof_venue_share_executed_pct: 'Share executed at PFOF venues',
  affiliated_venue_share_pct: 'Share routed to affiliated venues',
  venue_hhi: 'Venue concentration (HHI)',
  pfof_received_usd: 'PFOF received',
  order_flow_payments_usd: 'Order-flow payments (PFOF, rebates, fee credits)',
};

export const ORDER_CATEGORY_LABELS: Record<string, string> = {
  market: 'Market',
  marketable_limit: 'Marketable limit',
  non_marketable_limit: 'Non-marketable limit',
  other: 'Other',
  '*': 'All orders',
};

export const NA = '—';
const MINUS = '\u2212';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const grouped = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const INT = grouped(0);
const ONE = grouped(1);
const TWO = grouped(2);

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function signed(v: number, body: string, plus: boolean): string {
  if (v < 0) return `${MINUS}${body}`;
  return plus && v > 0 ? `+${body}` : body;
}

/**
 * Dollars per share: four decimals (a hundredth of a cent), more only when needed to show a
 * non-zero value at all, so a tiny shortfall never reads as $0.0000.
 */
export function usdPerShare(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  const a = Math.abs(v);
  let digits = 4;
  while (digits < 7 && a > 0 && Number(a.toFixed(digits)) === 0) digits++;
  return `${signed(Number(v.toFixed(digits)), `$${a.toFixed(digits)}`, opts.plus ?? false)}/share`;
}

export function pct(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  return `${signed(Number(v.toFixed(1)), ONE.format(Math.abs(v)), opts.plus ?? false)} %`;
}

/** Percentage points, for differences between two percentages. */
export function pp(v: number | null | undefined): string {
  if (!finite(v)) return NA;
  return `${signed(Number(v.toFixed(1)), ONE.format(Math.abs(v)), true)} pp`;
}

export function ms(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  const a = Math.abs(v);
  const body = a < 10 ? ONE.format(a) : INT.format(a);
  return `${signed(Number(v.toFixed(a < 10 ? 1 : 0)), body, opts.plus ?? false)} ms`;
}

export function count(v: number | null | undefined): string {
  if (!finite(v)) return NA;
  return signed(Math.round(v), INT.format(Math.abs(v)), false);
}

export function usd(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  return signed(Number(v.toFixed(2)), `$${TWO.format(Math.abs(v))}`, opts.plus ?? false);
}

/** A percentage of the mid, with three decimals (spreads over the mid are small). */
export function pctOfMid(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  return `${signed(Number(v.toFixed(3)), Math.abs(v).toFixed(3), opts.plus ?? false)} %`;
}

export function pValue(v: number | null | undefined): string {
  if (!finite(v)) return NA;
  if (v < 0.001) return '< 0.001';
  return v.toFixed(3);
}

export function metricUnit(metric: string): Unit {
  return (METRIC_UNITS as Record<string, Unit>)[metric] ?? 'pct_of_mid';
}

export function metricLabel(metric: string): string {
  return (METRIC_LABELS as Record<string, string>)[metric] ?? metric;
}

/** A value in a unit named as the findings contract names it (unknown units read as plain numbers). */
export function fmtUnit(unit: string, v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  switch (unit) {
    case 'count':
    case 'index':
      return finite(v) ? signed(Math.round(v), INT.format(Math.abs(v)), opts.plus ?? false) : NA;
    case 'usd_per_share':
      return usdPerShare(v, opts);
    case 'pct':
      return opts.plus ? pp(v) : pct(v);
    case 'ms':
      return ms(v, opts);
    case 'usd':
      return usdWhole(v, opts);
    case 'pct_of_mid':
      return pctOfMid(v, opts);
    default:
      return finite(v) ? signed(v, String(Number(Math.abs(v).toPrecision(4))), opts.plus ?? false) : NA;
  }
}

/** Dollars without cents, for customer cost: $41,200. Under $10, cents are kept ($3.17). */
export function usdWhole(v: number | null | undefined, opts: { plus?: boolean } = {}): string {
  if (!finite(v)) return NA;
  const a = Math.abs(v);
  return a < 10 ? usd(v, opts) : signed(Math.round(v), `$${INT.format(Math.round(a))}`, opts.plus ?? false);
}

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A large count in few characters: 13.7M, 412K, 950. */
export function compact(v: number | null | undefined): string {
  if (!finite(v)) return NA;
  return Math.abs(v) < 10_000 ? count(v) : COMPACT.format(v);
}

type Format = (v: number | null | undefined) => string;

const signedCount: Format = (v) => (finite(v) ? signed(Math.round(v), INT.format(Math.abs(v)), true) : NA);

/** Per unit: a value, and a difference between two values (always signed; percentages in points). */
const FORMATS: Record<Unit, { value: Format; difference: Format }> = {
  count: { value: count, difference: signedCount },
  index: { value: count, difference: signedCount },
  usd_per_share: { value: (v) => usdPerShare(v), difference: (v) => usdPerShare(v, { plus: true }) },
  pct: { value: (v) => pct(v), difference: pp },
  ms: { value: (v) => ms(v), difference: (v) => ms(v, { plus: true }) },
  usd: { value: (v) => usd(v), difference: (v) => usd(v, { plus: true }) },
  pct_of_mid: { value: (v) => pctOfMid(v), difference: (v) => pctOfMid(v, { plus: true }) },
};

/** A metric's value in its unit. */
export function fmtMetric(metric: string, v: number | null | undefined): string {
  return FORMATS[metricUnit(metric)].value(v);
}

/** A difference between two values of a metric, always signed (percentages in points). */
export function fmtDifference(metric: string, v: number | null | undefined): string {
  return FORMATS[metricUnit(metric)].difference(v);
}

/** An ISO instant as "2026-10-05 11:00 UTC"; anything unparsable is shown as given. */
export function when(iso: string | null | undefined): string {
  if (!iso) return NA;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function categoryLabel(c: string): string {
  return ORDER_CATEGORY_LABELS[c] ?? c;
}
