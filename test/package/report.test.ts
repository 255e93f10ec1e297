/**
 * The committee report as a reader meets it, queried through a DOM (linkedom): page one leads with
 * the verdict, then the findings, differences, the committee's record and the detail tables.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { groupLabel, renderReviewHtml } from '../../lambdas/core/package/report';
import type { CommitteeView } from '../../lambdas/core/package/types';
import {
  type CommitteeRecord,
  differenceId,
  dueDiligenceHistory,
  dueDiligenceStatus,
  minutesOf,
} from '../../lambdas/core/review/committee';
import { committeeLog } from '../support/committee';
import { difference, fixture, outcome, row } from './fixtures';

function dom(html: string) {
  return parseHTML(html).document;
}
const text = (el: { textContent: string | null } | null | undefined): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Visible text outside the charts (chart SVGs carry axis labels, checked elsewhere). */
function readable(html: string): string {
  const d = dom(html);
  for (const svg of d.querySelectorAll('svg')) svg.remove();
  return text(d.body);
}

const log = committeeLog;

const AT = '2026-10-05T15:00:00.000Z';
const ANSWERS = {
  venues: ['XNAS', 'WHSL'],
  pfof: 'None.',
  rebates_and_fees: 'Exchange rebates passed through.',
  routing_logic: 'Best price first.',
  conflicts_of_interest: 'None known.',
};
const diffId = differenceId(
  '2026Q3',
  difference({ metric: 'price_improvement_per_share', order_category: 'market', better: 'vendor-b', worse: 'vendor-a', material: true }),
);
const records = log([
  {
    kind: 'minutes',
    at: AT,
    who: 'jdoe',
    period: '2026Q3',
    meeting_date: '2026-10-05',
    attendees: ['Jane Doe (CCO)', 'Raj Patel'],
    text: '',
  },
  {
    kind: 'determination',
    at: AT,
    who: 'jdoe',
    period: '2026Q3',
    source: 'vendor-a',
    item_id: diffId,
    item_kind: 'material_difference',
    decision: 'modify_routing',
    rationale: 'Route market orders away from WHSL.',
    owner: 'Raj Patel',
    case_id: null,
  },
  { kind: 'dissent', at: AT, who: 'jdoe', period: '2026Q3', item_id: diffId, name: 'Raj Patel', text: 'Prefers a vendor fix.' },
  { kind: 'due_diligence', at: AT, who: 'jdoe', source: 'vendor-a', as_of: '2025-11-15', answers: ANSWERS, file_sha256: 'a'.repeat(64) },
  {
    kind: 'due_diligence',
    at: AT,
    who: 'jdoe',
    source: 'vendor-a',
    as_of: '2026-09-30',
    answers: { ...ANSWERS, venues: ['XNAS', 'WHSL', 'EDGX'], pfof: 'WHSL pays $0.0015/share.' },
    file_sha256: 'b'.repeat(64),
  },
]);
const committee: CommitteeView = {
  agenda: [
    {
      item_id: '2026Q3/vendor-a/pi-market',
      kind: 'finding',
      period: '2026Q3',
      source: 'vendor-a',
      title: 'Price improvement (high).',
      severity: 'high',
      cost_usd: 41_100,
    },
  ],
  decideBy: '2026-11-04',
  minutes: minutesOf(records, '2026Q3'),
  determinations: records.filter((r): r is Extract<CommitteeRecord, { kind: 'determination' }> => r.kind === 'determination'),
  openItems: [
    {
      item_id: '2026Q2/vendor-a/fill-limit',
      kind: 'finding',
      period: '2026Q2',
      source: 'vendor-a',
      title: 'Limit fill rate (medium).',
      severity: 'medium',
      cost_usd: null,
    },
  ],
  dueDiligence: { status: dueDiligenceStatus(records, 'vendor-a', '2026-10-05'), versions: dueDiligenceHistory(records, 'vendor-a') },
};

describe('committee report', () => {
  const html = renderReviewHtml(fixture({ committee }));
  const d = dom(html);

  it('leads with the verdict, then findings, differences, the committee’s record and the details', () => {
    expect([...d.querySelectorAll('section')].map((s) => s.id)).toEqual([
      'verdict',
      'findings',
      'differences',
      'committee',
      'due-diligence',
      'charts',
      'dashboard',
      'order-types',
      'venues',
      'markouts',
      'exclusions',
      'sources',
      'reconciliation',
      'cases',
      'monitoring',
      'rule-rows',
    ]);
    const head = text(d.querySelector('header'));
    for (const s of ['2026Q3', 'vendor-a', '2026-10-05 11:00 UTC', 'abc1234', '2026-11-21.1', 'run-2026Q3-001']) expect(head).toContain(s);
  });

  it('says each finding in one plain sentence on page one: figure, benchmark and its source, customer cost', () => {
    const items = [...d.querySelectorAll('#verdict li[data-finding]')];
    expect(items.map((li) => li.getAttribute('data-finding'))).toEqual(['2026Q3/vendor-a/pi-market', '2026Q3/vendor-a/speed-market']);
    const pi = text(items[0]);
    // 13,700,000 shares × $0.0030/share = $41,100; the figure −0.000025… shows as −$0.00003/share.
    for (const s of [
      'Market orders',
      'price improvement vs NBBO',
      '−$0.00003/share',
      '$0.0030/share',
      'peer vendor-b',
      '$41,100',
      '13.7M shares',
    ]) {
      expect(pi).toContain(s);
    }
    expect(text(items[1])).toContain('176 ms against 91 ms (peer vendor-b), 85 ms above');
    expect(text(d.querySelector('[data-verdict]'))).toBe(
      'vendor-a: 2 findings for the committee, costing customers $41,100 in the period.',
    );
  });

  it('says the clean router is clean on its page one', () => {
    const b = dom(renderReviewHtml(fixture({ source: 'vendor-b' })));
    expect(b.querySelector('[data-verdict]')?.getAttribute('data-verdict')).toBe('clean');
    expect(text(b.querySelector('[data-verdict]'))).toBe('vendor-b is clean: 1 rule tested, no finding.');
    expect(b.querySelectorAll('#verdict li[data-finding]').length).toBe(0);
  });

  it('writes the dashboard’s analysis column from the findings, market against limit against the benchmark', () => {
    const cells = (metric: string) => [...d.querySelectorAll(`#verdict tr[data-metric="${metric}"] td`)].map(text);
    expect(cells('price_improvement_per_share')).toEqual([
      'Price improvement vs NBBO',
      '$0.0010/share ▲',
      '$0.0003/share',
      '$0.0030/share peer vendor-b',
      'Breach: market orders $0.0030/share below peer vendor-b; customers lost $41,100.',
    ]);
    expect(cells('limit_fill_rate_pct')).toEqual([
      'Limit order fill rate',
      'n/a',
      '75.0 %',
      '70.0 % peer vendor-b',
      'Pass for non-marketable limit orders (a gap of 4.2 points would have shown).',
    ]);
    expect(cells('eq_ratio_pct')[4]).toBe('No benchmark for market orders yet.');
  });

  it('puts the vendor’s disagreement in the summary, in units', () => {
    expect(text(d.querySelector('#verdict ul.recon'))).toBe(
      'Price improvement vs NBBO, market orders: the vendor reports $0.0016/share; the firm computes −$0.00003/share (+$0.0016/share).',
    );
  });

  it('says what the committee must decide and by when, and what earlier reviews left open', () => {
    const v = text(d.querySelector('#verdict'));
    expect(v).toContain('For the committee to decide by 2026-11-04');
    expect(v).toContain('2026Q3/vendor-a/pi-market');
    expect(v).toContain('1 item from earlier reviews or due diligence still without a determination');
    expect(text(d.querySelector('#committee tr.open-item'))).toContain('2026Q2/vendor-a/fill-limit');
  });

  it('shows the determinations on file, dissent and the material difference as decided', () => {
    const c = text(d.querySelector('#committee'));
    expect(c).toContain('Meeting of 2026-10-05: Jane Doe (CCO), Raj Patel');
    expect(c).toContain('Modify the routing');
    expect(c).toContain('Route market orders away from WHSL.');
    expect(c).toContain('Raj Patel on');
    expect(c).toContain('Not signed off yet.');
    expect(text(d.querySelector(`#differences tr[data-item="${diffId}"]`))).toContain('Modify the routing');
  });

  it('shows the due-diligence answers against the previous year’s, with what changed', () => {
    const dd = text(d.querySelector('#due-diligence'));
    expect(dd).toContain('vendor-a: due-diligence answers of 2026-09-30 on file; next refresh due 2027-09-30.');
    expect(dd).toContain('added EDGX; removed none');
    expect(dd).toContain('was: None.');
    expect(dd).toContain('2 versions on file: 2025-11-15, 2026-09-30.');
  });

  it('formats every number for a reader: no raw float anywhere a person reads', () => {
    const t = readable(html);
    expect(t).not.toMatch(/\d\.\d{7,}/);
    expect(t).not.toContain('0.00002501839588');
    expect(t).not.toMatch(/\de-\d/);
  });

  it('is self-contained: no script, no stylesheet link', () => {
    expect(d.querySelectorAll('script, link').length).toBe(0);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('draws the breached figures beside the peers, E/Q included', () => {
    expect([...d.querySelectorAll('figure.chart')].map((f) => f.getAttribute('data-chart'))).toEqual([
      'pi',
      'speed',
      'eq',
      'limit-fill',
      'security-pi',
      'venue-share',
      'markouts',
    ]);
  });

  it('escapes text from data everywhere, including chart labels', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const h = renderReviewHtml(
      fixture({
        codeVersion: evil,
        metrics: [
          row('vendor-a', { symbol: 'AAPL' }, 'shares_executed', 1),
          row('vendor-a', { venue: 'X<b>' }, 'venue_share_pct', 100),
          row('vendor-a', { symbol: 'EV<L', order_category: 'market' }, 'price_improvement_per_share', 0.001),
        ],
        outcomes: [outcome({ rule_id: 'r', metric: 'orders', status: 'breach', action: evil, symbol: 'EV<L' })],
        venues: [{ venue: 'X<b>', name: evil }],
      }),
    );
    // Parsed back: no element came from the data, and the data reads back as the text it was.
    const e = dom(h);
    expect(e.querySelectorAll('img, b')).toHaveLength(0);
    expect(h).not.toContain('EV<L');
    expect(e.querySelector('footer p.small')?.textContent).toContain(`bestex ${evil} · `);
    expect(e.querySelector('meta[name="generator"]')?.getAttribute('content')).toBe(`bestex ${evil}`);
    expect(text(e.querySelector('#venues'))).toContain('X<b>');
  });

  it('leaves out optional sections that have no data', () => {
    const bare = fixture({ metrics: [], outcomes: [], findings: [] });
    delete bare.monitoring;
    delete bare.reconciliation;
    delete bare.cases;
    delete bare.differences;
    const b = dom(renderReviewHtml(bare));
    for (const id of ['monitoring', 'reconciliation', 'cases', 'committee', 'charts', 'sources'])
      expect(b.querySelector(`section#${id}`)).toBeNull();
    expect(text(b.querySelector('[data-verdict]'))).toContain('nothing could be evaluated');
  });

  it('describes groups in words', () => {
    expect(groupLabel({})).toBe('All orders');
    expect(groupLabel({ symbol: 'AAPL', order_category: 'non_marketable_limit', venue: 'XNAS', size_bucket: '5000', sp500: 'Y' })).toBe(
      'AAPL · Non-marketable limit · venue XNAS · size ≥ $5,000 · S&P 500',
    );
  });
});
