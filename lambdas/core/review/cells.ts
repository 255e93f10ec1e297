/**
 * The findings' inputs as read from the review queries (sql/review/order_cells.sql, venue_cells.sql,
 * fill_time_hist.sql, industry_605.sql) and from the stored order cells of the prior period:
 * Athena CSV rows or Parquet records → typed cells, with errors that say which file, line and column.
 */

import type { CsvResult, ParsedCsv } from '../../shared/athena-csv';
import { ORDER_CELL_SUMS, type OrderCellSum } from '../../shared/config';
import type { FillTimeBin, Industry605Row, OrderCell, VenueCell } from './findings';
import type { ParquetColumn } from './tables';

/** Names of the review query results the findings read (the SQL file names). */
export const FINDINGS_RESULTS = {
  orderCells: 'order_cells',
  venueCells: 'venue_cells',
  fillTimes: 'fill_time_hist',
  industry605: 'industry_605',
} as const;

const ORDER_CELL_KEYS = ['source', 'trade_date', 'symbol', 'order_category', 'size_bucket', 'sp500'] as const;

/** Column types of the stored order cells (RESULTS.reviewCells): the prior period's benchmark. */
export const ORDER_CELLS_PARQUET: ParquetColumn[] = [
  ...ORDER_CELL_KEYS.map((name) => ({ name, type: 'VARCHAR' as const })),
  ...ORDER_CELL_SUMS.map((name) => ({ name, type: 'DOUBLE' as const })),
];
export const ORDER_CELL_COLUMNS: readonly string[] = ORDER_CELLS_PARQUET.map((c) => c.name);

type Getter = { str: (c: string) => string; num: (c: string) => number; opt: (c: string) => number | null };

function rowsOf<T>(p: ParsedCsv, where: string, need: readonly string[], make: (g: Getter) => T): CsvResult<T[]> {
  const ix = new Map(p.header.map((h, i) => [h.toLowerCase(), i]));
  const missing = need.filter((c) => !ix.has(c.toLowerCase()));
  if (missing.length) return { ok: false, reason: `${where}: missing column(s) ${missing.join(', ')}` };
  const out: T[] = [];
  for (let r = 0; r < p.rows.length; r++) {
    const row = p.rows[r] as (string | null)[];
    const line = p.lines[r];
    let bad: string | null = null;
    const raw = (c: string): string | null => row[ix.get(c.toLowerCase()) as number] ?? null;
    const g: Getter = {
      str: (c) => raw(c) ?? '',
      num: (c) => {
        const v = raw(c);
        const n = v === null || v === '' ? 0 : Number(v);
        if (!Number.isFinite(n)) bad = `${where}:${line}: ${c} "${v}" is not a number`;
        return n;
      },
      opt: (c) => {
        const v = raw(c);
        if (v === null || v === '') return null;
        const n = Number(v);
        if (!Number.isFinite(n)) bad = `${where}:${line}: ${c} "${v}" is not a number`;
        return n;
      },
    };
    const v = make(g);
    if (bad) return { ok: false, reason: bad };
    out.push(v);
  }
  return { ok: true, value: out };
}

export function toOrderCells(p: ParsedCsv, where: string): CsvResult<OrderCell[]> {
  return rowsOf(p, where, ORDER_CELL_COLUMNS, (g) => {
    const sums = Object.fromEntries(ORDER_CELL_SUMS.map((k) => [k, g.num(k)])) as Record<OrderCellSum, number>;
    return {
      source: g.str('source'),
      trade_date: g.str('trade_date').slice(0, 10),
      symbol: g.str('symbol'),
      order_category: g.str('order_category'),
      size_bucket: g.str('size_bucket'),
      sp500: g.str('sp500'),
      ...sums,
    };
  });
}

export function toVenueCells(p: ParsedCsv, where: string): CsvResult<VenueCell[]> {
  const need = [
    'source',
    'trade_date',
    'symbol',
    'size_bucket',
    'tod_bucket',
    'venue',
    'pfof_venue',
    'shares',
    'covered_shares',
    'pi_amount',
  ];
  return rowsOf(p, where, need, (g) => ({
    source: g.str('source'),
    trade_date: g.str('trade_date').slice(0, 10),
    symbol: g.str('symbol'),
    size_bucket: g.str('size_bucket'),
    tod_bucket: g.str('tod_bucket'),
    venue: g.str('venue'),
    pfof_venue: ['y', 'true', '1'].includes(g.str('pfof_venue').toLowerCase()),
    shares: g.num('shares'),
    covered_shares: g.num('covered_shares'),
    pi_amount: g.num('pi_amount'),
  }));
}

export function toFillTimes(p: ParsedCsv, where: string): CsvResult<FillTimeBin[]> {
  return rowsOf(p, where, ['source', 'trade_date', 'order_category', 'bin', 'n'], (g) => ({
    source: g.str('source'),
    trade_date: g.str('trade_date').slice(0, 10),
    order_category: g.str('order_category'),
    bin: g.num('bin'),
    n: g.num('n'),
  }));
}

/**
 * Rule 605(a)(2) summary rows (OES field names, as sql/review/industry_605.sql returns them from
 * table public_605) → benchmark cells. OES percentages are fractions (the SEC's sample: 1 = 100 %);
 * the share outside the quote is 1 − PctExctdAtQuotOrBetter. Rows without executions (empty
 * figures) give no benchmark for their cell.
 */
export function toIndustry605(p: ParsedCsv, where: string): CsvResult<Industry605Row[]> {
  const need = [
    'RprtEntityCd',
    'RptDate',
    'Sp500',
    'OrderSize',
    'OrderType',
    'WghtdAvgPctPI',
    'AvgEFQPct',
    'WghtdAvgExctnTime',
    'PctExctdAtQuotOrBetter',
  ];
  const r = rowsOf(p, where, need, (g) => {
    const ym = g.str('RptDate');
    const atOrBetter = g.opt('PctExctdAtQuotOrBetter');
    const file = p.header.some((h) => h.toLowerCase() === 'source_key') ? g.str('source_key') : '';
    return {
      market_center: g.str('RprtEntityCd'),
      month: /^\d{6}$/.test(ym) ? `${ym.slice(0, 4)}-${ym.slice(4)}` : ym,
      order_type: (g.str('OrderType') === 'ML' ? 'ML' : 'M') as 'M' | 'ML',
      size_bucket: g.str('OrderSize'),
      sp500: g.str('Sp500'),
      pct_price_improvement: g.opt('WghtdAvgPctPI'),
      eq_ratio: g.opt('AvgEFQPct'),
      exec_time_ms: g.opt('WghtdAvgExctnTime'),
      pct_outside_quote: atOrBetter === null ? null : 1 - atOrBetter,
      ...(file ? { file } : {}),
    };
  });
  if (!r.ok) return r;
  const badType = p.rows.findIndex((row) => {
    const i = p.header.findIndex((h) => h.toLowerCase() === 'ordertype');
    return !['M', 'ML'].includes(row[i] ?? '');
  });
  if (badType >= 0) return { ok: false, reason: `${where}:${p.lines[badType]}: OrderType must be M or ML (Rule 605(a)(2) summary)` };
  // "every order under $200,000" (199999) overlaps the size buckets: a benchmark cell is one bucket.
  return { ok: true, value: r.value.filter((x) => x.size_bucket !== '199999') };
}
