/** Which load manifests feed a source × trade date, and when its figures are fresh, missing or stale. */
import { describe, expect, it } from 'vitest';
import { fingerprint, freshness, inputsOf, type ManifestFacts, partitionOf, unitsWithData } from '../../lambdas/enrich/lineage';

const m = (drop_key: string, sha256: string, outputs: [string, string, number][], status = 'loaded'): ManifestFacts => ({
  drop_key,
  sha256,
  version_id: null,
  status,
  outputs: outputs.map(([table, key, rows]) => ({ table, key, rows })),
});

const lake: ManifestFacts[] = [
  m('acme/orders/a.csv', 'h1', [
    ['orders', 'orders/source=acme/trade_date=2026-07-01/part-1.parquet', 10],
    ['orders', 'orders/source=acme/trade_date=2026-07-02/part-1.parquet', 5],
  ]),
  m('acme/executions/a.csv', 'h2', [['executions', 'executions/source=acme/trade_date=2026-07-01/part-2.parquet', 7]]),
  m('bolt/orders/b.csv', 'h3', [['orders', 'orders/source=bolt/trade_date=2026-07-01/part-3.parquet', 4]]),
  m('sip/quotes/q1.csv', 'h4', [['quotes', 'quotes/trade_date=2026-07-01/part-4.parquet', 100]]),
  m('sip/quotes/q2.csv', 'h5', [['quotes', 'quotes/trade_date=2026-07-02/part-5.parquet', 100]]),
  m('acme/venues/v.csv', 'h6', [['venues', 'venues/source=acme/part-6.parquet', 3]]),
  m('firm/reference/sp.csv', 'h7', [['reference', 'reference/source=firm/part-7.parquet', 500]]),
  m('acme/orders/bad.csv', 'h8', [], 'rejected'),
];

describe('lineage', () => {
  it('reads partition values from an output key', () => {
    expect(partitionOf('orders/source=acme/trade_date=2026-07-01/part-1.parquet')).toEqual({
      table: 'orders',
      source: 'acme',
      tradeDate: '2026-07-01',
    });
    expect(partitionOf('quotes/trade_date=2026-07-02/x.parquet')).toEqual({ table: 'quotes', tradeDate: '2026-07-02' });
  });
  it('lists the units that have orders or executions', () => {
    expect(unitsWithData(lake)).toEqual([
      { source: 'acme', tradeDate: '2026-07-01' },
      { source: 'acme', tradeDate: '2026-07-02' },
      { source: 'bolt', tradeDate: '2026-07-01' },
    ]);
  });
  it("a unit's inputs: its source × date, the date's quotes, the source's venues, every reference list", () => {
    expect(inputsOf(lake, { source: 'acme', tradeDate: '2026-07-01' }).map((i) => i.drop_key)).toEqual([
      'acme/executions/a.csv',
      'acme/orders/a.csv',
      'acme/venues/v.csv',
      'firm/reference/sp.csv',
      'sip/quotes/q1.csv',
    ]);
    expect(inputsOf(lake, { source: 'bolt', tradeDate: '2026-07-01' }).map((i) => i.drop_key)).toEqual([
      'bolt/orders/b.csv',
      'firm/reference/sp.csv',
      'sip/quotes/q1.csv',
    ]);
  });
  it('is stale after a re-drop of an input, fresh otherwise, missing without a record', () => {
    const sql = { execution_figures: 'a', order_figures: 'b' };
    const unit = { source: 'acme', tradeDate: '2026-07-02' };
    const before = fingerprint(inputsOf(lake, unit), sql, 10);
    expect(freshness(undefined, before)).toBe('missing');
    expect(freshness({ fingerprint: before }, before)).toBe('fresh');
    // a re-drop of another date's quotes does not touch this date
    const otherDay = lake.map((x) => (x.drop_key === 'sip/quotes/q1.csv' ? { ...x, sha256: 'new' } : x));
    expect(fingerprint(inputsOf(otherDay, unit), sql, 10)).toBe(before);
    // a re-drop of its own quotes, a SQL change or another max quote age does
    const sameDay = lake.map((x) => (x.drop_key === 'sip/quotes/q2.csv' ? { ...x, sha256: 'new' } : x));
    expect(freshness({ fingerprint: before }, fingerprint(inputsOf(sameDay, unit), sql, 10))).toBe('stale');
    expect(fingerprint(inputsOf(lake, unit), { ...sql, order_figures: 'c' }, 10)).not.toBe(before);
    expect(fingerprint(inputsOf(lake, unit), sql, 5)).not.toBe(before);
  });
});
