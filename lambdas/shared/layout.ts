/**
 * Where things live: drop-key parsing and the keys of everything the pipeline writes. One module
 * so that the normalise Lambda, the review, the local runtime and the CDK constructs (prefix-scoped
 * IAM grants) agree on every prefix.
 */
import { createHash } from 'node:crypto';
import { DROP_DATASETS, type DropDataset, SOURCE_PATTERN } from './schema';

/** The buckets, by role. On AWS each is a CDK bucket; locally each is an s3rver bucket. */
export const BUCKET_ROLES = ['drop', 'lake', 'quarantine', 'results', 'evidence', 'athena'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];

export const DROP_EXTENSIONS = ['.csv', '.csv.gz', '.jsonl', '.jsonl.gz', '.parquet'] as const;
export const FIX_EXTENSIONS = ['.fix', '.log', '.fix.gz', '.log.gz'] as const;
export type DropFormat = 'csv' | 'jsonl' | 'parquet' | 'fix';

export interface DropKey {
  readonly key: string;
  readonly source: string;
  readonly dataset: DropDataset;
  readonly format: DropFormat;
  readonly gzip: boolean;
}

export type DropKeyResult = { ok: true; value: DropKey } | { ok: false; reason: string };

const SOURCE_RE = new RegExp(`^${SOURCE_PATTERN}$`);

/** Parses `<source>/<dataset>/<any/path>/<file>.<ext>`; says exactly what is wrong otherwise. */
export function parseDropKey(key: string): DropKeyResult {
  const parts = key.split('/');
  if (parts.length < 3 || parts.some((p) => p === '')) {
    return { ok: false, reason: `key "${key}" is not <source>/<dataset>/<file>: put the file under its source and dataset folders` };
  }
  const [source, dataset] = parts as [string, string];
  if (!SOURCE_RE.test(source)) {
    return { ok: false, reason: `source "${source}" is not a slug [a-z0-9][a-z0-9-]{0,31}: use the source name agreed with the firm` };
  }
  if (!(DROP_DATASETS as readonly string[]).includes(dataset)) {
    return { ok: false, reason: `dataset "${dataset}" is unknown: use one of ${DROP_DATASETS.join(', ')}` };
  }
  const file = (parts[parts.length - 1] as string).toLowerCase();
  const exts: readonly string[] = dataset === 'fix' ? FIX_EXTENSIONS : DROP_EXTENSIONS;
  const ext = exts.find((e) => file.endsWith(e));
  if (!ext) {
    return { ok: false, reason: `extension of "${file}" is not supported for ${dataset}: use one of ${exts.join(', ')}` };
  }
  const format: DropFormat = dataset === 'fix' ? 'fix' : ext.startsWith('.csv') ? 'csv' : ext.startsWith('.jsonl') ? 'jsonl' : 'parquet';
  return { ok: true, value: { key, source, dataset: dataset as DropDataset, format, gzip: ext.endsWith('.gz') } };
}

/** A short, stable id for a drop object's key: output names derive from it, so re-drops overwrite. */
export const keyId = (dropKey: string): string => createHash('sha256').update(dropKey).digest('hex').slice(0, 16);

/** Prefixes in the lake bucket. */
export const LAKE = {
  /** `<table>/source=<s>/trade_date=<d>/part-<keyId>.parquet` (quotes: no source level). */
  tablePrefix: (table: string): string => `${table}/`,
  /**
   * One load manifest per drop object, keyed by its key id: the commit record of its load. Only
   * the data files a manifest names (and the load id it gives) are visible to queries.
   */
  manifest: (dropKey: string): string => `_manifests/${keyId(dropKey)}.json`,
  manifests: '_manifests/',
  /** The one object of a figures partition (order_figures, execution_figures), replaced whole by each enrichment. */
  figures: (table: string, source: string, tradeDate: string): string => `${table}/source=${source}/trade_date=${tradeDate}/part-0.parquet`,
  /** The lineage record of one enriched source × trade date: which load manifests and SQL it came from. */
  figuresRecord: (source: string, tradeDate: string): string => `_figures/${source}/${tradeDate}.json`,
  figuresRecords: '_figures/',
  /** Where Athena stages a figures query's files before the commit step replaces the partition object. */
  figuresStaging: (runId: string, source: string, tradeDate: string, table: string): string =>
    `_staging/figures/${runId}/${source}/${tradeDate}/${table}/`,
  figuresStagingRoot: '_staging/figures/',
  /** The lease that serialises the loads of one source (lambdas/normalise/lease.ts). */
  lease: (source: string): string => `_leases/${source}.json`,
  /** A load's intent: the files it is about to write and those its commit replaces (for clean-up). */
  pending: (dropKey: string): string => `_pending/${keyId(dropKey)}.json`,
  /** Business keys of one load, for exactly-once checks across files: `_keys/<table>/source=<s>/<keyId>-<loadId>.parquet`. */
  keysPrefix: (table: string, source: string): string => `_keys/${table}/source=${source}/`,
} as const;

/** Prefixes in the quarantine bucket. */
export const QUARANTINE = {
  rowsPrefix: 'rows/',
  filesPrefix: 'files/',
  rows: (dropKey: string): string => `${QUARANTINE.rowsPrefix}${dropKey}.rejected.csv`,
  file: (dropKey: string): string => `${QUARANTINE.filesPrefix}${dropKey}`,
  reason: (dropKey: string): string => `${QUARANTINE.filesPrefix}${dropKey}.reason.json`,
} as const;

/**
 * The top-level prefixes of the results bucket: the one list the IAM grants (lib/constructs), the
 * Glue table locations and the CLI's listings use; the key builders below start from them.
 */
export const RESULT_PREFIXES = {
  monitoring: 'monitoring/',
  caseEvents: 'cases/events/',
  reviewMetrics: 'review_metrics/',
  reviewBreaches: 'review_breaches/',
  reviewFindings: 'review_findings/',
  reviewCells: 'review_cells/',
  reviews: 'reviews/',
  packages: 'packages/',
  /** The committee's hash-chained record and the agendas reviews of record leave. */
  committee: 'committee/',
  committeeRecords: 'committee/records/',
  committeeAgenda: 'committee/agenda/',
  /** Inputs the CLI stages for a run, e.g. a thresholds file to try (under dry-run/ for dry runs). */
  inputs: 'inputs/',
  exceptions: 'exceptions/',
  regulatory: 'regulatory/',
} as const;

/** Keys in the results bucket. */
export const RESULTS = {
  /** Heightened-monitoring state of every source, rewritten by each review of record. */
  monitoringState: `${RESULT_PREFIXES.monitoring}state.json`,
  /**
   * Athena table folders: one object per period, replaced by each non-dry review of that period,
   * so `review_metrics` always answers with the current review and never double counts a re-run.
   * The bucket is versioned and each run's CSV copy stays under reviews/<period>/<runId>/.
   */
  reviewMetrics: (period: string): string => `${RESULT_PREFIXES.reviewMetrics}period=${period}/review_metrics.parquet`,
  reviewBreaches: (period: string): string => `${RESULT_PREFIXES.reviewBreaches}period=${period}/review_breaches.parquet`,
  /** One finding per rule × source of the period's latest review, ranked (lambdas/shared/contracts/review.ts). */
  reviewFindings: (period: string): string => `${RESULT_PREFIXES.reviewFindings}period=${period}/review_findings.parquet`,
  /** The period's order cells (sql/review/order_cells.sql): the next period's `prior` benchmark. Not an Athena table. */
  reviewCells: (period: string): string => `${RESULT_PREFIXES.reviewCells}period=${period}/order_cells.parquet`,
  package: (period: string, source: string): string => `${RESULT_PREFIXES.packages}${period}/${source}/`,
  review: (period: string, runId: string): string => `${RESULT_PREFIXES.reviews}${period}/${runId}/`,
  /** One folder per trade date: exceptions.csv and report.html (a re-run overwrites the day's). */
  exceptions: (date: string): string => `${RESULT_PREFIXES.exceptions}${date}/`,
  /** Regulatory files: `regulatory/rule606/2026Q3/`, `regulatory/rule605/2026-07/`. */
  regulatory: (report: 'rule605' | 'rule606', period: string): string => `${RESULT_PREFIXES.regulatory}${report}/${period}/`,
} as const;

/** Keys in the evidence bucket (Object Lock): one folder per run, so no locked object is ever overwritten. */
export const EVIDENCE = {
  /** Every run of one period and source: `<runs>/<runId>/evidence.json`. */
  runs: (period: string, source: string): string => `packages/${period}/${source}/`,
  manifest: (period: string, source: string, runId: string): string => `${EVIDENCE.runs(period, source)}${runId}/evidence.json`,
} as const;

/**
 * A link a person can open to a package's report: under the firm's configured base URL (an
 * intranet mirror, or file:// for the local runtime's fetched copy), else the S3 console's page of
 * the object.
 */
export function packageLink(bucket: string, prefix: string, opts: { baseUrl?: string; region?: string } = {}): string {
  const key = `${prefix}report.html`;
  if (opts.baseUrl) return `${opts.baseUrl.replace(/\/+$/, '')}/${key}`;
  const region = opts.region ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(key)}`;
}

/** Dry runs write under this prefix of the results bucket and nothing to the evidence bucket. */
export const DRY_RUN_PREFIX = 'dry-run/';

/** Quarter or month label → [start, end) dates. */
export function periodRange(period: string): { start: string; end: string; kind: 'quarter' | 'month' } {
  const q = /^(\d{4})Q([1-4])$/.exec(period);
  if (q) {
    const y = Number(q[1]);
    const m = (Number(q[2]) - 1) * 3;
    return { start: ymd(y, m), end: ymd(y, m + 3), kind: 'quarter' };
  }
  const mo = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (mo) {
    const y = Number(mo[1]);
    const m = Number(mo[2]) - 1;
    return { start: ymd(y, m), end: ymd(y, m + 1), kind: 'month' };
  }
  throw new Error(`period "${period}" is neither a quarter (2026Q3) nor a month (2026-07)`);
}

/** The period before: 2026Q3 → 2026Q2, 2026Q1 → 2025Q4, 2026-07 → 2026-06, 2026-01 → 2025-12. */
export function priorPeriod(period: string): string {
  const { kind } = periodRange(period);
  if (kind === 'quarter') {
    const y = Number(period.slice(0, 4));
    const q = Number(period.slice(5));
    return q === 1 ? `${y - 1}Q4` : `${y}Q${q - 1}`;
  }
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The quarter or month that holds `now` (UTC). */
export function periodOf(now: Date, kind: 'quarter' | 'month'): string {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return kind === 'month' ? `${y}-${String(m + 1).padStart(2, '0')}` : `${y}Q${Math.floor(m / 3) + 1}`;
}

function ymd(year: number, month0: number): string {
  return new Date(Date.UTC(year, month0, 1)).toISOString().slice(0, 10);
}
