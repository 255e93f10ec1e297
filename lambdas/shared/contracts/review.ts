/**
 * The Evaluate step's output contract: the findings a committee reads (one per rule × source at its
 * headline group, with its drill-down, benchmark provenance and customer cost), the vendor
 * reconciliation findings, the findings document Evaluate writes to the results bucket and the
 * state output it returns to the state machine. The package, the notices and the committee report
 * import these schemas; they change only by adding optional fields (docs/review.md).
 */
import { z } from 'zod';

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type FindingSeverity = z.infer<typeof severitySchema>;

/**
 * breach: the headline test rejected "not worse than the benchmark" after multiplicity control and
 * the gap is beyond the rule's tolerance. pass: tested and not a breach (carries the minimum
 * detectable difference). insufficient_sample: too few orders (or trading days) to test: not a pass.
 * no_benchmark: nothing to compare with (no peer, no prior period, no 605 cell): not a pass either,
 * and never an amber for a first review.
 */
export const FINDING_STATUSES = ['breach', 'pass', 'insufficient_sample', 'no_benchmark'] as const;
export const findingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof findingStatusSchema>;

/** The components a threshold rule may name (config/thresholds.json); reconciliation findings are the review's own. */
export const RULE_COMPONENTS = [
  'price_improvement',
  'price_disimprovement',
  'limit_fill',
  'speed',
  'size',
  'transaction_cost',
  'venue_conflicts',
  'post_trade',
  'persistence',
] as const;

/** The FINRA Rule 5310.09 factor (or review component) a rule speaks to, for grouping in the report. */
export const FRAMEWORK_COMPONENTS = [...RULE_COMPONENTS, 'reconciliation'] as const;
export const frameworkComponentSchema = z.enum(FRAMEWORK_COMPONENTS);

/** Where a benchmark comes from. */
export const BENCHMARK_KINDS = ['fixed', 'peer', 'prior', 'median', 'industry_605'] as const;
export const benchmarkKindSchema = z.enum(BENCHMARK_KINDS);

/** One published Rule 605(a)(2) cell an industry benchmark rests on. */
export const marketCenterRefSchema = z
  .object({
    /** MktCtrMPID / reporting market center as written in the file (vendor bytes: display with oneLine). */
    market_center: z.string(),
    /** Calendar month of the file, YYYY-MM. */
    month: z.string().regex(/^\d{4}-\d{2}$/),
    /** Covered orders of the cell (its weight in the benchmark). */
    orders: z.number().nonnegative(),
    /** The lake object or drop key the row was loaded from, when known. */
    file: z.string().optional(),
  })
  .strict();
export type MarketCenterRef = z.infer<typeof marketCenterRefSchema>;

export const benchmarkProvenanceSchema = z
  .object({
    kind: benchmarkKindSchema,
    /** One line for the report: "peer bolt-sor", "median of 2 routers (bolt-sor, cobalt-sor)", "prior 2026Q2", "fixed: committee target (thresholds 2026-11-21.3)", "Rule 605 industry, 3 market centers, 2026-07..2026-09". */
    label: z.string(),
    /** Sources (routers) it is computed from: the peer, the median's members, the source itself for prior. */
    sources: z.array(z.string()).default([]),
    /** The period the benchmark figure belongs to (prior: the previous period). */
    period: z.string().nullable().default(null),
    /** Orders behind the benchmark figure, when it is a sample. */
    n_orders: z.number().nonnegative().nullable().default(null),
    /** industry_605: the market centers and months of the cells used. */
    market_centers: z.array(marketCenterRefSchema).default([]),
    /** fixed: the thresholds file version that states the number. */
    config_version: z.string().nullable().default(null),
    /** Free text: what a fixed number is based on, how cells were matched, etc. */
    note: z.string().default(''),
  })
  .strict();
export type BenchmarkProvenance = z.infer<typeof benchmarkProvenanceSchema>;

/** A group value of the headline: '*' = all. */
export const headlineGroupSchema = z
  .object({
    symbol: z.string(),
    order_category: z.string(),
    venue: z.string(),
    size_bucket: z.string(),
    sp500: z.string(),
  })
  .strict();
export type HeadlineGroup = z.infer<typeof headlineGroupSchema>;

export const CI_METHODS = ['cluster_bootstrap', 'clustered_se', 'delta_method', 'exact', 'none'] as const;
export const confidenceIntervalSchema = z
  .object({
    /** Confidence level, e.g. 0.95 (one-sided bound at 1 − α of the rule). */
    level: z.number().gt(0).lt(1),
    /** Bounds on the difference (value − benchmark); a one-sided interval has one bound null. */
    lower: z.number().nullable(),
    upper: z.number().nullable(),
    method: z.enum(CI_METHODS),
  })
  .strict();

export const testSchema = z
  .object({
    /** e.g. 'cluster_bootstrap_days', 'two_way_clustered_z', 'deterministic'. */
    method: z.string(),
    p_value: z.number().min(0).max(1).nullable(),
    /** After multiplicity control across all rules of the source (gatekeeping, then Holm). */
    p_adjusted: z.number().min(0).max(1).nullable(),
    alpha: z.number().gt(0).lt(1),
    /** Tests in the family the adjustment ran over. */
    family_size: z.number().int().nonnegative(),
    /** Headline tests form the first family; drill-down rows are tested only behind a breached headline. */
    stage: z.enum(['headline', 'drilldown']),
    /** Clusters the inference rests on (trading days, symbols). */
    clusters: z.object({ days: z.number().int().nonnegative(), symbols: z.number().int().nonnegative() }).strict(),
    /** Bootstrap replicates (0 when not a bootstrap) and the seed, so a run can be repeated. */
    replicates: z.number().int().nonnegative().default(0),
    seed: z.number().int().nullable().default(null),
  })
  .strict();

/** How the dollar figure was computed, so a committee can redo it. */
export const COST_METHODS = ['price_gap', 'unfilled_at_spread', 'latency_none', 'concentration_none', 'none'] as const;
export const customerCostSchema = z
  .object({
    /** Dollars customers did not get (≥ 0), null when the rule has no dollar measure. */
    usd: z.number().nullable(),
    method: z.enum(COST_METHODS),
    /** Shares the gap applies to (executed shares for price; unfilled shares for fill rate). */
    shares: z.number().nonnegative().nullable(),
    /** Gap per share in USD used in the product (benchmark − value in the worse direction; or the quoted spread). */
    usd_per_share: z.number().nullable(),
    /** One sentence: "312,400 executed shares × $0.0013/share below the peers' price improvement". */
    explanation: z.string(),
  })
  .strict();

export const DRILLDOWN_KINDS = ['symbol', 'size_bucket', 'venue', 'trade_date', 'month', 'order_category', 'sp500', 'cell'] as const;
export const drilldownRowSchema = z
  .object({
    group_kind: z.enum(DRILLDOWN_KINDS),
    /** The symbol / bucket / venue / date (vendor bytes for symbol and venue: display with oneLine). */
    group_value: z.string(),
    value: z.number().nullable(),
    benchmark: z.number().nullable(),
    difference: z.number().nullable(),
    n_orders: z.number().int().nonnegative(),
    cost_usd: z.number().nullable(),
    /** Adjusted p of the row's own test (tested only behind a breached headline), else null. */
    p_adjusted: z.number().min(0).max(1).nullable().default(null),
    /** This row itself breaches (behind the headline, after adjustment). */
    breach: z.boolean().default(false),
  })
  .strict();
export type DrilldownRow = z.infer<typeof drilldownRowSchema>;

/** Another rule of the same problem, shown inside the lead finding. */
export const relatedRuleSchema = z
  .object({
    rule_id: z.string(),
    title: z.string(),
    metric: z.string(),
    unit: z.string(),
    status: findingStatusSchema,
    value: z.number().nullable(),
    benchmark: z.number().nullable(),
    provenance_label: z.string(),
    difference: z.number().nullable(),
    p_adjusted: z.number().min(0).max(1).nullable(),
    customer_cost_usd: z.number().nullable(),
  })
  .strict();
export type RelatedRule = z.infer<typeof relatedRuleSchema>;

export const findingSchema = z
  .object({
    /** `${period}/${source}/${rule_id}`: stable across re-runs of a period. */
    finding_id: z.string(),
    period: z.string(),
    source: z.string(),
    rule_id: z.string(),
    /** The rule's description, for the report. */
    title: z.string(),
    component: frameworkComponentSchema,
    /** A metric name of lambdas/shared/metrics.ts, or a rule statistic (e.g. 'pfof_matched_pi_gap'). */
    metric: z.string(),
    /** Unit of value/benchmark/difference: 'usd_per_share', 'pct', 'ms', 'index', 'usd', 'pct_of_mid', 'count'. */
    unit: z.string(),
    headline_group: headlineGroupSchema,
    direction: z.enum(['below', 'above']),
    status: findingStatusSchema,
    value: z.number().nullable(),
    benchmark: z.number().nullable(),
    provenance: benchmarkProvenanceSchema,
    /** value − benchmark. */
    difference: z.number().nullable(),
    tolerance: z.number().nonnegative(),
    ci: confidenceIntervalSchema,
    test: testSchema,
    n_orders: z.number().int().nonnegative(),
    /** Smallest gap (in the worse direction) this test detects with 80 % power at this n; set on a pass. */
    minimum_detectable_difference: z.number().nonnegative().nullable(),
    severity: severitySchema,
    action: z.string(),
    customer_cost: customerCostSchema,
    /** What drives the finding, largest cost (or gap) first; empty on a pass. */
    drilldown: z.array(drilldownRowSchema),
    /** Why the status is what it is, when not self-evident. */
    note: z.string().default(''),
    /** The problem the rule belongs to ('price', 'limit_fill', 'speed', …): one breached finding per problem and source. */
    problem: z.string().optional(),
    /** The problem's other rules, with their own outcome: supporting evidence of a breach (they are not separate findings). */
    related: z.array(relatedRuleSchema).optional(),
  })
  .strict();
export type Finding = z.infer<typeof findingSchema>;

/** A vendor's self-reported figure set against the firm's own, when it differs beyond tolerance (or the firm has none). */
export const reconciliationFindingSchema = z
  .object({
    finding_id: z.string(),
    period: z.string(),
    source: z.string(),
    metric: z.string(),
    symbol: z.string(),
    order_type: z.string(),
    status: z.enum(['mismatch', 'firm_missing']),
    vendor_value: z.number().nullable(),
    firm_value: z.number().nullable(),
    difference: z.number().nullable(),
    relative_difference: z.number().nullable(),
    abs_tolerance: z.number().nonnegative(),
    rel_tolerance: z.number().nonnegative(),
    severity: severitySchema,
    action: z.string(),
    note: z.string().default(''),
  })
  .strict();
export type ReconciliationFindingOut = z.infer<typeof reconciliationFindingSchema>;

/** Per source, what the committee sees first. */
export const sourceFindingsSummarySchema = z
  .object({
    source: z.string(),
    breaches: z.number().int().nonnegative(),
    passes: z.number().int().nonnegative(),
    insufficient_sample: z.number().int().nonnegative(),
    no_benchmark: z.number().int().nonnegative(),
    reconciliation_findings: z.number().int().nonnegative(),
    highest_severity: z.enum([...SEVERITIES, 'none']),
    /** Σ customer_cost.usd of the breaches. */
    customer_cost_usd: z.number().nonnegative(),
    monitoring: z.enum(['normal', 'heightened']),
  })
  .strict();
export type SourceFindingsSummary = z.infer<typeof sourceFindingsSummarySchema>;

/** findings.json in the run folder (RESULTS.review): every finding of every rule × source, ranked. */
export const findingsDocumentSchema = z
  .object({
    period: z.string(),
    runId: z.string(),
    evaluatedAt: z.string(),
    thresholds: z.object({ version: z.string(), sha256: z.string() }).strict(),
    /** Seed of every bootstrap in the run. */
    seed: z.number().int(),
    /** Breaches first by severity (high → low), then customer cost (largest first); then the other statuses. */
    findings: z.array(findingSchema),
    reconciliation: z.array(reconciliationFindingSchema),
    sources: z.array(sourceFindingsSummarySchema),
  })
  .strict();
export type FindingsDocument = z.infer<typeof findingsDocumentSchema>;

/** The Evaluate state's output (the state machine passes it to Package and Notify): small, the findings stay in S3. */
export const evaluateOutputSchema = z
  .object({
    period: z.string(),
    runId: z.string(),
    dryRun: z.boolean(),
    /** Breached rule × source findings (not breach rows). */
    findingCount: z.number().int().nonnegative(),
    /** review_breaches rows with status breach (kept for analysts). */
    breachCount: z.number().int().nonnegative(),
    sources: z.array(
      z
        .object({
          source: z.string(),
          /** Breached findings of this source. */
          breaches: z.number().int().nonnegative(),
          status: z.enum(['normal', 'heightened']),
        })
        .strict(),
    ),
    notices: z.array(
      z.object({ subject: z.string(), message: z.string(), attributes: z.record(z.string(), z.string()).optional() }).strict(),
    ),
    outputs: z.array(z.string()),
    /** Keys written, by role (results bucket). `findings` is the FindingsDocument; `reviewFindingsParquet` the review_findings table. */
    files: z.record(z.string(), z.string()),
    thresholds: z.object({ uri: z.string(), version: z.string(), sha256: z.string() }).strict(),
  })
  .strict();
export type EvaluateOutput = z.infer<typeof evaluateOutputSchema>;

/** Findings ranked for the committee: breaches first, by severity then customer cost, then the rest by status. */
export function rankFindings<T extends Pick<Finding, 'status' | 'severity' | 'customer_cost' | 'source' | 'rule_id'>>(
  findings: readonly T[],
): T[] {
  const statusRank: Record<FindingStatus, number> = { breach: 0, insufficient_sample: 1, no_benchmark: 2, pass: 3 };
  const sev: Record<FindingSeverity, number> = { high: 0, medium: 1, low: 2 };
  return [...findings].sort(
    (a, b) =>
      statusRank[a.status] - statusRank[b.status] ||
      sev[a.severity] - sev[b.severity] ||
      (b.customer_cost.usd ?? -1) - (a.customer_cost.usd ?? -1) ||
      (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
      (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0),
  );
}
