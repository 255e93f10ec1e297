import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCsvw } from '../../lambdas/core/regulatory/csvw';
import {
  buildRule605Csv,
  OES_FIGURES,
  OES_HEADER,
  type OesRow,
  oesMetadataPath,
  type Rule605Result,
  rule605FileName,
} from '../../lambdas/core/regulatory/rule605';
import { runRule605 } from '../../lib/cli/support/regulatory';
import { type Engine, openEngine } from '../../lib/engine';
import { enrichLake } from '../metrics/compare';
import { useScratchDir } from '../support/scratch';
import { generate, SYMBOLS } from './gen';
import { type LakeRows, writeLake } from './lake';
import { plain605Figures, plain605Sums } from './plain';

const FIRM = { designatedParticipant: 'T' as const, reportingEntityCode: 'EXSEC' };
const metadata = JSON.parse(readFileSync(oesMetadataPath(), 'utf8')) as unknown;

const scratch = useScratchDir('bestex-605-');
let engine: Engine;
let rows: LakeRows;
let july: Rule605Result;

beforeAll(async () => {
  rows = generate({
    seed: 605,
    days: ['2026-06-30', '2026-07-01', '2026-07-02', '2026-07-06', '2026-08-03'],
    sources: ['acme-sor', 'bolt-sor'],
    symbols: SYMBOLS,
    ordersPerDay: 70,
    quoteStep: 2,
    minutes: 20,
  });
  await writeLake(join(scratch.path, 'lake'), rows);
  engine = await openEngine({ lakeDir: join(scratch.path, 'lake') });
  await enrichLake(engine, join(scratch.path, 'lake'), 10);
  july = await runRule605(engine, '2026-07', { firm: FIRM });
});

afterAll(() => {
  engine?.close();
});

const records = (csv: string): string[][] =>
  csv
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));

describe('Rule 605(a)(2) summary file from the lake', () => {
  it('has exactly the Exhibit A header, CRLF record ends and the SEC file name', () => {
    expect(july.csv.split('\r\n')[0]).toBe(
      'DsgntParticipant,RprtEntityCd,RptDate,Sp500,OrderSize,OrderType,AvgOrderQty,AvgOrderSize,ExctdOrderMidPtAvg,PctExctdAtQuotOrBetter,PctExctdPI,WghtdAvgPctPI,AvgEffctvSprdPct,AvgPctQuotSprd,AvgEFQPct,AvgRealSprdPct15sec,AvgRealSprdPct1min,WghtdAvgExctnTime',
    );
    expect(july.csv.endsWith('\r\n')).toBe(true);
    expect(july.csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(july.fileName).toBe('EXSEC202607.csv');
    expect(rule605FileName({ reportingEntityCode: 'ABC' }, '2025-01')).toBe('ABC202501.csv');
  });

  it('validates against the SEC metadata: no errors; empty no-data figures are listed as warnings', () => {
    expect(july.errors).toEqual([]);
    for (const w of july.warnings) expect(w.reason).toMatch(/left empty/);
    // The warnings are exactly what a strict reading of the metadata reports, nothing hidden.
    expect(validateCsvw(july.csv, metadata)).toHaveLength(july.warnings.length);
  });

  it('writes categories in the SEC sample order with codes from the specification only', () => {
    const data = records(july.csv).slice(1);
    expect(data.length).toBeGreaterThan(12);
    for (const r of data) {
      expect(r.slice(0, 3)).toEqual(['T', 'EXSEC', '202607']);
      expect(['Y', 'N']).toContain(r[3]);
      expect(['0', '250', '1000', '5000', '10000', '20000', '50000', '199999', '200000']).toContain(r[4]);
      expect(['M', 'ML']).toContain(r[5]);
      for (const f of r.slice(6)) expect(f).toMatch(/^(-?\d+(\.\d{1,6})?)?$/);
      for (const f of r.slice(6)) expect(f).not.toMatch(/\.\d*0$/); // trailing zeros dropped
    }
    const order = data.map(
      (r) =>
        `${r[3] === 'Y' ? 0 : 1}|${r[5] === 'M' ? 0 : 1}|${['0', '250', '1000', '5000', '10000', '20000', '50000', '199999', '200000'].indexOf(r[4] as string)}`,
    );
    expect(order).toEqual([...order].sort());
    // 199999 is every order under $200,000: its order count is the sum of the seven buckets below.
    for (const sp of ['Y', 'N'] as const) {
      for (const t of ['M', 'ML'] as const) {
        const cells = july.rows.filter((r) => r.Sp500 === sp && r.OrderType === t);
        const all = cells.find((r) => r.OrderSize === '199999')?.n_orders ?? 0;
        const parts = cells.filter((r) => !['199999', '200000'].includes(r.OrderSize)).reduce((a, r) => a + r.n_orders, 0);
        expect(all).toBe(parts);
      }
    }
  });

  it('agrees with a plain TypeScript computation of every figure, to the sixth decimal', () => {
    const plain = plain605Sums(rows, '2026-07-01', '2026-08-01', 10);
    const data = records(july.csv).slice(1);
    expect(data.map((r) => `${r[3]}|${r[5]}|${r[4]}`).sort()).toEqual([...plain.keys()].sort());
    let compared = 0;
    for (const r of data) {
      const cell = plain.get(`${r[3]}|${r[5]}|${r[4]}`);
      if (!cell) throw new Error(`no plain cell for ${r.slice(3, 6).join(',')}`);
      const want = plain605Figures(cell);
      OES_FIGURES.forEach((f, k) => {
        const got = r[6 + k] as string;
        const w = want[f] ?? null;
        if (w === null || (cell.shares === 0 && k >= 2)) expect(got, `${f} of ${r.slice(3, 6).join(',')}`).toBe('');
        else {
          expect(got, `${f} of ${r.slice(3, 6).join(',')}`).not.toBe('');
          expect(Math.abs(Number(got) - w), `${f} of ${r.slice(3, 6).join(',')}: ${got} vs ${w}`).toBeLessThanOrEqual(
            5.01e-7 + Math.abs(w) * 1e-12,
          );
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('reports what it leaves out (unusable NBBO at receipt), and August data stays out of July', async () => {
    const reasons = july.exclusions.map((e) => e.reason);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(['no_nbbo', 'stale_nbbo', 'crossed_or_locked_nbbo', 'orphan_execution']).toContain(r);
    const aug = await runRule605(engine, '2026-08', { firm: FIRM });
    const julyOrders = july.rows.filter((r) => r.OrderSize !== '199999').reduce((a, r) => a + r.n_orders, 0);
    const augOrders = aug.rows.filter((r) => r.OrderSize !== '199999').reduce((a, r) => a + r.n_orders, 0);
    const plainJul = [...plain605Sums(rows, '2026-07-01', '2026-08-01', 10)]
      .filter(([k]) => !k.endsWith('|199999'))
      .reduce((a, [, c]) => a + c.orders, 0);
    const plainAug = [...plain605Sums(rows, '2026-08-01', '2026-09-01', 10)]
      .filter(([k]) => !k.endsWith('|199999'))
      .reduce((a, [, c]) => a + c.orders, 0);
    expect([julyOrders, augOrders]).toEqual([plainJul, plainAug]);
    await expect(runRule605(engine, '2026Q3', { firm: FIRM })).rejects.toThrow(/monthly/);
  });
});

describe('Rule 605 writer rules on hand-worked rows', () => {
  const row = (over: Partial<OesRow> & { figures?: Partial<OesRow['figures']> }): OesRow => ({
    Sp500: 'Y',
    OrderSize: '1000',
    OrderType: 'M',
    n_orders: 2,
    n_executions: 2,
    executed_shares: 150,
    ...over,
    figures: {
      AvgOrderQty: 75,
      AvgOrderSize: 3561.0661855,
      ExctdOrderMidPtAvg: 24.79997,
      PctExctdAtQuotOrBetter: 1,
      PctExctdPI: 0.1769205,
      WghtdAvgPctPI: 0.0017685,
      AvgEffctvSprdPct: -0.0000004,
      AvgPctQuotSprd: 0.000847,
      AvgEFQPct: null,
      AvgRealSprdPct15sec: 0.12345249999,
      AvgRealSprdPct1min: 0.127106,
      WghtdAvgExctnTime: 4671.0025645,
      ...over.figures,
    },
  });

  it('rounds half up at the sixth decimal, drops trailing zeros and leaves no-data fields empty', () => {
    const csv = buildRule605Csv([row({})], FIRM, '2026-07');
    expect(csv.split('\r\n')[1]).toBe(
      'T,EXSEC,202607,Y,1000,M,75,3561.066186,24.79997,1,0.176921,0.001769,0,0.000847,,0.123452,0.127106,4671.002565',
    );
  });

  it('a category with orders but no executions gives only the order fields (footnote 2); no orders, no record', () => {
    const csv = buildRule605Csv(
      [row({ OrderSize: '250', executed_shares: 0, n_executions: 0 }), row({ OrderSize: '5000', n_orders: 0 })],
      FIRM,
      '2026-07',
    );
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('T,EXSEC,202607,Y,250,M,75,3561.066186,,,,,,,,,,');
    expect(lines[1]?.split(',')).toHaveLength(OES_HEADER.length);
  });
});
