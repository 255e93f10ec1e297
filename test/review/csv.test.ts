import { describe, expect, it } from 'vitest';
import { toReviewMetricRows, toVendorMetricRows } from '../../lambdas/core/review/csv';
import { parseCsv, toAthenaCsvRecords } from '../../lambdas/shared/athena-csv';
import { REVIEW_METRIC_COLUMNS } from '../../lambdas/shared/metrics';
import { row } from './fixtures';

const HEADER = REVIEW_METRIC_COLUMNS.map((c) => `"${c}"`).join(',');

describe('parseCsv (Athena dialect)', () => {
  it('keeps NULL (empty unquoted) apart from empty string (""), with commas, quotes and line breaks inside fields', () => {
    const r = parseCsv('"a","b","c"\n"x, y","",\n"he said ""hi""","line1\nline2","3"\r\n', 'f.csv');
    expect(r).toEqual({
      ok: true,
      value: {
        header: ['a', 'b', 'c'],
        rows: [
          ['x, y', '', null],
          ['he said "hi"', 'line1\nline2', '3'],
        ],
        lines: [2, 3],
      },
    });
  });

  it('reads unquoted values too (DuckDB writes them) and skips a trailing blank line', () => {
    const r = parseCsv('a,b\n1,2\n\n', 'f.csv');
    expect(r.ok && r.value.rows).toEqual([['1', '2']]);
  });

  it('says where it breaks', () => {
    expect(parseCsv('"a","b"\n"1","2', 'f.csv')).toMatchObject({
      ok: false,
      reason: "f.csv:2:5: quoted field never closed: a '\"' is missing",
    });
    expect(parseCsv('"a","b"\n"1"x,"2"\n', 'f.csv')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^f\.csv:2:4: unexpected character after a closing quote/),
    });
    expect(parseCsv('"a","b"\n"1"\n', 'f.csv')).toMatchObject({ ok: false, reason: 'f.csv:2: 1 fields, the header has 2' });
    expect(parseCsv('', 'f.csv').ok).toBe(false);
  });

  it('toAthenaCsvRecords writes what parseCsv reads back, formula-like text and non-finite numbers included', () => {
    const rows = [
      { a: 'x, "y"', b: null, c: 1.5e-7 },
      { a: '', b: 'multi\nline', c: -3 },
      { a: '=HYPERLINK("x")', b: '-ABC', c: Number.NaN },
    ];
    const text = toAthenaCsvRecords(['a', 'b', 'c'], rows);
    expect(text).toBe('"a","b","c"\n"x, ""y""",,"1.5e-7"\n"","multi\nline","-3"\n"=HYPERLINK(""x"")","-ABC",\n');
    const back = parseCsv(text, 't');
    expect(back.ok && back.value.rows).toEqual([
      ['x, "y"', null, '1.5e-7'],
      ['', 'multi\nline', '-3'],
      ['=HYPERLINK("x")', '-ABC', null],
    ]);
  });
});

describe('toReviewMetricRows', () => {
  it('types the columns, tags the period, counts NULL as 0 and non-finite values as NULL', () => {
    const line =
      '"2026Q3","acme-sor","*","market","*","*","*","price_improvement_per_share","0.00081","812",,"0.0021","790.5","3","0","0","1","NaN"';
    const p = parseCsv(`${HEADER}\n${line}\n`, 'r.csv');
    if (!p.ok) throw new Error(p.reason);
    const r = toReviewMetricRows(p.value, 'r.csv', '2026Q3');
    expect(r).toEqual({
      ok: true,
      value: [
        row({
          source: 'acme-sor',
          order_category: 'market',
          metric: 'price_improvement_per_share',
          value: 0.00081,
          n_orders: 812,
          n_executions: 0,
          std_dev: 0.0021,
          n_eff: 790.5,
          excl_no_nbbo: 3,
          excl_negative_exec_time: 1,
          excl_orphan_execution: 0,
        }),
      ],
    });
  });

  it('refuses unknown metrics, empty grouping values and text in numbers, naming file and line', () => {
    const mk = (cells: string[]) => {
      const p = parseCsv(`${HEADER}\n${cells.join(',')}\n`, 'r.csv');
      if (!p.ok) throw new Error(p.reason);
      return toReviewMetricRows(p.value, 'r.csv', '2026Q3');
    };
    const good = [
      '"2026Q3"',
      '"a"',
      '"*"',
      '"market"',
      '"*"',
      '"*"',
      '"*"',
      '"orders"',
      '"1"',
      '"1"',
      '"1"',
      '',
      '',
      '"0"',
      '"0"',
      '"0"',
      '"0"',
      '"0"',
    ];
    expect(mk(good).ok).toBe(true);
    expect(mk(good.map((c, i) => (i === 7 ? '"speed"' : c)))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^r\.csv:2: metric "speed"/),
    });
    expect(mk(good.map((c, i) => (i === 2 ? '' : c)))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/symbol is empty: write '\*'/),
    });
    expect(mk(good.map((c, i) => (i === 8 ? '"1,5"' : c)))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/value = "1,5" is not a number/),
    });
    const missing = parseCsv('"source","metric"\n"a","orders"\n', 'm.csv');
    if (!missing.ok) throw new Error(missing.reason);
    expect(toReviewMetricRows(missing.value, 'm.csv', '2026Q3')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^m\.csv: missing columns symbol, order_category/),
    });
  });

  it('vendor metrics: the needed columns by name, extra columns ignored', () => {
    const p = parseCsv(
      '"period","symbol","order_type","metric","value","source","source_key"\n"2026Q3","*","market","orders","812","acme-sor","k"\n',
      'v.csv',
    );
    if (!p.ok) throw new Error(p.reason);
    expect(toVendorMetricRows(p.value, 'v.csv')).toEqual({
      ok: true,
      value: [{ period: '2026Q3', symbol: '*', order_type: 'market', metric: 'orders', value: 812, source: 'acme-sor' }],
    });
  });
});
