/**
 * The Evaluate step of the review state machine: metric query results (Athena CSVs) → review_metrics
 * → threshold outcomes, vendor reconciliation, market comparison, monitoring state, cases and the
 * compliance notices (which the state machine publishes). Everything it decides comes from the pure
 * modules in lambdas/core/review/; this file only reads and writes S3.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadCaseEvents, writeCaseEvents } from '../adapters/case-store';
import { csvToParquet, readParquetRows } from '../adapters/parquet';
import { getBytes, getText, parseS3Uri, putObject, s3Uri } from '../adapters/s3io';
import { type CaseSummary, caseSummaries, casesForBreaches } from '../core/review/cases';
import {
  FINDINGS_RESULTS,
  ORDER_CELL_COLUMNS,
  ORDER_CELLS_PARQUET,
  toFillTimes,
  toIndustry605,
  toOrderCells,
  toVenueCells,
} from '../core/review/cells';
import { daysAfter } from '../core/review/committee';
import { compareMarkets, type MarketComparison } from '../core/review/compare';
import { toReviewMetricRows, toVendorMetricRows } from '../core/review/csv';
import { breachCounts, evaluateThresholds, OUTCOME_COLUMNS, type RuleOutcome } from '../core/review/evaluate';
import { evaluatedOutcome, findingOutcome, findingRows, reconciliationFindings } from '../core/review/finding-rows';
import { evaluateFindings, type FillTimeBin, type Industry605Row, type OrderCell, type VenueCell } from '../core/review/findings';
import {
  applyReviews,
  MONITORING_STATE_KEY,
  type MonitoringState,
  parseMonitoringState,
  type SourceReview,
} from '../core/review/monitoring';
import { composeNotices } from '../core/review/notify';
import { type ReconciliationFinding, reconcileVendorMetrics, type VendorMetricRow } from '../core/review/reconcile';
import { REVIEW_BREACHES_PARQUET, REVIEW_FINDINGS_PARQUET, REVIEW_METRICS_PARQUET } from '../core/review/tables';
import { parseCsv, toAthenaCsvRecords } from '../shared/athena-csv';
import { DEFAULT_CONFIG_DIR, parseConfig, type Thresholds, thresholdsSchema } from '../shared/config';
import { type Finding, type FindingsDocument, findingsDocumentSchema, type SourceFindingsSummary } from '../shared/contracts/review';
import { DRY_RUN_PREFIX, packageLink, periodRange, priorPeriod, RESULTS } from '../shared/layout';
import { GROUP_COLUMNS, REVIEW_METRIC_COLUMNS, type ReviewMetricRow } from '../shared/metrics';
import type { Notice } from '../shared/notice';

/** One Map item of RunMetricQueries: the query's name and its Athena result. */
export interface MetricResult {
  name: string;
  path?: string;
  sha256?: string;
  result: { queryExecutionId: string; outputLocation: string; bytesScanned?: number };
}

export interface EvaluateEvent {
  period: string;
  runId: string;
  start: string;
  end: string;
  /** The ASL passes the execution input's value through: a boolean, or its text. */
  dryRun?: boolean | string;
  /** Restrict the review to these sources; empty = every source in the results. */
  sources?: string[];
  /** Rules file to use instead of the deployed config/thresholds.json: s3:// URI or local path; '' = deployed. */
  thresholdsUri?: string;
  /** Metric query results; an item named 'vendor_metrics' holds the vendors' own statistics instead. */
  metricResults: MetricResult[];
}

export interface EvaluateResult {
  period: string;
  runId: string;
  dryRun: boolean;
  /** Breached findings (one per problem and source). */
  findingCount: number;
  /** review_breaches rows with status breach. */
  breachCount: number;
  sources: { source: string; breaches: number; status: 'normal' | 'heightened' }[];
  notices: Notice[];
  /** Keys written to the results bucket. */
  outputs: string[];
  /** The same keys by role, for the package step. */
  files: EvaluateFiles;
  thresholds: { uri: string; version: string; sha256: string };
}

export interface EvaluateFiles {
  reviewMetricsParquet: string;
  reviewMetricsCsv: string;
  reviewBreachesParquet: string;
  reviewBreachesCsv: string;
  breaches: string;
  outcomes: string;
  reconciliation: string;
  comparison: string;
  monitoring: string;
  cases: string;
  summary: string;
  /** The FindingsDocument (lambdas/shared/contracts/review.ts). */
  findings: string;
  reviewFindingsParquet: string;
  reviewFindingsCsv: string;
  /** This period's order cells: the next period's `prior` benchmark. */
  reviewCellsParquet: string;
}

export interface EvaluateDeps {
  /** Days the committee has to decide a review's findings (config/bestex.json committee.decideWithinDays). */
  decideWithinDays?: number;
  s3: S3Client;
  resultsBucket: string;
  now: () => Date;
}

export const VENDOR_METRICS_RESULT = 'vendor_metrics';
/** sql/review results that feed the findings' statistics (per-cell figures), not review_metrics rows. */
export const CELL_RESULTS: readonly string[] = ['pfof_matched_cells'];

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Output keys of a run; dry runs write under `dry-run/` so they never mix with the record. */
export function evaluateFiles(period: string, runId: string, dryRun: boolean): EvaluateFiles {
  const p = dryRun ? DRY_RUN_PREFIX : '';
  const dir = `${p}${RESULTS.review(period, runId)}`;
  return {
    reviewMetricsParquet: `${p}${RESULTS.reviewMetrics(period)}`,
    // The CSVs live beside the JSON, not in the table folders: Athena reads every object under a
    // table's location, and a CSV among Parquet files fails the query.
    reviewMetricsCsv: `${dir}review_metrics.csv`,
    reviewBreachesParquet: `${p}${RESULTS.reviewBreaches(period)}`,
    reviewBreachesCsv: `${dir}review_breaches.csv`,
    breaches: `${dir}breaches.json`,
    outcomes: `${dir}outcomes.json`,
    reconciliation: `${dir}reconciliation.json`,
    comparison: `${dir}comparison.json`,
    monitoring: `${dir}monitoring.json`,
    cases: `${dir}cases.json`,
    summary: `${dir}summary.json`,
    findings: `${dir}findings.json`,
    reviewFindingsParquet: `${p}${RESULTS.reviewFindings(period)}`,
    reviewFindingsCsv: `${dir}review_findings.csv`,
    reviewCellsParquet: `${p}${RESULTS.reviewCells(period)}`,
  };
}

async function readThresholds(
  deps: EvaluateDeps,
  uri: string | undefined,
): Promise<{ thresholds: Thresholds; uri: string; sha256: string }> {
  const where = uri || join(DEFAULT_CONFIG_DIR, 'thresholds.json');
  let text: string;
  const loc = parseS3Uri(where);
  if (loc) {
    const t = await getText(deps.s3, loc.bucket, loc.key);
    if (t === null)
      throw new Error(`thresholds file ${where} does not exist: upload it or leave thresholdsUri empty for the deployed rules`);
    text = t;
  } else {
    try {
      text = readFileSync(where, 'utf8');
    } catch (e) {
      throw new Error(`thresholds file ${where} cannot be read: ${(e as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`thresholds file ${where} is not JSON: ${(e as Error).message}`);
  }
  return { thresholds: parseConfig(thresholdsSchema, json, where), uri: where, sha256: createHash('sha256').update(text).digest('hex') };
}

async function readResult(deps: EvaluateDeps, r: MetricResult): Promise<{ name: string; text: string; where: string }> {
  const loc = parseS3Uri(r.result.outputLocation);
  if (!loc) throw new Error(`metric result ${r.name}: outputLocation "${r.result.outputLocation}" is not an s3:// URI`);
  const text = await getText(deps.s3, loc.bucket, loc.key);
  if (text === null)
    throw new Error(`metric result ${r.name}: ${r.result.outputLocation} does not exist (query ${r.result.queryExecutionId})`);
  return { name: r.name, text, where: r.result.outputLocation };
}

function rowKey(r: ReviewMetricRow): string {
  return [r.source, r.metric, ...GROUP_COLUMNS.map((c) => r[c])].join('|');
}

interface FindingsInputs {
  cells: OrderCell[] | null;
  venueCells: VenueCell[];
  fillTimes: FillTimeBin[];
  industry605: Industry605Row[];
  /** Review query results nobody here reads (e.g. another step's sql/review file), by name. */
  ignored: string[];
}

const unwrap = <T>(r: { ok: true; value: T } | { ok: false; reason: string }, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${r.reason}`);
  return r.value;
};

type ResultRows = Parameters<typeof toOrderCells>[0];

type FindingsReader = (rows: ResultRows, where: string, inputs: FindingsInputs) => void;

/** A reader that parses a result (failing with `what` and the parser's reason) into one field of the inputs. */
function findingsReader<K extends keyof FindingsInputs>(
  key: K,
  parse: (rows: ResultRows, where: string) => { ok: true; value: FindingsInputs[K] } | { ok: false; reason: string },
  what: string,
): FindingsReader {
  return (rows, where, inputs) => {
    inputs[key] = unwrap(parse(rows, where), what);
  };
}

/**
 * The review results the findings read, by result name: each one's parser and the input it fills.
 * A Map, so a result named like an Object.prototype member (`constructor`) finds no reader.
 */
const FINDINGS_READERS = new Map<string, FindingsReader>([
  [FINDINGS_RESULTS.orderCells, findingsReader('cells', toOrderCells, 'order cells')],
  [FINDINGS_RESULTS.venueCells, findingsReader('venueCells', toVenueCells, 'venue cells')],
  [FINDINGS_RESULTS.fillTimes, findingsReader('fillTimes', toFillTimes, 'fill-time histogram')],
  [FINDINGS_RESULTS.industry605, findingsReader('industry605', toIndustry605, 'Rule 605 industry rows')],
]);

async function readCurrent(
  deps: EvaluateDeps,
  event: EvaluateEvent,
): Promise<{ rows: ReviewMetricRow[]; vendor: VendorMetricRow[]; inputs: FindingsInputs }> {
  const results = await Promise.all(event.metricResults.map((r) => readResult(deps, r)));
  const rows: ReviewMetricRow[] = [];
  const vendor: VendorMetricRow[] = [];
  const inputs: FindingsInputs = { cells: null, venueCells: [], fillTimes: [], industry605: [], ignored: [] };
  const seen = new Map<string, string>();
  const pathOf = new Map(event.metricResults.map((m) => [m.name, m.path ?? '']));
  for (const r of results) {
    if (CELL_RESULTS.includes(r.name)) continue;
    const parsed = parseCsv(r.text, r.where);
    if (!parsed.ok) throw new Error(`metric result ${r.name}: ${parsed.reason}`);
    if (r.name === VENDOR_METRICS_RESULT) {
      const v = toVendorMetricRows(parsed.value, r.where);
      if (!v.ok) throw new Error(`vendor metrics: ${v.reason}`);
      vendor.push(...v.value);
      continue;
    }
    const readFindingsInput = FINDINGS_READERS.get(r.name);
    if (readFindingsInput) {
      readFindingsInput(parsed.value, r.where, inputs);
      continue;
    }
    // Other review queries (sql/review/) feed other steps or analysts, not review_metrics.
    if ((pathOf.get(r.name) ?? '').startsWith('sql/review/')) {
      inputs.ignored.push(r.name);
      continue;
    }
    const m = toReviewMetricRows(parsed.value, r.where, event.period);
    if (!m.ok) throw new Error(`metric result ${r.name}: ${m.reason}`);
    for (const row of m.value) {
      const k = rowKey(row);
      const other = seen.get(k);
      if (other !== undefined) {
        throw new Error(
          `metric ${row.metric} for ${k} comes from both ${other} and ${r.name}: each metric and group must come from one SQL file`,
        );
      }
      seen.set(k, r.name);
      rows.push(row);
    }
  }
  return { rows, vendor, inputs };
}

/** The prior period's stored order cells, or null (a first review, or a prior reviewed before order-level findings). */
async function readPriorCells(deps: EvaluateDeps, period: string): Promise<OrderCell[] | null> {
  const key = RESULTS.reviewCells(priorPeriod(period));
  const bytes = await getBytes(deps.s3, deps.resultsBucket, key);
  if (!bytes) return null;
  const records = await readParquetRows(bytes);
  const asText = records.map((r) => ORDER_CELL_COLUMNS.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
  return unwrap(
    toOrderCells({ header: [...ORDER_CELL_COLUMNS], rows: asText, lines: asText.map((_, i) => i + 1) }, s3Uri(deps.resultsBucket, key)),
    'prior order cells',
  );
}

function sourceSummaries(
  findings: readonly Finding[],
  recon: readonly { source: string }[],
  state: MonitoringState,
): SourceFindingsSummary[] {
  const names = [...new Set([...findings.map((f) => f.source), ...recon.map((r) => r.source)])].sort();
  const rank = { none: 0, low: 1, medium: 2, high: 3 } as const;
  return names.map((source) => {
    const mine = findings.filter((f) => f.source === source);
    const breaches = mine.filter((f) => f.status === 'breach');
    let highest: SourceFindingsSummary['highest_severity'] = 'none';
    for (const b of breaches) if (rank[b.severity] > rank[highest]) highest = b.severity;
    return {
      source,
      breaches: breaches.length,
      passes: mine.filter((f) => f.status === 'pass').length,
      insufficient_sample: mine.filter((f) => f.status === 'insufficient_sample').length,
      no_benchmark: mine.filter((f) => f.status === 'no_benchmark').length,
      reconciliation_findings: recon.filter((r) => r.source === source).length,
      highest_severity: highest,
      customer_cost_usd: breaches.reduce((a, f) => a + (f.customer_cost.usd ?? 0), 0),
      monitoring: state[source]?.status ?? 'normal',
    };
  });
}

/** The prior period's review_metrics (one object per period: its latest non-dry review), or none. */
async function readPrior(deps: EvaluateDeps, period: string): Promise<{ rows: ReviewMetricRow[]; key: string | null }> {
  const prior = priorPeriod(period);
  const key = RESULTS.reviewMetrics(prior);
  const bytes = await getBytes(deps.s3, deps.resultsBucket, key);
  if (!bytes) return { rows: [], key: null };
  const records = await readParquetRows(bytes);
  const where = s3Uri(deps.resultsBucket, key);
  const header = [...REVIEW_METRIC_COLUMNS] as string[];
  const asText = records.map((r) => header.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
  const m = toReviewMetricRows({ header, rows: asText, lines: asText.map((_, i) => i + 1) }, where, prior);
  if (!m.ok) throw new Error(`prior period: ${m.reason}`);
  return { rows: m.value, key };
}

async function readMonitoring(deps: EvaluateDeps): Promise<MonitoringState> {
  const text = await getText(deps.s3, deps.resultsBucket, MONITORING_STATE_KEY);
  if (text === null) return {};
  const where = s3Uri(deps.resultsBucket, MONITORING_STATE_KEY);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not JSON: ${(e as Error).message}: fix or remove it (it holds the heightened-monitoring record)`);
  }
  const r = parseMonitoringState(json, where);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** Which sources this review counts for monitoring: the tested ones, the requested ones, and every heightened one. */
function sourceReviews(
  outcomes: readonly RuleOutcome[],
  event: EvaluateEvent,
  state: MonitoringState,
): (SourceReview & { source: string })[] {
  const counts = new Map(breachCounts(outcomes).map((c) => [c.source, c]));
  const names = new Set<string>(counts.keys());
  const only = event.sources && event.sources.length > 0 ? new Set(event.sources) : undefined;
  for (const s of event.sources ?? []) names.add(s);
  // A heightened source absent from the results still gets an (inconclusive) entry: the gap shows.
  for (const [s, st] of Object.entries(state)) if (st.status === 'heightened' && (!only || only.has(s))) names.add(s);
  return [...names].sort().map((source) => {
    const c = counts.get(source);
    return { source, period: event.period, runId: event.runId, breaches: c?.breaches ?? 0, conclusive: (c?.evaluated ?? 0) > 0 };
  });
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export async function runEvaluation(event: EvaluateEvent, deps: EvaluateDeps): Promise<EvaluateResult> {
  periodRange(event.period); // throws a clear message for a malformed period
  if (!RUN_ID.test(event.runId))
    throw new Error(`runId "${event.runId}" must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)`);
  if (!Array.isArray(event.metricResults)) throw new Error('metricResults is missing: the Evaluate step needs the RunMetricQueries output');
  const dryRun = event.dryRun === true || event.dryRun === 'true';
  const now = deps.now().toISOString();

  const [th, current, prior, state, existingCases, priorCells] = await Promise.all([
    readThresholds(deps, event.thresholdsUri),
    readCurrent(deps, event),
    readPrior(deps, event.period),
    readMonitoring(deps),
    loadCaseEvents(deps.s3, deps.resultsBucket),
    readPriorCells(deps, event.period),
  ]);
  const { thresholds } = th;
  const sources = event.sources && event.sources.length > 0 ? event.sources : undefined;

  const ruleOutcomes = evaluateThresholds({
    period: event.period,
    current: current.rows,
    prior: prior.rows,
    thresholds,
    ...(sources ? { sources } : {}),
  });
  const settings = thresholds.findings;
  const fx =
    settings && current.inputs.cells
      ? evaluateFindings({
          period: event.period,
          cells: current.inputs.cells,
          venueCells: current.inputs.venueCells,
          fillTimes: current.inputs.fillTimes,
          ...(priorCells ? { priorCells, priorPeriod: priorPeriod(event.period) } : {}),
          industry605: current.inputs.industry605,
          settings,
          alpha: thresholds.significance,
          configVersion: thresholds.version,
          ...(sources ? { sources } : {}),
        })
      : { findings: [], rows: [] };
  const findings = fx.findings;
  const byId = new Map(findings.map((f) => [f.finding_id, f]));
  // review_breaches keeps every evaluated row: the row rules' outcomes, then each finding rule's headline and drill-down.
  const evaluatedRows: RuleOutcome[] = [
    ...ruleOutcomes,
    ...fx.rows.flatMap((r) => {
      const f =
        byId.get(r.finding_id) ?? findings.find((x) => x.source === r.source && x.related?.some((rel) => rel.rule_id === r.rule_id));
      const rule = settings?.rules.find((x) => x.id === r.rule_id);
      if (!rule) return [];
      const headline_group =
        f?.rule_id === r.rule_id
          ? f.headline_group
          : { symbol: '*', order_category: rule.categories.join('+'), venue: '*', size_bucket: '*', sp500: '*' };
      return [
        evaluatedOutcome(event.period, r, {
          metric: rule.metric,
          direction: rule.direction,
          tolerance: rule.tolerance,
          severity: rule.severity,
          action: rule.action,
          provenance:
            f?.rule_id === r.rule_id
              ? f.provenance
              : { kind: 'fixed', label: '', sources: [], period: null, n_orders: null, market_centers: [], config_version: null, note: '' },
          headline_group,
          alpha: thresholds.significance,
        }),
      ];
    }),
  ];
  // Notices, cases and monitoring count problems, not rows: one outcome per finding.
  const outcomes: RuleOutcome[] = [...ruleOutcomes, ...findings.map(findingOutcome)];
  const breaches = outcomes.filter((o) => o.status === 'breach');
  const nextState = applyReviews(state, sourceReviews(outcomes, event, state), thresholds.clean_reviews_to_exit);
  const reconciliation: ReconciliationFinding[] = reconcileVendorMetrics(
    current.vendor.filter((v) => !sources || sources.includes(v.source)),
    current.rows,
    { period: event.period, tolerances: thresholds.reconciliation },
  );
  const comparison: MarketComparison = compareMarkets(current.rows, {
    period: event.period,
    comparisons: thresholds.comparisons,
    alpha: thresholds.significance,
    ...(sources ? { sources } : {}),
  });
  const heightened = new Set(Object.entries(nextState).flatMap(([s, st]) => (st.status === 'heightened' ? [s] : [])));
  // Dry runs open no case; re-runs of a period open none twice (one case per source + rule + period).
  const newCases = dryRun
    ? []
    : casesForBreaches(outcomes, existingCases, { at: now, heightened, cleanReviewsToExit: thresholds.clean_reviews_to_exit });
  const cases: CaseSummary[] = caseSummaries([...existingCases, ...newCases]);

  const reviewed = sourceReviews(outcomes, event, state);
  const files = evaluateFiles(event.period, event.runId, dryRun);
  const packagePrefix = dryRun ? DRY_RUN_PREFIX : '';
  const notices = composeNotices(outcomes, {
    period: event.period,
    packageUri: (source) => s3Uri(deps.resultsBucket, `${packagePrefix}${RESULTS.package(event.period, source)}`),
    monitoring: nextState,
    cleanReviewsToExit: thresholds.clean_reviews_to_exit,
    runId: event.runId,
    dryRun,
    thresholdsVersion: thresholds.version,
    cases,
    expectedSources: reviewed.map((r) => r.source),
    ...(current.vendor.length > 0 ? { reconciliation } : {}),
    findings,
    link: (source) =>
      packageLink(deps.resultsBucket, `${packagePrefix}${RESULTS.package(event.period, source)}`, {
        ...(process.env.BESTEX_PACKAGE_BASE_URL ? { baseUrl: process.env.BESTEX_PACKAGE_BASE_URL } : {}),
        ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
      }),
    decideBy: daysAfter(now, deps.decideWithinDays ?? 30),
  });

  const reconFindings = reconciliationFindings(reconciliation, event.period);
  const document: FindingsDocument = findingsDocumentSchema.parse({
    period: event.period,
    runId: event.runId,
    evaluatedAt: now,
    thresholds: { version: thresholds.version, sha256: th.sha256 },
    seed: settings?.seed ?? 0,
    findings,
    reconciliation: reconFindings,
    sources: sourceSummaries(findings, reconFindings, nextState),
  });

  // Machine hand-off (Package reads it back, DuckDB turns it into Parquet): Athena's format, not neutralised.
  const metricsCsv = toAthenaCsvRecords(REVIEW_METRIC_COLUMNS, current.rows as unknown as Record<string, unknown>[]);
  const breachesCsv = toAthenaCsvRecords(OUTCOME_COLUMNS, evaluatedRows as unknown as Record<string, unknown>[]);
  const findingsCsv = toAthenaCsvRecords(
    REVIEW_FINDINGS_PARQUET.map((c) => c.name),
    findingRows(findings),
  );
  const cellsCsv = toAthenaCsvRecords(ORDER_CELL_COLUMNS, (current.inputs.cells ?? []) as unknown as Record<string, unknown>[]);
  const [metricsParquet, breachesParquet, findingsParquet, cellsParquet] = [
    await csvToParquet(metricsCsv, REVIEW_METRICS_PARQUET),
    await csvToParquet(breachesCsv, REVIEW_BREACHES_PARQUET),
    await csvToParquet(findingsCsv, REVIEW_FINDINGS_PARQUET),
    await csvToParquet(cellsCsv, ORDER_CELLS_PARQUET),
  ];
  const summary = {
    period: event.period,
    runId: event.runId,
    start: event.start,
    end: event.end,
    dryRun,
    evaluatedAt: now,
    thresholds: { uri: th.uri, version: thresholds.version, sha256: th.sha256 },
    queries: event.metricResults.map((r) => ({ name: r.name, path: r.path ?? null, sha256: r.sha256 ?? null, ...r.result })),
    prior: { period: priorPeriod(event.period), key: prior.key, rows: prior.rows.length },
    rows: current.rows.length,
    vendorRows: current.vendor.length,
    orderCells: current.inputs.cells?.length ?? null,
    priorOrderCells: priorCells?.length ?? null,
    industry605Rows: current.inputs.industry605.length,
    ignoredResults: current.inputs.ignored,
    findings: Object.fromEntries(
      ['breach', 'pass', 'insufficient_sample', 'no_benchmark'].map((s) => [s, findings.filter((f) => f.status === s).length]),
    ),
    counts: Object.fromEntries(
      ['breach', 'pass', 'not_significant', 'insufficient_sample', 'no_data'].map((s) => [
        s,
        outcomes.filter((o) => o.status === s).length,
      ]),
    ),
    newCaseEvents: newCases.length,
  };
  const bucket = deps.resultsBucket;
  const writes: [string, string | Uint8Array, string][] = [
    [files.reviewMetricsParquet, metricsParquet, 'application/vnd.apache.parquet'],
    [files.reviewMetricsCsv, metricsCsv, 'text/csv'],
    [files.reviewBreachesParquet, breachesParquet, 'application/vnd.apache.parquet'],
    [files.reviewBreachesCsv, breachesCsv, 'text/csv'],
    [files.breaches, json(breaches), 'application/json'],
    [files.outcomes, json(outcomes), 'application/json'],
    [files.reconciliation, json(reconciliation), 'application/json'],
    [files.comparison, json(comparison), 'application/json'],
    [files.monitoring, json(nextState), 'application/json'],
    [files.cases, json(cases), 'application/json'],
    [files.summary, json(summary), 'application/json'],
    [files.findings, json(document), 'application/json'],
    [files.reviewFindingsParquet, findingsParquet, 'application/vnd.apache.parquet'],
    [files.reviewFindingsCsv, findingsCsv, 'text/csv'],
    // Only a period with order cells becomes a prior: an empty file would read as "no orders", not "not reviewed".
    ...(current.inputs.cells
      ? [[files.reviewCellsParquet, cellsParquet, 'application/vnd.apache.parquet'] as [string, Uint8Array, string]]
      : []),
  ];
  for (const [key, body, type] of writes) await putObject(deps.s3, bucket, key, body, type);
  const outputs = writes.map(([k]) => k);
  if (!dryRun) {
    // The record changes last, after every output exists: a failed run leaves monitoring untouched.
    outputs.push(...(await writeCaseEvents(deps.s3, bucket, newCases)));
    await putObject(deps.s3, bucket, MONITORING_STATE_KEY, json(nextState), 'application/json');
    outputs.push(MONITORING_STATE_KEY);
  }

  return {
    period: event.period,
    runId: event.runId,
    dryRun,
    findingCount: findings.filter((f) => f.status === 'breach').length,
    breachCount: evaluatedRows.filter((o) => o.status === 'breach').length,
    sources: reviewed.map((r) => ({ source: r.source, breaches: r.breaches, status: nextState[r.source]?.status ?? 'normal' })),
    notices,
    outputs,
    files,
    thresholds: { uri: th.uri, version: thresholds.version, sha256: th.sha256 },
  };
}
