/**
 * Writes the review package of each source: the committee report, the metrics and breaches as CSV
 * and Parquet, and the evidence manifest that hashes all of it together with the inputs, SQL and
 * thresholds that produced it. The manifest goes last, when every output's hash is known, and is
 * also written to the evidence bucket (Object Lock) unless the run is a dry run.
 */

import {
  buildEvidenceManifest,
  EVIDENCE_FILE,
  EVIDENCE_SIDECAR,
  type EvidenceManifest,
  type InputRef,
  manifestSidecar,
  type OutputRef,
  type SqlRef,
  serializeManifest,
  sha256,
  type ThresholdsRef,
} from '../adapters/evidence';
import type { PackageSink } from '../adapters/package-store';
import { BREACH_TABLE, breachRows, METRIC_TABLE, metricRows, toCsv, toParquet } from '../adapters/tabular';
import { fmtUnit } from '../core/package/format';
import { renderReviewHtml } from '../core/package/report';
import type { CommitteeView, VenueInfo } from '../core/package/types';
import { costWords, findingLabel, findingSentence, gapWords, groupWords } from '../core/package/verdict';
import type { CaseSummary } from '../core/review/cases';
import type { MaterialDifference } from '../core/review/compare';
import type { RuleOutcome } from '../core/review/evaluate';
import type { MonitoringState } from '../core/review/monitoring';
import type { ReconciliationFinding } from '../core/review/reconcile';
import type { Finding } from '../shared/contracts/review';
import { toCsv as writeCsv } from '../shared/csv';
import { DRY_RUN_PREFIX, EVIDENCE, RESULTS } from '../shared/layout';
import type { ReviewMetricRow } from '../shared/metrics';

export const PACKAGE_FILES = {
  report: 'report.html',
  findingsCsv: 'findings.csv',
  metricsCsv: 'metrics.csv',
  breachesCsv: 'breaches.csv',
  metricsParquet: 'metrics.parquet',
  breachesParquet: 'breaches.parquet',
  evidence: EVIDENCE_FILE,
  evidenceSidecar: EVIDENCE_SIDECAR,
} as const;

export interface PackageContext {
  period: string;
  runId: string;
  /** ISO-8601 instant shown in the report and recorded in the manifest. */
  generatedAt: string;
  codeVersion: string;
  dryRun?: boolean;
  thresholds: ThresholdsRef;
  sql: readonly SqlRef[];
  /** Lake objects, load manifests and evaluation files the review read. */
  inputs: readonly InputRef[];
  queryExecutionIds: readonly string[];
  /** review_metrics of every source in the run (other sources feed the side-by-side table). */
  metrics: readonly ReviewMetricRow[];
  /** The run's findings (findings.json), every source. */
  findings: readonly Finding[];
  outcomes: readonly RuleOutcome[];
  /** Sources to package (default: every source in metrics or findings). */
  sources?: readonly string[];
  monitoring?: Readonly<MonitoringState>;
  /** Consecutive clean reviews that end heightened monitoring (from the thresholds file). */
  cleanReviewsToExit?: number;
  reconciliation?: readonly ReconciliationFinding[];
  cases?: readonly CaseSummary[];
  differences?: readonly MaterialDifference[];
  venues?: readonly VenueInfo[];
  /** The committee's record as each source's package shows it. */
  committeeFor?: (source: string) => CommitteeView;
  /** A link that opens a package folder's report. */
  link?: (prefix: string) => string;
  /** Outputs the run wrote before the package (review_metrics, review_breaches tables), listed in each manifest. */
  priorOutputs?: readonly OutputRef[];
  /** The results bucket. */
  sink: PackageSink;
  /** The evidence bucket (Object Lock); not written on dry runs. */
  evidenceSink?: PackageSink;
}

export interface SourcePackage {
  source: string;
  /** Folder of the package in the results bucket. */
  prefix: string;
  manifest: EvidenceManifest;
  /** Where the locked copy of the manifest went, if anywhere. */
  evidenceKey?: string;
}

export interface WrittenPackages {
  /** Every key written to the results bucket. */
  keys: string[];
  /** Every key written to the evidence bucket. */
  evidenceKeys: string[];
  packages: SourcePackage[];
}

/** The package folder of a source in the results bucket (dry runs under dry-run/). */
export function packagePrefix(period: string, source: string, dryRun = false): string {
  return `${dryRun ? DRY_RUN_PREFIX : ''}${RESULTS.package(period, source)}`;
}

async function put(sink: PackageSink, key: string, body: Buffer | string, contentType: string): Promise<OutputRef> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const expected = sha256(bytes);
  const stored = await sink.put(key, bytes, contentType);
  if (stored.sha256 !== expected) {
    throw new Error(
      `s3://${sink.bucket}/${key} was stored with sha256 ${stored.sha256}, not ${expected}: the write was corrupted, re-run the package step`,
    );
  }
  return {
    bucket: sink.bucket,
    key,
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
    sha256: expected,
    bytes: bytes.byteLength,
  };
}

/** Writes every source's package; returns the keys written. */
export async function writeReviewPackage(ctx: PackageContext): Promise<WrittenPackages> {
  const sources = [...new Set(ctx.sources ?? [...ctx.metrics.map((r) => r.source), ...ctx.findings.map((f) => f.source)])].sort();
  const keys: string[] = [];
  const evidenceKeys: string[] = [];
  const packages: SourcePackage[] = [];
  const dryRun = ctx.dryRun ?? false;

  for (const source of sources) {
    const prefix = packagePrefix(ctx.period, source, dryRun);
    const outcomes = ctx.outcomes.filter((o) => o.source === source);
    const ownMetrics = ctx.metrics.filter((r) => r.source === source);
    const monitoring = ctx.monitoring?.[source];
    const evidenceTarget =
      !dryRun && ctx.evidenceSink ? { bucket: ctx.evidenceSink.bucket, key: EVIDENCE.manifest(ctx.period, source, ctx.runId) } : undefined;

    const html = renderReviewHtml({
      period: ctx.period,
      source,
      generatedAt: ctx.generatedAt,
      codeVersion: ctx.codeVersion,
      thresholdsVersion: ctx.thresholds.version,
      runId: ctx.runId,
      dryRun,
      metrics: ctx.metrics,
      findings: ctx.findings.filter((f) => f.source === source),
      outcomes,
      location: `s3://${ctx.sink.bucket}/${prefix}`,
      ...(ctx.link ? { link: ctx.link(prefix) } : {}),
      ...(monitoring ? { monitoring } : {}),
      ...(ctx.cleanReviewsToExit !== undefined ? { cleanReviewsToExit: ctx.cleanReviewsToExit } : {}),
      ...(ctx.reconciliation ? { reconciliation: ctx.reconciliation.filter((f) => f.source === source) } : {}),
      ...(ctx.cases ? { cases: ctx.cases.filter((c) => c.source === source) } : {}),
      ...(ctx.differences ? { differences: ctx.differences } : {}),
      ...(ctx.venues ? { venues: ctx.venues.filter((v) => v.source === undefined || v.source === source) } : {}),
      ...(ctx.committeeFor ? { committee: ctx.committeeFor(source) } : {}),
    });
    const breaches = breachRows(outcomes);
    const outputs: OutputRef[] = [];
    outputs.push(await put(ctx.sink, `${prefix}${PACKAGE_FILES.report}`, html, 'text/html; charset=utf-8'));
    outputs.push(
      await put(
        ctx.sink,
        `${prefix}${PACKAGE_FILES.findingsCsv}`,
        findingsCsv(ctx.findings.filter((f) => f.source === source)),
        'text/csv; charset=utf-8',
      ),
    );
    outputs.push(
      await put(ctx.sink, `${prefix}${PACKAGE_FILES.metricsCsv}`, toCsv(METRIC_TABLE, metricRows(ownMetrics)), 'text/csv; charset=utf-8'),
    );
    outputs.push(await put(ctx.sink, `${prefix}${PACKAGE_FILES.breachesCsv}`, toCsv(BREACH_TABLE, breaches), 'text/csv; charset=utf-8'));
    outputs.push(
      await put(
        ctx.sink,
        `${prefix}${PACKAGE_FILES.metricsParquet}`,
        await toParquet(METRIC_TABLE, metricRows(ownMetrics)),
        'application/vnd.apache.parquet',
      ),
    );
    outputs.push(
      await put(
        ctx.sink,
        `${prefix}${PACKAGE_FILES.breachesParquet}`,
        await toParquet(BREACH_TABLE, breaches),
        'application/vnd.apache.parquet',
      ),
    );

    const manifest = buildEvidenceManifest({
      period: ctx.period,
      source,
      runId: ctx.runId,
      codeVersion: ctx.codeVersion,
      generatedAt: ctx.generatedAt,
      package: { bucket: ctx.sink.bucket, prefix },
      ...(evidenceTarget ? { evidence: evidenceTarget } : {}),
      inputs: ctx.inputs,
      sql: ctx.sql,
      thresholds: ctx.thresholds,
      queryExecutionIds: ctx.queryExecutionIds,
      outputs: [...(ctx.priorOutputs ?? []), ...outputs],
    });
    const body = serializeManifest(manifest);
    const side = manifestSidecar(body);
    await put(ctx.sink, `${prefix}${PACKAGE_FILES.evidence}`, body, 'application/json');
    await put(ctx.sink, `${prefix}${PACKAGE_FILES.evidenceSidecar}`, side, 'text/plain; charset=utf-8');
    keys.push(...outputs.map((o) => o.key), `${prefix}${PACKAGE_FILES.evidence}`, `${prefix}${PACKAGE_FILES.evidenceSidecar}`);

    if (evidenceTarget && ctx.evidenceSink) {
      await put(ctx.evidenceSink, evidenceTarget.key, body, 'application/json');
      await put(ctx.evidenceSink, `${evidenceTarget.key}.sha256`, side, 'text/plain; charset=utf-8');
      evidenceKeys.push(evidenceTarget.key, `${evidenceTarget.key}.sha256`);
    }
    packages.push({ source, prefix, manifest, ...(evidenceTarget ? { evidenceKey: evidenceTarget.key } : {}) });
  }
  return { keys, evidenceKeys, packages };
}

/** The columns of findings.csv: for people (figures in their units), one row per finding. */
export const FINDINGS_CSV_COLUMNS = [
  'finding_id',
  'status',
  'severity',
  'rule',
  'group',
  'figure',
  'benchmark',
  'benchmark_source',
  'gap',
  'customer_cost',
  'orders',
  'in_plain_words',
] as const;

/** findings.csv: what a committee member opens in a spreadsheet, every number formatted for a reader. */
export function findingsCsv(findings: readonly Finding[]): string {
  return writeCsv(
    FINDINGS_CSV_COLUMNS,
    findings.map((f) => ({
      finding_id: f.finding_id,
      status: f.status,
      severity: f.severity,
      rule: findingLabel(f),
      group: groupWords(f.headline_group),
      figure: fmtUnit(f.unit, f.value),
      benchmark: fmtUnit(f.unit, f.benchmark),
      benchmark_source: f.provenance.label,
      gap: gapWords(f),
      customer_cost: f.status === 'breach' ? costWords(f) : '',
      orders: f.n_orders,
      in_plain_words: f.status === 'breach' ? findingSentence(f) : '',
    })),
  );
}
