import { describe, expect, it } from 'vitest';
import { groupLabel, renderReviewHtml } from '../../lambdas/package/report';
import { fixture, OUTCOMES, outcome, row } from './fixtures';

/** One section's markup (sections do not nest). */
function section(html: string, id: string): string {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html);
  if (!m) throw new Error(`section #${id} is missing`);
  return m[1] as string;
}

/** Visible text: tags dropped, entities decoded, spaces collapsed. */
function text(fragment: string): string {
  return fragment
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function rowOf(html: string, attr: string, value: string): string {
  const m = new RegExp(`<tr[^>]*${attr}="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>[\\s\\S]*?</tr>`).exec(html);
  if (!m) throw new Error(`no row with ${attr}=${value}`);
  return m[0];
}

describe('committee report', () => {
  const html = renderReviewHtml(fixture());

  it('has every section a committee reads, in order', () => {
    const ids = [...html.matchAll(/<section id="([a-z-]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'summary',
      'breaches',
      'insufficient',
      'outcomes',
      'dashboard',
      'order-types',
      'venues',
      'latency',
      'markouts',
      'exclusions',
      'sources',
      'differences',
      'reconciliation',
      'cases',
      'monitoring',
    ]);
    const head = text(/<header id="header">[\s\S]*?<\/header>/.exec(html)?.[0] ?? '');
    for (const s of ['2026Q3', 'vendor-a', '2026-10-05 11:00 UTC', 'abc1234', '2026-11-21.1', 'run-2026Q3-001']) expect(head).toContain(s);
  });

  it('is self-contained: no script, no stylesheet link, no external reference', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/@import/i);
    // url() only for in-document references (the charts' clip paths).
    expect([...html.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1]?.startsWith('#'))).toBe(true);
    // The only URLs are XML namespaces inside the inline SVGs.
    const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('counts only this source’s breaches in the summary', () => {
    const s = text(section(html, 'summary'));
    // OUTCOMES holds one vendor-a breach and one vendor-b breach.
    expect(s).toContain('Breaches 1 1 high');
    expect(s).toContain('Monitoring Heightened monthly reviews since 2026Q2; 0 of 2 clean');
    expect(s).toContain('Rule checks 4 1 pass, 1 not significant');
  });

  it('lists the breach with value, benchmark, difference, bound, p-value, n and its action, escaped', () => {
    const b = section(html, 'breaches');
    const t = text(b);
    expect(t).toContain(
      'HIGH pi-market Price improvement vs NBBO AAPL · Market $0.0007/share $0.0012/share \u2212$0.0005/share ≤ \u2212$0.0003/share (95 %) < 0.001 1,234',
    );
    expect(t).toContain('Action: Investigate <price improvement> shortfall & request routing changes');
    expect(b).toContain('Investigate &lt;price improvement&gt; shortfall &amp; request');
  });

  it('lists insufficient samples as such, not as passes', () => {
    const t = text(section(html, 'insufficient'));
    expect(t).toContain('pi-market Price improvement vs NBBO BRK.B · Market Insufficient sample 12 n=12 < min_orders 50');
    expect(text(section(html, 'outcomes'))).not.toContain('BRK.B');
  });

  it('marks the breached and the insufficient cells of the per-security dashboard', () => {
    const d = section(html, 'dashboard');
    expect(d).toMatch(/<td class="num breach">\$0\.0010\/share ▲<\/td>/);
    expect(d).toMatch(/<td class="num insufficient">\$0\.0010\/share \*<\/td>/);
    // AAPL's own rule benchmark; MSFT falls back to the all-securities rule of the same metric.
    const aapl = /data-symbol="AAPL"[\s\S]*?<\/table>/.exec(d)?.[0] ?? '';
    expect(text(aapl)).toContain('Price improvement vs NBBO $0.0010/share ▲ $0.0003/share $0.0003/share $0.0003/share $0.0012/share');
    const msft = /data-symbol="MSFT"[\s\S]*?<\/table>/.exec(d)?.[0] ?? '';
    expect(text(msft)).toContain('Average fill time 150 ms 240 ms 240 ms 240 ms 120 ms');
    expect(text(msft)).toContain('Limit order fill rate — — 75.0 % — 70.0 %');
  });

  it('marks PFOF venues and unapproved ones, with HHI and PFOF totals', () => {
    const v = section(html, 'venues');
    expect(rowOf(v, 'data-venue', 'WHSL')).toContain('class="pfof"');
    expect(text(rowOf(v, 'data-venue', 'WHSL'))).toBe(
      'WHSL Wholesaler <One>, WHOLESALER 35.0 % 350 $0.0010/share — $0.0015/share $1,234.50 PFOF',
    );
    expect(rowOf(v, 'data-venue', 'XNAS')).not.toContain('PFOF');
    expect(text(rowOf(v, 'data-venue', 'XNYS'))).toContain('Not approved');
    // 40² + 35² + 25² = 3,450, as the metrics say.
    expect(text(v)).toContain(
      'Venue concentration (HHI, 0–10,000) 3,450 Share routed to PFOF venues 35.0 % PFOF received $1,234.50 Venues used 3',
    );
  });

  it('marks a venue as PFOF from PFOF received alone, and from the venue list alone', () => {
    const byReceived = renderReviewHtml(fixture({ venues: [] }));
    expect(rowOf(section(byReceived, 'venues'), 'data-venue', 'WHSL')).toContain('PFOF');
    const metrics = fixture().metrics.filter((r) => r.metric !== 'pfof_received_usd');
    const byList = renderReviewHtml(fixture({ metrics }));
    expect(rowOf(section(byList, 'venues'), 'data-venue', 'WHSL')).toContain('PFOF');
    const neither = renderReviewHtml(fixture({ metrics, venues: [] }));
    expect(rowOf(section(neither, 'venues'), 'data-venue', 'WHSL')).not.toContain('PFOF');
  });

  it('shows latency, markouts and exclusions by order type', () => {
    expect(text(section(html, 'latency'))).toContain('Market 150 ms 95 ms 1,250 ms');
    expect(text(section(html, 'markouts'))).toContain(
      'Market $0.0001/share \u2212$0.0002/share \u2212$0.0003/share \u2212$0.0004/share \u2212$0.0006/share',
    );
    // All orders: 3 no NBBO + 17 stale + 2 negative fill time (the largest count over the group's rows).
    expect(text(section(html, 'exclusions'))).toContain('All orders 1,000 3 17 0 2 0 22');
    expect(text(section(html, 'exclusions'))).toContain('Market 1,001 0 11 0 0 0 11');
  });

  it('has one inline SVG chart per figure, drawn by ECharts', () => {
    const charts = [...html.matchAll(/<figure class="chart" data-chart="([a-z-]+)">\s*<svg[^>]*width="(\d+)" height="(\d+)"/g)];
    expect(charts.map((c) => c[1])).toEqual(['security-pi', 'venue-share', 'latency', 'markouts']);
    for (const c of charts) expect(Number(c[2])).toBeGreaterThan(300);
  });

  it('escapes text from data everywhere, including chart labels', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const metrics = [
      row('vendor-a', { symbol: 'AAPL' }, 'shares_executed', 1),
      row('vendor-a', { venue: 'X<b>' }, 'venue_share_pct', 100),
      row('vendor-a', { symbol: 'EV<L' }, 'orders', 1),
      row('vendor-a', { symbol: 'EV<L', order_category: 'market' }, 'price_improvement_per_share', 0.001),
    ];
    const h = renderReviewHtml(
      fixture({
        source: `vendor-a`,
        codeVersion: evil,
        metrics,
        outcomes: [outcome({ rule_id: 'r', metric: 'orders', status: 'breach', action: evil, symbol: 'EV<L' })],
        venues: [{ venue: 'X<b>', name: evil }],
        cases: [{ case_id: evil, status: 'open', timeline: [evil] }],
      }),
    );
    expect(h).not.toContain('<img');
    expect(h).not.toContain('<b>');
    expect(h).not.toContain('EV<L');
    expect(h).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(h).toContain('X&lt;b&gt;');
  });

  it('leaves out optional sections that have no data, and says so where a section is required', () => {
    const h = renderReviewHtml(fixture({ metrics: [], outcomes: [], venues: [] }));
    const bare = { ...fixture({ metrics: [], outcomes: [] }) };
    delete bare.monitoring;
    delete bare.reconciliation;
    delete bare.cases;
    delete bare.differences;
    const b = renderReviewHtml(bare);
    for (const id of ['monitoring', 'reconciliation', 'cases', 'differences', 'outcomes', 'sources'])
      expect(b).not.toContain(`<section id="${id}">`);
    expect(text(section(h, 'breaches'))).toContain('No breaches.');
    expect(text(section(h, 'venues'))).toContain('No venue figures in this review.');
    expect(text(section(h, 'summary'))).toContain('No threshold was breached');
  });

  it('shows at most maxSecurities securities, but always those with a finding', () => {
    const h = renderReviewHtml(fixture({ maxSecurities: 1 }));
    const shown = [...section(h, 'dashboard').matchAll(/data-symbol="([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(['AAPL', 'BRK.B']);
    expect(text(section(h, 'dashboard'))).toContain('2 of 3 securities shown');
  });

  it('flags the material differences involving this source only', () => {
    const t = text(section(html, 'differences'));
    expect(t).toContain('Sources Price improvement vs NBBO Market vendor-b $0.0015/share vendor-a $0.0010/share +$0.0005/share 0.002');
    expect(t).not.toContain('Average fill time');
  });

  it('shows reconciliation findings, cases and monitoring history', () => {
    const r = text(section(html, 'reconciliation'));
    expect(r).toContain(
      'AAPL Market Price improvement vs NBBO $0.0019/share $0.0007/share +$0.0012/share $0.0001/share or 5.0 % relative mismatch',
    );
    expect(r).toContain('1 other reported figure agrees within tolerance.');
    const c = text(section(html, 'cases'));
    expect(c).toContain('C-2026-001 open pi-market 2026Q2 2026-07-06 09:00 UTC corrective action plan, 2026-08-01 10:00 UTC');
    expect(c).toContain('vendor notified 2026-07-07 09:00 UTC');
    const m = text(section(html, 'monitoring'));
    expect(m).toContain('2026Q2 run-2026Q2-001 2 enter heightened 0');
    expect(m).toContain('2026Q3 run-2026Q3-001 1 remain heightened 0');
  });

  it('labels a dry run as not a review of record', () => {
    expect(renderReviewHtml(fixture({ dryRun: true }))).toContain('DRY RUN, not a review of record');
    expect(html).not.toContain('DRY RUN');
  });

  it('describes groups in words', () => {
    expect(groupLabel({})).toBe('All orders');
    expect(groupLabel({ symbol: 'AAPL', order_category: 'non_marketable_limit', venue: 'XNAS', size_bucket: '5000', sp500: 'Y' })).toBe(
      'AAPL · Non-marketable limit · venue XNAS · size ≥ $5,000 · S&P 500',
    );
    expect(OUTCOMES.length).toBe(5);
  });
});
