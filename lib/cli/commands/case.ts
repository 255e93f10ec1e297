import { type CaseEventKind, caseSummaries } from '../../../lambdas/core/review/cases';
import { CliError } from '../../aws/errors';
import { type CaseEventOptions, caseEvents, recordEvent } from '../support/case-log';
import type { GlobalOptions } from '../support/options';
import { print, table } from '../support/output';
import { withTarget } from '../support/target';

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
