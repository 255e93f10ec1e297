/**
 * The analyst views (sql/views) against the reference implementation: order_quality's per-order
 * classification, and execution_quality's per-execution figures re-aggregated by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../lib/engine';
import { writeLake } from '../reference/lake';
import { type ReferenceParams, referenceMetrics, referenceOrders } from '../reference/metrics';
import { randomLake } from '../reference/random-lake';
import { enrichLake } from './compare';

const dir = mkdtempSync(join(tmpdir(), 'bestex-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The views take no parameters: the default 10 s staleness limit, every trade date.
const P: ReferenceParams = { period: 'all', startDate: '2000-01-01', endDate: '2100-01-01', maxQuoteAgeS: 10 };

describe('analyst views', () => {
  for (const seed of [11, 12, 13, 14]) {
    it(`agree with the reference on random lake ${seed}`, async () => {
      const data = randomLake(seed, { orders: 25 });
      const lakeDir = join(dir, `lake-${seed}`);
      await writeLake(lakeDir, data);
      const engine = await openEngine({ lakeDir });
      try {
        await enrichLake(engine, lakeDir, P.maxQuoteAgeS);
        const oq = await engine.query(
          'SELECT source, order_id, order_category, size_bucket, nbbo_status, sp500, executions FROM order_quality ORDER BY source, order_id',
        );
        const want = referenceOrders(data, P).sort((a, b) => (a.source + a.order_id < b.source + b.order_id ? -1 : 1));
        expect(oq.rows).toEqual(want);

        // Re-aggregate execution_quality by hand and compare with the reference's source-level figures.
        const xq = await engine.query(
          'SELECT source, qty, covered, price_improvement, effective_spread, exec_time_ms, markout_1s, orphan FROM execution_quality',
        );
        const ref = referenceMetrics(data, P);
        for (const source of new Set(data.orders.map((o) => o.source))) {
          const mine = xq.rows.filter((r) => r.source === source);
          const covered = mine.filter((r) => r.covered === true);
          const wavg = (rs: typeof mine, col: string): number | null => {
            const w = rs.reduce((a, r) => a + (r.qty as number), 0);
            return w === 0 ? null : rs.reduce((a, r) => a + (r.qty as number) * (r[col] as number), 0) / w;
          };
          const refValue = (metric: string) =>
            ref.find(
              (r) =>
                r.source === source &&
                r.metric === metric &&
                r.symbol === '*' &&
                r.order_category === '*' &&
                r.venue === '*' &&
                r.size_bucket === '*' &&
                r.sp500 === '*',
            )?.value ?? null;
          const close = (a: number | null, b: number | null) =>
            a === null || b === null ? expect(a).toBe(b) : expect(a).toBeCloseTo(b, 9);
          close(wavg(covered, 'price_improvement'), refValue('price_improvement_per_share'));
          close(wavg(covered, 'effective_spread'), refValue('avg_effective_spread'));
          // router latency: covered executions at or after receipt (exec_time_ms is NULL otherwise)
          close(
            wavg(
              covered.filter((r) => r.exec_time_ms !== null),
              'exec_time_ms',
            ),
            refValue('avg_exec_time_ms'),
          );
          // the all-orders markout covers covered executions with a usable later mid
          const marketable = await engine.query(
            `SELECT qty, markout_1s FROM execution_quality WHERE source = '${source}' AND covered AND markout_1s IS NOT NULL`,
          );
          close(wavg(marketable.rows, 'markout_1s'), refValue('markout_1s_per_share'));
        }
      } finally {
        engine.close();
      }
    });
  }
});
