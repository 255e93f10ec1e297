/**
 * Hand-worked figures rows: order_figures and execution_figures of the hand lake
 * (test/reference/hand-lake.ts), each expected number worked out in the comment beside it, never
 * taken from the SQL. Both as-of forms run; every assertion holds for each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsofForm } from '../../lib/enrich-sql';
import { enrichAll, type Row } from '../enrich/run';
import { lake } from '../reference/hand-lake';
import { writeLake } from '../reference/lake';

const dir = mkdtempSync(join(tmpdir(), 'bestex-figures-hand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FORMS: AsofForm[] = ['duckdb', 'trino'];
const results = new Map<AsofForm, { orders: Row[]; executions: Row[] }>();

beforeAll(async () => {
  const data = lake();
  for (const form of FORMS) {
    const lakeDir = join(dir, form);
    await writeLake(lakeDir, data);
    results.set(form, await enrichAll(lakeDir, data, form, 10));
  }
}, 120_000);

function pick(rows: Row[], key: string, id: string): Row {
  const found = rows.filter((r) => r[key] === id);
  if (found.length !== 1) throw new Error(`${found.length} rows for ${key} = ${id}`);
  return found[0] as Row;
}

describe.each(FORMS)('figures by hand (%s as-of form)', (form) => {
  const order = (id: string): Row => pick(results.get(form)?.orders ?? [], 'order_id', id);
  const exec = (id: string): Row => pick(results.get(form)?.executions ?? [], 'exec_id', id);

  it('has exactly one row per order and per execution of the lake', () => {
    const d = lake();
    expect(results.get(form)?.orders.length).toBe(d.orders.length);
    expect(results.get(form)?.executions.length).toBe(d.executions.length);
  });

  it('buy with a quote tie: NBBO from the last quote in file order, share-weighted order figures', () => {
    const a1 = order('A1');
    expect([a1.nbb, a1.nbo, a1.mid]).toEqual([20.03, 20.07, 20.05]);
    expect(a1.quoted_spread).toBeCloseTo(0.04, 12);
    expect(a1.quote_age_ms).toBe(0);
    expect([a1.order_category, a1.size_bucket, a1.sp500, a1.regular_hours, a1.covered]).toEqual(['market', '1000', 'Y', true, true]);
    expect(a1.exclusion_reason).toBeNull();
    expect([a1.executions, a1.shares_executed, a1.first_fill_ms]).toEqual([2, 100, 200]);
    expect(a1.avg_price).toBeCloseTo((60 * 20.05 + 40 * 20.07) / 100, 12); // 20.058
    expect(a1.price_improvement).toBeCloseTo(0.012, 12); // (60 × 0.02 + 40 × 0) / 100
    expect(a1.effective_spread).toBeCloseTo(0.016, 12); // (60 × 0 + 40 × 0.04) / 100
    expect(a1.exec_time_ms).toBe(240); // (60 × 200 + 40 × 300) / 100
    expect([a1.shares_improved, a1.shares_at_quote, a1.shares_outside_quote]).toEqual([60, 40, 0]);
    expect(a1.improvement_amount).toBeCloseTo(1.2, 12);
    expect(a1.outside_amount).toBe(0);
    // +1 s: the 20.10 × 20.12 quote (mid 20.11) of 1.2 s is in effect for both fills
    expect(a1.markout_1s).toBeCloseTo((60 * (20.11 - 20.05) + 40 * (20.11 - 20.07)) / 100, 12);
    expect(a1.price_impact_1s).toBeCloseTo(20.11 - 20.05, 12); // mid at exec 20.05 for both
    // +15 s: that quote is 14 s old (> 10 s), so no realized spread
    expect(a1.realized_spread_15s).toBeNull();
    // XNAS pays PFOF (0.002); XNYS only from 2026-07-02
    expect([a1.pfof_executed_shares, a1.routed_shares]).toEqual([60, 0]);
  });

  it('per execution: price improvement, effective spread, exact time, NBBO at exec_ts, venue terms', () => {
    const xa1 = exec('XA1');
    expect(xa1.price_improvement).toBeCloseTo(0.02, 12);
    expect(xa1.effective_spread).toBeCloseTo(0, 12);
    expect(xa1.exec_time_ms).toBe(200);
    expect([xa1.nbb_exec, xa1.nbo_exec, xa1.exec_quote_status]).toEqual([20.03, 20.07, 'ok']);
    expect(xa1.outside_nbbo_amount).toBeCloseTo(20.05 - 20.07, 12); // inside: negative
    expect([xa1.venue_type, xa1.venue_approved, xa1.pfof_venue]).toEqual(['EXCHANGE', 'Y', true]);
    expect(exec('XA2').pfof_venue).toBe(false);
    expect(xa1.mid_15s).toBeNull(); // stale
  });

  it('sells: outside the quote, a short-sale marketable limit, a resting limit, stale, negative time, cancel', () => {
    const b1 = order('B1');
    expect(b1.price_improvement).toBeCloseTo(-0.01, 12); // 49.99 − NBB 50.00
    expect(b1.effective_spread).toBeCloseTo(0.06, 12); // 2·(−1)·(49.99 − 50.02)
    expect([b1.shares_outside_quote, b1.exec_time_ms, b1.quote_age_ms]).toEqual([100, 500, 100]);
    expect(b1.outside_amount).toBeCloseTo(1, 12);
    expect(exec('XB1').outside_nbbo_amount).toBeCloseTo(0.01, 12); // NBB 50.00 − 49.99

    const b2 = order('B2');
    expect(b2.order_category).toBe('marketable_limit'); // SS limit 49.90 ≤ NBB 50.00
    expect(b2.price_improvement).toBeCloseTo(0.01, 12);

    const b3 = order('B3');
    expect([b3.order_category, b3.covered, b3.exclusion_reason]).toEqual(['non_marketable_limit', false, 'not_marketable']);
    expect([b3.price_improvement, b3.exec_time_ms, b3.unfilled_shares]).toEqual([null, null, 100]);
    expect(b3.resting_time_to_fill_ms).toBe(1900); // filled 2 s after the epoch, received at 100 ms
    // markouts are for every execution: −1 · (mid 50.02 at 3 s − 50.10)
    expect(exec('XB3').markout_1s).toBeCloseTo(0.08, 12);
    expect(exec('XB3').exec_time_ms).toBeNull();
    expect(exec('XB3').fill_time_ms).toBe(1900);

    const b4 = order('B4');
    expect([b4.nbbo_status, b4.exclusion_reason, b4.covered, b4.quote_age_ms]).toEqual(['stale_nbbo', 'stale_nbbo', false, 20000]);
    expect([b4.mid, b4.size_bucket, b4.nbb]).toEqual([null, null, 50]);

    const b5 = order('B5');
    expect([b5.covered, b5.exclusion_reason, b5.first_fill_ms]).toEqual([true, 'negative_exec_time', -200]);
    expect(b5.price_improvement).toBe(0); // still counts in price figures
    expect(b5.exec_time_ms).toBeNull();
    expect(exec('XB5').exclusion_reason).toBe('negative_exec_time');

    const b6 = order('B6');
    expect([b6.filled, b6.canceled_unfilled, b6.executions, b6.unfilled_shares]).toEqual([false, true, 0, 5]);
  });

  it('names every unusable NBBO and the orphan, never dropping a row', () => {
    expect([order('C1').nbbo_status, order('C1').exclusion_reason]).toEqual(['crossed_or_locked_nbbo', 'crossed_or_locked_nbbo']);
    expect([order('C2').nbb, order('C2').nbo, order('C2').exclusion_reason]).toEqual([30, 30, 'crossed_or_locked_nbbo']);
    expect([order('C3').nbbo_status, order('C3').nbb, order('C3').quote_age_ms]).toEqual(['no_nbbo', null, null]);
    // a limit order with no usable NBBO cannot be classified: 'other', excluded for its NBBO
    expect([order('C4').order_category, order('C4').exclusion_reason]).toEqual(['other', 'crossed_or_locked_nbbo']);
    expect([exec('XC5').exclusion_reason, exec('XC5').covered, exec('XC5').symbol]).toEqual(['orphan_execution', false, null]);
  });

  it('routes: routed and PFOF-routed shares by venue terms of the trade date', () => {
    const r1 = order('R1');
    expect([r1.routed_shares, r1.pfof_routed_shares, r1.pfof_executed_shares]).toEqual([100, 30, 0]);
    expect([exec('XR1').venue_type, exec('XR1').venue_approved]).toEqual([null, null]); // XNAS not on route-src's list
  });

  it('keeps sub-millisecond latency exact', () => {
    // received 250 µs after T0, filled 1,500,750 µs after T0: 1,500,500 µs
    expect(exec('XU1').exec_time_ms).toBe(1500.5);
    expect(order('U1').first_fill_ms).toBe(1500.5);
    expect((exec('XU1').exec_us as number) - (exec('XU1').received_us as number)).toBe(1_500_500);
  });

  it('draws regular hours at 09:30 inclusive and 16:00 exclusive (New York), and names directed orders', () => {
    expect([order('H1').regular_hours, order('H1').exclusion_reason]).toEqual([false, 'outside_regular_hours']);
    expect([order('H2').regular_hours, order('H2').covered]).toEqual([true, true]);
    expect([order('H3').regular_hours, order('H3').covered]).toEqual([true, true]);
    expect([order('H4').regular_hours, order('H4').exclusion_reason]).toEqual([false, 'outside_regular_hours']);
    expect([order('H5').covered, order('H5').exclusion_reason]).toEqual([false, 'directed']);
    // 0.30 USD fee on 10 shares at 5.00 against NBO 5.02: PI 0.02, net 0.02 − 0.03
    expect(exec('XH2').fee_per_share_paid).toBeCloseTo(0.03, 12);
    expect(order('H2').net_price_improvement).toBeCloseTo(-0.01, 12);
  });
});
