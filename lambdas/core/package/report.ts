/**
 * The committee's review report: one self-contained HTML file (inline CSS, charts as inline SVG,
 * no script, no external request), readable in a browser, printable to PDF and safe to archive.
 *
 * It leads with the verdict. Page one, per router: one plain sentence per finding (figure,
 * benchmark and its source, customer cost), the committee dashboard (market vs limit vs benchmark,
 * with an analysis column written from the findings), the vendor reconciliation when it disagrees,
 * and what the committee must decide by when. Then the findings with their drill-down, the
 * material differences, the committee's determinations and open items, the due-diligence record,
 * and the detail tables. Every text value is escaped; every number is formatted in its unit.
 */

import type { Finding } from '../../shared/contracts/review';
import { ALL, EXCLUSION_REASONS, type MetricName, ORDER_CATEGORIES } from '../../shared/metrics';
import type { CaseSummary } from '../review/cases';
import { DECISION_LABELS, DUE_DILIGENCE_LABELS, differenceId } from '../review/committee';
import type { MaterialDifference } from '../review/compare';
import type { RuleOutcome } from '../review/evaluate';
import type { ReconciliationFinding } from '../review/reconcile';
import { groupComparisonChart, MARKOUT_HORIZONS, markoutChart, securityPiChart, venueShareChart } from './charts';
import {
  categoryLabel,
  count,
  esc,
  fmtDifference,
  fmtMetric,
  fmtUnit,
  metricLabel,
  NA,
  pct,
  pValue,
  usd,
  usdPerShare,
  usdWhole,
  when,
} from './format';
import { type Group, MetricIndex, OutcomeIndex, pfofVenues, sortOutcomes } from './model';
import { REPORT_CSS } from './report-css';
import type { ReviewPackageData } from './types';
import { costWords, findingLabel, findingSentence, gapWords, groupWords, sizeWords, sourceVerdict } from './verdict';

const CATEGORIES = [...ORDER_CATEGORIES, ALL] as const;
const MARKOUT_METRICS = [
  'markout_1s_per_share',
  'markout_5s_per_share',
  'markout_15s_per_share',
  'markout_60s_per_share',
  'markout_300s_per_share',
] as const satisfies readonly MetricName[];

/** The review table of the supervisory procedures, per security (mission.md). */
const DASHBOARD: readonly { metric: MetricName; label: string }[] = [
  { metric: 'price_improvement_per_share', label: 'Price improvement vs NBBO' },
  { metric: 'spread_capture_pct', label: 'Effective-spread capture' },
  { metric: 'eq_ratio_pct', label: 'Effective/quoted spread (E/Q)' },
  { metric: 'avg_exec_time_ms', label: 'Average fill time' },
  { metric: 'fill_rate_pct', label: 'Order fill rate' },
  { metric: 'limit_fill_rate_pct', label: 'Limit order fill rate' },
  { metric: 'markout_60s_per_share', label: 'Reversion (markout 60 s)' },
];
const DASHBOARD_CATEGORIES = ['market', 'marketable_limit', 'non_marketable_limit'] as const;

/**
 * The committee dashboard of page one (mission.md): market orders against limit orders and the
 * benchmark. "Limit" is the marketable limit order for prices and speed, and the non-marketable
 * limit order for the limit fill rate (the one order type that rests).
 */
const PAGE_ONE: readonly { metric: MetricName; label: string; limit: string | null; market: boolean }[] = [
  { metric: 'price_improvement_per_share', label: 'Price improvement vs NBBO', limit: 'marketable_limit', market: true },
  { metric: 'spread_capture_pct', label: 'Effective-spread capture', limit: 'marketable_limit', market: true },
  { metric: 'eq_ratio_pct', label: 'Effective/quoted spread (E/Q)', limit: 'marketable_limit', market: true },
  { metric: 'avg_exec_time_ms', label: 'Average fill time', limit: 'marketable_limit', market: true },
  { metric: 'limit_fill_rate_pct', label: 'Limit order fill rate', limit: 'non_marketable_limit', market: false },
  { metric: 'pct_shares_outside_quote', label: 'Shares outside the quote', limit: 'marketable_limit', market: true },
  { metric: 'markout_60s_per_share', label: 'Reversion (markout 60 s)', limit: 'marketable_limit', market: true },
];

const STATUS_LABELS: Record<string, string> = {
  breach: 'Breach',
  pass: 'Pass',
  not_significant: 'Not significant',
  insufficient_sample: 'Too few orders',
  no_data: 'No data',
  no_benchmark: 'No benchmark',
};

const EXCLUSION_SHORT: Record<string, string> = {
  no_nbbo: 'No NBBO',
  stale_nbbo: 'Stale NBBO',
  crossed_or_locked_nbbo: 'Crossed or locked',
  negative_exec_time: 'Negative fill time',
  orphan_execution: 'Orphan execution',
};

const EXCLUSION_LABELS: Record<string, string> = {
  no_nbbo: 'No NBBO at the time',
  stale_nbbo: 'NBBO older than the maximum quote age',
  crossed_or_locked_nbbo: 'Crossed or locked NBBO',
  negative_exec_time: 'Fill time before receipt (bad timestamps)',
  orphan_execution: 'Execution without its order',
};

interface Ctx {
  d: ReviewPackageData;
  ix: MetricIndex;
  src: string;
  /** This source's findings, ranked as Evaluate ranked them. */
  findings: Finding[];
  outcomes: RuleOutcome[];
  byGroup: OutcomeIndex;
}

/** Renders the whole report. */
export function renderReviewHtml(data: ReviewPackageData): string {
  const outcomes = sortOutcomes(data.outcomes.filter((o) => o.source === data.source));
  const ctx: Ctx = {
    d: data,
    ix: new MetricIndex(data.metrics),
    src: data.source,
    findings: data.findings.filter((f) => f.source === data.source),
    outcomes,
    byGroup: new OutcomeIndex(outcomes),
  };
  const title = `Best-execution review ${data.period}: ${data.source}`;
  const sections = [
    header(ctx),
    pageOne(ctx),
    findingsSection(ctx),
    differences(ctx),
    committee(ctx),
    dueDiligence(ctx),
    charts(ctx),
    dashboard(ctx),
    orderTypes(ctx),
    venues(ctx),
    markouts(ctx),
    exclusions(ctx),
    sourcesSideBySide(ctx),
    reconciliation(ctx),
    cases(ctx),
    monitoring(ctx),
    ruleRows(ctx),
    about(ctx),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bestex ${esc(data.codeVersion)}">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}

// ---------- small builders ----------

function section(id: string, title: string, body: string, intro?: string, cls = ''): string {
  return `<section id="${id}"${cls ? ` class="${cls}"` : ''}>
<h2>${esc(title)}</h2>
${intro ? `<p class="intro">${esc(intro)}</p>` : ''}
${body}
</section>`;
}

/** A left-aligned (text) column heading; plain strings are right-aligned numeric columns after the first. */
const L = (text: string) => ({ text });
type Head = string | { text: string };

function table(head: readonly Head[], rows: readonly string[], cls = ''): string {
  const th = head
    .map((h, i) =>
      typeof h === 'string' && i > 0 ? `<th class="num">${esc(h)}</th>` : `<th>${esc(typeof h === 'string' ? h : h.text)}</th>`,
    )
    .join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function figure(name: string, caption: string, svg: string): string {
  return `<figure class="chart" data-chart="${esc(name)}">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

const td = (text: string, cls = 'num') => `<td class="${cls}">${esc(text)}</td>`;
const tdText = (text: string) => `<td>${esc(text)}</td>`;

function badge(kind: 'breach' | 'pass' | 'warn' | 'info' | 'pfof' | 'muted', text: string): string {
  return `<span class="badge ${kind}">${esc(text)}</span>`;
}

function statusBadge(status: string): string {
  const kind = status === 'breach' ? 'breach' : status === 'pass' ? 'pass' : status === 'insufficient_sample' ? 'warn' : 'muted';
  return badge(kind, STATUS_LABELS[status] ?? status);
}

function sizeLabel(bucket: string): string {
  const n = Number(bucket);
  return Number.isFinite(n) ? `size ≥ $${count(n)}` : `size ${bucket}`;
}

/** "AAPL · Market orders · XNAS", or "All orders" when every column is '*'. */
export function groupLabel(g: Group): string {
  const parts: string[] = [];
  if (g.symbol && g.symbol !== ALL) parts.push(g.symbol);
  if (g.order_category && g.order_category !== ALL) parts.push(categoryLabel(g.order_category));
  if (g.venue && g.venue !== ALL) parts.push(`venue ${g.venue}`);
  if (g.size_bucket && g.size_bucket !== ALL) parts.push(sizeLabel(g.size_bucket));
  if (g.sp500 && g.sp500 !== ALL) parts.push(g.sp500 === 'Y' ? 'S&P 500' : 'not S&P 500');
  return parts.length ? parts.join(' · ') : 'All orders';
}

const ciText = (f: Finding): string => {
  const { lower, upper, level } = f.ci;
  const lv = ` (${Math.round(level * 100)} %)`;
  if (lower !== null && upper !== null)
    return `${fmtUnit(f.unit, lower, { plus: true })} to ${fmtUnit(f.unit, upper, { plus: true })}${lv}`;
  if (upper !== null) return `≤ ${fmtUnit(f.unit, upper, { plus: true })}${lv}`;
  if (lower !== null) return `≥ ${fmtUnit(f.unit, lower, { plus: true })}${lv}`;
  return NA;
};

// ---------- page one ----------

function header({ d }: Ctx): string {
  const meta: [string, string][] = [
    ['Period', d.period],
    ['Router (SOR vendor)', d.source],
    ['Generated at', when(d.generatedAt)],
    ['Code version', d.codeVersion],
    ['Thresholds version', d.thresholdsVersion],
  ];
  if (d.runId) meta.push(['Review run', d.runId]);
  const link = d.link ?? d.location;
  const where = link
    ? `<p class="where">Package: ${/^(https?|file):/.test(link) ? `<a href="${esc(link)}">${esc(link)}</a>` : esc(link)}</p>`
    : '';
  return `<header id="header">
<p class="kicker">Regular and rigorous review of execution quality${d.dryRun ? ' · DRY RUN, not a review of record' : ''}</p>
<h1>Best-execution review ${esc(d.period)}: <span class="source">${esc(d.source)}</span></h1>
<dl class="meta">${meta.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${where}
</header>`;
}

/** Page one: the verdict, the dashboard with its analysis, the reconciliation when it disagrees, and what to decide. */
function pageOne(ctx: Ctx): string {
  const { d, findings, src } = ctx;
  const v = sourceVerdict(src, findings);
  const sentences = v.breaches.length
    ? `<ol class="verdict-list">${v.breaches
        .map(
          (f) =>
            `<li data-finding="${esc(f.finding_id)}" class="sev-${esc(f.severity)}">${badge('breach', f.severity.toUpperCase())} ${esc(findingSentence(f))}</li>`,
        )
        .join('')}</ol>`
    : '';
  const heightened = d.monitoring?.status === 'heightened';
  const mon = d.monitoring
    ? `<p class="note">${esc(
        heightened
          ? `Under heightened monitoring since ${d.monitoring.since ?? 'an earlier review'}: reviewed monthly until ${d.cleanReviewsToExit ?? 'the configured number of'} consecutive clean reviews (now ${d.monitoring.consecutive_clean}).`
          : 'Normal monitoring: reviewed quarterly.',
      )}</p>`
    : '';
  return `<section id="verdict" class="page-one">
<h2>Verdict</h2>
<p class="verdict ${v.clean ? 'good' : 'bad'}" data-verdict="${v.clean ? 'clean' : 'findings'}">${esc(v.headline)}</p>
${sentences}
${mon}
${pageOneDashboard(ctx)}
${reconciliationSummary(ctx)}
${decide(ctx)}
</section>`;
}

/**
 * The dashboard row a finding speaks to when its metric is a rule statistic of its own (a matched
 * PFOF gap, first-fill time): by its framework component.
 */
const COMPONENT_ROW: Partial<Record<Finding['component'], MetricName>> = {
  price_improvement: 'price_improvement_per_share',
  venue_conflicts: 'price_improvement_per_share',
  speed: 'avg_exec_time_ms',
  limit_fill: 'limit_fill_rate_pct',
  price_disimprovement: 'pct_shares_outside_quote',
  post_trade: 'markout_60s_per_share',
};
const DASHBOARD_METRICS = new Set<string>(PAGE_ONE.map((r) => r.metric));

/** The findings on one metric of the dashboard (its own metric, or its component's row). */
function findingsOn(ctx: Ctx, metric: string): Finding[] {
  return ctx.findings.filter(
    (f) =>
      (f.metric === metric || (!DASHBOARD_METRICS.has(f.metric) && COMPONENT_ROW[f.component] === metric)) &&
      f.headline_group.symbol === ALL &&
      f.headline_group.venue === ALL,
  );
}

function analysis(list: readonly Finding[]): { text: string; kind: string } {
  if (!list.length) return { text: 'Not a rule of this review.', kind: 'muted' };
  const parts = list.map((f) => {
    const who = groupWords(f.headline_group);
    switch (f.status) {
      case 'breach':
        return `Breach: ${who} ${gapWords(f)} ${f.provenance.label}${f.customer_cost.usd !== null ? `; customers lost ${usdWhole(f.customer_cost.usd)}` : ''}.`;
      case 'pass':
        return `Pass for ${who}${f.minimum_detectable_difference !== null ? ` (a gap of ${sizeWords(f.unit, f.minimum_detectable_difference)} would have shown)` : ''}.`;
      case 'insufficient_sample':
        return `Too few ${who} to test (${count(f.n_orders)}).`;
      case 'no_benchmark':
        return `No benchmark for ${who} yet.`;
    }
    return '';
  });
  const kind = list.some((f) => f.status === 'breach') ? 'breach' : list.every((f) => f.status === 'pass') ? 'pass' : 'muted';
  return { text: parts.join(' '), kind };
}

function benchmarkText(list: readonly Finding[]): string {
  const seen = new Map<string, string>();
  for (const f of list) {
    if (f.benchmark === null) continue;
    const v = `${fmtUnit(f.unit, f.benchmark)} ${f.provenance.label}`;
    const cat = f.headline_group.order_category;
    seen.set(v, list.length > 1 && cat !== ALL ? `${categoryLabel(cat).toLowerCase()}: ${v}` : v);
  }
  return seen.size ? [...seen.values()].join('; ') : NA;
}

function pageOneDashboard(ctx: Ctx): string {
  const { ix, src } = ctx;
  const rows = PAGE_ONE.map(({ metric, label, limit, market }) => {
    const list = findingsOn(ctx, metric);
    const a = analysis(list);
    const mkt = market ? fmtMetric(metric, ix.value(src, { order_category: 'market' }, metric)) : 'n/a';
    const lim = limit ? fmtMetric(metric, ix.value(src, { order_category: limit }, metric)) : 'n/a';
    const marked = (c: string, v: string) =>
      list.some((f) => f.status === 'breach' && f.headline_group.order_category.split('+').includes(c))
        ? `<td class="num breach">${esc(`${v} ▲`)}</td>`
        : td(v);
    return `<tr data-metric="${esc(metric)}">${tdText(label)}${marked('market', mkt)}${marked(limit ?? '', lim)}<td class="bench">${esc(benchmarkText(list))}</td><td class="analysis ${a.kind}">${esc(a.text)}</td></tr>`;
  });
  return `<h3>Committee dashboard, all securities</h3>
${table(['Metric', 'Market orders', 'Limit orders', L('Benchmark (source)'), L('Analysis')], rows, 'page-one-dash')}
<p class="note">Limit orders: marketable limit orders for prices and speed; non-marketable limit orders for the limit fill rate. ▲ breached.</p>`;
}

function reconciliationSummary({ d, src }: Ctx): string {
  const off = (d.reconciliation ?? []).filter((f) => f.source === src && f.status !== 'match');
  if (!off.length) return '';
  const top = off
    .slice()
    .sort((a, b) => Math.abs(b.relative_difference ?? 0) - Math.abs(a.relative_difference ?? 0))
    .slice(0, 3)
    .map((f) => {
      const where = groupWords({ symbol: f.symbol, order_category: f.order_type });
      return `<li>${esc(`${metricLabel(f.metric)}, ${where}: the vendor reports ${fmtMetric(f.metric, f.vendor_value)}; the firm computes ${fmtMetric(f.metric, f.firm_value)} (${fmtDifference(f.metric, f.difference)}).`)}</li>`;
    });
  return `<h3>The vendor's own figures disagree</h3>
<p class="verdict warn">${esc(`${off.length} of the vendor's self-reported figures ${off.length === 1 ? 'differs' : 'differ'} from the firm's own beyond tolerance.`)}</p>
<ul class="recon">${top.join('')}</ul>`;
}

function decide({ d }: Ctx): string {
  const c = d.committee;
  if (!c) return '';
  // Page one lists the findings; the other items (material differences, reconciliation) are counted and listed in their sections.
  const items = c.agenda.filter((i) => i.kind === 'finding');
  const others = c.agenda.length - items.length;
  const decided = new Map(c.determinations.map((x) => [x.item_id, x]));
  const lines = items.map((i) => {
    const det = decided.get(i.item_id);
    return `<li><code>${esc(i.item_id)}</code> ${esc(i.title)}${det ? ` ${badge('pass', `decided: ${DECISION_LABELS[det.decision]}`)}` : ''}</li>`;
  });
  if (others)
    lines.push(
      `<li>${esc(`and ${others} material difference${others === 1 ? '' : 's'} and reconciliation finding${others === 1 ? '' : 's'}, each listed in its section.`)}</li>`,
    );
  const earlier = c.openItems.length
    ? `<p class="verdict warn">${esc(`${c.openItems.length} item${c.openItems.length === 1 ? '' : 's'} from earlier reviews or due diligence still without a determination (listed under Committee).`)}</p>`
    : '';
  const dd = c.dueDiligence.status.state === 'current' ? '' : `<p class="note">${esc(c.dueDiligence.status.text)}</p>`;
  return `<h3>For the committee to decide by ${esc(c.decideBy)}</h3>
${lines.length ? `<ul class="agenda">${lines.join('')}</ul>` : '<p class="empty">Nothing from this review.</p>'}
${earlier}${dd}
<p class="note">Record each determination with <code>bestex committee determine &lt;item&gt; --decision accept|modify_routing|remediate|escalate --rationale … --owner …</code>.</p>`;
}

// ---------- findings, differences, committee ----------

function findingsSection(ctx: Ctx): string {
  const { findings } = ctx;
  if (!findings.length) return section('findings', 'Findings', '<p class="empty">No finding was evaluated for this router.</p>');
  const breaches = findings.filter((f) => f.status === 'breach');
  const blocks = breaches.map((f) => {
    const facts: [string, string][] = [
      ['Figure', fmtUnit(f.unit, f.value)],
      ['Benchmark', `${fmtUnit(f.unit, f.benchmark)} (${f.provenance.label})`],
      ['Gap', gapWords(f)],
      ['Confidence bound on the gap', ciText(f)],
      ['Adjusted p-value', `${pValue(f.test.p_adjusted)} (of ${count(f.test.family_size)} tests; ${f.test.method.replace(/_/g, ' ')})`],
      ['Orders', count(f.n_orders)],
      ['Customer cost', costWords(f)],
    ];
    const drill = f.drilldown.length
      ? table(
          [L('Drives it'), 'Figure', 'Benchmark', 'Gap', 'Orders', 'Customer cost', 'Adj. p'],
          f.drilldown
            .slice(0, 12)
            .map(
              (r) =>
                `<tr${r.breach ? ' class="drill-breach"' : ''}>${tdText(`${r.group_kind.replace(/_/g, ' ')} ${r.group_value}`)}${td(fmtUnit(f.unit, r.value))}${td(fmtUnit(f.unit, r.benchmark))}${td(fmtUnit(f.unit, r.difference, { plus: true }))}${td(count(r.n_orders))}${td(usdWhole(r.cost_usd))}${td(pValue(r.p_adjusted))}</tr>`,
            ),
          'drill',
        ) + (f.drilldown.length > 12 ? `<p class="note">${esc(`${f.drilldown.length - 12} more rows in findings.json.`)}</p>` : '')
      : '';
    return `<article class="finding" data-finding="${esc(f.finding_id)}">
<h3>${badge('breach', f.severity.toUpperCase())} ${esc(`${findingLabel(f)}: ${groupWords(f.headline_group)}`)}</h3>
<p>${esc(findingSentence(f))}</p>
<dl class="figures">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${f.provenance.note ? `<p class="note">${esc(`Benchmark: ${f.provenance.note}`)}</p>` : ''}
<p class="action"><strong>Action:</strong> ${esc(f.action)}</p>
${drill}
</article>`;
  });
  const rest = findings.filter((f) => f.status !== 'breach');
  const restTable = rest.length
    ? `<h3>Rules without a finding</h3>${table(
        [L('Rule'), L('Group'), L('Status'), 'Figure', 'Benchmark', 'Smallest gap it could detect'],
        rest.map(
          (f) =>
            `<tr>${tdText(findingLabel(f))}${tdText(groupWords(f.headline_group))}<td>${statusBadge(f.status)}</td>${td(fmtUnit(f.unit, f.value))}${td(f.benchmark === null ? NA : `${fmtUnit(f.unit, f.benchmark)} (${f.provenance.label})`, 'num wrap')}${td(sizeWords(f.unit, f.minimum_detectable_difference))}</tr>`,
        ),
        'compact',
      )}<p class="note">“Too few orders” and “No benchmark” are not passes: nothing could be concluded.</p>`
    : '';
  return section(
    'findings',
    'Findings and what drives them',
    `${blocks.join('\n') || '<p class="empty">No finding: every rule tested passed.</p>'}${restTable}`,
    'One finding per rule at its headline group; the drill-down shows the securities, sizes, venues and days behind it, largest cost first.',
  );
}

/** The material differences that involve this router, each with the committee's determination if any. */
export function sourceDifferences(all: readonly MaterialDifference[] | undefined, src: string): MaterialDifference[] {
  return (all ?? []).filter((x) => x.material && (x.dimension === 'venue' ? x.source === src : x.better === src || x.worse === src));
}

function differences({ d, src }: Ctx): string {
  const mine = sourceDifferences(d.differences, src);
  const intro =
    'Where another router or venue did materially better for the same securities and order types (beyond tolerance and statistically significant). Each needs a determination.';
  if (!mine.length) return section('differences', 'Material differences', '<p class="empty">No material differences found.</p>', intro);
  const decided = new Map((d.committee?.determinations ?? []).map((x) => [x.item_id, x]));
  const rows = mine.map((x) => {
    const id = differenceId(x.period, x);
    const det = decided.get(id);
    return `<tr${x.worse === src ? ' class="worse"' : ''} data-item="${esc(id)}">${tdText(x.dimension === 'venue' ? 'Venues' : 'Routers')}${tdText(metricLabel(x.metric))}${tdText(groupLabel({ symbol: x.symbol, order_category: x.order_category }))}${tdText(`${x.better} ${fmtMetric(x.metric, x.better_value)}`)}${tdText(`${x.worse} ${fmtMetric(x.metric, x.worse_value)}`)}${td(pValue(x.p_value))}<td>${det ? badge('pass', DECISION_LABELS[det.decision]) : badge('warn', 'Open')}</td></tr>`;
  });
  return section(
    'differences',
    'Material differences',
    table([L('Compared'), L('Metric'), L('Group'), L('Better'), L('Worse'), 'p-value', L('Determination')], rows, 'text'),
    intro,
  );
}

function committee({ d }: Ctx): string {
  const c = d.committee;
  if (!c) return '';
  const m = c.minutes;
  const meetings = m.minutes.length
    ? m.minutes
        .map(
          (x) =>
            `<p><strong>${esc(`Meeting of ${x.meeting_date}`)}</strong>: ${esc(x.attendees.join(', '))}${x.text ? `. ${esc(x.text)}` : ''}</p>`,
        )
        .join('')
    : '<p class="empty">No meeting minuted for this period yet.</p>';
  const dets = c.determinations.length
    ? table(
        [L('Item'), L('Determination'), L('Rationale'), L('Owner'), L('Case'), L('Recorded')],
        c.determinations.map(
          (x) =>
            `<tr data-item="${esc(x.item_id)}">${tdText(x.item_id)}<td>${badge(x.decision === 'accept' ? 'pass' : 'warn', DECISION_LABELS[x.decision])}</td>${tdText(x.rationale)}${tdText(x.owner)}${tdText(x.case_id ?? NA)}${tdText(`#${x.seq} ${when(x.at)} by ${x.who}`)}</tr>`,
        ),
        'text',
      )
    : '<p class="empty">No determination on file yet.</p>';
  const dissent = m.dissents.length
    ? `<h3>Dissent</h3><ul>${m.dissents.map((x) => `<li>${esc(`${x.name}${x.item_id ? ` on ${x.item_id}` : ''}: ${x.text}`)}</li>`).join('')}</ul>`
    : '';
  const signed = m.signoffs.length
    ? `<p>${m.signoffs.map((s) => esc(`Signed by ${s.name} at ${when(s.at)} (record #${s.seq}, covering ${s.covers.length} records).`)).join('<br>')}</p>`
    : '<p class="empty">Not signed off yet.</p>';
  const unsigned = m.unsigned
    ? `<p class="note">${esc(`${m.unsigned} record(s) of this period recorded after the last sign-off.`)}</p>`
    : '';
  const open = c.openItems.length
    ? table(
        [L('Open item'), L('From'), L('What')],
        c.openItems.map(
          (i) =>
            `<tr class="open-item" data-item="${esc(i.item_id)}">${tdText(i.item_id)}${tdText(`${i.period} review`)}${tdText(i.title)}</tr>`,
        ),
        'text',
      )
    : '<p class="empty">No open item from earlier reviews.</p>';
  return section(
    'committee',
    'Committee determinations and open items',
    `<h3>Minutes</h3>${meetings}<h3>Determinations on file</h3>${dets}${dissent}<h3>Sign-off</h3>${signed}${unsigned}<h3>Open items carried forward</h3>${open}`,
    'Each record is hash-chained in the committee log and listed with its SHA-256 in this package’s evidence manifest.',
  );
}

function dueDiligence({ d }: Ctx): string {
  const c = d.committee;
  if (!c) return '';
  const { status, versions } = c.dueDiligence;
  const kind = status.state === 'current' ? 'good' : 'warn';
  const last = versions[versions.length - 1];
  const body = last
    ? `${table(
        [L('Question'), L(`Answer of ${last.record.as_of}`), L(last.previous ? `Change since ${last.previous.as_of}` : 'Change')],
        (Object.keys(DUE_DILIGENCE_LABELS) as (keyof typeof DUE_DILIGENCE_LABELS)[]).map((k) => {
          const ch = last.changes.find((x) => x.field === k);
          const now = k === 'venues' ? last.record.answers.venues.join(', ') : last.record.answers[k];
          const what = !last.previous
            ? 'first on file'
            : !ch
              ? 'no change'
              : k === 'venues'
                ? `added ${ch.added?.join(', ') || 'none'}; removed ${ch.removed?.join(', ') || 'none'}`
                : `was: ${ch.before}`;
          return `<tr${ch ? ' class="worse"' : ''}>${tdText(DUE_DILIGENCE_LABELS[k])}${tdText(now)}${tdText(what)}</tr>`;
        }),
        'text',
      )}<p class="note">${esc(`${versions.length} version${versions.length === 1 ? '' : 's'} on file: ${versions.map((v) => v.record.as_of).join(', ')}.`)}</p>`
    : '<p class="empty">No due-diligence answers on file for this router.</p>';
  return section('due-diligence', 'Annual due diligence', `<p class="verdict ${kind}">${esc(status.text)}</p>${body}`);
}

/** The figures that breached, each at its own scale, the router beside its peers with each group's benchmark. */
function charts(ctx: Ctx): string {
  const { ix, src } = ctx;
  const peers = ix.sources.filter((s) => s !== src);
  const series = (metric: MetricName, cats: readonly string[]) =>
    [src, ...peers].map((s) => ({
      label: s === src ? `${s} (this review)` : s,
      values: cats.map((c) => ix.value(s, { order_category: c }, metric)),
    }));
  const benchOf = (metric: string, cats: readonly string[]) =>
    cats.map((c) => findingsOn(ctx, metric).find((f) => f.headline_group.order_category.split('+').includes(c))?.benchmark ?? null);
  const breachedOf = (metric: string, cats: readonly string[]) =>
    cats.map((c) => findingsOn(ctx, metric).some((f) => f.status === 'breach' && f.headline_group.order_category.split('+').includes(c)));
  const marketable = ['market', 'marketable_limit'] as const;
  const all = [...ORDER_CATEGORIES] as string[];
  const figs: string[] = [];
  const add = (name: string, metric: MetricName, cats: readonly string[], unit: string, caption: string, log = false) => {
    const s = series(metric, cats);
    if (!s.some((x) => x.values.some((v) => v !== null))) return;
    figs.push(
      figure(
        name,
        caption,
        groupComparisonChart({
          groups: cats.map(categoryLabel),
          series: s,
          benchmarks: benchOf(metric, cats),
          breached: breachedOf(metric, cats),
          unit,
          log,
        }),
      ),
    );
  };
  add(
    'pi',
    'price_improvement_per_share',
    marketable,
    'usd_per_share',
    'Price improvement per share by order type: this router beside its peers; red tick: each group’s benchmark; ▲ breached.',
  );
  add(
    'speed',
    'avg_exec_time_ms',
    all,
    'ms',
    'Average time to fill by order type, on a log scale so market orders (milliseconds) and resting limit orders (seconds) both show; red tick: benchmark.',
    true,
  );
  add('eq', 'eq_ratio_pct', marketable, 'pct', 'Effective over quoted spread (E/Q): lower is better; 100 % pays the whole quoted spread.');
  add(
    'limit-fill',
    'limit_fill_rate_pct',
    ['non_marketable_limit'],
    'pct',
    'Fill rate of non-marketable limit orders: this router beside its peers; red tick: benchmark.',
  );
  if (!figs.length) return '';
  return section('charts', 'What breached, at its own scale', figs.join('\n'));
}

/** Securities to show one by one: every one with a rule outcome, then the largest by executed shares. */
function pickSecurities({ ix, src, outcomes, findings, d }: Ctx): { shown: string[]; total: number } {
  const all = ix.values(src, 'symbol');
  const size = (s: string) => ix.value(src, { symbol: s }, 'shares_executed') ?? ix.row(src, { symbol: s }, 'orders')?.n_executions ?? 0;
  const flagged = new Set([
    ...outcomes.filter((o) => o.symbol !== '' && o.symbol !== ALL && o.status === 'breach').map((o) => o.symbol),
    ...findings.flatMap((f) => f.drilldown.filter((r) => r.group_kind === 'symbol' && r.breach).map((r) => r.group_value)),
  ]);
  const max = d.maxSecurities ?? 25;
  const ranked = [...all].sort((a, b) => size(b) - size(a) || a.localeCompare(b));
  const shown = [...ranked.filter((s) => flagged.has(s)), ...ranked.filter((s) => !flagged.has(s))].slice(0, Math.max(max, flagged.size));
  return { shown: shown.sort(), total: all.length };
}

function cell(ctx: Ctx, metric: MetricName, group: Group): string {
  const v = ctx.ix.value(ctx.src, group, metric);
  const os = ctx.byGroup.at(metric, group);
  const status = os.find((o) => o.status === 'breach')
    ? 'breach'
    : os.find((o) => o.status === 'insufficient_sample')
      ? 'insufficient'
      : '';
  const mark = status === 'breach' ? ' ▲' : status === 'insufficient' ? ' *' : '';
  return `<td class="num${status ? ` ${status}` : ''}">${esc(fmtMetric(metric, v) + mark)}</td>`;
}

function benchmarkCell(ctx: Ctx, metric: MetricName, symbol: string): string {
  const withBench = ctx.outcomes.filter((o) => o.metric === metric && typeof o.benchmark === 'number' && (o.venue ?? ALL) === ALL);
  // A rule tested on this security gives its own benchmark; otherwise the rule's all-securities benchmark applies.
  const own = withBench.filter((o) => o.symbol === symbol);
  const os = own.length ? own : withBench.filter((o) => (o.symbol ?? ALL) === ALL);
  const seen = new Map<string, string>();
  for (const o of os) {
    const v = fmtMetric(metric, o.benchmark);
    const cat = o.order_category && o.order_category !== ALL ? categoryLabel(o.order_category).toLowerCase() : '';
    seen.set(`${v}|${cat}`, cat && os.length > 1 ? `${v} (${cat})` : v);
  }
  return `<td class="num bench">${esc(seen.size ? [...seen.values()].join('; ') : NA)}</td>`;
}

function dashboard(ctx: Ctx): string {
  const { ix, src } = ctx;
  const { shown, total } = pickSecurities(ctx);
  if (!shown.length)
    return section('dashboard', 'Committee dashboard by security', '<p class="empty">No per-security figures in this review.</p>');
  const blocks = shown.map((symbol) => {
    const head = DASHBOARD_CATEGORIES.map((c) => {
      const n = ix.row(src, { symbol, order_category: c }, 'orders')?.n_orders;
      return `${categoryLabel(c)} orders${n != null ? ` (n=${count(n)})` : ''}`;
    });
    const rows = DASHBOARD.map(
      ({ metric, label }) =>
        `<tr>${tdText(label)}${DASHBOARD_CATEGORIES.map((c) => cell(ctx, metric, { symbol, order_category: c })).join('')}${cell(ctx, metric, { symbol })}${benchmarkCell(ctx, metric, symbol)}</tr>`,
    );
    return `<div class="security" data-symbol="${esc(symbol)}"><h3>${esc(symbol)}</h3>${table(['Metric', ...head, 'All orders', 'Benchmark'], rows, 'dash')}</div>`;
  });
  const chartSymbols = shown.slice(0, 20);
  const piBench =
    ctx.outcomes.find((o) => o.metric === 'price_improvement_per_share' && typeof o.benchmark === 'number')?.benchmark ?? null;
  const chart = figure(
    'security-pi',
    'Price improvement per share by security, market and marketable limit orders; dashed line: the benchmark of the first price-improvement rule.',
    securityPiChart({
      symbols: chartSymbols,
      series: ['market', 'marketable_limit'].map((c) => ({
        label: categoryLabel(c),
        values: chartSymbols.map((s) => ix.value(src, { symbol: s, order_category: c }, 'price_improvement_per_share')),
      })),
      benchmark: piBench,
    }),
  );
  const note =
    total > shown.length
      ? `<p class="note">${shown.length} of ${total} securities shown (every security with a rule finding, then the largest by executed shares); metrics.csv has all of them.</p>`
      : '';
  return section(
    'dashboard',
    'Committee dashboard by security',
    `${chart}${note}<p class="legend-line"><span class="breach">▲ breach</span> <span class="insufficient">* insufficient sample</span> Benchmarks are those of the threshold rules that apply.</p>${blocks.join('\n')}`,
    'Per security, market and limit orders against the benchmark, as the supervisory procedures ask.',
  );
}

function orderTypes(ctx: Ctx): string {
  const { ix, src } = ctx;
  const price: MetricName[] = [
    'price_improvement_per_share',
    'pct_shares_price_improved',
    'pct_shares_at_quote',
    'pct_shares_outside_quote',
  ];
  const spreads: MetricName[] = ['avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct', 'spread_capture_pct'];
  const fills: MetricName[] = [
    'orders',
    'shares_executed',
    'fill_rate_pct',
    'limit_fill_rate_pct',
    'cancel_rate_pct',
    'realized_spread_15s',
    'realized_spread_60s',
  ];
  const rowsFor = (ms: MetricName[]) =>
    CATEGORIES.map(
      (c) =>
        `<tr${c === ALL ? ' class="total"' : ''}>${tdText(categoryLabel(c))}${ms.map((m) => td(fmtMetric(m, ix.value(src, { order_category: c }, m)))).join('')}</tr>`,
    );
  return section(
    'order-types',
    'By order type',
    `<h3>Prices (marketable orders)</h3>${table(['Order type', ...price.map(metricLabel)], rowsFor(price))}<h3>Spreads</h3>${table(
      ['Order type', ...spreads.map(metricLabel)],
      rowsFor(spreads),
    )}<h3>Volume and fills</h3>${table(['Order type', ...fills.map(metricLabel)], rowsFor(fills))}${latency(ctx)}`,
    'Spread and price-improvement figures cover marketable orders (market and marketable limit), as Rule 605 does; limit fill rate covers non-marketable limit orders.',
  );
}

function venues(ctx: Ctx): string {
  const { ix, src, d } = ctx;
  const rows = ix.rowsVarying(src, 'venue').filter((r) => r.metric === 'venue_share_pct');
  const names = new Map((d.venues ?? []).filter((v) => v.source === undefined || v.source === src).map((v) => [v.venue, v]));
  const pfof = pfofVenues(ix, src, d.venues ?? []);
  const list = rows
    .map((r) => ({ venue: r.venue, share: r.value ?? 0 }))
    .sort((a, b) => b.share - a.share || a.venue.localeCompare(b.venue));
  if (!list.length) return section('venues', 'Venue analysis', '<p class="empty">No venue figures in this review.</p>');
  const trs = list.map(({ venue, share }) => {
    const info = names.get(venue);
    const g = { venue };
    const flags = [pfof.has(venue) ? badge('pfof', 'PFOF') : '', info?.approved === 'N' ? badge('breach', 'Not approved') : ''].join(' ');
    return `<tr data-venue="${esc(venue)}"${pfof.has(venue) ? ' class="pfof"' : ''}>${tdText(venue)}${tdText([info?.name, info?.venue_type].filter(Boolean).join(', '))}${td(pct(share))}${td(count(ix.row(src, g, 'venue_share_pct')?.n_executions))}${td(fmtMetric('price_improvement_per_share', ix.value(src, g, 'price_improvement_per_share')))}${td(fmtMetric('avg_exec_time_ms', ix.value(src, g, 'avg_exec_time_ms')))}${td(info?.pfof_per_share != null ? usdPerShare(info.pfof_per_share) : NA)}${td(usd(ix.value(src, g, 'pfof_received_usd')))}<td>${flags}</td></tr>`;
  });
  const all: Group = {};
  const facts = `<dl class="figures">
<div><dt>Venue concentration (HHI, 0–10,000)</dt><dd>${esc(count(ix.value(src, all, 'venue_hhi')))}</dd></div>
<div><dt>Share routed to PFOF venues</dt><dd>${esc(pct(ix.value(src, all, 'pfof_venue_share_pct')))}</dd></div>
<div><dt>PFOF received</dt><dd>${esc(usd(ix.value(src, all, 'pfof_received_usd')))}</dd></div>
<div><dt>Venues used</dt><dd>${esc(count(list.length))}</dd></div>
</dl>`;
  return section(
    'venues',
    'Venue analysis',
    `${facts}${figure(
      'venue-share',
      'Share of volume per venue; orange: venues that pay for order flow.',
      venueShareChart(list.map((v) => ({ ...v, pfof: pfof.has(v.venue) }))),
    )}${table(
      [
        'Venue',
        L('Name, type'),
        'Share of volume',
        'Executions',
        'Price improvement',
        'Average fill time',
        'PFOF per share',
        'PFOF received',
        L('Flags'),
      ],
      trs,
    )}`,
    'Where the router sent the flow, and how much went to venues that pay for order flow (PFOF). HHI above 2,500 means a highly concentrated routing.',
  );
}

function latency({ ix, src }: Ctx): string {
  const groups = CATEGORIES.map((c) => ({
    c,
    label: categoryLabel(c),
    avg: ix.value(src, { order_category: c }, 'avg_exec_time_ms'),
    median: ix.value(src, { order_category: c }, 'median_exec_time_ms'),
    p95: ix.value(src, { order_category: c }, 'p95_exec_time_ms'),
  }));
  if (!groups.some((g) => g.avg != null || g.median != null || g.p95 != null)) return '';
  const rows = groups.map(
    (g) =>
      `<tr${g.c === ALL ? ' class="total"' : ''}>${tdText(g.label)}${td(fmtMetric('avg_exec_time_ms', g.avg))}${td(fmtMetric('median_exec_time_ms', g.median))}${td(fmtMetric('p95_exec_time_ms', g.p95))}</tr>`,
  );
  return `<h3>Execution speed</h3>${table(['Order type', 'Average', 'Median', '95th percentile'], rows)}`;
}

function markouts({ ix, src }: Ctx): string {
  const series = CATEGORIES.map((c) => ({
    c,
    label: categoryLabel(c),
    values: MARKOUT_METRICS.map((m) => ix.value(src, { order_category: c }, m)),
  }));
  const present = series.filter((s) => s.values.some((v) => v != null));
  if (!present.length) return section('markouts', 'Post-trade markouts', '<p class="empty">No markout figures in this review.</p>');
  const rows = series.map(
    (s) => `<tr${s.c === ALL ? ' class="total"' : ''}>${tdText(s.label)}${s.values.map((v) => td(usdPerShare(v))).join('')}</tr>`,
  );
  return section(
    'markouts',
    'Post-trade markouts',
    `${figure('markouts', 'Markout curves: mid-price move after the fill in the trade’s direction, per share. Below zero: the price moved against the customer after the fill (adverse reversion).', markoutChart(present))}${table(['Order type', ...MARKOUT_HORIZONS.map((h) => `After ${h}`)], rows)}`,
  );
}

function exclusions({ ix, src }: Ctx): string {
  const rows: string[] = [];
  for (const c of CATEGORIES) {
    const ex = ix.exclusions(src, { order_category: c });
    if (!ex) continue;
    const total = EXCLUSION_REASONS.reduce((s, r) => s + (ex[`excl_${r}`] ?? 0), 0);
    rows.push(
      `<tr${c === ALL ? ' class="total"' : ''}>${tdText(categoryLabel(c))}${td(count(ix.value(src, { order_category: c }, 'orders')))}${EXCLUSION_REASONS.map((r) => td(count(ex[`excl_${r}`] ?? 0))).join('')}${td(count(total))}</tr>`,
    );
  }
  if (!rows.length) return section('exclusions', 'Exclusions', '<p class="empty">No exclusion counts in this review.</p>');
  const legend = `<ul class="defs">${EXCLUSION_REASONS.map((r) => `<li><strong>${esc(EXCLUSION_SHORT[r] ?? r)}</strong> (<code>${esc(r)}</code>): ${esc(EXCLUSION_LABELS[r] ?? r)}</li>`).join('')}</ul>`;
  return section(
    'exclusions',
    'Exclusions by reason',
    `${table(['Order type', 'Orders', ...EXCLUSION_REASONS.map((r) => EXCLUSION_SHORT[r] ?? r), 'Total excluded'], rows)}${legend}`,
    'Orders and executions left out of a figure are counted by reason, never dropped silently.',
  );
}

function sourcesSideBySide({ ix, src }: Ctx): string {
  const others = ix.sources.filter((s) => s !== src);
  if (!others.length) return '';
  const sources = [src, ...others];
  const ms: MetricName[] = [
    'orders',
    'price_improvement_per_share',
    'pct_shares_price_improved',
    'spread_capture_pct',
    'avg_exec_time_ms',
    'p95_exec_time_ms',
    'fill_rate_pct',
    'limit_fill_rate_pct',
    'markout_60s_per_share',
    'pfof_venue_share_pct',
    'venue_hhi',
  ];
  const rows = ms.map(
    (m) =>
      `<tr>${tdText(metricLabel(m))}${sources.map((s, i) => `<td class="num${i === 0 ? ' this' : ''}">${esc(fmtMetric(m, ix.value(s, {}, m)))}</td>`).join('')}</tr>`,
  );
  return section(
    'sources',
    'Side by side with other sources',
    table(['Metric, all orders', ...sources.map((s, i) => (i === 0 ? `${s} (this review)` : s))], rows),
    'The same figures for the other sources in this review run (other vendors or direct routing).',
  );
}

function reconciliation({ d, src }: Ctx): string {
  if (!d.reconciliation) return '';
  const mine = d.reconciliation.filter((f) => f.source === src);
  const findings = mine.filter((f) => f.status !== 'match');
  const agreed = mine.length - findings.length;
  const intro =
    'The vendor’s self-reported statistics against the firm’s independent computation; differences beyond tolerance are findings to raise with the vendor.';
  if (!findings.length) {
    const text = mine.length
      ? `All ${count(mine.length)} of the vendor’s self-reported figures agree with the firm’s own within tolerance.`
      : 'The vendor reported no statistics for this period.';
    return section('reconciliation', 'Vendor reconciliation', `<p class="empty">${esc(text)}</p>`, intro);
  }
  const tol = (f: ReconciliationFinding): string => `${fmtMetric(f.metric, f.abs_tolerance)} or ${pct(f.rel_tolerance * 100)} relative`;
  const rows = findings.map((f) => {
    const cat = f.order_type;
    const diff = f.difference;
    return `<tr>${tdText(f.symbol && f.symbol !== ALL ? f.symbol : 'All')}${tdText(categoryLabel(cat))}${tdText(metricLabel(f.metric))}${td(fmtMetric(f.metric, f.vendor_value))}${td(fmtMetric(f.metric, f.firm_value))}${td(fmtDifference(f.metric, diff))}${td(tol(f), 'num wrap')}<td>${badge('warn', f.status.replace(/_/g, ' '))}${f.note ? ` ${esc(f.note)}` : ''}</td></tr>`;
  });
  return section(
    'reconciliation',
    'Vendor reconciliation',
    `${table(['Security', L('Order type'), L('Metric'), 'Vendor reports', 'Firm computes', 'Difference', 'Tolerance', L('Finding')], rows)}${
      agreed
        ? `<p class="note">${esc(`${count(agreed)} other reported figure${agreed === 1 ? ' agrees' : 's agree'} within tolerance.`)}</p>`
        : ''
    }`,
    intro,
  );
}

function cases({ d, src }: Ctx): string {
  if (!d.cases) return '';
  const list = d.cases.filter((c) => c.source === src);
  if (!list.length) return section('cases', 'Remediation cases', '<p class="empty">No remediation cases for this source.</p>');
  const rows = list.map((c: CaseSummary) => {
    const open = c.status === 'open';
    const state = open ? 'open' : `closed${c.closure ? `: ${c.closure}` : ''}`;
    const kind = open ? 'warn' : c.closure === 'terminated' ? 'breach' : 'pass';
    const latest = [c.last_event?.replace(/_/g, ' '), c.last_event_at ? when(c.last_event_at) : ''].filter(Boolean).join(', ');
    const steps = [
      c.notified_at ? `vendor notified ${when(c.notified_at)}` : open ? 'vendor not yet notified' : '',
      c.plan_at ? `corrective action plan ${when(c.plan_at)}` : '',
      c.justification ? `justification: ${c.justification}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const timeline = c.timeline?.length ? `<ul class="timeline">${c.timeline.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : '';
    return `<tr>${tdText(c.case_id)}<td>${badge(kind, state)}</td>${tdText(c.rule_id ?? NA)}${tdText(c.period ?? NA)}${tdText(when(c.opened_at))}${tdText(latest || NA)}<td>${esc(steps)}${timeline}</td></tr>`;
  });
  return section(
    'cases',
    'Remediation cases',
    table(['Case', L('Status'), L('Rule'), L('Opened for'), L('Opened'), L('Latest event'), L('Progress')], rows, 'text'),
    'Every breach opens a case; its events (notification, investigation, corrective action plan, closure) are an append-only log.',
  );
}

function monitoring({ d }: Ctx): string {
  const m = d.monitoring;
  if (!m) return '';
  const heightened = m.status === 'heightened';
  const head = `<p class="verdict ${heightened ? 'warn' : 'good'}">${esc(
    heightened
      ? `Heightened monitoring${m.since ? ` since ${m.since}` : ''}: reviewed monthly until ${d.cleanReviewsToExit ?? 'the configured number of'} consecutive clean reviews (now ${m.consecutive_clean}).`
      : 'Normal monitoring: reviewed quarterly.',
  )}</p>`;
  const hist = m.history;
  const body = hist.length
    ? table(
        ['Period', L('Run'), 'Breaches', L('Decision'), 'Consecutive clean', L('Note')],
        [...hist].map((h) => {
          const decision = h.decision.replace(/_/g, ' ');
          const kind = /heightened/.test(decision) && !/exit/.test(decision) ? 'warn' : 'pass';
          const note = h.conclusive ? '' : 'inconclusive: nothing could be tested';
          return `<tr>${tdText(h.period)}${tdText(h.run_id)}${td(count(h.breaches))}<td>${decision ? badge(kind, decision) : ''}</td>${td(count(h.consecutive_clean))}${tdText(note)}</tr>`;
        }),
        'text',
      )
    : '<p class="empty">No earlier reviews recorded.</p>';
  return section('monitoring', 'Monitoring status and history', head + body);
}

/** The evaluated rule rows (review_breaches) by status: the analysts' table is breaches.csv. */
function ruleRows({ outcomes }: Ctx): string {
  if (!outcomes.length) return '';
  const by = (st: string) => outcomes.filter((o) => o.status === st).length;
  const rows = ['breach', 'pass', 'not_significant', 'insufficient_sample', 'no_data'].map(
    (st) => `<tr>${tdText(STATUS_LABELS[st] ?? st)}${td(count(by(st)))}</tr>`,
  );
  return section(
    'rule-rows',
    'Rule rows for analysts',
    table([L('Status'), 'Rows'], rows),
    'Every rule evaluated on every group row (review_breaches); the findings above are what the committee decides on. breaches.csv in this package holds the breached rows.',
  );
}

function about({ d }: Ctx): string {
  return `<footer id="about">
<h2>About these figures</h2>
<ul class="defs">
<li>All figures are the firm’s own, computed from raw orders, executions and the firm’s NBBO; the vendor’s statistics are only reconciled against them.</li>
<li>Price improvement: buy NBO − price, sell price − NBB, at receipt; positive is better. Effective-spread capture = 100 − 100 · effective / quoted spread.</li>
<li>Markout after τ: side · (mid τ after the fill − price); negative means adverse reversion.</li>
<li>Fill time: from receipt to fill, from FIX timestamps. Limit fill rate: executed over ordered shares of non-marketable limit orders.</li>
<li>The evidence manifest (evidence.json) lists every input object, SQL file and threshold file with its SHA-256; <code>bestex verify</code> re-checks them.</li>
</ul>
<p class="small">bestex ${esc(d.codeVersion)} · thresholds ${esc(d.thresholdsVersion)} · generated ${esc(when(d.generatedAt))}</p>
</footer>`;
}
