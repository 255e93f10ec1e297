/**
 * The findings' order-level inputs (sql/review/order_cells.sql, venue_cells.sql, fill_time_hist.sql)
 * on the hand-worked lake of pfof-lake.ts through the real figures (NBBO
 * 20.00 × 20.04, mid 20.02; P1 100 sh at 20.04 at the PFOF wholesaler, 2 ms; N1 60 sh at 20.02 and
 * 40 at 20.03 at XNAS, first fill 4 ms; P2 100 sh at 20.03 at the wholesaler 40 minutes later, 1 ms;
 * D1 directed). Every expected number is worked out beside it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DAY, runReviewSql } from './pfof-lake';

let run: Record<string, Record<string, unknown>[]> = {};
beforeAll(async () => {
  run = await runReviewSql(['order_cells', 'venue_cells', 'fill_time_hist']);
});

describe('order cells', () => {
  it('one cell for the three routed market orders; the directed one is left out', () => {
    const rows = run.order_cells ?? [];
    expect(rows).toHaveLength(1);
    const c = rows[0] as Record<string, number | string>;
    expect([c.source, c.trade_date, c.symbol, c.order_category, c.size_bucket]).toEqual(['m-src', DAY, 'AAA', 'market', '1000']);
    expect(Number(c.orders)).toBe(3);
    expect(Number(c.covered_shares)).toBe(300);
    // Σ PI·q: P1 0 + N1 (60·0.02 + 40·0.01 = 1.6) + P2 100·0.01 = 2.6
    expect(Number(c.pi_amount)).toBeCloseTo(2.6, 9);
    // Σ mid·q = 300 × 20.02; quoted spread 0.04 × 300
    expect(Number(c.mid_amount)).toBeCloseTo(300 * 20.02, 9);
    expect(Number(c.qs_amount)).toBeCloseTo(0.04 * 300, 9);
    // effective spread 2|P − mid|·q: P1 100·0.04 + N1 40·0.02 + P2 100·0.02 = 4 + 0.8 + 2 = 6.8
    expect(Number(c.es_amount)).toBeCloseTo(6.8, 9);
    expect(Number(c.shares_outside_quote)).toBe(0);
    expect(Number(c.filled_orders)).toBe(3);
    // first fills 2 + 4 + 1 ms
    expect(Number(c.fill_ms_n)).toBe(3);
    expect(Number(c.fill_ms_sum)).toBeCloseTo(7, 9);
  });
});

describe('venue cells', () => {
  it('splits executions by half hour, venue and whether the fill was paid for', () => {
    const rows = (run.venue_cells ?? []) as Record<string, number | string>[];
    const at = (venue: string, pfof: string) => rows.filter((r) => r.venue === venue && r.pfof_venue === pfof);
    // Two half-hours at the wholesaler, one at XNAS; the directed D1 is left out.
    expect(at('WHSL', 'Y')).toHaveLength(2);
    expect(at('XNAS', 'N')).toHaveLength(1);
    const x = at('XNAS', 'N')[0] as Record<string, number | string>;
    expect(Number(x.covered_shares)).toBe(100);
    expect(Number(x.pi_amount)).toBeCloseTo(1.6, 9);
    expect(new Set(at('WHSL', 'Y').map((r) => r.tod_bucket)).size).toBe(2);
  });
});

describe('first-fill histogram', () => {
  it('bins ln(1 + ms) in 1 % steps: 1, 2 and 4 ms', () => {
    const bins = (run.fill_time_hist ?? []).map((r) => Number(r.bin)).sort((a, b) => a - b);
    expect(bins).toEqual([1, 2, 4].map((ms) => Math.floor(Math.log1p(ms) / 0.01)).sort((a, b) => a - b));
  });
});
