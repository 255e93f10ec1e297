/**
 * sql/review/pfof_matched_cells.sql on the hand-worked lake of pfof-lake.ts: every expected number is worked out in
 * the comment beside it. Two market orders in one cell (same symbol, size bucket, half hour),
 * one filled at a PFOF wholesaler and one at an exchange; a third order in the next half hour
 * that only the wholesaler filled; a directed order, which is no routing decision.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runReviewSql } from './pfof-lake';

let rows: Record<string, unknown>[] = [];
beforeAll(async () => {
  rows = (await runReviewSql(['pfof_matched_cells'])).pfof_matched_cells ?? [];
});

const find = (time: string, pfof: string) => {
  const r = rows.filter((x) => x.time_bucket === time && x.pfof_venue === pfof);
  expect(r, `${time} ${pfof}`).toHaveLength(1);
  return r[0] as Record<string, number | string>;
};

describe('PFOF vs non-PFOF venues in matched cells', () => {
  it('puts orders of one symbol, size bucket and half hour in one cell, and marks it matched', () => {
    expect(rows).toHaveLength(3);
    const pfof = find('10:00', 'Y');
    const other = find('10:00', 'N');
    expect(pfof.matched).toBe('Y');
    expect(other.matched).toBe('Y');
    expect(find('10:30', 'Y').matched).toBe('N');
    for (const r of rows) {
      expect(r.size_bucket).toBe('1000');
      expect(r.order_category).toBe('market');
    }
  });
  it('sums share-weighted and order-level figures per venue class', () => {
    const pfof = find('10:00', 'Y');
    expect(pfof.n_orders).toBe(1);
    expect(pfof.price_improvement_shares_sum).toBeCloseTo(0, 12);
    expect(pfof.exec_time_ms_shares_sum).toBeCloseTo(100 * 2, 9);
    const other = find('10:00', 'N');
    expect(other.n_orders).toBe(1); // the directed order is left out
    expect(other.n_executions).toBe(2);
    expect(other.shares).toBe(100);
    // Σ q·PI = 60 × 0.02 + 40 × 0.01 = 1.6; Σ q·PI² = 60 × 0.0004 + 40 × 0.0001 = 0.028
    expect(other.price_improvement_shares_sum).toBeCloseTo(1.6, 12);
    expect(other.price_improvement_shares_sum_sq).toBeCloseTo(0.028, 12);
    // the order's mean 0.016, and its square
    expect(other.price_improvement_order_sum).toBeCloseTo(0.016, 12);
    expect(other.price_improvement_order_sum_sq).toBeCloseTo(0.016 ** 2, 12);
    // net of the $0.18 fee on 60 shares: 1.6 − 0.18
    expect(other.net_price_improvement_shares_sum).toBeCloseTo(1.42, 12);
    // effective spread 2(P − 20.02): 60 × 0 + 40 × 0.02 = 0.8
    expect(other.effective_spread_shares_sum).toBeCloseTo(0.8, 12);
    // 60 × 4 ms + 40 × 6 ms, exact
    expect(other.exec_time_ms_shares_sum).toBeCloseTo(480, 9);
    expect(other.exec_time_orders).toBe(1);
  });
});
