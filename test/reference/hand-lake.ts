/**
 * The hand-worked lake shared by test/metrics/hand.test.ts (review metrics) and
 * test/metrics/hand-figures.test.ts (figures rows). Every expected number in those files is
 * worked out by hand from the rows below. Each scenario has its own source, so its rows are
 * isolated by the source column.
 */
import { emptyLake, type LakeData, micros, type OrderRow } from './lake';

export const T0 = micros('2026-07-01T14:00:00Z');
export const S = 1_000_000; // one second in microseconds
export const MS = 1000;
export const DAY = '2026-07-01';

export function lake(): LakeData {
  const d = emptyLake();
  let line = 0;
  const L = (source: string, file = 'f.csv') => ({ source, source_key: `${source}/${file}`, source_line: ++line });
  const quote = (symbol: string, at: number, bid: number, ask: number, file = 'sip/quotes/a.csv') =>
    d.quotes.push({ ...L('sip'), source_key: file, symbol, ts: T0 + at, bid, ask, trade_date: DAY });
  const order = (
    source: string,
    o: Partial<OrderRow> & Pick<OrderRow, 'order_id' | 'symbol' | 'side' | 'order_type' | 'qty'>,
    at: number,
  ) => d.orders.push({ ...L(source), limit_price: null, tif: 'DAY', canceled_ts: null, trade_date: DAY, received_ts: T0 + at, ...o });
  const exec = (source: string, exec_id: string, order_id: string, venue: string, at: number, price: number, qty: number) =>
    d.executions.push({ ...L(source), exec_id, order_id, venue, exec_ts: T0 + at, price, qty, trade_date: DAY });

  // ── buy-src, AAA: a buy, a quote tie, a partial fill across two venues, improved and at the quote.
  quote('AAA', -2 * S, 20.0, 20.1);
  quote('AAA', 0, 20.02, 20.08); // same instant as the order ...
  quote('AAA', 0, 20.03, 20.07); // ... and later in the file: this one is the NBBO at receipt
  quote('AAA', 1200 * MS, 20.1, 20.12); // mid 20.11 for the 1 s and 5 s markouts
  order('buy-src', { order_id: 'A1', symbol: 'AAA', side: 'B', order_type: 'MKT', qty: 100 }, 0);
  exec('buy-src', 'XA1', 'A1', 'XNAS', 200 * MS, 20.05, 60); // improved by 0.02
  exec('buy-src', 'XA2', 'A1', 'XNYS', 300 * MS, 20.07, 40); // at the quote
  d.venues.push({
    ...L('buy-src'),
    venue: 'XNAS',
    venue_type: 'EXCHANGE',
    approved: 'Y',
    pfof_per_share: 0.002,
    effective_from: '2026-01-01',
  });
  d.venues.push({ ...L('buy-src'), venue: 'XNYS', venue_type: 'EXCHANGE', approved: 'Y', pfof_per_share: 0, effective_from: '2026-01-01' });
  d.venues.push({
    ...L('buy-src'),
    venue: 'XNYS',
    venue_type: 'EXCHANGE',
    approved: 'Y',
    pfof_per_share: 0.001,
    effective_from: '2026-07-02',
  });
  d.reference.push({ ...L('firm'), list: 'SP500', symbol: 'AAA', effective_from: '2020-01-01' });

  // ── sell-src, BBB: sell, short sale, outside the quote, marketable and non-marketable limits,
  // a stale quote, an execution before receipt, a cancel with no fill.
  quote('BBB', 0, 50.0, 50.04); // NBB 50.00, NBO 50.04, mid 50.02, quoted spread 0.04
  order('sell-src', { order_id: 'B1', symbol: 'BBB', side: 'S', order_type: 'MKT', qty: 100 }, 100 * MS);
  exec('sell-src', 'XB1', 'B1', 'XNAS', 600 * MS, 49.99, 100); // outside by 0.01, 500 ms
  order('sell-src', { order_id: 'B2', symbol: 'BBB', side: 'SS', order_type: 'LMT', limit_price: 49.9, qty: 50 }, 100 * MS);
  exec('sell-src', 'XB2', 'B2', 'XNAS', 150 * MS, 50.01, 50); // short sale improved by 0.01, 50 ms
  order('sell-src', { order_id: 'B3', symbol: 'BBB', side: 'SX', order_type: 'LMT', limit_price: 50.1, qty: 200 }, 100 * MS);
  exec('sell-src', 'XB3', 'B3', 'XNAS', 2 * S, 50.1, 100); // non-marketable limit, half filled
  order('sell-src', { order_id: 'B4', symbol: 'BBB', side: 'S', order_type: 'MKT', qty: 10 }, 20 * S);
  exec('sell-src', 'XB4', 'B4', 'XNAS', 20 * S + 100 * MS, 50.0, 10); // NBBO 20 s old: stale
  order('sell-src', { order_id: 'B5', symbol: 'BBB', side: 'S', order_type: 'MKT', qty: 30 }, 200 * MS);
  exec('sell-src', 'XB5', 'B5', 'XNAS', 0, 50.0, 30); // at the quote, 200 ms before receipt
  order('sell-src', { order_id: 'B6', symbol: 'BBB', side: 'S', order_type: 'MKT', qty: 5, canceled_ts: T0 + S }, 300 * MS);

  // ── bad-src: crossed, locked and missing quotes, an orphan execution.
  quote('CCC', 0, 10.05, 10.0); // crossed
  quote('DDD', 0, 30.0, 30.0); // locked
  order('bad-src', { order_id: 'C1', symbol: 'CCC', side: 'B', order_type: 'MKT', qty: 10 }, S);
  exec('bad-src', 'XC1', 'C1', 'XNAS', S + 10 * MS, 10.02, 10);
  order('bad-src', { order_id: 'C2', symbol: 'DDD', side: 'B', order_type: 'MKT', qty: 10 }, S);
  exec('bad-src', 'XC2', 'C2', 'XNAS', S + 10 * MS, 30.0, 10);
  order('bad-src', { order_id: 'C3', symbol: 'EEE', side: 'B', order_type: 'MKT', qty: 10 }, S);
  exec('bad-src', 'XC3', 'C3', 'XNAS', S + 10 * MS, 5.0, 10);
  order('bad-src', { order_id: 'C4', symbol: 'CCC', side: 'B', order_type: 'LMT', limit_price: 10.1, qty: 10 }, S);
  exec('bad-src', 'XC4', 'C4', 'XNAS', S + 10 * MS, 10.02, 10);
  exec('bad-src', 'XC5', 'ghost', 'XNAS', S, 10.0, 10);

  // ── route-src, FFF: venue shares from routes, not from executions.
  quote('FFF', 0, 9.99, 10.01);
  order('route-src', { order_id: 'R1', symbol: 'FFF', side: 'B', order_type: 'MKT', qty: 100 }, 0);
  d.routes.push({ ...L('route-src'), route_id: 'RT1', order_id: 'R1', venue: 'XNAS', sent_ts: T0 + MS, qty: 70, trade_date: DAY });
  d.routes.push({ ...L('route-src'), route_id: 'RT2', order_id: 'R1', venue: 'EDGX', sent_ts: T0 + MS, qty: 30, trade_date: DAY });
  exec('route-src', 'XR1', 'R1', 'XNAS', 5 * MS, 10.0, 100);
  d.venues.push({
    ...L('route-src'),
    venue: 'EDGX',
    venue_type: 'WHOLESALER',
    approved: 'Y',
    pfof_per_share: 0.003,
    effective_from: '2026-01-01',
  });
  // ── us-src, ZZZ: a latency with sub-millisecond digits (exact: 1500.5 ms, never 1500).
  quote('ZZZ', 0, 10.0, 10.02);
  order('us-src', { order_id: 'U1', symbol: 'ZZZ', side: 'B', order_type: 'MKT', qty: 10 }, 250);
  exec('us-src', 'XU1', 'U1', 'XNAS', 1_500_750, 10.01, 10);

  // ── hours-src, HHH: the edges of regular hours, 09:30 and 16:00 New York (13:30Z and 20:00Z in July).
  quote('HHH', -31 * 60 * S, 5.0, 5.02); // 09:29:00
  quote('HHH', -30 * 60 * S + 4 * S, 5.0, 5.02); // 09:30:04
  quote('HHH', 6 * 3600 * S - 2 * S, 5.0, 5.02); // 15:59:58
  order('hours-src', { order_id: 'H1', symbol: 'HHH', side: 'B', order_type: 'MKT', qty: 10 }, -30 * 60 * S - 1); // 09:29:59.999999
  order('hours-src', { order_id: 'H2', symbol: 'HHH', side: 'B', order_type: 'MKT', qty: 10 }, -30 * 60 * S + 5 * S); // 09:30:05
  order('hours-src', { order_id: 'H3', symbol: 'HHH', side: 'B', order_type: 'MKT', qty: 10 }, 6 * 3600 * S - 1); // 15:59:59.999999
  order('hours-src', { order_id: 'H4', symbol: 'HHH', side: 'B', order_type: 'MKT', qty: 10 }, 6 * 3600 * S); // 16:00:00
  // a directed order, and a fill with a fee (0.30 USD on 10 shares)
  order('hours-src', { order_id: 'H5', symbol: 'HHH', side: 'S', order_type: 'MKT', qty: 10, directed: 'Y' }, -30 * 60 * S + 5 * S);
  d.executions.push({
    ...L('hours-src'),
    exec_id: 'XH2',
    order_id: 'H2',
    venue: 'XNAS',
    exec_ts: T0 - 30 * 60 * S + 6 * S,
    price: 5.0,
    qty: 10,
    trade_date: DAY,
    fee: 0.3,
  });
  return d;
}
