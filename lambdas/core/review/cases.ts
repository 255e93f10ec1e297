/**
 * The remediation case log (mission.md "The oversight cycle", step 5): append-only events from the
 * breach that opens a case to its closure as remediated, justified or terminated. Each event is one
 * JSON object on one line at `cases/events/<yyyy>/<case_id>-<seq>.json` in the results bucket, so
 * the log is append-only (a new object per event, never a rewrite) and Athena reads it as the JSON
 * table `case_events`. Pure: validation, automatic opening, summaries; storage is in case-store.ts.
 */
import { RESULT_PREFIXES } from '../../shared/layout';
import { parseJson, type Result } from '../../shared/result';
import type { RuleOutcome } from './evaluate';

export const CASE_EVENTS = [
  'opened',
  'notified',
  'investigation_note',
  'corrective_action_plan',
  'heightened_monitoring',
  'closed',
] as const;
export type CaseEventKind = (typeof CASE_EVENTS)[number];
export const CASE_CLOSURES = ['remediated', 'justified', 'terminated'] as const;
export type CaseClosure = (typeof CASE_CLOSURES)[number];

export interface CaseEvent {
  case_id: string;
  /** 1-based position of the event in its case. */
  seq: number;
  source: string;
  /** Review period the case arose from. */
  period: string;
  /** Threshold rule that opened it ('' for a case opened by hand). */
  rule_id: string;
  event: CaseEventKind;
  closure?: CaseClosure;
  justification?: string;
  text: string;
  /** Who recorded the event (a person, or "bestex-review" for automatic events). */
  who: string;
  /** ISO-8601 UTC instant. */
  at: string;
  /** The breaches the event refers to: "<period>/<rule_id>/<source>/<group>" (see breachRef). */
  breach_refs: string[];
}

/** An event as a caller proposes it; the log assigns `seq` (and `case_id` details for openings). */
export type NewCaseEvent = Omit<CaseEvent, 'seq'>;

export type CaseResult<T> = Result<T>;

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The case a breach of `rule_id` for `source` in `period` belongs to: one per source + rule + period. */
export const caseIdFor = (period: string, source: string, ruleId: string): string => `${period}-${source}-${ruleId}`;

/** A stable reference to one breach (one outcome row). */
export function breachRef(
  o: Pick<RuleOutcome, 'period' | 'rule_id' | 'source' | 'symbol' | 'order_category' | 'venue' | 'size_bucket' | 'sp500'>,
): string {
  return `${o.period}/${o.rule_id}/${o.source}/${[o.symbol, o.order_category, o.venue, o.size_bucket, o.sp500].join(',')}`;
}

/** Key of one event object in the results bucket. */
export function caseEventKey(e: Pick<CaseEvent, 'case_id' | 'seq' | 'at'>): string {
  return `${CASE_EVENTS_PREFIX}${e.at.slice(0, 4)}/${e.case_id}-${String(e.seq).padStart(4, '0')}.json`;
}

export const CASE_EVENTS_PREFIX = RESULT_PREFIXES.caseEvents;

/** One line of JSON: the OpenX JSON SerDe Athena uses reads one object per line. */
export const serializeCaseEvent = (e: CaseEvent): string => `${JSON.stringify(e)}\n`;

/** Parses one stored event object; the error names the object. */
export function parseCaseEvent(text: string, where: string): CaseResult<CaseEvent> {
  const json = parseJson(text, where);
  if (!json.ok) return json;
  const e = json.value as Partial<CaseEvent>;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.case_id !== 'string' ||
    typeof e.seq !== 'number' ||
    typeof e.source !== 'string' ||
    typeof e.event !== 'string' ||
    !(CASE_EVENTS as readonly string[]).includes(e.event) ||
    typeof e.text !== 'string' ||
    typeof e.who !== 'string' ||
    typeof e.at !== 'string' ||
    !Array.isArray(e.breach_refs)
  ) {
    return { ok: false, reason: `${where}: not a case event (needs case_id, seq, source, event, text, who, at, breach_refs)` };
  }
  return { ok: true, value: { period: '', rule_id: '', ...e } as CaseEvent };
}

/** Events of one case in order. */
export function eventsOf(events: readonly CaseEvent[], caseId: string): CaseEvent[] {
  return events.filter((e) => e.case_id === caseId).sort((a, b) => a.seq - b.seq);
}

/**
 * Checks `next` against the case's log and gives it its sequence number. Rules: a case starts with
 * exactly one `opened`; nothing follows `closed`; `closed` needs a closure, and `justified` a
 * written justification; closure/justification appear only on `closed`; who, text and at are required.
 */
export function validateCaseEvent(existing: readonly CaseEvent[], next: NewCaseEvent): CaseResult<CaseEvent> {
  const where = `case ${next.case_id}`;
  if (!CASE_ID.test(next.case_id)) return { ok: false, reason: `${where}: case id must be letters, digits, '-' or '_' (at most 128)` };
  if (!(CASE_EVENTS as readonly string[]).includes(next.event)) {
    return { ok: false, reason: `${where}: unknown event "${next.event}": use one of ${CASE_EVENTS.join(', ')}` };
  }
  if (!next.who.trim()) return { ok: false, reason: `${where}: say who records the event (--who)` };
  if (!next.text.trim()) return { ok: false, reason: `${where}: the event needs a text (what happened, what was decided)` };
  if (Number.isNaN(Date.parse(next.at)) || !/^\d{4}-\d{2}-\d{2}T/.test(next.at)) {
    return { ok: false, reason: `${where}: "at" must be an ISO-8601 instant, got "${next.at}"` };
  }
  const log = eventsOf(existing, next.case_id);
  const first = log[0];
  if (next.event === 'opened') {
    if (first) return { ok: false, reason: `${where} is already open (opened ${first.at} by ${first.who})` };
  } else {
    if (!first) return { ok: false, reason: `${where} does not exist: open it first` };
    if (next.source !== first.source) return { ok: false, reason: `${where} belongs to source ${first.source}, not ${next.source}` };
  }
  const closed = log.find((e) => e.event === 'closed');
  if (closed)
    return {
      ok: false,
      reason: `${where} was closed (${closed.closure ?? '?'}) on ${closed.at}: the log takes no further events; open a new case`,
    };
  if (next.event === 'closed') {
    if (!next.closure || !(CASE_CLOSURES as readonly string[]).includes(next.closure)) {
      return { ok: false, reason: `${where}: closing needs a closure: ${CASE_CLOSURES.join(', ')}` };
    }
    if (next.closure === 'justified' && !next.justification?.trim()) {
      return { ok: false, reason: `${where}: a "justified" closure needs the justification (why the performance is acceptable)` };
    }
    if (next.closure !== 'justified' && next.justification !== undefined) {
      return { ok: false, reason: `${where}: a justification belongs to a "justified" closure only` };
    }
  } else if (next.closure !== undefined || next.justification !== undefined) {
    return { ok: false, reason: `${where}: closure and justification belong to a "closed" event only` };
  }
  const seq = (log[log.length - 1]?.seq ?? 0) + 1;
  return { ok: true, value: { ...next, seq, breach_refs: [...next.breach_refs] } };
}

/**
 * The events a review's breaches add: one `opened` per source + rule + period that has no case yet
 * (so re-running a review opens nothing twice), followed by `heightened_monitoring` when the source
 * is (or stays) under heightened monitoring.
 */
export function casesForBreaches(
  outcomes: readonly RuleOutcome[],
  existing: readonly CaseEvent[],
  ctx: { at: string; who?: string; heightened?: ReadonlySet<string>; cleanReviewsToExit?: number },
): CaseEvent[] {
  const who = ctx.who ?? 'bestex-review';
  const groups = new Map<string, RuleOutcome[]>();
  for (const o of outcomes) {
    if (o.status !== 'breach') continue;
    const id = caseIdFor(o.period, o.source, o.rule_id);
    const list = groups.get(id);
    if (list) list.push(o);
    else groups.set(id, [o]);
  }
  const out: CaseEvent[] = [];
  const known = new Set(existing.map((e) => e.case_id));
  for (const [caseId, list] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (known.has(caseId)) continue;
    const o = list[0] as RuleOutcome;
    const refs = list.map(breachRef);
    const text = `Breach of rule ${o.rule_id} (${o.metric}, ${o.severity}) in ${list.length} group${list.length === 1 ? '' : 's'}. Action: ${o.action}`;
    const opened: NewCaseEvent = {
      case_id: caseId,
      source: o.source,
      period: o.period,
      rule_id: o.rule_id,
      event: 'opened',
      text,
      who,
      at: ctx.at,
      breach_refs: refs,
    };
    const r1 = validateCaseEvent([...existing, ...out], opened);
    if (!r1.ok) continue;
    out.push(r1.value);
    if (ctx.heightened?.has(o.source)) {
      const n = ctx.cleanReviewsToExit;
      const hm: NewCaseEvent = {
        ...opened,
        event: 'heightened_monitoring',
        text: `${o.source} is under heightened monitoring: monthly reviews${n ? ` until ${n} consecutive clean reviews` : ''}.`,
      };
      const r2 = validateCaseEvent([...existing, ...out], hm);
      if (r2.ok) out.push(r2.value);
    }
  }
  return out;
}

export interface CaseSummary {
  case_id: string;
  source: string;
  period: string;
  rule_id: string;
  status: 'open' | 'closed';
  closure: CaseClosure | null;
  justification: string | null;
  opened_at: string;
  opened_by: string;
  last_event: CaseEventKind;
  last_event_at: string;
  /** When the vendor was formally notified (first `notified`), if yet. */
  notified_at: string | null;
  /** When the vendor's corrective action plan was recorded (latest), if yet. */
  plan_at: string | null;
  events: number;
  breach_refs: string[];
  /** The texts in order, "at who event: text", for the package. */
  timeline: string[];
}

/** One summary per case, open cases first, then by opening time. */
export function caseSummaries(events: readonly CaseEvent[]): CaseSummary[] {
  const ids = [...new Set(events.map((e) => e.case_id))];
  const out: CaseSummary[] = [];
  for (const id of ids) {
    const log = eventsOf(events, id);
    const first = log[0] as CaseEvent;
    const last = log[log.length - 1] as CaseEvent;
    const closed = log.find((e) => e.event === 'closed');
    const plans = log.filter((e) => e.event === 'corrective_action_plan');
    out.push({
      case_id: id,
      source: first.source,
      period: first.period,
      rule_id: first.rule_id,
      status: closed ? 'closed' : 'open',
      closure: closed?.closure ?? null,
      justification: closed?.justification ?? null,
      opened_at: first.at,
      opened_by: first.who,
      last_event: last.event,
      last_event_at: last.at,
      notified_at: log.find((e) => e.event === 'notified')?.at ?? null,
      plan_at: plans[plans.length - 1]?.at ?? null,
      events: log.length,
      breach_refs: [...new Set(log.flatMap((e) => e.breach_refs))],
      timeline: log.map(
        (e) =>
          `${e.at} ${e.who} ${e.event}${e.closure ? ` (${e.closure})` : ''}: ${e.text}${e.justification ? ` Justification: ${e.justification}` : ''}`,
      ),
    });
  }
  return out.sort((a, b) =>
    a.status !== b.status ? (a.status === 'open' ? -1 : 1) : a.opened_at < b.opened_at ? -1 : a.opened_at > b.opened_at ? 1 : 0,
  );
}

/** A case id for a case opened by hand (no rule): period, source and a UTC timestamp. */
export function manualCaseId(period: string, source: string, at: string): string {
  return `${period}-${source}-manual-${at.replace(/[^0-9]/g, '').slice(0, 14)}`;
}
