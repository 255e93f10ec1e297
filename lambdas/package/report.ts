/**
 * The committee's review report: one self-contained HTML file (inline CSS, charts as inline SVG,
 * no script, no external request), readable in a browser, printable to PDF and safe to archive.
 * Every text value is escaped; every number is formatted in its metric's unit.
 */
import { ALL, EXCLUSION_REASONS, type MetricName, ORDER_CATEGORIES } from '../shared/metrics';
import { latencyChart, MARKOUT_HORIZONS, markoutChart, securityPiChart, venueShareChart } from './charts';
import { categoryLabel, count, esc, fmtDifference, fmtMetric, metricLabel, NA, pct, pValue, usd, usdPerShare, when } from './format';
import { type Group, MetricIndex, OutcomeIndex, outcomeGroup, pfofVenues, sortOutcomes } from './model';
import { REPORT_CSS } from './report-css';
import type { CaseSummaryLike, ReconciliationFindingLike, ReviewPackageData, RuleOutcomeLike } from './types';

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
  { metric: 'avg_exec_time_ms', label: 'Average fill time' },
  { metric: 'fill_rate_pct', label: 'Order fill rate' },
  { metric: 'limit_fill_rate_pct', label: 'Limit order fill rate' },
  { metric: 'markout_60s_per_share', label: 'Reversion (markout 60 s)' },
];
const DASHBOARD_CATEGORIES = ['market', 'marketable_limit', 'non_marketable_limit'] as const;

const STATUS_LABELS: Record<string, string> = {
  breach: 'Breach',
  pass: 'Pass',
  not_significant: 'Not significant',
  insufficient_sample: 'Insufficient sample',
  no_data: 'No data',
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
  outcomes: RuleOutcomeLike[];
  byGroup: OutcomeIndex;
}

/** Renders the whole report. */
export function renderReviewHtml(data: ReviewPackageData): string {
  const outcomes = sortOutcomes(data.outcomes.filter((o) => o.source === data.source));
  const ctx: Ctx = { d: data, ix: new MetricIndex(data.metrics), src: data.source, outcomes, byGroup: new OutcomeIndex(outcomes) };
  const title = `Best-execution review ${data.period}: ${data.source}`;
  const sections = [
    header(ctx),
    summary(ctx),
    breaches(ctx),
    insufficient(ctx),
    otherOutcomes(ctx),
    dashboard(ctx),
    orderTypes(ctx),
    venues(ctx),
    latency(ctx),
    markouts(ctx),
    exclusions(ctx),
    sourcesSideBySide(ctx),
    differences(ctx),
    reconciliation(ctx),
    cases(ctx),
    monitoring(ctx),
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

function section(id: string, title: string, body: string, intro?: string): string {
  return `<section id="${id}">
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

function benchmarkText(o: RuleOutcomeLike): string {
  const v = fmtMetric(o.metric, o.benchmark);
  const label = o.benchmark_ref ?? o.benchmark_label;
  return label && v !== NA ? `${v} (${label})` : v;
}

const sampleSize = (o: RuleOutcomeLike): number | null => o.n_orders ?? o.n ?? null;
const reasonText = (o: RuleOutcomeLike): string => o.note ?? o.reason ?? '';

/** The confidence interval of the difference: two-sided "a to b", or a one-sided bound "≤ b" / "≥ a". */
function ciText(o: RuleOutcomeLike): string {
  const lo = o.ci_lower ?? o.ci_low ?? null;
  const hi = o.ci_upper ?? o.ci_high ?? null;
  const level = typeof o.confidence === 'number' ? ` (${pct(o.confidence * 100).replace('.0 %', ' %')})` : '';
  if (lo != null && hi != null) return `${fmtDifference(o.metric, lo)} to ${fmtDifference(o.metric, hi)}${level}`;
  if (hi != null) return `≤ ${fmtDifference(o.metric, hi)}${level}`;
  if (lo != null) return `≥ ${fmtDifference(o.metric, lo)}${level}`;
  return NA;
}

// ---------- sections ----------

function header({ d }: Ctx): string {
  const meta: [string, string][] = [
    ['Period', d.period],
    ['Source (SOR vendor)', d.source],
    ['Generated at', when(d.generatedAt)],
    ['Code version', d.codeVersion],
    ['Thresholds version', d.thresholdsVersion],
  ];
  if (d.runId) meta.push(['Review run', d.runId]);
  if (d.location) meta.push(['Package', d.location]);
  return `<header id="header">
<p class="kicker">Regular and rigorous review of execution quality${d.dryRun ? ' · DRY RUN, not a review of record' : ''}</p>
<h1>Best-execution review ${esc(d.period)}: <span class="source">${esc(d.source)}</span></h1>
<dl class="meta">${meta.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function summary(ctx: Ctx): string {
  const { ix, src, outcomes, d } = ctx;
  const by = (s: string) => outcomes.filter((o) => o.status === s);
  const br = by('breach');
  const sev = ['high', 'medium', 'low']
    .map((s) => [s, br.filter((o) => o.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const mon = d.monitoring;
  const heightened = mon?.status === 'heightened';
  const cards = [
    card(
      'breaches',
      'Breaches',
      String(br.length),
      br.length ? `${sev || 'see below'}` : 'no threshold breached',
      br.length ? 'breach' : 'pass',
    ),
    card(
      'monitoring',
      'Monitoring',
      mon ? (heightened ? 'Heightened' : 'Normal') : NA,
      mon
        ? heightened
          ? `monthly reviews${mon.since ? ` since ${mon.since}` : ''}; ${mon.consecutive_clean ?? 0}${mon.clean_reviews_to_exit ? ` of ${mon.clean_reviews_to_exit}` : ''} clean`
          : 'quarterly reviews'
        : 'no monitoring record',
      heightened ? 'warn' : mon ? 'pass' : 'muted',
    ),
    card(
      'rules',
      'Rule checks',
      String(outcomes.length),
      `${by('pass').length} pass, ${by('not_significant').length} not significant`,
      'info',
    ),
    card(
      'insufficient',
      'Insufficient sample',
      String(by('insufficient_sample').length + by('no_data').length),
      'groups too small to judge: not passes',
      by('insufficient_sample').length ? 'warn' : 'muted',
    ),
  ];
  const all: Group = {};
  const key: MetricName[] = [
    'orders',
    'shares_executed',
    'price_improvement_per_share',
    'spread_capture_pct',
    'avg_exec_time_ms',
    'fill_rate_pct',
    'pfof_venue_share_pct',
    'venue_hhi',
  ];
  const figures = key.map((m) => `<div><dt>${esc(metricLabel(m))}</dt><dd>${esc(fmtMetric(m, ix.value(src, all, m)))}</dd></div>`).join('');
  const verdict = br.length
    ? `${br.length} threshold breach${br.length === 1 ? '' : 'es'} with statistical evidence: the actions below are for the committee to assign and record.`
    : 'No threshold was breached with statistical evidence in this period.';
  return section(
    'summary',
    'Summary',
    `<p class="verdict ${br.length ? 'bad' : 'good'}">${esc(verdict)}</p>
<div class="cards">${cards.join('')}</div>
<h3>Key figures, all orders</h3>
<dl class="figures">${figures}</dl>`,
  );
}

function card(id: string, title: string, big: string, small: string, kind: string): string {
  return `<div class="card ${kind}" data-card="${id}"><div class="card-title">${esc(title)}</div><div class="card-big">${esc(big)}</div><div class="card-small">${esc(small)}</div></div>`;
}

function breaches({ outcomes }: Ctx): string {
  const br = outcomes.filter((o) => o.status === 'breach');
  if (!br.length) return section('breaches', 'Breaches and actions', '<p class="empty">No breaches.</p>');
  const rows = br.map((o) => {
    const g = outcomeGroup(o);
    return `<tr class="breach-row" data-rule="${esc(o.rule_id)}">
${`<td>${badge('breach', (o.severity ?? '').toUpperCase() || 'BREACH')}</td>`}${tdText(o.rule_id)}${tdText(metricLabel(o.metric))}${tdText(groupLabel(g))}${td(fmtMetric(o.metric, o.value))}${td(benchmarkText(o))}${td(fmtDifference(o.metric, o.difference))}${td(ciText(o), 'num wrap')}${td(pValue(o.p_value))}${td(count(sampleSize(o)))}
</tr>
<tr class="action-row"><td></td><td colspan="9"><strong>Action:</strong> ${esc(o.action ?? NA)}</td></tr>`;
  });
  return section(
    'breaches',
    'Breaches and actions',
    table(
      [
        'Severity',
        L('Rule'),
        L('Metric'),
        L('Group'),
        'Value',
        'Benchmark',
        'Difference',
        'Confidence bound on the difference',
        'p-value',
        'Orders (n)',
      ],
      rows,
      'breaches',
    ),
    'A breach needs both a gap beyond the rule’s tolerance and a one-sided test showing it is not noise.',
  );
}

function insufficient({ outcomes }: Ctx): string {
  const list = outcomes.filter((o) => o.status === 'insufficient_sample' || o.status === 'no_data');
  if (!list.length) return section('insufficient', 'Insufficient sample', '<p class="empty">Every rule had enough orders to judge.</p>');
  const rows = list.map(
    (o) =>
      `<tr>${tdText(o.rule_id)}${tdText(metricLabel(o.metric))}${tdText(groupLabel(outcomeGroup(o)))}<td>${statusBadge(o.status)}</td>${td(count(sampleSize(o)))}${tdText(reasonText(o))}</tr>`,
  );
  return section(
    'insufficient',
    'Insufficient sample',
    table(['Rule', L('Metric'), L('Group'), L('Status'), 'Orders (n)', L('Why')], rows),
    'These groups had too few orders (or no data) for a sound judgement. They are not passes: the committee should decide whether to review them by hand.',
  );
}

function otherOutcomes({ outcomes }: Ctx): string {
  const list = outcomes.filter((o) => o.status === 'pass' || o.status === 'not_significant');
  if (!list.length) return '';
  const rows = list.map(
    (o) =>
      `<tr>${tdText(o.rule_id)}${tdText(metricLabel(o.metric))}${tdText(groupLabel(outcomeGroup(o)))}<td>${statusBadge(o.status)}</td>${td(fmtMetric(o.metric, o.value))}${td(benchmarkText(o))}${td(fmtDifference(o.metric, o.difference))}${td(pValue(o.p_value))}${td(count(sampleSize(o)))}</tr>`,
  );
  return section(
    'outcomes',
    'Other rule checks',
    table(['Rule', L('Metric'), L('Group'), L('Status'), 'Value', 'Benchmark', 'Difference', 'p-value', 'Orders (n)'], rows, 'compact'),
    '“Not significant”: the figure is beyond tolerance but the test cannot tell it from noise at the configured level.',
  );
}

/** Securities to show one by one: every one with a rule outcome, then the largest by executed shares. */
function pickSecurities({ ix, src, outcomes, d }: Ctx): { shown: string[]; total: number } {
  const all = ix.values(src, 'symbol');
  const size = (s: string) => ix.value(src, { symbol: s }, 'shares_executed') ?? ix.row(src, { symbol: s }, 'orders')?.n_executions ?? 0;
  const flagged = new Set(outcomes.filter((o) => o.symbol && o.symbol !== ALL && o.status !== 'pass').map((o) => o.symbol as string));
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

function orderTypes({ ix, src }: Ctx): string {
  const price: MetricName[] = [
    'price_improvement_per_share',
    'pct_shares_price_improved',
    'pct_shares_at_quote',
    'pct_shares_outside_quote',
    'avg_effective_spread',
    'avg_quoted_spread',
    'spread_capture_pct',
  ];
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
    `<h3>Prices (marketable orders)</h3>${table(
      ['Order type', ...price.map(metricLabel)],
      rowsFor(price),
    )}<h3>Volume and fills</h3>${table(['Order type', ...fills.map(metricLabel)], rowsFor(fills))}`,
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
  const present = groups.filter((g) => g.avg != null || g.median != null || g.p95 != null);
  if (!present.length) return section('latency', 'Execution speed', '<p class="empty">No fill-time figures in this review.</p>');
  const rows = groups.map(
    (g) =>
      `<tr${g.c === ALL ? ' class="total"' : ''}>${tdText(g.label)}${td(fmtMetric('avg_exec_time_ms', g.avg))}${td(fmtMetric('median_exec_time_ms', g.median))}${td(fmtMetric('p95_exec_time_ms', g.p95))}</tr>`,
  );
  return section(
    'latency',
    'Execution speed',
    `${figure('latency', 'Time from receipt to fill by order type (average share-weighted; median and 95th percentile of the first fill).', latencyChart(present))}${table(['Order type', 'Average', 'Median', '95th percentile'], rows)}`,
  );
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
  const mine = d.reconciliation.filter((f) => f.source === undefined || f.source === src);
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
  const tol = (f: ReconciliationFindingLike): string => {
    if (f.tolerance != null) return fmtMetric(f.metric, f.tolerance);
    const parts = [
      f.abs_tolerance != null ? fmtMetric(f.metric, f.abs_tolerance) : '',
      f.rel_tolerance != null ? `${pct(f.rel_tolerance * 100)} relative` : '',
    ];
    return parts.filter(Boolean).join(' or ') || NA;
  };
  const rows = findings.map((f) => {
    const cat = f.order_category ?? f.order_type ?? ALL;
    const diff = f.difference ?? (f.vendor_value != null && f.firm_value != null ? f.vendor_value - f.firm_value : null);
    return `<tr>${tdText(f.symbol && f.symbol !== ALL ? f.symbol : 'All')}${tdText(categoryLabel(cat))}${tdText(metricLabel(f.metric))}${td(fmtMetric(f.metric, f.vendor_value))}${td(fmtMetric(f.metric, f.firm_value))}${td(fmtDifference(f.metric, diff))}${td(tol(f), 'num wrap')}<td>${badge('warn', (f.status ?? 'finding').replace(/_/g, ' '))}${f.note ? ` ${esc(f.note)}` : ''}</td></tr>`;
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

function differences({ d, src }: Ctx): string {
  if (!d.differences) return '';
  const mine = d.differences.filter(
    (x) => x.material && (x.dimension === 'venue' ? (x.source ?? src) === src : x.better === src || x.worse === src),
  );
  const intro =
    'Where another source or venue did materially better for the same securities and order types (beyond tolerance and statistically significant).';
  if (!mine.length)
    return section('differences', 'Material differences among markets', '<p class="empty">No material differences found.</p>', intro);
  const rows = mine.map(
    (x) =>
      `<tr${x.worse === src ? ' class="worse"' : ''}>${tdText(x.dimension === 'venue' ? 'Venues' : 'Sources')}${tdText(metricLabel(x.metric))}${tdText(groupLabel({ symbol: x.symbol ?? ALL, order_category: x.order_category ?? ALL }))}${tdText(x.better)}${td(fmtMetric(x.metric, x.better_value))}${tdText(x.worse)}${td(fmtMetric(x.metric, x.worse_value))}${td(fmtDifference(x.metric, x.difference))}${td(pValue(x.p_value))}</tr>`,
  );
  return section(
    'differences',
    'Material differences among markets',
    table(['Compared', L('Metric'), L('Group'), L('Better'), 'Value', L('Worse'), 'Value', 'Difference', 'p-value'], rows),
    intro,
  );
}

function cases({ d, src }: Ctx): string {
  if (!d.cases) return '';
  const list = d.cases.filter((c) => c.source === undefined || c.source === src);
  if (!list.length) return section('cases', 'Remediation cases', '<p class="empty">No remediation cases for this source.</p>');
  const rows = list.map((c: CaseSummaryLike) => {
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
      ? `Heightened monitoring${m.since ? ` since ${m.since}` : ''}: reviewed monthly until ${m.clean_reviews_to_exit ?? 'the configured number of'} consecutive clean reviews (now ${m.consecutive_clean ?? 0}).`
      : 'Normal monitoring: reviewed quarterly.',
  )}</p>`;
  const hist = m.history ?? [];
  const body = hist.length
    ? table(
        ['Period', L('Run'), 'Breaches', L('Decision'), 'Consecutive clean', L('Note')],
        [...hist].map((h) => {
          const decision = (h.decision ?? h.status ?? '').replace(/_/g, ' ');
          const kind = /heightened/.test(decision) && !/exit/.test(decision) ? 'warn' : 'pass';
          const note = [h.conclusive === false ? 'inconclusive: nothing could be tested' : '', h.note ?? ''].filter(Boolean).join('; ');
          return `<tr>${tdText(h.period)}${tdText(h.run_id ?? when(h.at))}${td(count(h.breaches))}<td>${decision ? badge(kind, decision) : ''}</td>${td(count(h.consecutive_clean))}${tdText(note)}</tr>`;
        }),
        'text',
      )
    : '<p class="empty">No earlier reviews recorded.</p>';
  return section('monitoring', 'Monitoring status and history', head + body);
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
