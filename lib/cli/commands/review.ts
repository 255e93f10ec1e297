import { join } from 'node:path';
import type { LocalRuntime, RunResult } from '../../local/runtime';
import type { GlobalOptions } from '../main';
import { print, progress, table } from '../output';
import { withRuntime } from './runtime';

export interface ReviewOptions {
  period: string;
  dryRun?: boolean;
  thresholds?: string;
}

interface Evaluation {
  breachCount?: number;
  sources?: { source: string; breaches: number; status: string }[];
  notices?: { subject: string }[];
  breaches?: Record<string, unknown>[];
}

export interface ReviewSummary {
  period: string;
  executionId: string;
  breachCount: number;
  sources: { source: string; breaches: number; status: string }[];
  breaches: Record<string, unknown>[];
  packages: string;
  notices: string[];
}

/** Runs the synthesised review state machine and copies the package to <home>/packages/. */
export async function runReview(rt: LocalRuntime, o: ReviewOptions): Promise<ReviewSummary> {
  progress(`Review ${o.period}${o.dryRun ? ' (dry run)' : ''}: running the synthesised state machine`);
  const run: RunResult = await rt.run('review', {
    period: o.period,
    dryRun: o.dryRun ?? false,
    ...(o.thresholds ? { thresholdsUri: o.thresholds } : {}),
  });
  const ev = (run.output.evaluation ?? {}) as Evaluation;
  const prefix = `${o.dryRun ? 'dry-run/' : ''}packages/${o.period}/`;
  const packages = join(rt.home, 'packages', o.period);
  await rt.fetchPrefix('results', prefix, packages);
  return {
    period: o.period,
    executionId: run.executionId,
    breachCount: ev.breachCount ?? 0,
    sources: ev.sources ?? [],
    breaches: ev.breaches ?? [],
    packages,
    notices: (ev.notices ?? []).map((n) => n.subject),
  };
}

export function describeReview(s: ReviewSummary): string {
  const lines = [
    `Review ${s.period}: ${s.breachCount} breach${s.breachCount === 1 ? '' : 'es'}`,
    table(['source', 'breaches', 'status'], s.sources as unknown as Record<string, unknown>[]),
  ];
  if (s.breaches.length) {
    const cols = ['source', 'rule_id', 'metric', 'order_category', 'symbol', 'value', 'benchmark', 'p_value', 'severity', 'action'];
    lines.push('', 'Breaches:', table(cols, s.breaches));
  }
  lines.push('', `Review packages: ${s.packages}`, `Notices: ${s.notices.length ? s.notices.join(' | ') : 'none'}`);
  return lines.join('\n');
}

export async function reviewCommand(g: GlobalOptions, o: ReviewOptions): Promise<void> {
  const summary = await withRuntime(g, (rt) => runReview(rt, o));
  print(g, describeReview(summary), summary);
}
