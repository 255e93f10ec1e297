/**
 * The verdict in plain words: one sentence per finding with its figure, the benchmark and where it
 * comes from, and what it cost customers. The report's page one, the compliance notice and the
 * terminal summary all say it with these functions, so the three never disagree. Vendor strings
 * (symbols, venues, source names, provenance labels) go through oneLine.
 */
import type { Finding, HeadlineGroup } from '../../shared/contracts/review';
import { oneLine } from '../../shared/text';
import { categoryLabel, compact, fmtUnit, metricLabel, NA, usdWhole } from './format';

const ALL = '*';

/** "market orders", "AAPL marketable limit orders", "all orders", "venue XNAS". */
export function groupWords(g: Partial<HeadlineGroup>): string {
  const parts: string[] = [];
  if (g.symbol && g.symbol !== ALL) parts.push(oneLine(g.symbol));
  // A combined group ("market+marketable_limit") reads "market and marketable limit orders".
  if (g.order_category && g.order_category !== ALL)
    parts.push(
      `${g.order_category
        .split('+')
        .map((c) => categoryLabel(c).toLowerCase())
        .join(' and ')} orders`,
    );
  else parts.push(parts.length ? 'orders' : 'all orders');
  if (g.venue && g.venue !== ALL) parts.push(`at ${oneLine(g.venue)}`);
  if (g.size_bucket && g.size_bucket !== ALL) parts.push(`of size bucket ${oneLine(g.size_bucket)}`);
  if (g.sp500 && g.sp500 !== ALL) parts.push(g.sp500 === 'Y' ? 'in S&P 500 names' : 'outside the S&P 500');
  return parts.join(' ');
}

const capital = (s: string): string => (s ? s[0]?.toUpperCase() + s.slice(1) : s);
/** "Price improvement vs NBBO" → "price improvement vs NBBO" (acronyms stay). */
const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? (s[0]?.toLowerCase() ?? '') + s.slice(1) : s);

/** A size in a unit: "4.2 points" for percentages (a difference of two), else the unit's own form. */
export function sizeWords(unit: string, v: number | null): string {
  if (v === null) return NA;
  return unit === 'pct' ? `${fmtUnit('pct', Math.abs(v)).replace(' %', '')} points` : fmtUnit(unit, Math.abs(v));
}

/** The metric's label, or the rule's title for a rule statistic with no metric label. */
export function findingLabel(f: Pick<Finding, 'metric' | 'title'>): string {
  const l = metricLabel(f.metric);
  return l === f.metric ? oneLine(f.title) : l;
}

/** "$0.0030/share below", "85 ms above", "35.6 points below": the gap and its direction. */
export function gapWords(f: Pick<Finding, 'difference' | 'unit'>): string {
  if (f.difference === null) return NA;
  const word = f.difference < 0 ? 'below' : 'above';
  const size =
    f.unit === 'pct' ? `${fmtUnit('pct', Math.abs(f.difference)).replace(' %', '')} points` : fmtUnit(f.unit, Math.abs(f.difference));
  return `${size} ${word}`;
}

/** "$41,200 (13.7M executed shares × $0.0030/share)"; or why there is no dollar figure. */
export function costWords(f: Pick<Finding, 'customer_cost'>): string {
  const c = f.customer_cost;
  if (c.usd === null) return 'no dollar measure for this rule';
  const basis =
    c.shares !== null && c.usd_per_share !== null ? ` (${compact(c.shares)} shares × ${fmtUnit('usd_per_share', c.usd_per_share)})` : '';
  return `${usdWhole(c.usd)}${basis}`;
}

/**
 * One breach in one sentence: "Market orders: price improvement vs NBBO −$0.00004/share against
 * $0.0030/share (median of bolt-sor, cobalt-sor), $0.0030/share below; customer cost $41,200
 * (13.7M shares × $0.0030/share)."
 */
export function findingSentence(f: Finding): string {
  const who = capital(groupWords(f.headline_group));
  const head = `${who}: ${lowerFirst(findingLabel(f))} ${fmtUnit(f.unit, f.value)} against ${fmtUnit(f.unit, f.benchmark)} (${oneLine(f.provenance.label)}), ${gapWords(f)}`;
  return f.customer_cost.usd === null ? `${head}.` : `${head}; customer cost ${costWords(f)}.`;
}

/** The same, as short lines for a phone: the label line, then the figures, then the cost. */
export function findingLines(f: Finding): string[] {
  return [
    `${capital(groupWords(f.headline_group))}: ${lowerFirst(findingLabel(f))} (${f.severity})`,
    `${fmtUnit(f.unit, f.value)} vs ${fmtUnit(f.unit, f.benchmark)} ${oneLine(f.provenance.label)}`,
    f.customer_cost.usd === null ? gapWords(f) : `${gapWords(f)}; customer cost ${usdWhole(f.customer_cost.usd)}`,
  ];
}

export interface SourceVerdict {
  source: string;
  breaches: Finding[];
  clean: boolean;
  /** One sentence for the top of page one. */
  headline: string;
  /** Σ customer cost of the breaches, dollars. */
  costUsd: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What page one, the notice and the terminal lead with for one source. */
export function sourceVerdict(source: string, findings: readonly Finding[]): SourceVerdict {
  const mine = findings.filter((f) => f.source === source);
  const breaches = mine.filter((f) => f.status === 'breach');
  const passes = mine.filter((f) => f.status === 'pass').length;
  const small = mine.filter((f) => f.status === 'insufficient_sample').length;
  const noBench = mine.filter((f) => f.status === 'no_benchmark').length;
  const costUsd = breaches.reduce((s, f) => s + (f.customer_cost.usd ?? 0), 0);
  const untested = [small ? `${small} with too few orders to test` : '', noBench ? `${noBench} with no benchmark yet` : '']
    .filter(Boolean)
    .join(', ');
  const headline = breaches.length
    ? `${oneLine(source)}: ${plural(breaches.length, 'finding')} for the committee, costing customers ${usdWhole(costUsd)} in the period.`
    : mine.length === 0
      ? `${oneLine(source)}: nothing could be evaluated for this period; this is not a clean review.`
      : `${oneLine(source)} is clean: ${plural(passes, 'rule')} tested, no finding${untested ? ` (${untested}: not passes)` : ''}.`;
  return { source, breaches, clean: breaches.length === 0 && mine.length > 0, headline, costUsd };
}

/** Breaks text into lines of at most `width` characters at spaces (a longer word stands alone). */
export function wrap(text: string, width = 78, indent = ''): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : `${indent}${word}`;
    if (next.length > width && line) {
      out.push(line);
      line = `${indent}${word}`;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}
