import { join } from 'node:path';
import type { DailyExceptionsOutput } from '../../../lambdas/exceptions/handler';
import { RESULTS } from '../../../lambdas/shared/layout';
import { fetchPrefix, type Target } from '../../aws/target';
import { checkDate } from '../support/args';
import type { GlobalOptions } from '../support/options';
import { print, progress, runTrailer, table } from '../support/output';
import { withTarget } from '../support/target';

export interface ExceptionsOptions {
  date: string;
  dryRun?: boolean;
  /** Seconds to follow an AWS execution. */
  timeout?: number;
}

export interface ExceptionsSummary {
  target: 'local' | 'aws';
  date: string;
  dryRun: boolean;
  executionId?: string;
  executionArn?: string;
  consoleUrl?: string;
  total: number;
  counts: { kind: string; source: string; n: number }[];
  notices: string[];
  /** The day's CSV and HTML report: local paths, or s3:// URIs on AWS; none on a dry run. */
  outputs: { csv?: string; html?: string };
}

/** Where the day's files go locally: <home>/exceptions/<date>/ (dry runs write none). */
const localDayDir = (g: GlobalOptions, date: string) => join(g.home, RESULTS.exceptions(date));

/** The synthesised state machine: the same path as on AWS, then the day's files copied under --home. */
async function viaStateMachine(t: Target, g: GlobalOptions, o: ExceptionsOptions): Promise<ExceptionsSummary> {
  const dryRun = o.dryRun ?? false;
  const run = await t.run(
    'exceptions',
    { date: o.date, dryRun },
    { namePrefix: `exceptions-${o.date}${dryRun ? '-dry' : ''}`, ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}) },
  );
  const out = (run.output.summary ?? {}) as Partial<DailyExceptionsOutput>;
  let outputs: ExceptionsSummary['outputs'] = {};
  if (!dryRun) {
    if (t.kind === 'local') {
      const dir = localDayDir(g, o.date);
      const files = await fetchPrefix(t.s3, t.bucket('results'), RESULTS.exceptions(o.date), dir);
      outputs = Object.fromEntries(
        files.filter((f) => /\.(csv|html)$/.test(f)).map((f) => [f.endsWith('.csv') ? 'csv' : 'html', f]),
      ) as ExceptionsSummary['outputs'];
    } else if (out.outputs && 'csv' in out.outputs) {
      outputs = { csv: out.outputs.csv, html: out.outputs.html };
    }
  }
  const counts = out.counts ?? [];
  return {
    target: t.kind,
    date: o.date,
    dryRun,
    executionId: run.executionId,
    ...(run.executionArn ? { executionArn: run.executionArn } : {}),
    ...(run.consoleUrl ? { consoleUrl: run.consoleUrl } : {}),
    total: counts.reduce((s, c) => s + c.n, 0),
    counts,
    notices: dryRun ? [] : (out.notices ?? []).map((n) => n.subject),
    outputs,
  };
}

export async function runExceptions(t: Target, g: GlobalOptions, o: ExceptionsOptions): Promise<ExceptionsSummary> {
  checkDate(o.date);
  progress(`Exceptions ${o.date}${o.dryRun ? ' (dry run: nothing written, no notice)' : ''}`);
  // One producer: the daily state machine, on both targets (a target without it names the missing
  // output, ExceptionsStateMachineArn, and what to do).
  return viaStateMachine(t, g, o);
}

export function describeExceptions(s: ExceptionsSummary): string {
  const lines = [`Exceptions ${s.date}${s.dryRun ? ' (DRY RUN)' : ''}: ${s.total}`];
  if (s.counts.length) lines.push(table(['kind', 'source', 'n'], s.counts as unknown as Record<string, unknown>[]));
  if (s.outputs.csv || s.outputs.html) lines.push('', `CSV: ${s.outputs.csv ?? ''}`, `Report: ${s.outputs.html ?? ''}`);
  lines.push(...runTrailer(s));
  return lines.join('\n');
}

export async function exceptionsCommand(g: GlobalOptions, o: ExceptionsOptions): Promise<void> {
  checkDate(o.date);
  const s = await withTarget(g, (t) => runExceptions(t, g, o));
  print(g, describeExceptions(s), s);
}
