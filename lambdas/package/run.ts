/**
 * The Package step of the review state machine: reads what Evaluate wrote (outcomes, review_metrics,
 * monitoring, cases, reconciliation, comparison), lists and hashes the lake inputs of the period,
 * and writes one review package per source plus its evidence manifest. Store-agnostic: the handler
 * passes S3 (or s3rver) in, tests pass anything that lists, reads and writes.
 */
import { readFile } from 'node:fs/promises';
import { parseCsv, toReviewMetricRows } from '../review/csv';
import { MONITORING_STATE_KEY } from '../review/monitoring';
import { periodRange } from '../shared/layout';
import type { ReviewMetricRow } from '../shared/metrics';
import { hashContent, type InputRef, type OutputRef, readContent, type SqlRef, sha256, type ThresholdsRef } from './evidence';
import { collectLakeInputs } from './inputs';
import { PACKAGE_FILES, writeReviewPackage } from './package';
import type { ObjectStore, PackageSink } from './store';
import { readParquet } from './tabular';
import type {
  CaseSummaryLike,
  MaterialDifferenceLike,
  MonitoringLike,
  ReconciliationFindingLike,
  RuleOutcomeLike,
  VenueInfoLike,
} from './types';

/** One item of the RunMetricQueries Map: the SQL file and its Athena execution. */
export interface MetricResultRef {
  name: string;
  path?: string;
  sha256?: string;
  result?: { queryExecutionId?: string };
}

export interface PackageEvent {
  period: string;
  runId: string;
  /** The ASL passes the execution input's value through: a boolean, or its text. */
  dryRun?: boolean | string;
  sources?: string[];
  metricResults?: MetricResultRef[];
  /** What the Evaluate step returned. */
  evaluation: {
    /** Keys written to the results bucket. */
    outputs: string[];
    /** The same keys by role (outcomes, reviewMetricsCsv, monitoring, cases, reconciliation, comparison, ...). */
    files?: Partial<Record<string, string>>;
    thresholds?: { uri?: string; path?: string; version: string; sha256: string };
  };
  codeVersion?: string;
}

export interface PackageDeps {
  store: ObjectStore;
  resultsBucket: string;
  lakeBucket: string;
  results: PackageSink;
  /** Absent: no Object Lock copy (e.g. a deployment without an evidence bucket). */
  evidence?: PackageSink;
  now: () => Date;
  codeVersion: string;
}

export interface PackageResult {
  period: string;
  runId: string;
  dryRun: boolean;
  keys: string[];
  evidenceKeys: string[];
  packages: { source: string; prefix: string; report: string; evidence: string }[];
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Evaluate's files by role, from `files` or, failing that, by name among `outputs`. */
function roleKeys(
  ev: PackageEvent['evaluation'],
): Record<'outcomes' | 'metrics' | 'monitoring' | 'cases' | 'reconciliation' | 'comparison', string | undefined> {
  const byName = (name: string) => ev.outputs.find((k) => k === name || k.endsWith(`/${name}`));
  const f = ev.files ?? {};
  return {
    outcomes: f.outcomes ?? byName('outcomes.json'),
    metrics: f.reviewMetricsCsv ?? byName('review_metrics.csv'),
    monitoring: f.monitoring ?? byName('monitoring.json'),
    cases: f.cases ?? byName('cases.json'),
    reconciliation: f.reconciliation ?? byName('reconciliation.json'),
    comparison: f.comparison ?? byName('comparison.json'),
  };
}

/** The thresholds file as the manifest records it: a repository path where possible, else as given. */
export function thresholdsPath(uri: string): string {
  if (uri.startsWith('s3://')) return uri;
  const m = /(?:^|\/)(config\/[^/]+\.json)$/.exec(uri);
  return m ? (m[1] as string) : uri;
}

function asArray<T>(v: unknown, field: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === 'object' && Array.isArray((v as Record<string, unknown>)[field])) return (v as Record<string, T[]>)[field] as T[];
  return [];
}

const text = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);

/** Each source's venue record in effect at the end of the period, from the lake's venues table. */
export function latestVenues(rows: readonly Record<string, unknown>[], end: string): VenueInfoLike[] {
  const best = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const from = text(r.effective_from) ?? '';
    if (from >= end) continue;
    const id = `${text(r.source)}\u0001${text(r.venue)}`;
    const prev = best.get(id);
    if (!prev || (text(prev.effective_from) ?? '') <= from) best.set(id, r);
  }
  return [...best.values()].map((r) => {
    const name = text(r.name);
    const type = text(r.venue_type);
    const approved = text(r.approved);
    const source = text(r.source);
    return {
      venue: text(r.venue) ?? '',
      ...(source ? { source } : {}),
      ...(name ? { name } : {}),
      ...(type ? { venue_type: type } : {}),
      ...(approved ? { approved } : {}),
      pfof_per_share: r.pfof_per_share == null ? null : Number(r.pfof_per_share),
    };
  });
}

export async function runPackage(event: PackageEvent, deps: PackageDeps): Promise<PackageResult> {
  const { end } = periodRange(event.period); // throws a clear message for a malformed period
  if (!RUN_ID.test(event.runId))
    throw new Error(`runId "${event.runId}" must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)`);
  if (!event.evaluation || !Array.isArray(event.evaluation.outputs)) {
    throw new Error('evaluation.outputs is missing: the Package step needs the Evaluate output (its result path is $.evaluation)');
  }
  const dryRun = event.dryRun === true || event.dryRun === 'true';
  const roles = roleKeys(event.evaluation);

  /** Reads one Evaluate file (it is listed among the run's outputs in the manifest). */
  const readResult = async (key: string | undefined, required: boolean): Promise<Buffer | undefined> => {
    if (!key) {
      if (required) throw new Error('the Evaluate output lists no outcomes.json or review_metrics.csv: run Evaluate before Package');
      return undefined;
    }
    const got = await deps.store.get(deps.resultsBucket, key);
    if (!got) {
      if (required)
        throw new Error(`s3://${deps.resultsBucket}/${key} does not exist: Evaluate listed it but it is gone; re-run the review`);
      return undefined;
    }
    return readContent(got.body);
  };
  const readJson = async (key: string | undefined, required = false): Promise<unknown> => {
    const b = await readResult(key, required);
    if (!b) return undefined;
    try {
      return JSON.parse(b.toString('utf8'));
    } catch (e) {
      throw new Error(`s3://${deps.resultsBucket}/${key} is not JSON: ${(e as Error).message}`);
    }
  };

  const outcomes = asArray<RuleOutcomeLike>(await readJson(roles.outcomes, true), 'outcomes');
  const metricsBytes = await readResult(roles.metrics, true);
  const where = `s3://${deps.resultsBucket}/${roles.metrics}`;
  const parsed = parseCsv((metricsBytes as Buffer).toString('utf8'), where);
  if (!parsed.ok) throw new Error(parsed.reason);
  const rows = toReviewMetricRows(parsed.value, where);
  if (!rows.ok) throw new Error(rows.reason);
  const metrics: ReviewMetricRow[] = rows.value;

  const monitoringJson = await readJson(roles.monitoring);
  const monitoring =
    monitoringJson && typeof monitoringJson === 'object' && !Array.isArray(monitoringJson)
      ? (monitoringJson as Record<string, MonitoringLike>)
      : undefined;
  const casesJson = await readJson(roles.cases);
  const reconJson = await readJson(roles.reconciliation);
  const comparisonJson = await readJson(roles.comparison);

  const lake: InputRef[] = await collectLakeInputs(deps.store, deps.lakeBucket, event.period);
  const venueRows: Record<string, unknown>[] = [];
  for (const ref of lake.filter((r) => r.key.startsWith('venues/') && r.key.endsWith('.parquet'))) {
    const got = await deps.store.get(deps.lakeBucket, ref.key);
    if (!got) continue;
    const source = /source=([^/]+)\//.exec(ref.key)?.[1];
    for (const r of await readParquet(await readContent(got.body))) venueRows.push({ ...r, source });
  }

  const thresholds = await thresholdsRef(event.evaluation.thresholds);
  const sql: SqlRef[] = (event.metricResults ?? []).flatMap((m) =>
    m.path && m.sha256 ? [{ name: m.name, path: m.path, sha256: m.sha256 }] : [],
  );
  const queryExecutionIds = (event.metricResults ?? []).flatMap((m) => (m.result?.queryExecutionId ? [m.result.queryExecutionId] : []));

  // Evaluate's outputs are outputs of this review too; the monitoring state object is not (every later review rewrites it).
  const priorOutputs: OutputRef[] = [];
  for (const key of event.evaluation.outputs) {
    if (key === MONITORING_STATE_KEY) continue;
    const got = await deps.store.get(deps.resultsBucket, key);
    if (!got) throw new Error(`s3://${deps.resultsBucket}/${key} does not exist: Evaluate listed it but it is gone; re-run the review`);
    const h = await hashContent(got.body);
    priorOutputs.push({
      bucket: deps.resultsBucket,
      key,
      sha256: h.sha256,
      bytes: h.bytes,
      ...(got.versionId ? { versionId: got.versionId } : {}),
    });
  }

  const written = await writeReviewPackage({
    period: event.period,
    runId: event.runId,
    generatedAt: deps.now().toISOString(),
    codeVersion: event.codeVersion ?? deps.codeVersion,
    dryRun,
    thresholds: thresholds.ref,
    ...(thresholds.cleanReviewsToExit !== undefined ? { cleanReviewsToExit: thresholds.cleanReviewsToExit } : {}),
    sql,
    inputs: lake,
    queryExecutionIds,
    metrics,
    outcomes,
    ...(event.sources?.length ? { sources: event.sources } : {}),
    ...(monitoring ? { monitoring } : {}),
    ...(casesJson !== undefined ? { cases: asArray<CaseSummaryLike>(casesJson, 'cases') } : {}),
    ...(reconJson !== undefined ? { reconciliation: asArray<ReconciliationFindingLike>(reconJson, 'findings') } : {}),
    ...(comparisonJson !== undefined ? { differences: asArray<MaterialDifferenceLike>(comparisonJson, 'differences') } : {}),
    venues: latestVenues(venueRows, end),
    priorOutputs,
    sink: deps.results,
    ...(deps.evidence ? { evidenceSink: deps.evidence } : {}),
  });
  return {
    period: event.period,
    runId: event.runId,
    dryRun,
    keys: written.keys,
    evidenceKeys: written.evidenceKeys,
    packages: written.packages.map((p) => ({
      source: p.source,
      prefix: p.prefix,
      report: `${p.prefix}${PACKAGE_FILES.report}`,
      evidence: `${p.prefix}${PACKAGE_FILES.evidence}`,
    })),
  };
}

/**
 * The thresholds file as Evaluate used it. When the file is readable here its hash is checked
 * against Evaluate's (a mismatch means the rules changed mid-run) and its exit count is read.
 */
async function thresholdsRef(t: PackageEvent['evaluation']['thresholds']): Promise<{ ref: ThresholdsRef; cleanReviewsToExit?: number }> {
  if (!t) throw new Error('evaluation.thresholds is missing: the Evaluate step must report the rules file it used (uri, version, sha256)');
  const uri = t.uri ?? t.path ?? 'config/thresholds.json';
  const ref: ThresholdsRef = { path: thresholdsPath(uri), version: t.version, sha256: t.sha256 };
  if (uri.startsWith('s3://')) return { ref };
  const bytes = await readFile(uri).catch(() => undefined);
  if (!bytes) return { ref };
  if (sha256(bytes) !== t.sha256) {
    throw new Error(`${uri} changed while the review ran (sha256 ${sha256(bytes)}, Evaluate used ${t.sha256}): re-run the review`);
  }
  const exit = (JSON.parse(bytes.toString('utf8')) as { clean_reviews_to_exit?: unknown }).clean_reviews_to_exit;
  return { ref, ...(typeof exit === 'number' ? { cleanReviewsToExit: exit } : {}) };
}
