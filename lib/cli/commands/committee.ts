/**
 * `bestex committee …`: the Best Execution Committee's record on either target. Minutes,
 * determinations, dissent, sign-off and the vendor's due-diligence answers are appended to the
 * hash-chained log in the results bucket and copied to the evidence bucket (Object Lock on AWS)
 * (lambdas/core/review/committee.ts, committee-store.ts). The next review of record lists them in its
 * package and hashes each record into its evidence manifest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendCommitteeRecord, loadAgendas, loadCommitteeRecords } from '../../../lambdas/adapters/committee-store';
import { caseIdFor, eventsOf } from '../../../lambdas/core/review/cases';
import {
  type AgendaItem,
  type CommitteeRecord,
  DECISION_LABELS,
  DECISIONS,
  type Decision,
  DUE_DILIGENCE_LABELS,
  type DueDiligenceVersion,
  dueDiligenceFileSchema,
  dueDiligenceHistory,
  dueDiligenceItems,
  minutesOf,
  type NewCommitteeRecord,
  quarterOf,
  signoffCovers,
  validateDetermination,
} from '../../../lambdas/core/review/committee';
import { periodRange, RESULT_PREFIXES } from '../../../lambdas/shared/layout';
import { oneLine } from '../../../lambdas/shared/text';
import { awsCall, CliError } from '../../aws/errors';
import type { Target } from '../../aws/target';
import { caseEvents, recordEvent, whoFrom } from '../support/case-log';
import type { GlobalOptions } from '../support/options';
import { print } from '../support/output';
import { withTarget } from '../support/target';

function checkPeriod(p: string): void {
  try {
    periodRange(p);
  } catch (e) {
    throw new CliError(`${(e as Error).message}: pass --period 2026Q3 or --period 2026-07`);
  }
}

async function records(t: Target): Promise<CommitteeRecord[]> {
  const bucket = t.bucket('results');
  return awsCall({ action: 'reading the committee log', bucket, key: RESULT_PREFIXES.committeeRecords }, () =>
    loadCommitteeRecords(t.s3, bucket),
  );
}

/** Everything awaiting or carrying a determination: the reviews' agendas and the due-diligence versions. */
export async function agendaItems(t: Target, records: readonly CommitteeRecord[], period: string): Promise<AgendaItem[]> {
  const bucket = t.bucket('results');
  const agendas = await awsCall({ action: 'reading the committee agendas', bucket, key: RESULT_PREFIXES.committeeAgenda }, () =>
    loadAgendas(t.s3, bucket),
  );
  return [...agendas.flatMap((a) => a.items), ...dueDiligenceItems(records, period)];
}

export interface Appended {
  record: CommitteeRecord;
  key: string;
  bucket: string;
  evidenceBucket: string;
}

async function append(t: Target, log: readonly CommitteeRecord[], next: NewCommitteeRecord): Promise<Appended> {
  const buckets = { results: t.bucket('results'), evidence: t.bucket('evidence') };
  const r = await awsCall(
    { action: 'S3 PutObject (committee record)', bucket: buckets.results, key: RESULT_PREFIXES.committeeRecords },
    () => appendCommitteeRecord(t.s3, buckets, log, next),
  );
  if (!r.ok) throw new CliError(r.reason);
  return { ...r.value, bucket: buckets.results, evidenceBucket: buckets.evidence };
}

const recorded = (r: Appended, what: string): string =>
  `Recorded ${what} as committee record #${r.record.seq} (sha256 ${r.record.sha256.slice(0, 12)}…)\n  s3://${r.bucket}/${r.key}\n  s3://${r.evidenceBucket}/${r.key} (evidence copy)`;

export interface MinutesOptions {
  period: string;
  date: string;
  attendees: string[];
  text?: string;
  who?: string;
  at?: string;
}

export async function recordMinutes(t: Target, o: MinutesOptions): Promise<Appended> {
  checkPeriod(o.period);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new CliError(`--date must be the meeting date YYYY-MM-DD, got "${o.date}"`);
  if (!o.attendees.length) throw new CliError('name who attended: --attendee "Jane Doe (CCO)" (repeatable)');
  return append(t, await records(t), {
    kind: 'minutes',
    at: o.at ?? new Date().toISOString(),
    who: whoFrom(o.who),
    period: o.period,
    meeting_date: o.date,
    attendees: o.attendees.map((a) => a.trim()),
    text: o.text ?? '',
  });
}

export async function minutesCommand(g: GlobalOptions, o: MinutesOptions): Promise<void> {
  const r = await withTarget(g, (t) => recordMinutes(t, o));
  print(g, recorded(r, `the ${o.period} meeting of ${o.date} (${o.attendees.length} attending)`), r.record);
}

export interface DetermineOptions {
  decision: string;
  rationale: string;
  owner: string;
  /** Link this remediation case ("remediate"); without it a case is linked or opened. */
  case?: string;
  /** The period the determination is minuted in (default: the item's). */
  period?: string;
  who?: string;
  at?: string;
}

/**
 * The case a "remediate" determination points at: the one named, else the review's own case for
 * the finding's rule (opened automatically by the breach), else a new one opened here.
 */
async function remediationCase(t: Target, item: AgendaItem, o: DetermineOptions, who: string, at: string): Promise<string> {
  const events = await caseEvents(t);
  if (o.case) {
    if (!eventsOf(events, o.case).length) throw new CliError(`case ${o.case} does not exist: \`bestex case list --all\` shows the cases`);
    return o.case;
  }
  const rule = item.kind === 'finding' ? item.item_id.split('/')[2] : undefined;
  const own = rule ? caseIdFor(item.period, item.source, rule) : undefined;
  if (own && eventsOf(events, own).length) return own;
  const opened = await recordEvent(t, 'opened', own, {
    text: `Opened by the committee's determination on ${item.item_id}: ${o.rationale}`,
    who,
    source: item.source,
    period: item.period,
    ...(rule ? { rule } : {}),
    at,
  });
  return opened.event.case_id;
}

export async function recordDetermination(t: Target, itemId: string, o: DetermineOptions): Promise<Appended> {
  if (!(DECISIONS as readonly string[]).includes(o.decision)) throw new CliError(`--decision must be one of ${DECISIONS.join(', ')}`);
  const decision = o.decision as Decision;
  const log = await records(t);
  const at = o.at ?? new Date().toISOString();
  const who = whoFrom(o.who);
  const items = await agendaItems(t, log, o.period ?? quarterOf(at));
  const item = items.find((i) => i.item_id === itemId);
  if (!item) {
    throw new CliError(
      `no agenda item ${itemId}${items.length ? ': `bestex committee agenda` lists them' : ' (no agenda yet: run the review of record first)'}`,
    );
  }
  const period = o.period ?? item.period;
  checkPeriod(period);
  const caseId = decision === 'remediate' ? await remediationCase(t, item, o, who, at) : (o.case ?? null);
  const next = {
    kind: 'determination' as const,
    at,
    who,
    period,
    source: item.source,
    item_id: item.item_id,
    item_kind: item.kind,
    decision,
    rationale: o.rationale,
    owner: o.owner,
    case_id: caseId,
  };
  const v = validateDetermination(next, items);
  if (!v.ok) throw new CliError(v.reason);
  return append(t, log, next);
}

export async function determineCommand(g: GlobalOptions, itemId: string, o: DetermineOptions): Promise<void> {
  const decision = o.decision as Decision;
  const r = await withTarget(g, (t) => recordDetermination(t, itemId, o));
  const rec = r.record as Extract<CommitteeRecord, { kind: 'determination' }>;
  print(
    g,
    `${recorded(r, `"${DECISION_LABELS[decision]}" on ${itemId}, owner ${oneLine(o.owner)}`)}${rec.case_id ? `\n  remediation case ${rec.case_id}` : ''}`,
    r.record,
  );
}

export interface DissentOptions {
  period: string;
  name: string;
  text: string;
  item?: string;
  who?: string;
  at?: string;
}

export async function recordDissent(t: Target, o: DissentOptions): Promise<Appended> {
  checkPeriod(o.period);
  return append(t, await records(t), {
    kind: 'dissent',
    at: o.at ?? new Date().toISOString(),
    who: whoFrom(o.who),
    period: o.period,
    item_id: o.item ?? null,
    name: o.name,
    text: o.text,
  });
}

export async function dissentCommand(g: GlobalOptions, o: DissentOptions): Promise<void> {
  const r = await withTarget(g, (t) => recordDissent(t, o));
  print(g, recorded(r, `the dissent of ${oneLine(o.name)}${o.item ? ` on ${o.item}` : ''}`), r.record);
}

export interface SignOptions {
  period: string;
  name: string;
  who?: string;
  at?: string;
}

export async function recordSignoff(t: Target, o: SignOptions): Promise<Appended> {
  checkPeriod(o.period);
  const log = await records(t);
  const covers = signoffCovers(log, o.period);
  if (!covers.length) throw new CliError(`nothing of ${o.period} to sign: record the minutes and determinations first`);
  return append(t, log, {
    kind: 'signoff',
    at: o.at ?? new Date().toISOString(),
    who: whoFrom(o.who),
    period: o.period,
    name: o.name,
    covers,
  });
}

export async function signCommand(g: GlobalOptions, o: SignOptions): Promise<void> {
  const r = await withTarget(g, (t) => recordSignoff(t, o));
  const rec = r.record as Extract<CommitteeRecord, { kind: 'signoff' }>;
  print(g, recorded(r, `the sign-off of ${oneLine(o.name)} at ${rec.at} on ${rec.covers.length} record(s) of ${o.period}`), r.record);
}

export interface DueDiligenceOptions {
  source: string;
  file: string;
  who?: string;
  at?: string;
}

export async function recordDueDiligence(
  t: Target,
  o: DueDiligenceOptions,
): Promise<Appended & { version: DueDiligenceVersion | undefined }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(o.file);
  } catch (e) {
    throw new CliError(`${o.file} cannot be read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CliError(`${o.file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = dueDiligenceFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields = Object.keys(DUE_DILIGENCE_LABELS).join(', ');
    throw new CliError(
      `${o.file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')} (a due-diligence file holds as_of and ${fields})`,
    );
  }
  const { as_of, ...answers } = parsed.data;
  const log = await records(t);
  if (log.some((x) => x.kind === 'due_diligence' && x.source === o.source && x.as_of === as_of)) {
    throw new CliError(`${o.source} already has due-diligence answers of ${as_of}: date the new answers (as_of) when they were given`);
  }
  const out = await append(t, log, {
    kind: 'due_diligence',
    at: o.at ?? new Date().toISOString(),
    who: whoFrom(o.who),
    source: o.source,
    as_of,
    answers,
    file_sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  const hist = dueDiligenceHistory([...log, out.record], o.source);
  return { ...out, version: hist[hist.length - 1] };
}

export async function dueDiligenceCommand(g: GlobalOptions, o: DueDiligenceOptions): Promise<void> {
  const r = await withTarget(g, (t) => recordDueDiligence(t, o));
  const as_of = (r.record as Extract<CommitteeRecord, { kind: 'due_diligence' }>).as_of;
  const v = r.version;
  const lines = [recorded(r, `the due-diligence answers of ${o.source} as of ${as_of}`)];
  if (v?.previous) {
    lines.push(
      v.changes.length ? `Changed since ${v.previous.as_of}:` : `No change since ${v.previous.as_of}.`,
      ...v.changes.map((c) =>
        c.field === 'venues'
          ? `  ${DUE_DILIGENCE_LABELS.venues}: added ${c.added?.join(', ') || 'none'}; removed ${c.removed?.join(', ') || 'none'}`
          : `  ${DUE_DILIGENCE_LABELS[c.field]}: "${oneLine(c.before)}" -> "${oneLine(c.after)}"`,
      ),
    );
  } else lines.push('First answers on file for this source.');
  lines.push(`For the committee's sign-off: bestex committee determine due-diligence/${o.source}/${as_of} --decision accept ...`);
  print(g, lines.join('\n'), { record: r.record, changes: v?.changes ?? [] });
}

/** `bestex committee agenda`: what awaits a determination (every period, or one). */
export async function agendaCommand(g: GlobalOptions, o: { period?: string; source?: string; all?: boolean }): Promise<void> {
  if (o.period) checkPeriod(o.period);
  const out = await withTarget(g, async (t) => {
    const log = await records(t);
    const items = await agendaItems(t, log, o.period ?? quarterOf(new Date().toISOString()));
    const decided = new Set(log.flatMap((r) => (r.kind === 'determination' ? [r.item_id] : [])));
    return items
      .filter((i) => (!o.period || i.period === o.period) && (!o.source || i.source === o.source))
      .map((i) => ({ ...i, decided: decided.has(i.item_id) }))
      .filter((i) => o.all || !i.decided);
  });
  const human = out.length
    ? out.map((i) => `${i.decided ? 'decided' : 'OPEN   '}  ${i.item_id}\n         ${oneLine(i.title)}`).join('\n')
    : `nothing ${o.all ? 'on the agenda' : 'awaits a determination'}${o.period ? ` for ${o.period}` : ''}`;
  print(g, human, out);
}

/** `bestex committee show --period`: the minutes of a period as recorded. */
export async function showCommand(g: GlobalOptions, o: { period: string }): Promise<void> {
  checkPeriod(o.period);
  const m = await withTarget(g, async (t) => minutesOf(await records(t), o.period));
  const L: string[] = [`Committee record ${o.period}`];
  for (const x of m.minutes)
    L.push(`Meeting ${x.meeting_date}: ${x.attendees.map(oneLine).join(', ')}${x.text ? `. ${oneLine(x.text)}` : ''}`);
  if (!m.minutes.length) L.push('No meeting minuted.');
  for (const d of m.determinations) {
    L.push(`#${d.seq} ${d.item_id}: ${DECISION_LABELS[d.decision]}, owner ${oneLine(d.owner)}${d.case_id ? `, case ${d.case_id}` : ''}`);
    L.push(`     ${oneLine(d.rationale)}`);
  }
  for (const d of m.dissents) L.push(`Dissent #${d.seq} ${oneLine(d.name)}${d.item_id ? ` on ${d.item_id}` : ''}: ${oneLine(d.text)}`);
  for (const s of m.signoffs) L.push(`Signed #${s.seq} by ${oneLine(s.name)} at ${s.at} (${s.covers.length} records)`);
  if (m.unsigned) L.push(`${m.unsigned} record(s) not yet signed: bestex committee sign --period ${o.period} --name ...`);
  print(g, L.join('\n'), m);
}
