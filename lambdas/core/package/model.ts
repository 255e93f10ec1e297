/**
 * Lookups over review_metrics rows (long format, '*' = all) and rule outcomes, so the report asks
 * "PI per share of AAPL market orders" rather than scanning rows.
 */

import { ALL, EXCLUSION_REASONS, GROUP_COLUMNS, type GroupColumn, type ReviewMetricRow } from '../../shared/metrics';
import type { RuleOutcome } from '../review/evaluate';
import type { VenueInfo } from './types';

export type Group = Partial<Record<GroupColumn, string>>;

const EXCLUSION_COLUMNS = EXCLUSION_REASONS.map((r) => `excl_${r}` as const);

const groupKey = (g: Group): string => GROUP_COLUMNS.map((c) => g[c] ?? ALL).join('\u0001');

export class MetricIndex {
  private readonly byKey = new Map<string, ReviewMetricRow>();
  private exclusionIndex?: Map<string, Record<string, number>>;
  readonly sources: string[];

  constructor(rows: readonly ReviewMetricRow[]) {
    const sources = new Set<string>();
    for (const r of rows) {
      sources.add(r.source);
      this.byKey.set(`${r.source}\u0002${groupKey(r)}\u0002${r.metric}`, r);
    }
    this.sources = [...sources].sort();
  }

  row(source: string, group: Group, metric: string): ReviewMetricRow | undefined {
    return this.byKey.get(`${source}\u0002${groupKey(group)}\u0002${metric}`);
  }

  value(source: string, group: Group, metric: string): number | null {
    const v = this.row(source, group, metric)?.value;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }

  /** Rows of a source whose group matches `fixed` exactly on the given columns and '*' elsewhere, except `free`. */
  rowsVarying(source: string, free: GroupColumn, fixed: Group = {}): ReviewMetricRow[] {
    const out: ReviewMetricRow[] = [];
    for (const r of this.byKey.values()) {
      if (r.source !== source || r[free] === ALL) continue;
      if (GROUP_COLUMNS.every((c) => c === free || r[c] === (fixed[c] ?? ALL))) out.push(r);
    }
    return out;
  }

  /** Distinct values of one grouping column (other columns as in `fixed`, '*' elsewhere). */
  values(source: string, free: GroupColumn, fixed: Group = {}): string[] {
    return [...new Set(this.rowsVarying(source, free, fixed).map((r) => r[free]))].sort();
  }

  /**
   * Exclusion counts of a group: the largest count of each reason over the group's metric rows
   * (every row carries the counts that apply to its own figure).
   */
  exclusions(source: string, group: Group): Record<string, number> | undefined {
    if (!this.exclusionIndex) {
      // One pass over all rows, the first time exclusions are asked for.
      this.exclusionIndex = new Map();
      for (const r of this.byKey.values()) {
        const k = `${r.source}\u0002${groupKey(r)}`;
        const acc = this.exclusionIndex.get(k) ?? {};
        this.exclusionIndex.set(k, acc);
        for (const c of EXCLUSION_COLUMNS) {
          const v = r[c];
          if (typeof v === 'number') acc[c] = Math.max(acc[c] ?? 0, v);
        }
      }
    }
    return this.exclusionIndex.get(`${source}\u0002${groupKey(group)}`);
  }
}

export const outcomeGroup = (o: RuleOutcome): Required<Group> => ({
  symbol: o.symbol ?? ALL,
  order_category: o.order_category ?? ALL,
  venue: o.venue ?? ALL,
  size_bucket: o.size_bucket ?? ALL,
  sp500: o.sp500 ?? ALL,
});

/** Outcomes by metric and exact group (for marking dashboard cells). */
export class OutcomeIndex {
  private readonly byKey = new Map<string, RuleOutcome[]>();

  constructor(outcomes: readonly RuleOutcome[]) {
    for (const o of outcomes) {
      const k = `${o.metric}\u0002${groupKey(outcomeGroup(o))}`;
      const list = this.byKey.get(k);
      if (list) list.push(o);
      else this.byKey.set(k, [o]);
    }
  }

  at(metric: string, group: Group): readonly RuleOutcome[] {
    return this.byKey.get(`${metric}\u0002${groupKey(group)}`) ?? [];
  }
}

const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** Breaches first by severity, then by rule and group, so the table reads the same every run. */
export function sortOutcomes(outcomes: readonly RuleOutcome[]): RuleOutcome[] {
  return [...outcomes].sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity ?? ''] ?? 3) - (SEVERITY_RANK[b.severity ?? ''] ?? 3) ||
      a.rule_id.localeCompare(b.rule_id) ||
      groupKey(outcomeGroup(a)).localeCompare(groupKey(outcomeGroup(b))),
  );
}

/**
 * Venues that pay for order flow: the venue list says so (pfof_per_share > 0), or PFOF was
 * received from it in the period.
 */
export function pfofVenues(index: MetricIndex, source: string, venues: readonly VenueInfo[] = []): Set<string> {
  const out = new Set<string>();
  for (const v of venues) if ((v.source === undefined || v.source === source) && (v.pfof_per_share ?? 0) > 0) out.add(v.venue);
  for (const r of index.rowsVarying(source, 'venue')) if (r.metric === 'pfof_received_usd' && (r.value ?? 0) > 0) out.add(r.venue);
  return out;
}
