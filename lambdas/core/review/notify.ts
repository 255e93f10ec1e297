/**
 * Compliance notices: one per source and review, written so a compliance officer can act from the
 * email alone (subject: vendor and breach count; body: the breach table, the actions, what could
 * not be tested, the monitoring status, open cases and where the package is). Message attributes
 * (severity, source, period, kind) let SNS subscriptions filter. Pure.
 */

import type { Finding } from '../../shared/contracts/review';
import { fitSubject, type Notice } from '../../shared/notice';
import { oneLine } from '../../shared/text';
import { fmtMetric } from '../package/format';
import { findingLines, sourceVerdict, wrap } from '../package/verdict';
import type { CaseSummary } from './cases';
import { highestSeverity, type RuleOutcome, SEVERITY_RANK } from './evaluate';
import { unitLabel } from './metric-info';
import { describeMonitoring, type MonitoringState } from './monitoring';
import type { ReconciliationFinding } from './reconcile';

export interface NoticeContext {
  period: string;
  /** Where the review package is: one URI (s3:// or a file path) for every source, or one per source. */
  packageUri: string | ((source: string) => string);
  /** Monitoring state after this review. */
  monitoring: MonitoringState;
  cleanReviewsToExit?: number;
  runId?: string;
  /** Dry runs say so in the subject: nothing was recorded. */
  dryRun?: boolean;
  thresholdsVersion?: string;
  cases?: readonly CaseSummary[];
  reconciliation?: readonly ReconciliationFinding[];
  /** Sources that get a notice even with no outcome (e.g. a heightened source that sent no data). */
  expectedSources?: readonly string[];
  /** Rows of the breach table before "… and N more" (the package has them all). @default 30 */
  maxRows?: number;
  /**
   * The findings of the run: with them the notice is written for a phone (lines under 80
   * characters, the findings in plain words with units and customer cost, what to decide by when).
   */
  findings?: readonly Finding[];
  /** A link that opens the source's report (S3 console or the firm's base URL). */
  link?: (source: string) => string;
  /** The date by which the committee should decide (ISO date). */
  decideBy?: string;
}

/** Notices are read on a phone: every line stays under this. */
export const NOTICE_WIDTH = 78;
/** Findings spelled out in the notice before "and N more in the report". */
const TOP_FINDINGS = 5;

/** "[bestex] acme-sor 2026Q3: 2 findings, $41,100 (price improvement, fill time)". */
export function findingsSubject(source: string, period: string, findings: readonly Finding[], dryRun = false): string {
  const v = sourceVerdict(source, findings);
  const tag = dryRun ? '[bestex dry-run]' : '[bestex]';
  if (!v.breaches.length) return fitSubject(`${tag} ${source} ${period}: ${v.clean ? 'clean, no finding' : 'nothing could be tested'}`);
  const what = [...new Set(v.breaches.map((f) => f.component.replace(/_/g, ' ')))].join(', ');
  const cost = v.costUsd > 0 ? `, $${Math.round(v.costUsd).toLocaleString('en-US')}` : '';
  return fitSubject(`${tag} ${source} ${period}: ${plural(v.breaches.length, 'finding')}${cost} (${what})`);
}

/**
 * The verdict as plain lines under 80 characters: the headline, each finding in three short
 * lines, what the committee must decide by when. The notice and the terminal summary both print it.
 */
export function verdictLines(source: string, findings: readonly Finding[], opts: { decideBy?: string; max?: number } = {}): string[] {
  const v = sourceVerdict(source, findings);
  const L: string[] = [...wrap(v.headline, NOTICE_WIDTH)];
  const max = opts.max ?? TOP_FINDINGS;
  v.breaches.slice(0, max).forEach((f, i) => {
    L.push('');
    const [first, ...rest] = findingLines(f);
    L.push(...wrap(`${i + 1}. ${first}`, NOTICE_WIDTH, ''), ...rest.flatMap((r) => wrap(r, NOTICE_WIDTH, '   ')));
    L.push(...wrap(`id ${oneLine(f.finding_id)}`, NOTICE_WIDTH, '   '));
  });
  if (v.breaches.length > max) L.push('', `... and ${v.breaches.length - max} more findings in the report.`);
  if (v.breaches.length) {
    L.push('');
    L.push(
      ...wrap(
        `The committee must decide each finding${opts.decideBy ? ` by ${opts.decideBy}` : ''}: accept with a rationale, modify the routing, remediate, or escalate.`,
        NOTICE_WIDTH,
      ),
    );
    L.push('  bestex committee determine <id> --decision <decision> \\');
    L.push('    --rationale "..." --owner "..."');
  }
  return L;
}

/** A number as a person reads it: 4 significant digits, no exponent for ordinary magnitudes. */
export function fmtNum(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4) return Math.round(x).toLocaleString('en-US');
  if (a < 1e-6) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

export const fmtP = (p: number | null): string => (p === null ? 'n/a' : p < 1e-4 ? '<0.0001' : p.toPrecision(2));

export function fmtGroup(o: Pick<RuleOutcome, 'symbol' | 'order_category' | 'venue' | 'size_bucket' | 'sp500'>): string {
  const parts = (['symbol', 'order_category', 'venue', 'size_bucket', 'sp500'] as const)
    .filter((c) => o[c] !== '*' && o[c] !== '')
    .map((c) => `${c}=${o[c]}`);
  return parts.length ? parts.join(' ') : 'all orders';
}

/** The one-sided confidence bound as an interval on the difference. */
export function fmtCi(o: Pick<RuleOutcome, 'ci_lower' | 'ci_upper'>): string {
  if (o.ci_upper !== null) return `(-inf, ${fmtNum(o.ci_upper)}]`;
  if (o.ci_lower !== null) return `[${fmtNum(o.ci_lower)}, +inf)`;
  return 'n/a';
}

/** The p-value, with the adjusted one beside it when the adjustment changed what it shows. */
const fmtPs = (o: RuleOutcome): string => {
  const raw = fmtP(o.p_value);
  const adj = fmtP(o.p_adjusted);
  return o.family_size > 1 && adj !== raw ? `${raw} (adj ${adj})` : raw;
};

const fmtN = (o: RuleOutcome): string =>
  o.n_eff !== null && o.n_eff !== o.n_orders ? `${fmtNum(o.n_orders)}/${fmtNum(o.n_eff)}` : fmtNum(o.n_orders);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The subject of one source's notice: "[bestex] acme-sor 2026Q3: 2 breaches (high)". */
export function noticeSubject(source: string, period: string, outcomes: readonly RuleOutcome[], dryRun = false): string {
  const breaches = outcomes.filter((o) => o.status === 'breach').length;
  const tag = dryRun ? '[bestex dry-run]' : '[bestex]';
  const tested = outcomes.some((o) => o.status === 'breach' || o.status === 'pass' || o.status === 'not_significant');
  const what =
    outcomes.length === 0
      ? 'no data'
      : breaches === 0 && !tested
        ? 'no breaches (inconclusive: nothing testable)'
        : breaches === 0
          ? 'no breaches'
          : `${plural(breaches, 'breach', 'breaches')} (${highestSeverity(outcomes)})`;
  return fitSubject(`${tag} ${source} ${period}: ${what}`);
}

/**
 * Every notice travels in the state machine's state (256 KB for the whole run) and an SNS message
 * (256 KB): a body longer than this is cut, keeping its end pointer to the package.
 */
export const MAX_MESSAGE_CHARS = 24_000;

function capMessage(message: string, pkg: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const tail = `\n... (cut at ${MAX_MESSAGE_CHARS} characters: everything is in the package)\n\nReview package: ${pkg}\n`;
  const cut = message.lastIndexOf('\n', MAX_MESSAGE_CHARS - tail.length);
  return message.slice(0, cut) + tail;
}

/** One notice per source in the outcomes, sorted by source. */
export function composeNotices(outcomes: readonly RuleOutcome[], ctx: NoticeContext): Notice[] {
  const sources = [...new Set([...outcomes.map((o) => o.source), ...(ctx.expectedSources ?? [])])].sort();
  return sources.map((source) =>
    composeNotice(
      source,
      outcomes.filter((o) => o.source === source),
      ctx,
    ),
  );
}

function composeNotice(source: string, mine: readonly RuleOutcome[], ctx: NoticeContext): Notice {
  // A source with findings gets the phone notice; one evaluated only by row rules keeps the table.
  if (ctx.findings?.some((f) => f.source === source)) return composeFindingsNotice(source, mine, ctx, ctx.findings);
  const maxRows = ctx.maxRows ?? 30;
  // Highest severity first; within it, rule order and then the aggregate before its breakdowns (a stable sort keeps evaluation order).
  const breaches = mine.filter((o) => o.status === 'breach').sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const insufficient = mine.filter((o) => o.status === 'insufficient_sample');
  const notSignificant = mine.filter((o) => o.status === 'not_significant');
  const noData = mine.filter((o) => o.status === 'no_data');
  const passed = mine.filter((o) => o.status === 'pass').length;
  const pkg = typeof ctx.packageUri === 'function' ? ctx.packageUri(source) : ctx.packageUri;
  const severity = highestSeverity(mine);
  const L: string[] = [];

  L.push(`Best-execution review ${ctx.period}: ${source}${ctx.dryRun ? ' (DRY RUN: nothing recorded, no case opened)' : ''}`);
  const meta = [ctx.runId && `run ${ctx.runId}`, ctx.thresholdsVersion && `thresholds ${ctx.thresholdsVersion}`].filter(Boolean).join(', ');
  if (meta) L.push(meta);
  L.push('');
  L.push(
    mine.length === 0
      ? 'NO DATA: no rule could be evaluated for this source (no metric rows in this period). Nothing was tested; this is not a clean review.'
      : breaches.length === 0
        ? `No breaches. ${plural(passed, 'test')} passed, ${insufficient.length} insufficient sample, ${notSignificant.length} not significant, ${noData.length} without data.`
        : `${plural(breaches.length, 'BREACH', 'BREACHES')} (highest severity: ${severity}). A breach is a gap beyond the rule's tolerance with one-sided p below the rule's significance level.`,
  );

  if (breaches.length > 0) {
    L.push('');
    const shown = breaches.slice(0, maxRows);
    const rows = shown.map((o, i) => [
      String(i + 1),
      o.rule_id,
      `${o.metric}${unitLabel(o.metric) ? ` (${unitLabel(o.metric)})` : ''}`,
      fmtGroup(o),
      fmtNum(o.value),
      `${fmtNum(o.benchmark)} ${o.benchmark_ref}`.trim(),
      fmtNum(o.difference),
      `${Math.round(o.confidence * 100)}% ${fmtCi(o)}`,
      fmtPs(o),
      fmtN(o),
      o.severity,
    ]);
    L.push(...table(['#', 'rule', 'metric', 'group', 'value', 'benchmark', 'difference', 'one-sided CI', 'p', 'n', 'severity'], rows));
    if (breaches.length > shown.length) L.push(`... and ${breaches.length - shown.length} more breaches in the package.`);
    L.push('');
    L.push('Actions:');
    const byRule = new Map<string, { action: string; severity: string; count: number }>();
    for (const o of breaches) {
      const e = byRule.get(o.rule_id) ?? { action: o.action, severity: o.severity, count: 0 };
      e.count++;
      byRule.set(o.rule_id, e);
    }
    for (const [rule, e] of byRule) L.push(`- ${rule} (${e.severity}, ${plural(e.count, 'group')}): ${e.action}`);
  }

  if (notSignificant.length > 0) {
    L.push('');
    L.push(`Gap beyond tolerance but not statistically significant (watch, no breach): ${notSignificant.length}`);
    for (const o of notSignificant.slice(0, maxRows)) {
      L.push(`- ${o.rule_id} ${o.metric} ${fmtGroup(o)}: value ${fmtNum(o.value)} vs ${fmtNum(o.benchmark)}, p ${fmtPs(o)}, n ${fmtN(o)}`);
    }
  }

  if (insufficient.length > 0) {
    L.push('');
    L.push(`Insufficient sample (not tested, NOT a pass): ${insufficient.length}`);
    for (const o of insufficient.slice(0, maxRows)) L.push(`- ${o.rule_id} ${o.metric} ${fmtGroup(o)}: ${o.note}`);
    if (insufficient.length > maxRows) L.push(`... and ${insufficient.length - maxRows} more in the package.`);
  }

  if (noData.length > 0) {
    // Per rule: a prior-period rule on a first review would otherwise list every group.
    L.push('');
    L.push(`No data or no benchmark: ${plural(noData.length, 'group')}`);
    const byRule = new Map<string, RuleOutcome[]>();
    for (const o of noData) byRule.set(o.rule_id, [...(byRule.get(o.rule_id) ?? []), o]);
    for (const [rule, list] of byRule) {
      const first = list[0] as RuleOutcome;
      const where = list.length === 1 ? fmtGroup(first) : `${list.length} groups, e.g. ${fmtGroup(first)}`;
      L.push(`- ${rule} ${first.metric} (${where}): ${first.note}`);
    }
  }

  const mismatches = (ctx.reconciliation ?? []).filter((f) => f.source === source && f.status !== 'match');
  if (ctx.reconciliation) {
    L.push('');
    const total = ctx.reconciliation.filter((f) => f.source === source).length;
    L.push(
      total === 0
        ? 'Vendor reconciliation: the vendor sent no self-reported statistics for this period.'
        : `Vendor reconciliation: ${mismatches.length} of ${total} vendor figures differ from the firm's own beyond tolerance.`,
    );
    for (const f of mismatches.slice(0, 10)) {
      L.push(
        `- ${f.metric} symbol=${f.symbol} order_type=${f.order_type}: vendor ${fmtNum(f.vendor_value)}, firm ${fmtNum(f.firm_value)} (${f.status})`,
      );
    }
    if (mismatches.length > 10) L.push(`... and ${mismatches.length - 10} more in the package.`);
  }

  L.push('');
  L.push(`Monitoring: ${describeMonitoring(ctx.monitoring[source], ctx.cleanReviewsToExit ?? 2)}`);
  const hist = ctx.monitoring[source]?.history ?? [];
  if (hist.length > 0) {
    L.push(
      `History: ${hist
        .slice(-6)
        .map((h) => `${h.period} ${h.conclusive ? plural(h.breaches, 'breach', 'breaches') : 'inconclusive'}`)
        .join('; ')}`,
    );
  }

  const cases = (ctx.cases ?? []).filter((c) => c.source === source && c.status === 'open');
  if (cases.length > 0) {
    L.push('');
    L.push(`Open remediation cases: ${cases.length}`);
    for (const c of cases) {
      const steps = [
        c.notified_at ? `vendor notified ${c.notified_at.slice(0, 10)}` : 'vendor not yet notified',
        c.plan_at ? `plan ${c.plan_at.slice(0, 10)}` : 'no corrective action plan yet',
      ];
      L.push(`- ${c.case_id} (opened ${c.opened_at.slice(0, 10)}; ${steps.join('; ')})`);
    }
    L.push('Record steps with: bestex case notify|note|plan|close <case_id> ...');
  }

  L.push('');
  L.push(`Review package: ${pkg}`);
  return {
    subject: noticeSubject(source, ctx.period, mine, ctx.dryRun ?? false),
    // Each entry of L is one line: a vendor value (a symbol with a newline) cannot start another.
    message: capMessage(`${L.map(oneLine).join('\n')}\n`, pkg),
    attributes: { severity, source, period: ctx.period, kind: 'review' },
  };
}

/** The notice for a phone: the findings in plain words, what to decide, a link that opens. */
function composeFindingsNotice(source: string, mine: readonly RuleOutcome[], ctx: NoticeContext, all: readonly Finding[]): Notice {
  const findings = all.filter((f) => f.source === source);
  const pkg = typeof ctx.packageUri === 'function' ? ctx.packageUri(source) : ctx.packageUri;
  const link = ctx.link ? ctx.link(source) : pkg;
  const L: string[] = [];
  L.push(`Best-execution review ${ctx.period}: ${oneLine(source)}`);
  if (ctx.dryRun) L.push('DRY RUN: nothing recorded, no case opened.');
  L.push('');
  L.push(...verdictLines(source, findings, ctx.decideBy ? { decideBy: ctx.decideBy } : {}));

  const mismatches = (ctx.reconciliation ?? []).filter((f) => f.source === source && f.status !== 'match');
  if (mismatches.length) {
    L.push('');
    L.push(...wrap(`The vendor's own figures differ from the firm's in ${plural(mismatches.length, 'case')}:`, NOTICE_WIDTH));
    for (const f of mismatches.slice(0, 3)) {
      L.push(
        ...wrap(
          `- ${f.metric.replace(/_/g, ' ')} (${oneLine(f.order_type)}): vendor ${fmtMetric(f.metric, f.vendor_value)}, firm ${fmtMetric(f.metric, f.firm_value)}`,
          NOTICE_WIDTH,
          '  ',
        ),
      );
    }
  }
  L.push('');
  L.push(...wrap(`Monitoring: ${describeMonitoring(ctx.monitoring[source], ctx.cleanReviewsToExit ?? 2)}`, NOTICE_WIDTH));
  const hist = ctx.monitoring[source]?.history ?? [];
  if (hist.length) {
    const h = hist.slice(-4).map((x) => `${x.period} ${x.conclusive ? plural(x.breaches, 'breach', 'breaches') : 'inconclusive'}`);
    L.push(...wrap(`History: ${h.join('; ')}`, NOTICE_WIDTH));
  }
  const cases = (ctx.cases ?? []).filter((c) => c.source === source && c.status === 'open');
  if (cases.length) {
    L.push(...wrap(`Open remediation cases: ${cases.map((c) => c.case_id).join(', ')}`, NOTICE_WIDTH));
  }
  L.push('');
  L.push('Report:');
  // A URL is never wrapped (it must stay clickable); it is the one line allowed to be long.
  L.push(link);
  const severity = highestSeverity(mine);
  return {
    subject: findingsSubject(source, ctx.period, findings, ctx.dryRun ?? false),
    message: capMessage(`${L.join('\n')}\n`, link),
    attributes: { severity, source, period: ctx.period, kind: 'review' },
  };
}
