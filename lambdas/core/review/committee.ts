/**
 * The Best Execution Committee's record (mission.md, "The oversight cycle"): minutes (meeting date,
 * attendees), one determination per agenda item (a finding, a material difference or a
 * due-diligence refresh) with its rationale and owner, dissent, sign-off by name and time, and the
 * vendor's annual due-diligence answers as a versioned record.
 *
 * Every record is one JSON object, numbered and chained: it carries the SHA-256 of the record
 * before it and its own SHA-256 over its canonical form, so any edit, deletion or reordering of the
 * stored log shows (verifyChain). Storage is in committee-store.ts; this module is pure.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RESULT_PREFIXES } from '../../shared/layout';
import { parseJson, type Result } from '../../shared/result';

export const DECISIONS = ['accept', 'modify_routing', 'remediate', 'escalate'] as const;
export type Decision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<Decision, string> = {
  accept: 'Accepted with rationale',
  modify_routing: 'Modify the routing',
  remediate: 'Remediate (case)',
  escalate: 'Escalate',
};

export const AGENDA_KINDS = ['finding', 'material_difference', 'reconciliation', 'due_diligence'] as const;

const text = z.string().trim().min(1);
const period = z.string().regex(/^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))$/, 'must be a quarter (2026Q3) or a month (2026-07)');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const sha = z.string().regex(/^[0-9a-f]{64}$/);

/** The vendor's answers to the annual due-diligence questionnaire. */
export const dueDiligenceAnswersSchema = z
  .object({
    /** Venues the router can reach (MIC or name). */
    venues: z.array(text).min(1),
    /** Payment for order flow received, per venue or in words. */
    pfof: text,
    /** Rebate and fee arrangements (access fees, rebates, tiers). */
    rebates_and_fees: text,
    /** How the router decides where an order goes. */
    routing_logic: text,
    /** Conflicts of interest: affiliated venues, profit sharing, anything that pays the vendor. */
    conflicts_of_interest: text,
  })
  .strict();
export type DueDiligenceAnswers = z.infer<typeof dueDiligenceAnswersSchema>;

/** The fields of a due-diligence file, as a vendor sends them (`as_of` is the date of the answers). */
export const dueDiligenceFileSchema = dueDiligenceAnswersSchema.extend({ as_of: day }).strict();

const base = {
  /** 1-based position in the log. */
  seq: z.number().int().positive(),
  /** ISO-8601 instant the record was made. */
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
  /** Who recorded it. */
  who: text,
  /** sha256 of the record before it (null for the first). */
  prev_sha256: sha.nullable(),
  /** sha256 of this record's canonical JSON without this field. */
  sha256: sha,
};

export const committeeRecordSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...base,
      kind: z.literal('minutes'),
      period,
      meeting_date: day,
      attendees: z.array(text).min(1),
      text: z.string().default(''),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('determination'),
      period,
      source: text,
      item_id: text,
      item_kind: z.enum(AGENDA_KINDS),
      decision: z.enum(DECISIONS),
      rationale: text,
      owner: text,
      /** The remediation case opened or linked ("remediate"). */
      case_id: z.string().nullable(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('dissent'),
      period,
      /** The item dissented on; null: the minutes as a whole. */
      item_id: z.string().nullable(),
      name: text,
      text,
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('signoff'),
      period,
      name: text,
      /** The records of the period the signature covers: their sequence numbers and hashes. */
      covers: z.array(z.object({ seq: z.number().int().positive(), sha256: sha }).strict()),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('due_diligence'),
      source: text,
      as_of: day,
      answers: dueDiligenceAnswersSchema,
      /** sha256 of the file the answers came from. */
      file_sha256: sha,
    })
    .strict(),
]);
export type CommitteeRecord = z.infer<typeof committeeRecordSchema>;
type Chained = 'seq' | 'prev_sha256' | 'sha256';
/** A record as a caller proposes it; the log numbers, chains and hashes it. */
export type NewCommitteeRecord = CommitteeRecord extends infer R ? (R extends CommitteeRecord ? Omit<R, Chained> : never) : never;

export type { Result };

/** JSON with object keys sorted at every level: the form the hash is taken over. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function recordHash(r: Omit<CommitteeRecord, 'sha256'> | CommitteeRecord): string {
  const { sha256: _omit, ...rest } = r as CommitteeRecord;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Key of one record in the results bucket (and of its Object Lock copy in the evidence bucket). */
export const COMMITTEE_RECORDS_PREFIX = RESULT_PREFIXES.committeeRecords;
export const committeeRecordKey = (seq: number): string => `${COMMITTEE_RECORDS_PREFIX}${String(seq).padStart(6, '0')}.json`;
/** The agenda a review of record leaves for the committee, one object per period and source (rewritten by a re-run). */
export const COMMITTEE_AGENDA_PREFIX = RESULT_PREFIXES.committeeAgenda;
export const agendaKey = (p: string, source: string): string => `${COMMITTEE_AGENDA_PREFIX}${p}/${source}.json`;

export const serializeRecord = (r: CommitteeRecord): string => `${JSON.stringify(r)}\n`;

export function parseRecord(json: string, where: string): Result<CommitteeRecord> {
  const v = parseJson(json, where);
  if (!v.ok) return v;
  const r = committeeRecordSchema.safeParse(v.value);
  if (!r.success) {
    return { ok: false, reason: `${where}: ${r.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ')}` };
  }
  return { ok: true, value: r.data };
}

/** Checks the log's numbering, links and hashes; names the first record that breaks it. */
export function verifyChain(records: readonly CommitteeRecord[]): Result<{ records: number; head: string | null }> {
  let prev: CommitteeRecord | undefined;
  for (const [i, r] of records.entries()) {
    if (r.seq !== i + 1) return { ok: false, reason: `committee record ${r.seq}: expected number ${i + 1} (a record is missing)` };
    if (r.prev_sha256 !== (prev?.sha256 ?? null)) {
      return { ok: false, reason: `committee record ${r.seq}: does not link to record ${i} (it was changed, removed or reordered)` };
    }
    if (recordHash(r) !== r.sha256)
      return { ok: false, reason: `committee record ${r.seq}: its content does not match its sha256 (edited)` };
    prev = r;
  }
  return { ok: true, value: { records: records.length, head: prev?.sha256 ?? null } };
}

/** One thing the committee must decide. */
export const agendaItemSchema = z
  .object({
    item_id: text,
    kind: z.enum(AGENDA_KINDS),
    period,
    source: text,
    /** One plain sentence: what the item is. */
    title: text,
    severity: z.enum(['low', 'medium', 'high']),
    /** Customer cost in dollars, when the item has one. */
    cost_usd: z.number().nullable(),
  })
  .strict();
export type AgendaItem = z.infer<typeof agendaItemSchema>;

export const agendaSchema = z
  .object({
    period,
    source: text,
    runId: text,
    /** The date by which the committee should decide. */
    decide_by: day,
    items: z.array(agendaItemSchema),
  })
  .strict();
export type Agenda = z.infer<typeof agendaSchema>;

/** The fields of a material difference that identify it. */
export interface DifferenceKey {
  dimension: string;
  metric: string;
  symbol?: string;
  order_category?: string;
  better: string;
  worse: string;
  source?: string;
}

/** A stable id of a material difference: the same comparison in a re-run of the period gets the same id. */
export function differenceId(p: string, d: DifferenceKey): string {
  const who = d.dimension === 'venue' ? `${d.source ?? ''}:${d.worse}<${d.better}` : `${d.worse}<${d.better}`;
  return `${p}/difference/${d.metric}/${d.symbol ?? '*'}/${d.order_category ?? '*'}/${who}`;
}

export const dueDiligenceItemId = (source: string, asOf: string): string => `due-diligence/${source}/${asOf}`;

/** A determination's validation against the log: item known, decision complete, case given for "remediate". */
export function validateDetermination(
  d: Extract<NewCommitteeRecord, { kind: 'determination' }>,
  known: readonly AgendaItem[],
): Result<true> {
  if (!known.some((i) => i.item_id === d.item_id)) {
    const ids = known.map((i) => i.item_id);
    return {
      ok: false,
      reason: `no agenda item ${d.item_id}${ids.length ? `; open items: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}` : ' (no agenda: run the review of record first)'}`,
    };
  }
  if (d.decision === 'remediate' && !d.case_id)
    return { ok: false, reason: `${d.item_id}: "remediate" needs a remediation case (opened or linked)` };
  return { ok: true, value: true };
}

/** Numbers, links and hashes a proposed record against the log's head. */
export function chainRecord(log: readonly CommitteeRecord[], next: NewCommitteeRecord): Result<CommitteeRecord> {
  const head = log[log.length - 1];
  const draft = { ...next, seq: (head?.seq ?? 0) + 1, prev_sha256: head?.sha256 ?? null };
  const full = { ...draft, sha256: recordHash(draft as Omit<CommitteeRecord, 'sha256'>) };
  const r = committeeRecordSchema.safeParse(full);
  if (!r.success) return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ') };
  return { ok: true, value: r.data };
}

type Of<K extends CommitteeRecord['kind']> = Extract<CommitteeRecord, { kind: K }>;
const ofKind =
  <K extends CommitteeRecord['kind']>(k: K) =>
  (r: CommitteeRecord): r is Of<K> =>
    r.kind === k;

/** The latest determination of each item (a later one supersedes an earlier one; both stay in the log). */
export function latestDeterminations(records: readonly CommitteeRecord[]): Map<string, Of<'determination'>> {
  const out = new Map<string, Of<'determination'>>();
  for (const r of records.filter(ofKind('determination'))) out.set(r.item_id, r);
  return out;
}

/** Agenda items with no determination: what the next review and `bestex status` list as open. */
export function openItems(agendas: readonly Agenda[], records: readonly CommitteeRecord[], opts: { before?: string } = {}): AgendaItem[] {
  const decided = latestDeterminations(records);
  const out: AgendaItem[] = [];
  for (const a of agendas) {
    if (opts.before !== undefined && !periodBefore(a.period, opts.before)) continue;
    for (const i of a.items) if (!decided.has(i.item_id)) out.push(i);
  }
  return out;
}

/** Quarters and months compare by their start date. */
function periodStart(p: string): string {
  const q = /^(\d{4})Q([1-4])$/.exec(p);
  if (q) return `${q[1]}-${String((Number(q[2]) - 1) * 3 + 1).padStart(2, '0')}`;
  return p;
}
export const periodBefore = (a: string, b: string): boolean => periodStart(a) < periodStart(b);

/** What the committee recorded for one period: minutes, determinations, dissent, sign-offs. */
export interface PeriodMinutes {
  period: string;
  minutes: Of<'minutes'>[];
  determinations: Of<'determination'>[];
  dissents: Of<'dissent'>[];
  signoffs: Of<'signoff'>[];
  /** Records of the period after the last sign-off: not yet signed. */
  unsigned: number;
}

export function minutesOf(records: readonly CommitteeRecord[], p: string): PeriodMinutes {
  const mine = records.filter((r) => r.kind !== 'due_diligence' && r.period === p);
  const signoffs = mine.filter(ofKind('signoff'));
  const lastSign = signoffs[signoffs.length - 1]?.seq ?? 0;
  return {
    period: p,
    minutes: mine.filter(ofKind('minutes')),
    determinations: mine.filter(ofKind('determination')),
    dissents: mine.filter(ofKind('dissent')),
    signoffs,
    unsigned: mine.filter((r) => r.kind !== 'signoff' && r.seq > lastSign).length,
  };
}

/** The sign-off of a period covers every record of it not yet signed. */
export function signoffCovers(records: readonly CommitteeRecord[], p: string): { seq: number; sha256: string }[] {
  const m = minutesOf(records, p);
  const last = m.signoffs[m.signoffs.length - 1]?.seq ?? 0;
  return records
    .filter((r) => r.kind !== 'due_diligence' && r.kind !== 'signoff' && r.period === p && r.seq > last)
    .map((r) => ({ seq: r.seq, sha256: r.sha256 }));
}

// ---------- due diligence ----------

export interface DueDiligenceChange {
  field: keyof DueDiligenceAnswers;
  before: string;
  after: string;
  /** Venues only: added and removed. */
  added?: string[];
  removed?: string[];
}

export const DUE_DILIGENCE_LABELS: Record<keyof DueDiligenceAnswers, string> = {
  venues: 'Venues reached',
  pfof: 'Payment for order flow',
  rebates_and_fees: 'Rebates and fees',
  routing_logic: 'Routing logic',
  conflicts_of_interest: 'Conflicts of interest',
};

/** What changed from one year's answers to the next (nothing for the first). */
export function dueDiligenceChanges(prev: DueDiligenceAnswers | undefined, next: DueDiligenceAnswers): DueDiligenceChange[] {
  if (!prev) return [];
  const out: DueDiligenceChange[] = [];
  const a = new Set(prev.venues);
  const b = new Set(next.venues);
  const added = next.venues.filter((v) => !a.has(v));
  const removed = prev.venues.filter((v) => !b.has(v));
  if (added.length || removed.length) {
    out.push({ field: 'venues', before: prev.venues.join(', '), after: next.venues.join(', '), added, removed });
  }
  for (const f of ['pfof', 'rebates_and_fees', 'routing_logic', 'conflicts_of_interest'] as const) {
    if (prev[f].trim() !== next[f].trim()) out.push({ field: f, before: prev[f], after: next[f] });
  }
  return out;
}

export interface DueDiligenceVersion {
  record: Of<'due_diligence'>;
  /** The version before it, if any, and what changed since. */
  previous: Of<'due_diligence'> | undefined;
  changes: DueDiligenceChange[];
}

/** Every version of a source's due-diligence answers, oldest first, each against the one before. */
export function dueDiligenceHistory(records: readonly CommitteeRecord[], source: string): DueDiligenceVersion[] {
  const list = records.filter(ofKind('due_diligence')).filter((r) => r.source === source);
  list.sort((a, b) => (a.as_of < b.as_of ? -1 : a.as_of > b.as_of ? 1 : a.seq - b.seq));
  return list.map((record, i) => {
    const previous = list[i - 1];
    return { record, previous, changes: dueDiligenceChanges(previous?.answers, record.answers) };
  });
}

export type DueDiligenceState = 'none' | 'current' | 'due_soon' | 'overdue';

export interface DueDiligenceStatus {
  source: string;
  state: DueDiligenceState;
  last_as_of: string | null;
  /** A year after the last answers. */
  due: string | null;
  days_left: number | null;
  /** One sentence for the report, status and notices. */
  text: string;
}

function addYear(d: string): string {
  const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
  // 29 February rolls to 1 March, as a calendar year later.
  return new Date(Date.UTC(y + 1, m - 1, dd)).toISOString().slice(0, 10);
}

/** Where a source's annual refresh stands on `today`, reminding `remindDays` before it falls due. */
export function dueDiligenceStatus(
  records: readonly CommitteeRecord[],
  source: string,
  today: string,
  remindDays = 60,
): DueDiligenceStatus {
  const hist = dueDiligenceHistory(records, source);
  const last = hist[hist.length - 1]?.record;
  if (!last) {
    return {
      source,
      state: 'none',
      last_as_of: null,
      due: null,
      days_left: null,
      text: `${source}: no due-diligence answers on file; record them with bestex committee due-diligence.`,
    };
  }
  const due = addYear(last.as_of);
  const days = Math.round((Date.parse(due) - Date.parse(today.slice(0, 10))) / 86_400_000);
  const state: DueDiligenceState = days < 0 ? 'overdue' : days <= remindDays ? 'due_soon' : 'current';
  const text =
    state === 'overdue'
      ? `${source}: annual due-diligence refresh overdue since ${due} (answers of ${last.as_of}).`
      : state === 'due_soon'
        ? `${source}: annual due-diligence refresh due ${due}, in ${days} day${days === 1 ? '' : 's'}.`
        : `${source}: due-diligence answers of ${last.as_of} on file; next refresh due ${due}.`;
  return { source, state, last_as_of: last.as_of, due, days_left: days, text };
}

/** The agenda item a due-diligence version puts before the committee (sign-off like a finding). */
export function dueDiligenceItem(v: DueDiligenceVersion, p: string): AgendaItem {
  const n = v.changes.length;
  return {
    item_id: dueDiligenceItemId(v.record.source, v.record.as_of),
    kind: 'due_diligence',
    period: p,
    source: v.record.source,
    title: `Due-diligence answers of ${v.record.as_of}: ${
      v.previous
        ? n
          ? `${n} change${n === 1 ? '' : 's'} since ${v.previous.as_of}`
          : `no change since ${v.previous.as_of}`
        : 'first on file'
    }.`,
    severity: v.changes.some((c) => c.field === 'pfof' || c.field === 'conflicts_of_interest') ? 'medium' : 'low',
    cost_usd: null,
  };
}

/** A date `days` after an instant's date. */
export function daysAfter(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate.slice(0, 10)) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Every due-diligence version not yet decided, as agenda items of the period it is presented in. */
export function dueDiligenceItems(records: readonly CommitteeRecord[], p: string): AgendaItem[] {
  const sources = [...new Set(records.filter(ofKind('due_diligence')).map((r) => r.source))].sort();
  return sources.flatMap((s) => dueDiligenceHistory(records, s).map((v) => dueDiligenceItem(v, p)));
}

/** Due-diligence versions still awaiting the committee's sign-off. */
export function openDueDiligenceItems(records: readonly CommitteeRecord[], p: string): AgendaItem[] {
  const decided = latestDeterminations(records);
  return dueDiligenceItems(records, p).filter((i) => !decided.has(i.item_id));
}

/** The quarter a date falls in: the period a due-diligence item is presented in by default. */
export const quarterOf = (isoDate: string): string => `${isoDate.slice(0, 4)}Q${Math.floor((Number(isoDate.slice(5, 7)) - 1) / 3) + 1}`;
