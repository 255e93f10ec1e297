import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fmtGroup, fmtP, verdictLines } from '../../../lambdas/core/review/notify';
import { parseConfig, thresholdsSchema } from '../../../lambdas/shared/config';
import { type Finding, findingsDocumentSchema } from '../../../lambdas/shared/contracts/review';
import { RESULTS } from '../../../lambdas/shared/layout';
import { CliError } from '../../aws/errors';
import { fetchPrefix, readJsonObject, type Target } from '../../aws/target';
import { checkPeriod } from '../support/args';
import type { GlobalOptions } from '../support/options';
import { print, progress, runTrailer, table } from '../support/output';
import { renderPdfs } from '../support/pdf';
import { dryRunPrefix, packagesDir, withTarget } from '../support/target';

export interface ReviewOptions {
  period: string;
  dryRun?: boolean;
  /** A thresholds file to try instead of the deployed/configured one. */
  thresholds?: string;
  /** Review only these sources. */
  sources?: string[];
  /** Seconds to follow an AWS execution. */
  timeout?: number;
}

interface Evaluation {
  breachCount?: number;
  sources?: { source: string; breaches: number; status: string }[];
  notices?: { subject: string }[];
  /** Keys in the results bucket; `breaches` is the JSON array of breach outcomes, `findings` the findings document. */
  files?: { breaches?: string; findings?: string };
}

/** The findings document Evaluate wrote (empty when the run wrote none). */
async function readFindings(t: Target, ev: Evaluation): Promise<Finding[]> {
  const key = ev.files?.findings;
  if (!key) return [];
  const r = findingsDocumentSchema.safeParse(await readJsonObject(t.s3, t.bucket('results'), key));
  return r.success ? r.data.findings : [];
}

/** Breach outcomes as the evaluate step stored them (the execution output carries only counts). */
async function readBreaches(t: Target, ev: Evaluation): Promise<Record<string, unknown>[]> {
  const key = ev.files?.breaches;
  if (!key || !ev.breachCount) return [];
  const v = await readJsonObject(t.s3, t.bucket('results'), key);
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

const SEVERITY_ORDER: Record<string, number> = { high: 0, medium: 1, low: 2 };
/** Rows of the breach table a person reads first. */
export const BREACHES_SHOWN = 20;

export interface ReviewSummary {
  target: 'local' | 'aws';
  period: string;
  dryRun: boolean;
  executionId: string;
  executionArn?: string;
  consoleUrl?: string;
  breachCount: number;
  sources: { source: string; breaches: number; status: string }[];
  breaches: Record<string, unknown>[];
  /** The run's findings: the summary says them as the notice does. */
  findings: Finding[];
  /** A local folder (local target) or an s3:// prefix (AWS). */
  packages: string;
  pdfs: string[];
  notices: string[];
}

/** Validates a thresholds file here, so a typo is reported before any execution starts. */
export function checkThresholdsFile(path: string): void {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${path} cannot be read as JSON: ${(e as Error).message}`);
  }
  try {
    parseConfig(thresholdsSchema, json, path);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** The thresholds file a run should try: --thresholds, or on AWS a dry run's --config folder. */
function thresholdsToTry(g: GlobalOptions, o: ReviewOptions): string | undefined {
  if (o.thresholds) return resolve(o.thresholds);
  if (g.target === 'aws' && o.dryRun && g.config) return join(g.config, 'thresholds.json');
  return undefined;
}

/**
 * Runs the review state machine on the target. Locally the package is copied under --home and
 * its PDF printed; on AWS the summary says where the package is and how to fetch it.
 */
export async function runReview(t: Target, g: GlobalOptions, o: ReviewOptions): Promise<ReviewSummary> {
  checkPeriod(o.period);
  const dryRun = o.dryRun ?? false;
  const thresholds = thresholdsToTry(g, o);
  if (thresholds) checkThresholdsFile(thresholds);
  const thresholdsUri = thresholds ? await t.stageInput(thresholds, 'thresholds', dryRun) : undefined;
  progress(
    `Review ${o.period}${dryRun ? ' (dry run: outputs under dry-run/, no notice, no case)' : ''}${thresholds ? ` with ${thresholds}` : ''}`,
  );
  const run = await t.run(
    'review',
    { period: o.period, dryRun, ...(thresholdsUri ? { thresholdsUri } : {}), ...(o.sources?.length ? { sources: o.sources } : {}) },
    { namePrefix: `review-${o.period}${dryRun ? '-dry' : ''}`, ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}) },
  );
  const ev = (run.output.evaluation ?? {}) as Evaluation;
  if (run.output.due === false) progress('Nothing due: no source is under heightened monitoring for this monthly run');
  const prefix = `${dryRunPrefix(dryRun)}${RESULTS.package(o.period, '').replace(/\/+$/, '/')}`;
  let packages: string;
  let pdfs: string[] = [];
  if (t.kind === 'local') {
    packages = packagesDir(g, t, dryRun, o.period);
    await fetchPrefix(t.s3, t.bucket('results'), prefix, packages);
    const r = await renderPdfs(packages, progress);
    pdfs = r.pdfs;
    if (r.skipped) progress(`PDF skipped: ${r.skipped}`);
  } else {
    packages = `s3://${t.bucket('results')}/${prefix}`;
  }
  return {
    target: t.kind,
    period: o.period,
    dryRun,
    executionId: run.executionId,
    ...(run.executionArn ? { executionArn: run.executionArn } : {}),
    ...(run.consoleUrl ? { consoleUrl: run.consoleUrl } : {}),
    breachCount: ev.breachCount ?? 0,
    sources: ev.sources ?? [],
    breaches: await readBreaches(t, ev),
    findings: await readFindings(t, ev),
    packages,
    pdfs,
    notices: dryRun ? [] : (ev.notices ?? []).map((n) => n.subject),
  };
}

export function describeReview(s: ReviewSummary): string {
  const lines = [
    `Review ${s.period}${s.dryRun ? ' (DRY RUN)' : ''}: ${s.breachCount} breach${s.breachCount === 1 ? '' : 'es'}`,
    table(['source', 'breaches', 'status'], s.sources as unknown as Record<string, unknown>[]),
  ];
  const withFindings = new Set(s.findings.map((f) => f.source));
  for (const src of s.sources.map((x) => x.source).filter((x) => withFindings.has(x))) {
    lines.push('', ...verdictLines(src, s.findings));
  }
  if (s.breaches.length && !s.findings.length) {
    const worst = [...s.breaches].sort(
      (a, b) =>
        (SEVERITY_ORDER[String(a.severity)] ?? 3) - (SEVERITY_ORDER[String(b.severity)] ?? 3) ||
        Number(a.p_value ?? 1) - Number(b.p_value ?? 1),
    );
    // The group and p-value written as the compliance notice writes them.
    const shown = worst.slice(0, BREACHES_SHOWN).map((b) => ({
      ...b,
      group: fmtGroup(b as unknown as Parameters<typeof fmtGroup>[0]),
      p_value: fmtP(typeof b.p_value === 'number' ? b.p_value : null),
    }));
    lines.push(
      '',
      `Breaches${worst.length > BREACHES_SHOWN ? ` (the ${BREACHES_SHOWN} most severe of ${worst.length}; all in the package)` : ''}:`,
    );
    lines.push(table(['source', 'rule_id', 'metric', 'group', 'value', 'benchmark', 'p_value', 'severity'], shown));
    const actions = new Map(worst.map((b) => [String(b.rule_id), String(b.action ?? '')]));
    lines.push('', 'Actions:', ...[...actions].map(([rule, action]) => `  ${rule}: ${action}`));
  }
  lines.push('', `Review packages: ${s.packages}`);
  if (s.pdfs.length) lines.push(`PDF: ${s.pdfs.join(', ')}`);
  if (s.target === 'aws') lines.push(`Fetch: bestex --target aws fetch package --period ${s.period}${s.dryRun ? ' --dry-run' : ''}`);
  lines.push(...runTrailer(s));
  return lines.join('\n');
}

export async function reviewCommand(g: GlobalOptions, o: ReviewOptions): Promise<void> {
  checkPeriod(o.period);
  const summary = await withTarget(g, (t) => runReview(t, g, o));
  print(g, describeReview(summary), summary);
}
