/**
 * The Package step of the review state machine: reads what Evaluate wrote (outcomes, review_metrics,
 * monitoring, cases, reconciliation, comparison), lists and hashes the lake inputs of the period,
 * and writes one review package per source plus its evidence manifest. Store-agnostic: the handler
 * passes S3 (or s3rver) in, tests pass anything that lists, reads and writes.
 */
import { readFile } from 'node:fs/promises';
import { hashContent, type InputRef, type OutputRef, readContent, type SqlRef, sha256, type ThresholdsRef } from '../adapters/evidence';
import type { ObjectStore, PackageSink } from '../adapters/package-store';
import { readParquet } from '../adapters/tabular';
import { sourceDifferences } from '../core/package/report';
import type { CommitteeView, VenueInfo } from '../core/package/types';
import type { CaseSummary } from '../core/review/cases';
import {
  type Agenda,
  type AgendaItem,
  agendaKey,
  agendaSchema,
  COMMITTEE_AGENDA_PREFIX,
  COMMITTEE_RECORDS_PREFIX,
  type CommitteeRecord,
  daysAfter,
  differenceId,
  dueDiligenceHistory,
  dueDiligenceStatus,
  latestDeterminations,
  minutesOf,
  openDueDiligenceItems,
  openItems,
  parseRecord,
  verifyChain,
} from '../core/review/committee';
import type { MaterialDifference } from '../core/review/compare';
import { toReviewMetricRows } from '../core/review/csv';
import type { RuleOutcome } from '../core/review/evaluate';
import { MONITORING_STATE_KEY, type MonitoringState } from '../core/review/monitoring';
import type { ReconciliationFinding } from '../core/review/reconcile';
import { parseCsv } from '../shared/athena-csv';
import { type PackageEvent, type PackageInput, type PackageOutput, packageInputSchema } from '../shared/contracts/package';
import { type Finding, type FindingsDocument, findingsDocumentSchema } from '../shared/contracts/review';
import { packageLink, periodRange } from '../shared/layout';
import type { ReviewMetricRow } from '../shared/metrics';
import { collectLakeInputs } from './inputs';
import { PACKAGE_FILES, writeReviewPackage } from './package';

export type { PackageEvent, PackageInput } from '../shared/contracts/package';

/** The committee's calendar and the packages' links (config/bestex.json `committee`). */
export interface CommitteeSettings {
  decideWithinDays: number;
  dueDiligenceReminderDays: number;
  packageBaseUrl?: string;
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
  committee?: CommitteeSettings;
  /** The region the S3 console link names. */
  region?: string;
}

export type PackageResult = PackageOutput;

/** The thresholds file as the manifest records it: a repository path where possible, else as given. */
export function thresholdsPath(uri: string): string {
  if (uri.startsWith('s3://')) return uri;
  const m = /(?:^|\/)(config\/[^/]+\.json)$/.exec(uri);
  return m ? (m[1] as string) : uri;
}

const text = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);

/** Each source's venue record in effect at the end of the period, from the lake's venues table. */
export function latestVenues(rows: readonly Record<string, unknown>[], end: string): VenueInfo[] {
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

/** Reads the committee log through the package's object store; a broken chain stops the package. */
async function readCommittee(
  store: ObjectStore,
  bucket: string,
): Promise<{ records: CommitteeRecord[]; refs: InputRef[]; agendas: Agenda[] }> {
  const records: CommitteeRecord[] = [];
  const refs: InputRef[] = [];
  const listed = (await store.list(bucket, COMMITTEE_RECORDS_PREFIX)).filter((o) => o.key.endsWith('.json'));
  for (const o of listed.sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const got = await store.get(bucket, o.key);
    if (!got) continue;
    const bytes = await readContent(got.body);
    const r = parseRecord(bytes.toString('utf8'), `s3://${bucket}/${o.key}`);
    if (!r.ok) throw new Error(r.reason);
    records.push(r.value);
    refs.push({
      bucket,
      key: o.key,
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      ...(got.versionId ? { versionId: got.versionId } : {}),
    });
  }
  const chain = verifyChain(records);
  if (!chain.ok)
    throw new Error(
      `s3://${bucket}/${COMMITTEE_RECORDS_PREFIX}: ${chain.reason}; the committee log must be restored before a review is packaged`,
    );
  const agendas: Agenda[] = [];
  for (const o of (await store.list(bucket, COMMITTEE_AGENDA_PREFIX)).filter((x) => x.key.endsWith('.json'))) {
    const got = await store.get(bucket, o.key);
    if (!got) continue;
    const parsed = agendaSchema.safeParse(JSON.parse((await readContent(got.body)).toString('utf8')));
    if (!parsed.success) throw new Error(`s3://${bucket}/${o.key} is not a committee agenda: ${parsed.error.issues[0]?.message}`);
    agendas.push(parsed.data);
  }
  return { records, refs, agendas };
}

/** What this review puts before the committee for one source: breached findings, material differences, reconciliation findings. */
export function agendaItems(
  period: string,
  source: string,
  doc: FindingsDocument,
  differences: readonly MaterialDifference[],
): AgendaItem[] {
  const findings: AgendaItem[] = doc.findings
    .filter((f) => f.source === source && f.status === 'breach')
    .map((f) => ({
      item_id: f.finding_id,
      kind: 'finding' as const,
      period,
      source,
      title: findingTitle(f),
      severity: f.severity,
      cost_usd: f.customer_cost.usd,
    }));
  const diffs: AgendaItem[] = sourceDifferences(differences, source)
    // The committee decides the all-securities differences; the per-security ones are their drill-down (listed in the package).
    .filter((d) => d.symbol === '*' && (d.dimension === 'venue' ? d.source === source : d.worse === source))
    .map((d) => ({
      item_id: differenceId(period, d),
      kind: 'material_difference' as const,
      period,
      source,
      title: `${d.better} did materially better than ${d.worse} on ${d.metric.replace(/_/g, ' ')}${d.order_category !== '*' ? ` for ${d.order_category.replace(/_/g, ' ')} orders` : ''}${d.symbol !== '*' ? ` in ${d.symbol}` : ''}.`,
      severity: 'medium' as const,
      cost_usd: null,
    }));
  const recon: AgendaItem[] = doc.reconciliation
    .filter((r) => r.source === source)
    .map((r) => ({
      item_id: r.finding_id,
      kind: 'reconciliation' as const,
      period,
      source,
      title: `The vendor's ${r.metric.replace(/_/g, ' ')} (${r.symbol}, ${r.order_type}) differs from the firm's own.`,
      severity: r.severity,
      cost_usd: null,
    }));
  return [...findings, ...diffs, ...recon];
}

const findingTitle = (f: Finding): string => `${f.title} (${f.severity}).`;

export async function runPackage(input: PackageInput | PackageEvent, deps: PackageDeps): Promise<PackageResult> {
  const parsed = packageInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `the Package step's input does not match its contract (lambdas/shared/contracts/package.ts): ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const event = parsed.data;
  const { end } = periodRange(event.period); // throws a clear message for a malformed period
  const dryRun = event.dryRun;
  const files = event.evaluation.files;

  /** Reads one Evaluate file (it is listed among the run's outputs in the manifest). */
  const readResult = async (role: string, required: boolean): Promise<Buffer | undefined> => {
    const key = files[role];
    if (!key) {
      if (required) throw new Error(`the Evaluate output names no ${role} file (evaluation.files.${role}): run Evaluate before Package`);
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
  const readJson = async (role: string, required = false): Promise<unknown> => {
    const b = await readResult(role, required);
    if (!b) return undefined;
    try {
      return JSON.parse(b.toString('utf8'));
    } catch (e) {
      throw new Error(`s3://${deps.resultsBucket}/${files[role]} is not JSON: ${(e as Error).message}`);
    }
  };

  const docParsed = findingsDocumentSchema.safeParse(await readJson('findings', true));
  if (!docParsed.success) {
    throw new Error(
      `s3://${deps.resultsBucket}/${files.findings} does not match the findings contract: ${docParsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const doc = docParsed.data;
  const outcomes = ((await readJson('outcomes')) as RuleOutcome[] | undefined) ?? [];
  const metricsBytes = await readResult('reviewMetricsCsv', true);
  const where = `s3://${deps.resultsBucket}/${files.reviewMetricsCsv}`;
  const parsedCsv = parseCsv((metricsBytes as Buffer).toString('utf8'), where);
  if (!parsedCsv.ok) throw new Error(parsedCsv.reason);
  const rows = toReviewMetricRows(parsedCsv.value, where);
  if (!rows.ok) throw new Error(rows.reason);
  const metrics: ReviewMetricRow[] = rows.value;

  const monitoring = (await readJson('monitoring')) as MonitoringState | undefined;
  const cases = (await readJson('cases')) as CaseSummary[] | undefined;
  const reconciliation = (await readJson('reconciliation')) as ReconciliationFinding[] | undefined;
  const comparison = (await readJson('comparison')) as { differences?: MaterialDifference[] } | undefined;
  const differences = comparison?.differences ?? [];

  const lake: InputRef[] = await collectLakeInputs(deps.store, deps.lakeBucket, event.period);
  const venueRows: Record<string, unknown>[] = [];
  for (const ref of lake.filter((r) => r.key.startsWith('venues/') && r.key.endsWith('.parquet'))) {
    const got = await deps.store.get(deps.lakeBucket, ref.key);
    if (!got) continue;
    const source = /source=([^/]+)\//.exec(ref.key)?.[1];
    for (const r of await readParquet(await readContent(got.body))) venueRows.push({ ...r, source });
  }

  const thresholds = await thresholdsRef(event.evaluation.thresholds);
  const sql: SqlRef[] = event.metricResults.flatMap((m) => (m.path && m.sha256 ? [{ name: m.name, path: m.path, sha256: m.sha256 }] : []));
  const queryExecutionIds = event.metricResults.map((m) => m.result.queryExecutionId);

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

  const settings = deps.committee ?? { decideWithinDays: 30, dueDiligenceReminderDays: 60 };
  const generatedAt = deps.now().toISOString();
  const committee = await readCommittee(deps.store, deps.resultsBucket);
  const decideBy = daysAfter(generatedAt, settings.decideWithinDays);
  const sources = [
    // Every router the run speaks of gets a package, also one with nothing to evaluate (it says so).
    ...new Set(
      event.sources.length
        ? event.sources
        : [
            ...metrics.map((r) => r.source),
            ...doc.findings.map((f) => f.source),
            ...doc.sources.map((x) => x.source),
            ...outcomes.map((o) => o.source),
          ],
    ),
  ].sort();
  const agendas = new Map(sources.map((s) => [s, agendaItems(event.period, s, doc, differences)]));
  const decided = latestDeterminations(committee.records);
  const committeeFor = (source: string): CommitteeView => {
    const own = agendas.get(source) ?? [];
    const earlier = committee.agendas.filter((a) => a.source === source && a.period !== event.period);
    return {
      agenda: own,
      decideBy,
      minutes: minutesOf(committee.records, event.period),
      determinations: [...decided.values()].filter((d) => d.source === source),
      openItems: [
        ...openItems(earlier, committee.records, { before: event.period }),
        ...openDueDiligenceItems(committee.records, event.period).filter((i) => i.source === source),
      ],
      dueDiligence: {
        status: dueDiligenceStatus(committee.records, source, generatedAt, settings.dueDiligenceReminderDays),
        versions: dueDiligenceHistory(committee.records, source),
      },
    };
  };
  const link = (prefix: string) =>
    packageLink(deps.resultsBucket, prefix, {
      ...(settings.packageBaseUrl ? { baseUrl: settings.packageBaseUrl } : {}),
      ...(deps.region ? { region: deps.region } : {}),
    });

  const written = await writeReviewPackage({
    period: event.period,
    runId: event.runId,
    generatedAt,
    codeVersion: event.codeVersion ?? deps.codeVersion,
    dryRun,
    thresholds: thresholds.ref,
    ...(thresholds.cleanReviewsToExit !== undefined ? { cleanReviewsToExit: thresholds.cleanReviewsToExit } : {}),
    sql,
    inputs: [...lake, ...committee.refs],
    queryExecutionIds,
    metrics,
    findings: doc.findings,
    outcomes,
    sources,
    ...(monitoring ? { monitoring } : {}),
    ...(cases ? { cases } : {}),
    ...(reconciliation ? { reconciliation } : {}),
    differences,
    venues: latestVenues(venueRows, end),
    committeeFor,
    link,
    priorOutputs,
    sink: deps.results,
    ...(deps.evidence ? { evidenceSink: deps.evidence } : {}),
  });

  // The agenda of a review of record: what `bestex committee` decides on and `bestex status` lists while open.
  const agendaKeys: string[] = [];
  if (!dryRun) {
    for (const source of sources) {
      const agenda: Agenda = { period: event.period, source, runId: event.runId, decide_by: decideBy, items: agendas.get(source) ?? [] };
      const key = agendaKey(event.period, source);
      await deps.results.put(key, `${JSON.stringify(agendaSchema.parse(agenda), null, 2)}\n`, 'application/json');
      agendaKeys.push(key);
    }
  }
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
      link: link(p.prefix),
    })),
    agendas: agendaKeys,
  };
}

/**
 * The thresholds file as Evaluate used it. When the file is readable here its hash is checked
 * against Evaluate's (a mismatch means the rules changed mid-run) and its exit count is read.
 */
async function thresholdsRef(t: PackageEvent['evaluation']['thresholds']): Promise<{ ref: ThresholdsRef; cleanReviewsToExit?: number }> {
  const uri = t.uri;
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
