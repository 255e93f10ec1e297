-- order_figures of one source × trade date: one row per order (lambdas/shared/figures.ts,
-- formulas in docs/metrics.md). Reads the execution_figures of the same partition, so it runs
-- after execution_figures.sql; its own as-of lookup is only the NBBO at receipt.
-- Parameters: source, trade_date, max_quote_age_s (parts included by lib/enrich-sql.ts).
WITH
-- @include params
-- @include day
probes AS (
  SELECT trade_date, source, order_id AS row_id, -1 AS horizon, symbol, received_us AS probe_us
  FROM day_orders
),
-- @include asof
-- @include receipt
-- (greatest() is avoided: Trino returns NULL when an argument is NULL, DuckDB ignores it.)
-- Share-weighted figures over each order's fills: a figure's weight is the shares of the fills
-- that have it, so a fill without a usable later mid drops out of that markout only.
fill_totals AS (
  SELECT x.trade_date, x.order_id,
         count(*) AS executions,
         sum(x.qty) AS shares_executed,
         min(x.exec_us) AS first_fill_us,
         min(x.exec_ts) AS first_fill_ts,
         max(x.exec_ts) AS last_fill_ts,
         sum(CASE WHEN x.pfof_venue THEN x.qty ELSE 0 END) AS pfof_executed_shares,
         sum(x.price * x.qty) / sum(x.qty) AS avg_price,
         sum(x.price_improvement * x.qty) / sum(CASE WHEN x.price_improvement IS NOT NULL THEN x.qty END) AS price_improvement,
         sum(x.effective_spread * x.qty) / sum(CASE WHEN x.effective_spread IS NOT NULL THEN x.qty END) AS effective_spread,
         sum(x.realized_spread_15s * x.qty) / sum(CASE WHEN x.realized_spread_15s IS NOT NULL THEN x.qty END) AS realized_spread_15s,
         sum(x.realized_spread_60s * x.qty) / sum(CASE WHEN x.realized_spread_60s IS NOT NULL THEN x.qty END) AS realized_spread_60s,
         sum(x.exec_time_ms * x.qty) / sum(CASE WHEN x.exec_time_ms IS NOT NULL THEN x.qty END) AS exec_time_ms,
         sum(CASE WHEN x.price_improvement > 0 THEN x.qty WHEN x.price_improvement IS NOT NULL THEN 0 END) AS shares_improved,
         sum(CASE WHEN x.price_improvement = 0 THEN x.qty WHEN x.price_improvement IS NOT NULL THEN 0 END) AS shares_at_quote,
         sum(CASE WHEN x.price_improvement < 0 THEN x.qty WHEN x.price_improvement IS NOT NULL THEN 0 END) AS shares_outside_quote,
         sum(CASE WHEN x.price_improvement > 0 THEN x.price_improvement * x.qty WHEN x.price_improvement IS NOT NULL THEN 0 END) AS improvement_amount,
         sum(CASE WHEN x.price_improvement < 0 THEN -x.price_improvement * x.qty WHEN x.price_improvement IS NOT NULL THEN 0 END) AS outside_amount,
         sum(x.markout_1s * x.qty) / sum(CASE WHEN x.markout_1s IS NOT NULL THEN x.qty END) AS markout_1s,
         sum(x.markout_5s * x.qty) / sum(CASE WHEN x.markout_5s IS NOT NULL THEN x.qty END) AS markout_5s,
         sum(x.markout_15s * x.qty) / sum(CASE WHEN x.markout_15s IS NOT NULL THEN x.qty END) AS markout_15s,
         sum(x.markout_60s * x.qty) / sum(CASE WHEN x.markout_60s IS NOT NULL THEN x.qty END) AS markout_60s,
         sum(x.markout_300s * x.qty) / sum(CASE WHEN x.markout_300s IS NOT NULL THEN x.qty END) AS markout_300s,
         sum(x.price_impact_1s * x.qty) / sum(CASE WHEN x.price_impact_1s IS NOT NULL THEN x.qty END) AS price_impact_1s,
         sum(x.price_impact_5s * x.qty) / sum(CASE WHEN x.price_impact_5s IS NOT NULL THEN x.qty END) AS price_impact_5s,
         sum(x.price_impact_15s * x.qty) / sum(CASE WHEN x.price_impact_15s IS NOT NULL THEN x.qty END) AS price_impact_15s,
         sum(x.price_impact_60s * x.qty) / sum(CASE WHEN x.price_impact_60s IS NOT NULL THEN x.qty END) AS price_impact_60s,
         sum(x.price_impact_300s * x.qty) / sum(CASE WHEN x.price_impact_300s IS NOT NULL THEN x.qty END) AS price_impact_300s,
         sum(CASE WHEN x.order_category = 'non_marketable_limit' AND x.fill_time_ms >= 0 THEN x.fill_time_ms * x.qty END)
           / sum(CASE WHEN x.order_category = 'non_marketable_limit' AND x.fill_time_ms >= 0 THEN x.qty END) AS resting_time_to_fill_ms,
         (sum(x.price_improvement * x.qty) - sum(CASE WHEN x.price_improvement IS NOT NULL THEN COALESCE(x.fee, 0) END))
           / sum(CASE WHEN x.price_improvement IS NOT NULL THEN x.qty END) AS net_price_improvement
  FROM execution_figures x
  CROSS JOIN params p
  WHERE x.source = p.source AND x.trade_date = p.trade_date AND x.exclusion_reason IS DISTINCT FROM 'orphan_execution'
  GROUP BY x.trade_date, x.order_id
),
route_totals AS (
  SELECT r.trade_date, r.order_id, sum(r.qty) AS routed_shares,
         sum(CASE WHEN vt.pfof_per_share > 0 THEN r.qty ELSE 0 END) AS pfof_routed_shares
  FROM routes r
  CROSS JOIN params p
  LEFT JOIN venue_terms vt ON vt.trade_date = r.trade_date AND vt.venue = r.venue
  WHERE r.source = p.source AND r.trade_date = p.trade_date
  GROUP BY r.trade_date, r.order_id
)
SELECT o.order_id, o.symbol, o.side, o.side_sign, o.order_type, o.tif, o.limit_price, o.qty,
       o.received_ts, o.received_us, o.canceled_ts, o.canceled_us, o.directed,
       o.order_category, o.size_bucket, o.sp500, o.regular_hours, o.covered, o.nbbo_status,
       CASE WHEN o.receipt_exclusion IS NOT NULL THEN o.receipt_exclusion
            WHEN f.first_fill_us < o.received_us THEN 'negative_exec_time'
            END AS exclusion_reason,
       o.nbb, o.nbo, o.mid, o.quoted_spread, o.quote_age_ms, o.notional, o.vendor_nbb, o.vendor_nbo,
       COALESCE(f.executions, 0) AS executions, COALESCE(f.shares_executed, 0) AS shares_executed,
       f.first_fill_ts, f.first_fill_us, CAST(f.first_fill_us - o.received_us AS DOUBLE) / 1000 AS first_fill_ms,
       f.last_fill_ts,
       COALESCE(f.executions, 0) > 0 AS filled,
       o.canceled_ts IS NOT NULL AND COALESCE(f.executions, 0) = 0 AS canceled_unfilled,
       greatest(o.qty - COALESCE(f.shares_executed, 0), 0) AS unfilled_shares,
       COALESCE(r.routed_shares, 0) AS routed_shares, COALESCE(r.pfof_routed_shares, 0) AS pfof_routed_shares,
       COALESCE(f.pfof_executed_shares, 0) AS pfof_executed_shares,
       f.avg_price, f.price_improvement, f.effective_spread, f.realized_spread_15s, f.realized_spread_60s, f.exec_time_ms,
       f.shares_improved, f.shares_at_quote, f.shares_outside_quote, f.improvement_amount, f.outside_amount,
       f.markout_1s, f.markout_5s, f.markout_15s, f.markout_60s, f.markout_300s,
       f.price_impact_1s, f.price_impact_5s, f.price_impact_15s, f.price_impact_60s, f.price_impact_300s,
       f.resting_time_to_fill_ms, f.net_price_improvement,
       p.source, p.trade_date
FROM order_receipt o
JOIN params p ON p.trade_date = o.trade_date
LEFT JOIN fill_totals f ON f.trade_date = o.trade_date AND f.order_id = o.order_id
LEFT JOIN route_totals r ON r.trade_date = o.trade_date AND r.order_id = o.order_id
ORDER BY p.trade_date, o.order_id
