/**
 * `bestex case …`: the remediation case log, append-only events in the results bucket of either
 * target (lambdas/core/review/cases.ts validates; case-store.ts writes one object per event).
 */
import { userInfo } from 'node:os';
import { writeCaseEvents } from '../../../lambdas/adapters/case-store';
import {
  CASE_CLOSURES,
  type CaseClosure,
  type CaseEvent,
  type CaseEventKind,
  caseIdFor,
  caseSummaries,
  eventsOf,
  manualCaseId,
  type NewCaseEvent,
  validateCaseEvent,
} from '../../../lambdas/core/review/cases';
import { awsCall, CliError } from '../../aws/errors';
import type { Target } from '../../aws/target';
import type { GlobalOptions } from '../main';
import { print, table } from '../support/output';
import { withTarget } from '../support/target';
import { caseEvents } from './status';

/** Who records an event: --who, else the login name. */
export function whoFrom(who: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const w = who ?? env.BESTEX_USER ?? env.USER ?? env.USERNAME ?? safeUser();
  if (!w?.trim()) throw new CliError('say who records the event: --who "Jane Doe (CCO)"');
  return w.trim();
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export interface CaseEventOptions {
  text: string;
  who?: string;
  /** For `open`. */
  source?: string;
  period?: string;
  rule?: string;
  /** For `close`. */
  closure?: string;
  justification?: string;
  /** Injected in tests. */
  at?: string;
}

/** Builds the proposed event from the command and the existing log (non-opening events inherit the case's source). */
export function proposeEvent(
  kind: CaseEventKind,
  caseId: string | undefined,
  o: CaseEventOptions,
  existing: readonly CaseEvent[],
): NewCaseEvent {
  const who = whoFrom(o.who);
  const at = o.at ?? new Date().toISOString();
  if (kind === 'opened') {
    if (!o.source || !o.period) throw new CliError('opening a case needs --source and --period');
    const id = caseId ?? (o.rule ? caseIdFor(o.period, o.source, o.rule) : manualCaseId(o.period, o.source, at));
    return {
      case_id: id,
      source: o.source,
      period: o.period,
      rule_id: o.rule ?? '',
      event: 'opened',
      text: o.text,
      who,
      at,
      breach_refs: [],
    };
  }
  if (!caseId) throw new CliError('name the case: bestex case <command> <case-id> …');
  const first = eventsOf(existing, caseId)[0];
  if (!first)
    throw new CliError(`case ${caseId} does not exist: \`bestex case list --all\` shows the cases, \`bestex case open\` opens one`);
  let closure: CaseClosure | undefined;
  if (kind === 'closed') {
    if (!o.closure || !(CASE_CLOSURES as readonly string[]).includes(o.closure)) {
      throw new CliError(`closing needs --closure ${CASE_CLOSURES.join('|')}`);
    }
    closure = o.closure as CaseClosure;
  }
  return {
    case_id: caseId,
    source: first.source,
    period: first.period,
    rule_id: first.rule_id,
    event: kind,
    ...(closure ? { closure } : {}),
    ...(o.justification !== undefined ? { justification: o.justification } : {}),
    text: o.text,
    who,
    at,
    breach_refs: [],
  };
}

/** Validates against the stored log and appends one event object. */
export async function recordEvent(
  t: Target,
  kind: CaseEventKind,
  caseId: string | undefined,
  o: CaseEventOptions,
): Promise<{ event: CaseEvent; key: string }> {
  const existing = await caseEvents(t);
  const proposed = proposeEvent(kind, caseId, o, existing);
  const r = validateCaseEvent(existing, proposed);
  if (!r.ok) throw new CliError(r.reason);
  const bucket = t.bucket('results');
  const [key] = await awsCall({ action: 'S3 PutObject (case event)', bucket, key: 'cases/events/' }, async () => {
    try {
      return await writeCaseEvents(t.s3, bucket, [r.value]);
    } catch (e) {
      if (/PreconditionFailed|412/.test(String((e as Error).message))) {
        throw new CliError(`another event was recorded on case ${proposed.case_id} at the same moment: run the command again`);
      }
      throw e;
    }
  });
  return { event: r.value, key: key as string };
}

export const CASE_COMMANDS: Record<string, CaseEventKind> = {
  open: 'opened',
  notify: 'notified',
  note: 'investigation_note',
  plan: 'corrective_action_plan',
  close: 'closed',
};

export async function caseEventCommand(
  g: GlobalOptions,
  command: keyof typeof CASE_COMMANDS,
  caseId: string | undefined,
  o: CaseEventOptions,
): Promise<void> {
  const kind = CASE_COMMANDS[command];
  if (!kind) throw new CliError(`unknown case command ${command}`);
  const r = await withTarget(g, (t) => recordEvent(t, kind, caseId, o).then((x) => ({ ...x, bucket: t.bucket('results') })));
  print(
    g,
    `Recorded ${r.event.event} #${r.event.seq} on case ${r.event.case_id} by ${r.event.who} at ${r.event.at}\n  s3://${r.bucket}/${r.key}`,
    r,
  );
}

export async function caseListCommand(g: GlobalOptions, o: { all: boolean; source?: string }): Promise<void> {
  const summaries = await withTarget(g, async (t) => caseSummaries(await caseEvents(t)));
  const shown = summaries.filter((c) => (o.all || c.status === 'open') && (!o.source || c.source === o.source));
  const cols = ['case_id', 'status', 'closure', 'source', 'period', 'rule_id', 'opened_at', 'last_event', 'last_event_at', 'events'];
  const human = shown.length
    ? table(cols, shown as unknown as Record<string, unknown>[])
    : `no ${o.all ? '' : 'open '}cases${o.source ? ` for ${o.source}` : ''}`;
  print(g, human, shown);
}

export async function caseShowCommand(g: GlobalOptions, caseId: string): Promise<void> {
  const summary = await withTarget(g, async (t) => caseSummaries(await caseEvents(t)).find((c) => c.case_id === caseId));
  if (!summary) throw new CliError(`case ${caseId} does not exist: \`bestex case list --all\` shows the cases`);
  const human = [
    `Case ${summary.case_id} (${summary.status}${summary.closure ? `: ${summary.closure}` : ''}) ${summary.source} ${summary.period} ${summary.rule_id}`,
    ...summary.timeline.map((l) => `  ${l}`),
  ].join('\n');
  print(g, human, summary);
}
