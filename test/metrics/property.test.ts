/**
 * The metric SQL against the plain reference implementation, on seeded random lakes written as
 * Parquet and read through the local engine: every row, every count, every figure to 1e-9.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { METRICS, type ReviewMetricRow } from '../../lambdas/shared/metrics';
import { openEngine } from '../../lib/engine';
import { writeLake } from '../reference/lake';
import { type ReferenceParams, referenceMetrics } from '../reference/metrics';
import { randomLake } from '../reference/random-lake';
import { withVenueTerms } from '../reference/venue-lake';
import { row as metricRow } from '../review/fixtures';
import { diffRows, enrichLake, rowKey, runMetricSql } from './compare';

const dir = mkdtempSync(join(tmpdir(), 'bestex-metrics-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('metric SQL = reference implementation on random lakes', () => {
  it('agrees on every row (keys, counts, exclusions, value, std_dev, n_eff)', async () => {
    // What the random lakes exercised, so the property cannot pass on data that misses the cases.
    const seen = new Map<string, number>();
    const note = (what: string, n = 1): void => {
      seen.set(what, (seen.get(what) ?? 0) + n);
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(2, 10, 400), async (seed, maxQuoteAgeS) => {
        // Half the lakes are larger and also carry directed orders, fees, rebates and affiliated
        // venues; some of those also have instants at the 16:00 close and New York midnight.
        const data = seed % 2 === 0 ? withVenueTerms(randomLake(seed, { orders: 25, edges: seed % 4 === 0 }), seed) : randomLake(seed);
        const lakeDir = join(dir, 'lake');
        await writeLake(lakeDir, data);
        const p: ReferenceParams = { period: '2026Q3', startDate: '2026-07-01', endDate: '2026-10-01', maxQuoteAgeS };
        const engine = await openEngine({ lakeDir });
        let sql: ReviewMetricRow[];
        try {
          await enrichLake(engine, lakeDir, maxQuoteAgeS);
          sql = await runMetricSql(engine, p);
        } finally {
          engine.close();
        }
        const ref = referenceMetrics(data, p);
        const diffs = diffRows(sql, ref);
        if (diffs.length > 0) throw new Error(`seed ${seed}, max age ${maxQuoteAgeS}s:\n${diffs.slice(0, 20).join('\n')}`);
        for (const r of sql) {
          note(`metric:${r.metric}`);
          if (r.excl_no_nbbo > 0) note('excl:no_nbbo');
          if (r.excl_stale_nbbo > 0) note('excl:stale');
          if (r.excl_crossed_or_locked_nbbo > 0) note('excl:crossed_or_locked');
          if (r.excl_negative_exec_time > 0) note('excl:negative_exec_time');
          if (r.excl_orphan_execution > 0) note('excl:orphan');
          if (r.std_dev !== null && r.std_dev > 0) note('std_dev>0');
          if (r.metric === 'price_improvement_per_share' && r.value !== null && r.value < 0) note('pi<0');
          if (r.metric === 'price_improvement_per_share' && r.value !== null && r.value > 0) note('pi>0');
          if (r.metric === 'pct_shares_at_quote' && r.value !== null && r.value > 0) note('at_quote');
          if (r.venue !== '*' && r.order_category !== '*' && r.sp500 !== '*') note('set:category×sp500×venue');
          if (r.size_bucket !== '*') note(`size:${r.size_bucket}`);
          if (r.metric === 'affiliated_venue_share_pct' && r.value !== null && r.value > 0) note('affiliated>0');
          if (r.metric === 'order_flow_payments_usd' && r.value !== null) {
            const pfof = sql.find((x) => x.metric === 'pfof_received_usd' && rowKey(x) === rowKey({ ...r, metric: 'pfof_received_usd' }));
            if (pfof?.value !== null && pfof?.value !== undefined && r.value > pfof.value) note('rebates>0');
          }
          if (r.metric === 'net_price_improvement_per_share' && r.value !== null) {
            const pi = sql.find((x) => rowKey(x) === rowKey({ ...r, metric: 'price_improvement_per_share' }));
            if (pi?.value !== null && pi?.value !== undefined && Math.abs(pi.value - r.value) > 1e-12) note('fees netted');
          }
          if (
            r.metric === 'fill_rate_pct' &&
            r.n_orders < (sql.find((x) => rowKey(x) === rowKey({ ...r, metric: 'orders' }))?.n_orders ?? 0)
          )
            note('directed left out');
          if (r.order_category !== '*') note(`category:${r.order_category}`);
        }
      }),
      { seed: 20260701, numRuns: 20, endOnFailure: true },
    );
    for (const m of METRICS) expect(seen.get(`metric:${m}`) ?? 0, `metric ${m} produced`).toBeGreaterThan(0);
    for (const what of [
      'excl:no_nbbo',
      'excl:stale',
      'excl:crossed_or_locked',
      'excl:negative_exec_time',
      'excl:orphan',
      'std_dev>0',
      'affiliated>0',
      'rebates>0',
      'fees netted',
      'directed left out',
      'pi<0',
      'pi>0',
      'at_quote',
      'set:category×sp500×venue',
      'category:market',
      'category:marketable_limit',
      'category:non_marketable_limit',
      'category:other',
    ]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
    }
  });

  it('the comparison itself notices a wrong figure, a missing row and a wrong count', () => {
    const row = metricRow({ source: 's', metric: 'orders', value: 1, n_orders: 1, n_executions: 0 });
    expect(diffRows([row], [row])).toEqual([]);
    expect(diffRows([{ ...row, value: 1 + 1e-12 }], [row])).toEqual([]);
    expect(diffRows([{ ...row, value: 1.000001 }], [row])).toHaveLength(1);
    expect(diffRows([row], [])).toHaveLength(1);
    expect(diffRows([row], [{ ...row, n_orders: 2 }])).toHaveLength(1);
  });
});
