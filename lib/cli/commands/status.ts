/**
 * `bestex status`: where the oversight cycle stands, from the results and quarantine buckets of
 * either target: the last review per source and its heightened-monitoring state, the open
 * remediation cases, and the files quarantined in the last days.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadAgendas, loadCommitteeRecords } from '../../../lambdas/adapters/committee-store';
import { type CaseSummary, caseSummaries } from '../../../lambdas/core/review/cases';
import {
  type AgendaItem,
  type DueDiligenceStatus,
  dueDiligenceStatus,
  openDueDiligenceItems,
  openItems,
  quarterOf,
} from '../../../lambdas/core/review/committee';
import {
  describeMonitoring,
  MONITORING_STATE_KEY,
  type MonitoringState,
  parseMonitoringState,
} from '../../../lambdas/core/review/monitoring';
import { QUARANTINE, RESULT_PREFIXES } from '../../../lambdas/shared/layout';
import { oneLine } from '../../../lambdas/shared/text';
import { awsCall, CliError } from '../../aws/errors';
import { listPrefix, readJsonObject, type Target } from '../../aws/target';
import { caseEvents } from '../support/case-log';
import type { GlobalOptions } from '../support/options';
import { print, table } from '../support/output';
import { withTarget } from '../support/target';

export interface SourceStatus {
  source: string;
  monitoring: 'normal' | 'heightened';
  since: string | null;
  consecutive_clean: number;
  last_period: string | null;
  last_run: string | null;
  last_breaches: number | null;
  last_decision: string | null;
  reviews: number;
  description: string;
}

export interface QuarantinedFile {
  drop_key: string;
  /** whole file (nothing loaded) or rows (some rows rejected, the rest loaded). */
  kind: 'file' | 'rows';
  at: string;
  reason: string;
}

export interface Status {
  target: 'local' | 'aws';
  sources: SourceStatus[];
  openCases: CaseSummary[];
  /** Findings, material differences and due-diligence refreshes without a committee determination. */
  openItems: AgendaItem[];
  /** The annual due-diligence refresh of each source. */
  dueDiligence: DueDiligenceStatus[];
  quarantined: QuarantinedFile[];
  days: number;
}

/** Every source's monitoring state and last review (sources never reviewed are left out). */
export function sourceStatuses(state: MonitoringState, cleanReviewsToExit: number): SourceStatus[] {
  return Object.entries(state)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([source, s]) => {
      const last = s.history[s.history.length - 1];
      return {
        source,
        monitoring: s.status,
        since: s.since,
        consecutive_clean: s.consecutive_clean,
        last_period: last?.period ?? null,
        last_run: last?.run_id ?? null,
        last_breaches: last?.breaches ?? null,
        last_decision: last?.decision ?? null,
        reviews: s.history.length,
        description: describeMonitoring(s, cleanReviewsToExit),
      };
    });
}

async function monitoringState(s3: S3Client, bucket: string): Promise<MonitoringState> {
  const raw = await readJsonObject(s3, bucket, MONITORING_STATE_KEY);
  if (raw === undefined) return {};
  const r = parseMonitoringState(raw, `s3://${bucket}/${MONITORING_STATE_KEY}`);
  if (!r.ok) throw new CliError(r.reason);
  return r.value;
}

/** Files quarantined (wholly, or some of their rows) since `since`, newest first. */
export async function quarantinedSince(s3: S3Client, bucket: string, since: Date): Promise<QuarantinedFile[]> {
  const out: QuarantinedFile[] = [];
  const recent = (d: Date | null) => d !== null && d.getTime() >= since.getTime();
  const filesPrefix = QUARANTINE.file('');
  for (const o of await listPrefix(s3, bucket, filesPrefix)) {
    if (!o.key.endsWith('.reason.json') || !recent(o.lastModified)) continue;
    const dropKey = o.key.slice(filesPrefix.length, -'.reason.json'.length);
    const doc = (await readJsonObject(s3, bucket, o.key)) as { reason?: string; at?: string } | undefined;
    out.push({ drop_key: dropKey, kind: 'file', at: doc?.at ?? o.lastModified?.toISOString() ?? '', reason: doc?.reason ?? '' });
  }
  const rowsPrefix = QUARANTINE.rows('').replace(/\.rejected\.csv$/, '');
  for (const o of await listPrefix(s3, bucket, rowsPrefix)) {
    if (!o.key.endsWith('.rejected.csv') || !recent(o.lastModified)) continue;
    const dropKey = o.key.slice(rowsPrefix.length, -'.rejected.csv'.length);
    if (out.some((f) => f.drop_key === dropKey)) continue;
    out.push({
      drop_key: dropKey,
      kind: 'rows',
      at: o.lastModified?.toISOString() ?? '',
      reason: `rejected rows with reasons: s3://${bucket}/${o.key}`,
    });
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export async function collectStatus(t: Target, days: number, now: Date = new Date()): Promise<Status> {
  const results = t.bucket('results');
  const state = await monitoringState(t.s3, results);
  const cases = caseSummaries(await caseEvents(t));
  const since = new Date(now.getTime() - days * 86_400_000);
  const today = now.toISOString().slice(0, 10);
  const [records, agendas] = await awsCall(
    { action: 'reading the committee record', bucket: results, key: RESULT_PREFIXES.committee },
    () => Promise.all([loadCommitteeRecords(t.s3, results), loadAgendas(t.s3, results)]),
  );
  const sources = sourceStatuses(state, t.config.thresholds.clean_reviews_to_exit);
  const vendors = [...new Set([...sources.map((x) => x.source), ...agendas.map((a) => a.source)])].sort();
  const remind = t.config.deployment.committee.dueDiligenceReminderDays;
  return {
    target: t.kind,
    sources,
    openCases: cases.filter((c) => c.status === 'open'),
    openItems: [...openItems(agendas, records), ...openDueDiligenceItems(records, quarterOf(today))],
    dueDiligence: vendors.map((v) => dueDiligenceStatus(records, v, today, remind)),
    quarantined: await quarantinedSince(t.s3, t.bucket('quarantine'), since),
    days,
  };
}

/** Open committee items printed before "and N more" (`bestex committee agenda` lists them all). */
const STATUS_ITEMS = 10;

export function describeStatus(s: Status): string {
  const lines: string[] = ['Reviews and heightened monitoring:'];
  if (s.sources.length) {
    const cols = ['source', 'monitoring', 'since', 'last_period', 'last_breaches', 'last_decision', 'consecutive_clean', 'reviews'];
    lines.push(table(cols, s.sources as unknown as Record<string, unknown>[]));
    for (const x of s.sources.filter((x) => x.monitoring === 'heightened')) lines.push(`  ${x.source}: ${x.description}`);
  } else {
    lines.push('  no review has run yet: `bestex review --period 2026Q3`');
  }
  lines.push('', `Open cases (${s.openCases.length}):`);
  if (s.openCases.length) {
    const cols = ['case_id', 'source', 'period', 'rule_id', 'opened_at', 'last_event', 'last_event_at', 'notified_at', 'plan_at'];
    lines.push(table(cols, s.openCases as unknown as Record<string, unknown>[]));
  } else lines.push('  none');
  lines.push('', `Open committee items (${s.openItems.length}): no determination on file`);
  if (s.openItems.length) {
    for (const i of s.openItems.slice(0, STATUS_ITEMS)) lines.push(`  ${i.period} ${i.source} ${i.item_id}`, `    ${oneLine(i.title)}`);
    if (s.openItems.length > STATUS_ITEMS) lines.push(`  ... and ${s.openItems.length - STATUS_ITEMS} more: bestex committee agenda`);
    lines.push('  Record with: bestex committee determine <item-id> --decision accept|modify_routing|remediate|escalate ...');
  } else lines.push('  none');
  const dd = s.dueDiligence.filter((d) => d.state !== 'current');
  lines.push('', 'Annual due diligence:');
  if (s.dueDiligence.length)
    for (const d of s.dueDiligence)
      lines.push(`  ${d.state === 'current' ? '' : `${d.state.toUpperCase().replace('_', ' ')}: `}${oneLine(d.text)}`);
  else lines.push('  no source reviewed yet');
  if (dd.length) lines.push('  Record answers with: bestex committee due-diligence --source <source> --file answers.json');
  lines.push('', `Quarantined in the last ${s.days} day${s.days === 1 ? '' : 's'} (${s.quarantined.length}):`);
  if (s.quarantined.length) lines.push(table(['drop_key', 'kind', 'at', 'reason'], s.quarantined as unknown as Record<string, unknown>[]));
  else lines.push('  none');
  return lines.join('\n');
}

export async function statusCommand(g: GlobalOptions, o: { days: number }): Promise<void> {
  if (!Number.isFinite(o.days) || o.days <= 0) throw new CliError(`--days must be a positive number, got ${o.days}`);
  const s = await withTarget(g, (t) => collectStatus(t, o.days));
  print(g, describeStatus(s), s);
}
