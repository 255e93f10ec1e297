/**
 * Findings as table rows and as the rule outcomes the notices, cases and monitoring already read:
 * review_findings (one row per finding), review_breaches (every evaluated headline and drill-down
 * row), and vendor reconciliation differences as findings with a severity. Pure.
 */
import type { Finding, FindingSeverity, FindingStatus, ReconciliationFindingOut } from '../../shared/contracts/review';
import type { MetricName } from '../../shared/metrics';
import type { OutcomeStatus, RuleOutcome } from './evaluate';
import type { EvaluatedRow } from './findings';
import type { ReconciliationFinding } from './reconcile';

const STATUS: Record<FindingStatus, OutcomeStatus> = {
  breach: 'breach',
  pass: 'pass',
  insufficient_sample: 'insufficient_sample',
  no_benchmark: 'no_data',
};

/** One review_findings row per finding, in rank order. */
export function findingRows(findings: readonly Finding[]): Record<string, unknown>[] {
  return findings.map((f, i) => ({
    period: f.period,
    rank: i + 1,
    finding_id: f.finding_id,
    source: f.source,
    rule_id: f.rule_id,
    problem: f.problem ?? '',
    component: f.component,
    title: f.title,
    metric: f.metric,
    unit: f.unit,
    order_category: f.headline_group.order_category,
    direction: f.direction,
    status: f.status,
    severity: f.severity,
    value: f.value,
    benchmark: f.benchmark,
    benchmark_kind: f.provenance.kind,
    benchmark_label: f.provenance.label,
    difference: f.difference,
    tolerance: f.tolerance,
    ci_level: f.ci.level,
    ci_lower: f.ci.lower,
    ci_upper: f.ci.upper,
    test_method: f.test.method,
    p_value: f.test.p_value,
    p_adjusted: f.test.p_adjusted,
    alpha: f.test.alpha,
    family_size: f.test.family_size,
    n_orders: f.n_orders,
    n_days: f.test.clusters.days,
    n_symbols: f.test.clusters.symbols,
    minimum_detectable_difference: f.minimum_detectable_difference,
    customer_cost_usd: f.customer_cost.usd,
    cost_method: f.customer_cost.method,
    cost_explanation: f.customer_cost.explanation,
    action: f.action,
    note: f.note,
    provenance_json: JSON.stringify(f.provenance),
    drilldown_json: JSON.stringify(f.drilldown),
    related_json: JSON.stringify(f.related ?? []),
  }));
}

/** A finding as one rule outcome (its headline), for the notices, cases and monitoring. */
export function findingOutcome(f: Finding): RuleOutcome {
  return {
    period: f.period,
    rule_id: f.rule_id,
    metric: f.metric as MetricName,
    source: f.source,
    ...f.headline_group,
    direction: f.direction,
    status: STATUS[f.status],
    value: f.value,
    benchmark: f.benchmark,
    benchmark_kind: f.provenance.kind === 'fixed' ? 'value' : f.provenance.kind === 'industry_605' ? 'value' : f.provenance.kind,
    benchmark_ref: f.provenance.label,
    difference: f.difference,
    tolerance: f.tolerance,
    confidence: f.ci.level,
    ci_lower: f.ci.lower,
    ci_upper: f.ci.upper,
    p_value: f.test.p_value,
    p_adjusted: f.test.p_adjusted,
    family_size: f.test.family_size,
    alpha: f.test.alpha,
    test: f.test.p_value === null ? 'none' : 't',
    df: null,
    n_orders: f.n_orders,
    n_eff: null,
    benchmark_n_orders: f.provenance.n_orders,
    benchmark_n_eff: null,
    min_orders: 0,
    severity: f.severity,
    action: f.action,
    note:
      f.status === 'breach' && f.customer_cost.usd !== null
        ? `customer cost $${Math.round(f.customer_cost.usd).toLocaleString('en-US')} (${f.customer_cost.explanation})`
        : f.note,
  };
}

/** Every evaluated row (headline and drill-down) in review_breaches' columns, drill-down named in the group columns. */
export function evaluatedOutcome(
  period: string,
  row: EvaluatedRow,
  finding: Pick<Finding, 'metric' | 'direction' | 'tolerance' | 'severity' | 'action' | 'provenance' | 'headline_group'> & {
    alpha: number;
  },
): RuleOutcome {
  const g = { ...finding.headline_group };
  if (row.drill_kind === 'symbol' || row.drill_kind === 'venue' || row.drill_kind === 'size_bucket') g[row.drill_kind] = row.drill_value;
  return {
    period,
    rule_id: row.rule_id,
    metric: finding.metric as MetricName,
    source: row.source,
    ...g,
    direction: finding.direction,
    status: row.status === 'pass' && row.p_adjusted !== null && row.p_adjusted >= finding.alpha ? 'pass' : STATUS[row.status],
    value: row.value,
    benchmark: row.benchmark,
    benchmark_kind: finding.provenance.kind === 'fixed' || finding.provenance.kind === 'industry_605' ? 'value' : finding.provenance.kind,
    benchmark_ref: finding.provenance.label,
    difference: row.difference,
    tolerance: finding.tolerance,
    confidence: 1 - finding.alpha,
    ci_lower: row.ci_lower,
    ci_upper: row.ci_upper,
    p_value: row.p_value,
    p_adjusted: row.p_adjusted,
    family_size: row.family_size,
    alpha: finding.alpha,
    test: row.p_value === null ? 'none' : 't',
    df: row.df,
    n_orders: row.n_orders,
    n_eff: null,
    benchmark_n_orders: null,
    benchmark_n_eff: null,
    min_orders: 0,
    severity: finding.severity,
    action: finding.action,
    note: [row.stage === 'drilldown' ? `drill-down ${row.drill_kind}=${row.drill_value}` : '', row.note].filter(Boolean).join('; '),
  };
}

/**
 * Vendor reconciliation differences as findings. Severity grows with how far beyond tolerance the
 * vendor's figure is: within 2× the tolerance low, within 5× medium, beyond that high; a figure the
 * firm cannot reproduce at all (firm_missing) is low, since it may only be a naming difference.
 */
export function reconciliationFindings(rows: readonly ReconciliationFinding[], period: string): ReconciliationFindingOut[] {
  const out: ReconciliationFindingOut[] = [];
  for (const r of rows) {
    if (r.status === 'match') continue;
    let severity: FindingSeverity = 'low';
    if (r.status === 'mismatch') {
      const d = r.difference === null ? Number.POSITIVE_INFINITY : Math.abs(r.difference);
      const allowed = Math.max(r.abs_tolerance, r.rel_tolerance * Math.abs(r.firm_value ?? 0));
      const times = allowed > 0 ? d / allowed : Number.POSITIVE_INFINITY;
      severity = times > 5 ? 'high' : times > 2 ? 'medium' : 'low';
    }
    out.push({
      finding_id: `${period}/${r.source}/reconcile/${r.metric}/${r.symbol}/${r.order_type}`,
      period,
      source: r.source,
      metric: r.metric,
      symbol: r.symbol,
      order_type: r.order_type,
      status: r.status,
      vendor_value: r.vendor_value,
      firm_value: r.firm_value,
      difference: r.difference,
      relative_difference: r.relative_difference,
      abs_tolerance: r.abs_tolerance,
      rel_tolerance: r.rel_tolerance,
      severity,
      action:
        r.status === 'mismatch'
          ? "Ask the vendor to explain how it computes this figure and to correct its report; rely on the firm's own figure meanwhile."
          : 'Ask the vendor which orders and definition its figure covers; the firm computes none for this group.',
      note: r.note,
    });
  }
  const rank: Record<FindingSeverity, number> = { high: 0, medium: 1, low: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity] || (a.finding_id < b.finding_id ? -1 : 1));
}
