/** The remediation case log as the CLI reads and appends it (bestex case, committee, status). */
import { userInfo } from 'node:os';
import { loadCaseEvents, writeCaseEvents } from '../../../lambdas/adapters/case-store';
import {
  CASE_CLOSURES,
  type CaseClosure,
  type CaseEvent,
  type CaseEventKind,
  caseIdFor,
  eventsOf,
  manualCaseId,
  type NewCaseEvent,
  validateCaseEvent,
} from '../../../lambdas/core/review/cases';
import { RESULT_PREFIXES } from '../../../lambdas/shared/layout';
import { awsCall, CliError } from '../../aws/errors';
import type { Target } from '../../aws/target';

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
  const [key] = await awsCall({ action: 'S3 PutObject (case event)', bucket, key: RESULT_PREFIXES.caseEvents }, async () => {
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

export async function caseEvents(t: Target): Promise<CaseEvent[]> {
  const bucket = t.bucket('results');
  return awsCall({ action: 'reading the case log', bucket, key: RESULT_PREFIXES.caseEvents }, () => loadCaseEvents(t.s3, bucket));
}
