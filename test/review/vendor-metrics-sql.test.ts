/**
 * sql/review/vendor_metrics.sql reads a vendor's order type as the firm's order category, so the
 * reconciliation compares like with like. The vendor rows are a view the test defines in place of
 * the lake table; the expected mapping is written out by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine, SQL_DIR } from '../../lib/engine';

describe('vendor_metrics.sql', () => {
  it('maps order types to order categories and leaves an unknown one as sent', async () => {
    const engine = await openEngine({});
    try {
      await engine.run(`CREATE OR REPLACE VIEW vendor_metrics AS SELECT * FROM (VALUES
        ('acme-sor', '2026Q3', '*', 'ALL', ' avg_exec_time_ms ', 63.0),
        ('acme-sor', '2026Q3', 'AAA', 'MKT', 'price_improvement_per_share', 0.01),
        ('acme-sor', '2026Q3', 'AAA', 'Marketable Limit', 'price_improvement_per_share', 0.02),
        ('acme-sor', '2026Q3', 'AAA', ' odd-lot ', 'price_improvement_per_share', 0.03),
        ('acme-sor', '2026Q2', '*', '*', 'avg_exec_time_ms', 1.0)
      ) AS t (source, period, symbol, order_type, metric, value)`);
      const sql = readFileSync(join(SQL_DIR, 'review', 'vendor_metrics.sql'), 'utf8');
      const r = await engine.query(sql, ["'2026Q3'", "'2026-07-01'", "'2026-10-01'", '10']);
      expect(r.rows.map((x) => [x.symbol, x.order_type, x.metric, Number(x.value)])).toEqual([
        ['*', '*', 'avg_exec_time_ms', 63],
        ['AAA', 'market', 'price_improvement_per_share', 0.01],
        ['AAA', 'marketable_limit', 'price_improvement_per_share', 0.02],
        ['AAA', 'odd-lot', 'price_improvement_per_share', 0.03],
      ]);
    } finally {
      engine.close();
    }
  });
});
