/**
 * The typed configuration: deployment settings, vendor profiles and threshold rules. Each is a
 * JSON file under config/, validated by these schemas at synth time (CDK), at load time
 * (Lambdas, local runtime) and in tests, with errors that name the file and the field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RULE_COMPONENTS } from './contracts/review';
import { EXCEPTION_KINDS, METRICS, SEVERITIES } from './metrics';
import { DATASETS, SOURCE_PATTERN } from './schema';

const slug = z.string().regex(new RegExp(`^${SOURCE_PATTERN}$`), 'must be a source slug [a-z0-9][a-z0-9-]{0,31}');
const email = z.string().email();

/** Canonical dataset names a profile may map (fix has its own fixed mapping). */
const profileDataset = z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]);

export const datasetProfileSchema = z
  .object({
    /** vendor column name → canonical column name */
    columns: z.record(z.string(), z.string()).default({}),
    /** canonical column → { vendor code → canonical code } */
    codes: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    /** strptime format for timestamps that are not ISO-8601, e.g. "%m/%d/%Y %H:%M:%S.%f" */
    timestampFormat: z.string().optional(),
    /** IANA zone for timestamps written without one, e.g. "America/New_York" */
    timeZone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as America/New_York')
      .optional(),
    /**
     * With timeZone: how a local time that is ambiguous or does not exist at a DST change is read
     * ('earlier' or 'later' of its two instants). Absent: such a value is rejected.
     */
    dstResolution: z.enum(['earlier', 'later']).optional(),
    /** CSV delimiter, if not a comma */
    delimiter: z.string().length(1).optional(),
  })
  .strict();

export const vendorProfileSchema = z
  .object({
    source: slug,
    description: z.string().optional(),
    /** Per canonical dataset overrides; datasets not listed use canonical names as is. */
    datasets: z.partialRecord(profileDataset, datasetProfileSchema).default({}),
  })
  .strict();
export type VendorProfile = z.infer<typeof vendorProfileSchema>;
export type DatasetProfile = z.infer<typeof datasetProfileSchema>;

const groupSchema = z
  .object({
    symbol: z.string().optional(),
    order_category: z.string().optional(),
    venue: z.string().optional(),
    size_bucket: z.string().optional(),
    sp500: z.string().optional(),
  })
  .strict();

export const benchmarkSchema = z.union([
  z.object({ value: z.number() }).strict(),
  z.object({ peer: slug }).strict(),
  z.object({ prior: z.literal(true) }).strict(),
  z.object({ median: z.literal(true) }).strict(),
]);

export const thresholdRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    metric: z.enum(METRICS),
    /** Grouping the rule applies to; a column left out means "every value" (one test each). */
    group: groupSchema.default({}),
    direction: z.enum(['below', 'above']),
    benchmark: benchmarkSchema,
    tolerance: z.number().nonnegative(),
    min_orders: z.number().int().nonnegative().default(30),
    severity: z.enum(['low', 'medium', 'high']),
    action: z.string().min(1),
    /** Sources the rule applies to (default: every source except the benchmark peer). */
    sources: z.array(slug).optional(),
    /**
     * Statistical test (docs/review.md): 'auto' (default) = t/Welch when the row carries std_dev and
     * n_eff, a normal-approximation test for percentages of counts, else a deterministic comparison.
     */
    test: z.enum(['auto', 't', 'proportion', 'none']).optional(),
    /** This rule's one-sided significance level (default: the file's `significance`). */
    significance: z.number().gt(0).lt(0.5).optional(),
    /**
     * H0 of the test: 'no_gap' (default) = "not worse than the benchmark"; 'within_tolerance' =
     * "not worse by more than the tolerance" (stricter evidence before a breach).
     */
    null_hypothesis: z.enum(['no_gap', 'within_tolerance']).optional(),
    /** Why the rule exists, for the committee (shown in the package). */
    description: z.string().optional(),
  })
  .strict();
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;

/** Reconciliation tolerance: a vendor figure matches when within `abs` OR within `rel` × |firm figure|. */
export const reconcileToleranceSchema = z
  .object({ abs: z.number().nonnegative().optional(), rel: z.number().nonnegative().optional() })
  .strict();

/** Tolerances of the vendor reconciliation (defaults per metric unit: docs/review.md). */
export const reconciliationSchema = z
  .object({
    default: reconcileToleranceSchema.optional(),
    metrics: z.partialRecord(z.enum(METRICS), reconcileToleranceSchema).optional(),
  })
  .strict();

/** Side-by-side comparison of sources and venues ("material differences among markets"). */
export const comparisonsSchema = z
  .object({
    min_orders: z.number().int().nonnegative().optional(),
    significance: z.number().gt(0).lt(0.5).optional(),
    metrics: z
      .array(z.object({ metric: z.enum(METRICS), better: z.enum(['higher', 'lower']), tolerance: z.number().nonnegative() }).strict())
      .optional(),
  })
  .strict();

/** Sums of one order cell (sql/review/order_cells.sql): the numerators and denominators finding rules name. */
export const ORDER_CELL_SUMS = [
  'orders',
  'shares',
  'covered_orders',
  'covered_shares',
  'pi_amount',
  'es_amount',
  'qs_amount',
  'mid_amount',
  'outside_amount',
  'shares_outside_quote',
  'filled_orders',
  'unfilled_shares',
  'quoted_orders',
  'quoted_shares',
  'qs_qty_amount',
  'fill_ms_sum',
  'fill_ms_n',
  'routed_shares',
  'pfof_routed_shares',
] as const;
export type OrderCellSum = (typeof ORDER_CELL_SUMS)[number];

/** Rule 605(a)(2) summary fields a finding may use as industry benchmark (docs/review.md). */
export const INDUSTRY_605_FIELDS = ['pct_price_improvement', 'eq_ratio', 'exec_time_ms', 'pct_outside_quote'] as const;

/** Where a finding rule's benchmark comes from (each names its provenance in the finding). */
export const findingBenchmarkSchema = z.union([
  /** The pooled orders of every other source of the run (except `peer_exclude`). */
  z.object({ peers: z.literal(true) }).strict(),
  /** One named source, e.g. the firm's `direct` routing. */
  z.object({ peer: slug }).strict(),
  /** A fixed number, with what it rests on (shown as the benchmark's provenance). */
  z.object({ value: z.number(), basis: z.string().min(1) }).strict(),
  /** The same source's previous period (its stored order cells). */
  z.object({ prior: z.literal(true) }).strict(),
  /** Other market centers' Rule 605(a)(2) summaries (table public_605), matched by order type × size × S&P 500. */
  z.object({ industry_605: z.enum(INDUSTRY_605_FIELDS) }).strict(),
  /** PFOF venues against non-PFOF venues of the same source in matched symbol × size × time-of-day cells. */
  z.object({ matched: z.literal('non_pfof') }).strict(),
]);

export const findingRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    /** Rules of one problem give one finding per source: the first breached rule leads, the others are evidence. */
    problem: z.string().regex(/^[a-z0-9_]+$/),
    component: z.enum(RULE_COMPONENTS),
    title: z.string().min(1),
    /**
     * ratio: scale · Σnumerator/Σdenominator over order cells; quantile: of first-fill times;
     * venue_hhi: Herfindahl index of executed shares by venue; pfof_matched: price improvement at
     * PFOF venues minus non-PFOF venues in matched cells; persistence: the ratio month by month.
     */
    statistic: z.enum(['ratio', 'quantile', 'venue_hhi', 'pfof_matched', 'persistence']),
    metric: z.string().min(1),
    unit: z.enum(['usd_per_share', 'pct', 'pct_of_mid', 'ms', 'index', 'usd', 'count']),
    numerator: z.enum(ORDER_CELL_SUMS).optional(),
    denominator: z.enum(ORDER_CELL_SUMS).optional(),
    scale: z.number().positive().default(1),
    /** Order categories the rule counts. */
    categories: z.array(z.enum(['market', 'marketable_limit', 'non_marketable_limit', 'other'])).min(1),
    quantile: z.number().gt(0).lt(1).optional(),
    direction: z.enum(['below', 'above']),
    benchmark: findingBenchmarkSchema,
    tolerance: z.number().nonnegative(),
    min_orders: z.number().int().nonnegative().default(100),
    /** Trading days the source (and a sample benchmark) must span: fewer clusters give no reliable error. */
    min_days: z.number().int().positive().default(10),
    severity: z.enum(['low', 'medium', 'high']),
    action: z.string().min(1),
    /** Customer cost in dollars: price_gap (gap × shares or × dollars of the denominator), unfilled_at_spread, none. */
    cost: z.enum(['price_gap', 'unfilled_at_spread', 'none']).default('none'),
    drilldown: z.array(z.enum(['symbol', 'size_bucket', 'trade_date', 'venue', 'month'])).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    const needsRatio = r.statistic === 'ratio' || r.statistic === 'persistence';
    if (needsRatio && (!r.numerator || !r.denominator))
      ctx.addIssue({ code: 'custom', path: ['numerator'], message: `${r.statistic} rule ${r.id} needs numerator and denominator` });
    if (r.statistic === 'quantile' && r.quantile === undefined)
      ctx.addIssue({ code: 'custom', path: ['quantile'], message: `quantile rule ${r.id} needs quantile` });
    if ('matched' in r.benchmark !== (r.statistic === 'pfof_matched'))
      ctx.addIssue({
        code: 'custom',
        path: ['benchmark'],
        message: 'benchmark {matched} goes with statistic pfof_matched, and only with it',
      });
  });
export type FindingRule = z.infer<typeof findingRuleSchema>;

/** Order-level findings (docs/review.md): inference settings and rules. */
export const findingsSettingsSchema = z
  .object({
    /** Seed of every bootstrap: a run can be repeated exactly. */
    seed: z.number().int().default(20260930),
    bootstrap_replicates: z.number().int().min(50).default(400),
    /** Power at which a pass states its minimum detectable difference. */
    power: z.number().gt(0.5).lt(1).default(0.8),
    /** Sources never pooled into `peers` (they are benchmarks of their own, e.g. direct routing). */
    peer_exclude: z.array(slug).default(['direct']),
    /** Drill-down rows kept per kind (largest cost or gap first). */
    drilldown_rows: z.number().int().positive().default(10),
    rules: z.array(findingRuleSchema).default([]),
  })
  .strict();
export type FindingsSettings = z.infer<typeof findingsSettingsSchema>;

export const thresholdsSchema = z
  .object({
    version: z.string().min(1),
    /** One-sided significance level of the breach test. */
    significance: z.number().gt(0).lt(0.5).default(0.05),
    /** Consecutive clean reviews that end heightened monitoring. */
    clean_reviews_to_exit: z.number().int().positive().default(2),
    /** Rules on review_metrics rows (each row tested alone); the default rule set uses `findings` instead. */
    rules: z.array(thresholdRuleSchema).default([]),
    /**
     * Multiple-testing control within each rule × source (every group one rule tests for one
     * source is a family): 'holm' keeps the family-wise error rate at the rule's level; absent or
     * 'none' judges each test alone (docs/review.md).
     */
    multiple_testing: z.enum(['none', 'holm']).optional(),
    reconciliation: reconciliationSchema.optional(),
    comparisons: comparisonsSchema.optional(),
    /** Order-level findings: one per problem and source, multiplicity controlled over all rules of a source. */
    findings: findingsSettingsSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.findings?.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['findings', 'rules', i, 'id'],
          message: `duplicate rule id "${r.id}": rule ids must be unique`,
        });
      seen.add(r.id);
    });
    t.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}": rule ids must be unique` });
      seen.add(r.id);
    });
  });
export type Thresholds = z.infer<typeof thresholdsSchema>;

/** Rule 605 Designated Participant codes (oes-technical-specification.txt, Exhibit A, field 1). */
export const DESIGNATED_PARTICIPANTS = ['A', 'Z', 'Y', 'B', 'M', 'C', 'J', 'K', 'Q', 'T', 'N', 'P', 'X', 'V', 'L', 'H', 'U'] as const;

export const firmSchema = z
  .object({
    /** Legal name of the broker-dealer (Rule 606 `bd`: 1-80 characters). */
    name: z.string().trim().min(1).max(80),
    /** FINRA CRD number. */
    crd: z
      .string()
      .regex(/^\d{1,8}$/)
      .optional(),
    /** Rule 605 `DsgntParticipant`: the Participant acting as the firm's Designated Participant. */
    designatedParticipant: z.enum(DESIGNATED_PARTICIPANTS),
    /** Rule 605 `RprtEntityCd`, as assigned by the Designated Participant (upper-case letters); also the file name prefix. */
    reportingEntityCode: z.string().regex(/^[A-Z]+$/, 'must be upper-case letters A-Z'),
    /** Rule 606 schema instance version (oh-20191231.xsd accepts 1.2 and 1.3). */
    rule606Version: z.enum(['1.2', '1.3']).default('1.2'),
    /** Rule 606(a)(1)(iv) discussion of the material aspects of the relationship with each venue, by MIC. */
    materialAspects: z.record(z.string().regex(/^[A-Z0-9]{4}$/, 'must be a MIC'), z.string().min(1)).default({}),
    /** Text added for a venue with no entry in materialAspects (the venue facts from the due-diligence record are always given). */
    materialAspectsDefault: z.string().optional(),
  })
  .strict();
export type Firm = z.infer<typeof firmSchema>;

export const exceptionsSchema = z
  .object({
    /** Floor of the slow-fill threshold; the source's trailing p99 raises it. */
    slowFillMs: z.number().positive().default(1000),
    /** USD per share beyond the NBBO at execution before outside_nbbo fires. */
    nbboTolerance: z.number().nonnegative().default(0),
    /** Seconds a marketable order may stay unfilled and uncanceled. */
    unfilledTimeoutSeconds: z.number().positive().default(60),
    /** A notice goes out when any exception has this severity or higher. */
    notifyAt: z.enum(SEVERITIES).default('medium'),
    /** Severity per kind, overriding the SQL's default. */
    severity: z.partialRecord(z.enum(EXCEPTION_KINDS), z.enum(SEVERITIES)).default({}),
    /** Worst cases listed in the notice. */
    worstCases: z.number().int().positive().default(10),
    /** A source whose latest venues record is older than this gets a due-diligence reminder. */
    venueMaxAgeMonths: z.number().int().positive().default(12),
    /** How often the daily run repeats the reminder while a record stays stale. */
    dueDiligenceReminder: z.enum(['monthly', 'daily']).default('monthly'),
  })
  .strict();
export type ExceptionSettings = z.infer<typeof exceptionsSchema>;

/**
 * One vendor's write path into the drop bucket: an upload role its AWS account may assume, and/or
 * a bucket-policy statement for named principals of its account. Either way: PutObject (and
 * aborting its own multipart uploads) under `<source>/` only; no read, no list, no delete.
 */
export const vendorAccessSchema = z
  .object({
    source: slug,
    /** The vendor's AWS account: creates role `<stack>-vendor-<source>` that this account may assume. */
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** sts:ExternalId the vendor must pass when assuming the role (required with accountId). */
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/_-]')
      .optional(),
    /** IAM principals (account root, role or user ARNs) granted the write path in the drop bucket's policy. */
    principalArns: z
      .array(
        z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, 'must be an IAM root, role or user ARN'),
      )
      .default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.accountId && v.principalArns.length === 0)
      ctx.addIssue({
        code: 'custom',
        message: `vendor ${v.source}: give accountId (an upload role) or principalArns (a bucket-policy grant)`,
      });
    if (v.accountId && !v.externalId)
      ctx.addIssue({
        code: 'custom',
        path: ['externalId'],
        message: `vendor ${v.source}: an upload role needs an externalId agreed with the vendor`,
      });
  });
export type VendorAccess = z.infer<typeof vendorAccessSchema>;

export const deploymentSchema = z
  .object({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
      .default('Bestex'),
    account: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
      .default('us-east-1'),
    complianceEmails: z.array(email).default([]),
    dataOpsEmails: z.array(email).default([]),
    /** Sources expected in the lake (Glue partition projection enumerates them). */
    sources: z.array(slug).min(1),
    schedules: z
      .object({
        /** EventBridge cron for the quarterly review (first business days after quarter end). */
        quarterly: z.string().default('cron(0 11 5 1,4,7,10 ? *)'),
        /** Monthly review of sources under heightened monitoring. */
        monthly: z.string().default('cron(0 11 5 * ? *)'),
        /** Daily exception report, next morning. */
        daily: z.string().default('cron(0 11 ? * TUE-SAT *)'),
      })
      .strict()
      .default({ quarterly: 'cron(0 11 5 1,4,7,10 ? *)', monthly: 'cron(0 11 5 * ? *)', daily: 'cron(0 11 ? * TUE-SAT *)' }),
    retention: z
      .object({
        evidenceYears: z.number().int().positive().default(6),
        quarantineDays: z.number().int().positive().default(400),
        logDays: z.number().int().positive().default(400),
        /** Server access logs of every bucket (docs/security.md). */
        accessLogDays: z.number().int().positive().default(400),
        /** Athena query result files (the review copies what it keeps into the results bucket). */
        athenaResultsDays: z.number().int().positive().default(30),
        /** Replaced (noncurrent) versions in the quarantine bucket; lake and results keep theirs as long as the evidence, drop and evidence keep every version. */
        noncurrentDays: z.number().int().positive().default(90),
      })
      .strict()
      .default({ evidenceYears: 6, quarantineDays: 400, logDays: 400, accessLogDays: 400, athenaResultsDays: 30, noncurrentDays: 90 }),
    ingest: z
      .object({
        /** Share of rejected rows above which the whole file is quarantined. */
        maxErrorRate: z.number().min(0).max(1).default(0.05),
        /** NBBO older than this is stale (seconds). */
        maxQuoteAgeSeconds: z.number().positive().default(10),
      })
      .strict()
      .default({ maxErrorRate: 0.05, maxQuoteAgeSeconds: 10 }),
    /** The reporting broker-dealer, as the Rule 605 and Rule 606 files name it (needed only to produce them). */
    firm: firmSchema.optional(),
    /** Daily exceptions and the due-diligence reminder (defaults: docs/exceptions.md). */
    exceptions: exceptionsSchema.optional(),
    /** The committee's calendar and where its links point (docs/review-package.md). */
    committee: z
      .object({
        /** Days after a review of record by which the committee should decide its findings. */
        decideWithinDays: z.number().int().positive().default(30),
        /** Days before the annual due-diligence refresh falls due that the reminder starts. */
        dueDiligenceReminderDays: z.number().int().positive().default(60),
        /** A firm-configured https:// base the package links start with (e.g. an intranet mirror of the results bucket); default: the S3 console. */
        packageBaseUrl: z.string().url().optional(),
      })
      .strict()
      .default({ decideWithinDays: 30, dueDiligenceReminderDays: 60 }),
    /** Athena workgroup limits (docs/operations.md). */
    athena: z
      .object({
        /** A query that would scan more is cancelled by Athena. */
        bytesScannedCutoffGiB: z.number().positive().default(100),
        /**
         * The engine of the enrichment workgroup (docs/deploy.md): 'v3' is Athena engine version 3
         * (Trino; the portable as-of form of sql/enrich), 'duckdb' is Amazon Athena powered by DuckDB
         * (preview; the ASOF JOIN form).
         */
        engine: z.enum(['v3', 'duckdb']).default('v3'),
      })
      .strict()
      .default({ bytesScannedCutoffGiB: 100, engine: 'v3' }),
    /** Alarm thresholds; every alarm notifies the data-operations topic (docs/operations.md). */
    alarms: z
      .object({
        /** An unprocessed drop notification older than this raises an alarm. */
        queueAgeMinutes: z.number().int().positive().default(60),
      })
      .strict()
      .default({ queueAgeMinutes: 60 }),
    /** Vendors' write-only access to their own `<source>/` prefix of the drop bucket (docs/security.md). */
    vendorAccess: z.array(vendorAccessSchema).default([]),
  })
  .strict();
export type Deployment = z.infer<typeof deploymentSchema>;

export interface BestexConfig {
  deployment: Deployment;
  profiles: Record<string, VendorProfile>;
  thresholds: Thresholds;
}

/** The config folder: BESTEX_CONFIG_DIR (set on Lambda, where config/ ships beside the bundle), else the repository's. */
export const DEFAULT_CONFIG_DIR = process.env.BESTEX_CONFIG_DIR ?? new URL('../../config/', import.meta.url).pathname;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates one parsed JSON value; the error names the file and each failing field. */
export function parseConfig<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`${file} is not valid:\n${lines.join('\n')}`);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file} cannot be read as JSON: ${(e as Error).message}`);
  }
}

/** Loads and validates config/ (deployment, thresholds, every profile under profiles/). */
export function loadConfig(dir: string = DEFAULT_CONFIG_DIR): BestexConfig {
  const deployment = parseConfig(deploymentSchema, readJson(join(dir, 'bestex.json')), join(dir, 'bestex.json'));
  const thresholds = parseConfig(thresholdsSchema, readJson(join(dir, 'thresholds.json')), join(dir, 'thresholds.json'));
  const profiles: Record<string, VendorProfile> = {};
  const pdir = join(dir, 'profiles');
  for (const f of readdirSync(pdir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const p = parseConfig(vendorProfileSchema, readJson(join(pdir, f)), join(pdir, f));
    if (`${p.source}.json` !== f) throw new ConfigError(`${join(pdir, f)}: file name must be ${p.source}.json`);
    profiles[p.source] = p;
  }
  return { deployment, profiles, thresholds };
}
