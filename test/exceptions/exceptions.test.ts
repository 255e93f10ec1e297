import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyOutputs } from '../../lambdas/core/exceptions/daily';
import {
  composeExceptionNotice,
  type ExceptionRow,
  exceptionParams,
  exceptionSettings,
  isReminderDay,
  monthsBefore,
  renderExceptionsCsv,
  worstCases,
} from '../../lambdas/core/exceptions/exceptions';
import { renderExceptionsHtml } from '../../lambdas/core/exceptions/html';
import { previousTradeDate } from '../../lambdas/core/exceptions/prepare';
import { composeDueDiligenceNotice } from '../../lambdas/core/regulatory/due-diligence';
import { EXCEPTION_KINDS } from '../../lambdas/shared/metrics';
import { type Engine, openEngine } from '../../lib/engine';
import { runDailyExceptions, runDueDiligence } from '../../lib/local/exceptions';
import { enrichLake } from '../metrics/compare';
import { writeLake } from '../regulatory/lake';
import { useScratchDir } from '../support/scratch';
import { DAY, exceptionRow, lake, PLANTED, STALE_SOURCES, TOLERANCE } from './planted';

const text = (e: { textContent: string | null } | null | undefined): string => e?.textContent?.trim() ?? '';

const SETTINGS = { slowFillMs: 1000, nbboTolerance: TOLERANCE, unfilledTimeoutSeconds: 60, notifyAt: 'medium' as const };

const scratch = useScratchDir('bestex-exc-');
let clean: Engine;
let dirty: Engine;
let cleanDay: DailyOutputs;
let plantedDay: DailyOutputs;

beforeAll(async () => {
  await writeLake(join(scratch.path, 'clean'), lake({ planted: false }));
  await writeLake(join(scratch.path, 'planted'), lake({ planted: true }));
  clean = await openEngine({ lakeDir: join(scratch.path, 'clean') });
  dirty = await openEngine({ lakeDir: join(scratch.path, 'planted') });
  await enrichLake(clean, join(scratch.path, 'clean'), 10);
  await enrichLake(dirty, join(scratch.path, 'planted'), 10);
  cleanDay = await runDailyExceptions(clean, DAY, { settings: SETTINGS, generatedAt: '2026-07-02T11:00:00Z' });
  plantedDay = await runDailyExceptions(dirty, DAY, { settings: SETTINGS, generatedAt: '2026-07-02T11:00:00Z' });
});

afterAll(() => {
  clean?.close();
  dirty?.close();
});

const ids = (rows: readonly ExceptionRow[], kind: string): string[] =>
  rows
    .filter((r) => r.kind === kind)
    .map((r) => `${r.source}:${r.exec_id ?? r.order_id}`)
    .sort();

describe('daily exceptions SQL', () => {
  it('finds nothing on a clean day (near misses included: at the tolerance, one tick off, stale NBBO, resting orders, a GTC fill)', () => {
    expect(cleanDay.rows).toEqual([]);
    expect(cleanDay.counts).toEqual([]);
    expect(cleanDay.notices).toEqual([]);
  });

  for (const kind of EXCEPTION_KINDS) {
    it(`finds exactly the planted ${kind} cases`, () => {
      expect(ids(plantedDay.rows, kind)).toEqual([...(PLANTED[kind] ?? [])].sort());
    });
  }

  it('gives each row its figures: value against threshold, venue, symbol and a detail a person can read', () => {
    const by = (kind: string, id: string): ExceptionRow | undefined =>
      plantedDay.rows.find((r) => r.kind === kind && (r.exec_id ?? r.order_id) === id);
    const slow = by('slow_fill', 'slow-1');
    expect(slow).toMatchObject({
      trade_date: DAY,
      source: 'acme-sor',
      severity: 'medium',
      symbol: 'AAA',
      venue: 'XNAS',
      value: 2500,
      threshold: 1000,
    });
    expect(slow?.detail).toMatch(/first filled 2500 ms after receipt; limit 1000 ms .* of 100 fills on the previous 20 trade dates/);
    const out = by('outside_nbbo', 'out-buy-e');
    expect(out?.value).toBeCloseTo(0.02, 9);
    expect(out).toMatchObject({ severity: 'high', threshold: TOLERANCE, order_id: 'out-buy' });
    expect(by('outside_nbbo', 'out-sell-e')?.detail).toMatch(/^sell of 100 at 49\.98\d0 below the NBB 50\.0\d00 at execution/);
    expect(by('unapproved_venue', 'badv-1-e')?.detail).toBe("venue BADV is not on the source's venue list; 100 shares executed");
    expect(by('unapproved_venue', 'newv-1-e')?.detail).toBe(
      'venue NEWV is not approved (record effective 2026-01-02); 100 shares executed',
    );
    expect(by('unfilled_marketable', 'unf-never')).toMatchObject({ value: null, threshold: 60 });
    expect(by('unfilled_marketable', 'unf-late')).toMatchObject({ value: 120, threshold: 60 });
    expect(by('nbbo_mismatch', 'mm-pny')).toMatchObject({ threshold: 0.0001, severity: 'low' });
    expect(by('nbbo_mismatch', 'mm-pny')?.value).toBeCloseTo(0.0002, 12);
    expect(by('nbbo_mismatch', 'mm-bid')).toMatchObject({ threshold: 0.01 });
    expect(by('orphan', 'nope-2')?.detail).toMatch(/^route orph-r \(100 shares at ARCX\) names order nope-2/);
  });

  it('uses only the 20 previous trade dates for the p99: older outliers would hide the slow fill', async () => {
    // bolt's history fills in ~3 s, so its 2.5 s fill is not slow; acme's history is ~0.2 s.
    expect(plantedDay.rows.some((r) => r.order_id === 'slow-bolt-ok')).toBe(false);
    // A floor above every planted fill turns slow_fill off.
    const high = await runDailyExceptions(dirty, DAY, { settings: { ...SETTINGS, slowFillMs: 5000 } });
    expect(ids(high.rows, 'slow_fill')).toEqual([]);
    // A tolerance of 0 makes the exact-at-tolerance execution an exception too.
    const strict = await runDailyExceptions(dirty, DAY, { settings: { ...SETTINGS, nbboTolerance: 0 } });
    expect(ids(strict.rows, 'outside_nbbo')).toEqual([...(PLANTED.outside_nbbo ?? []), 'acme-sor:edge-1-e'].sort());
  });

  it('applies configured severities, counts by kind and source, and notifies with the worst cases first', () => {
    expect(plantedDay.counts).toEqual([
      { kind: 'slow_fill', source: 'acme-sor', n: 1 },
      { kind: 'unapproved_venue', source: 'acme-sor', n: 2 },
      { kind: 'outside_nbbo', source: 'acme-sor', n: 1 },
      { kind: 'outside_nbbo', source: 'bolt-sor', n: 1 },
      { kind: 'unfilled_marketable', source: 'acme-sor', n: 1 },
      { kind: 'unfilled_marketable', source: 'bolt-sor', n: 1 },
      { kind: 'orphan', source: 'acme-sor', n: 1 },
      { kind: 'orphan', source: 'bolt-sor', n: 1 },
      { kind: 'nbbo_mismatch', source: 'acme-sor', n: 1 },
      { kind: 'nbbo_mismatch', source: 'bolt-sor', n: 1 },
    ]);
    const [notice] = plantedDay.notices;
    expect(notice?.attributes).toEqual({ severity: 'high', source: 'acme-sor,bolt-sor', period: DAY, kind: 'exceptions' });
    expect(notice?.subject).toBe('bestex exceptions 2026-07-01: 9 at or above medium (acme-sor, bolt-sor)');
    expect(notice?.message).toContain('11 in total (4 high, 5 medium, 2 low)');
    expect(notice?.message).toMatch(/ {2}unapproved_venue {5}acme-sor: 2\n/);
    // Worst cases: the high ones (the larger outside amount first), then medium; low ones left out.
    const cases = (notice?.message.split('Worst cases')[1] ?? '').split('\n').filter((l) => l.startsWith('- ['));
    expect(cases.slice(0, 4).every((l) => l.startsWith('- [high]'))).toBe(true);
    expect(cases.some((l) => l.includes('nbbo_mismatch'))).toBe(false);
  });

  it('writes the CSV with the contract columns and the HTML report', () => {
    const lines = plantedDay.csv.split('\r\n');
    expect(lines[0]).toBe('trade_date,source,kind,severity,order_id,exec_id,symbol,venue,detail,value,threshold');
    expect(lines.filter((l) => l !== '')).toHaveLength(12);
    expect(plantedDay.csv).toContain(
      "2026-07-01,acme-sor,unapproved_venue,high,badv-1,badv-1-e,AAA,BADV,venue BADV is not on the source's venue list; 100 shares executed,100,",
    );
  });

  it('writes the HTML report: its count table agrees with the rows, counted here from the CSV', () => {
    const doc = parseHTML(plantedDay.html).document;
    expect(text(doc.querySelector('h1'))).toBe('Execution exceptions, trade date 2026-07-01');
    const h2 = [...doc.querySelectorAll('h2')].find((h) => text(h) === 'By kind and source');
    const table = h2?.nextElementSibling;
    expect(table?.tagName).toBe('TABLE');
    const cells = [...(table?.querySelectorAll('tr') ?? [])].map((tr) => [...tr.querySelectorAll('th, td')].map(text));
    // The same table computed from the CSV records (source is the 2nd field, kind the 3rd; no quoting before them).
    const records = plantedDay.csv
      .split('\r\n')
      .slice(1)
      .filter((l) => l !== '')
      .map((l) => l.split(','));
    const sources = [...new Set(records.map((r) => r[1] as string))].sort();
    const kinds = EXCEPTION_KINDS.filter((k) => records.some((r) => r[2] === k));
    const count = (k: string, s?: string) => records.filter((r) => r[2] === k && (s === undefined || r[1] === s)).length;
    expect(cells).toEqual([
      ['kind', ...sources, 'total'],
      ...kinds.map((k) => [k, ...sources.map((s) => String(count(k, s))), String(count(k))]),
    ]);
    expect(cells).toContainEqual(['unapproved_venue', '2', '0', '2']);

    const clean = parseHTML(cleanDay.html).document;
    expect(text(clean.querySelector('p.ok'))).toMatch(/^No exceptions: every check .* came back clean\.$/);
    expect(clean.querySelectorAll('table')).toHaveLength(0);
  });
});

describe('due-diligence staleness', () => {
  it('finds the sources with an old venues record or none, and reminds on the first weekday of the month', async () => {
    const { rows, notice } = await runDueDiligence(dirty, DAY, { settings: SETTINGS });
    expect(rows.filter((r) => r.stale).map((r) => r.source)).toEqual(STALE_SOURCES);
    expect(rows.find((r) => r.source === 'acme-sor')).toMatchObject({
      stale: false,
      latest_effective_from: '2026-06-15',
      venues: 4,
      approved_venues: 3,
      active: true,
    });
    expect(rows.find((r) => r.source === 'old-sor')).toMatchObject({
      latest_effective_from: '2025-05-01',
      age_days: 426,
      active: false,
      stale_before: '2025-07-01',
    });
    expect(rows.find((r) => r.source === 'new-sor')).toMatchObject({ latest_effective_from: null, active: true });
    expect(notice?.attributes).toEqual({ severity: 'medium', source: 'new-sor,old-sor', period: DAY, kind: 'due_diligence' });
    expect(notice?.message).toContain('new-sor: no venues (due-diligence) record at all, yet it routed orders in the last 31 days');
    expect(notice?.message).toContain(
      'old-sor: latest venues record effective 2025-05-01 (13 months, 426 days) is older than 12 months (before 2025-07-01)',
    );
    // 2026-07-01 is the first weekday of July: the daily run includes the reminder.
    expect(plantedDay.notices.map((n) => n.attributes?.kind)).toEqual(['exceptions', 'due_diligence']);
    expect(isReminderDay('2026-07-02', 'monthly')).toBe(false);
    expect(isReminderDay('2026-08-03', 'monthly')).toBe(true); // Aug 1-2 2026 are a weekend
    expect(isReminderDay('2026-07-02', 'daily')).toBe(true);
    const fresh = await runDueDiligence(clean, DAY, { settings: SETTINGS });
    expect(fresh.notice).toBeNull();
    expect(composeDueDiligenceNotice(DAY, fresh.rows, 12)).toBeNull();
  });
});

describe('exception pieces', () => {
  const row = exceptionRow;

  it('binds the parameters in the params-CTE order, with the due-diligence cutoff in calendar months', () => {
    expect(exceptionParams('2026-07-01', exceptionSettings(SETTINGS), 10)).toEqual([
      "'2026-07-01'",
      '1000',
      '0.005',
      '60',
      '10',
      "'2025-07-01'",
    ]);
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBefore('2024-02-29', 12)).toBe('2023-02-28');
    expect(() => exceptionParams('2026-02-30', exceptionSettings({}), 10)).toThrow(/not a YYYY-MM-DD date/);
    expect(previousTradeDate(new Date('2026-07-04T11:00:00Z'))).toBe('2026-07-03'); // Saturday run → Friday
    expect(previousTradeDate(new Date('2026-07-07T11:00:00Z'))).toBe('2026-07-06'); // Tuesday run → Monday
    expect(previousTradeDate(new Date('2026-07-07T02:00:00Z'))).toBe('2026-07-03'); // still Monday in New York
  });

  it('sends no notice when nothing reaches the configured severity', () => {
    const s = exceptionSettings({ notifyAt: 'high' });
    expect(composeExceptionNotice(DAY, [row({}), row({ kind: 'nbbo_mismatch', severity: 'low' })], s)).toBeNull();
    expect(composeExceptionNotice(DAY, [row({ severity: 'high' })], s)?.attributes?.severity).toBe('high');
  });

  it('ranks worst cases by severity, then by how far past the threshold', () => {
    const rows = [
      row({ order_id: 'a', value: 1500 }),
      row({ order_id: 'b', value: 9000 }),
      row({ order_id: 'c', kind: 'unfilled_marketable', value: null, threshold: 60 }),
      row({ order_id: 'd', kind: 'outside_nbbo', severity: 'high', value: 0.01, threshold: 0 }),
    ];
    expect(worstCases(rows, 3).map((r) => r.order_id)).toEqual(['d', 'c', 'b']);
  });

  it('escapes what it writes: CSV quoting and HTML entities', () => {
    const r = row({ detail: 'said "hi", <b>bold</b>', venue: 'A&B1' });
    expect(renderExceptionsCsv([r]).split('\r\n')[1]).toBe(
      '2026-07-01,acme-sor,slow_fill,medium,o1,,AAA,A&B1,"said ""hi"", <b>bold</b>",2000,1000',
    );
    const doc = parseHTML(renderExceptionsHtml(DAY, [r])).document;
    // Read back through a DOM: the text arrives whole, and no element came from the data.
    const details = [...doc.querySelectorAll('td')].map(text).filter((t) => t.startsWith('said'));
    expect(details.length).toBeGreaterThan(0);
    for (const t of details) expect(t).toBe('said "hi", <b>bold</b>');
    expect(doc.querySelectorAll('b')).toHaveLength(0);
    expect([...doc.querySelectorAll('td')].map(text)).toContain('A&B1');
  });
});
