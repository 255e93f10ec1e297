-- order_quality: one row per order with its NBBO at receipt, category, size bucket, fills and
-- figures, so that "why was this order slow / badly filled?" is one SELECT. A thin view over
-- order_figures (computed once per trade date by sql/enrich, with the configured staleness limit),
-- under the column names analysts already use, plus a count of its routes and fill venues. Filter
-- on trade_date: it prunes the figures partitions.
CREATE OR REPLACE VIEW order_quality AS
WITH fill_venues AS (
  SELECT source, trade_date, order_id, count(DISTINCT venue) AS venues
  FROM execution_figures
  GROUP BY source, trade_date, order_id
),
order_routes AS (
  SELECT source, trade_date, order_id, count(*) AS routes
  FROM routes
  GROUP BY source, trade_date, order_id
)
SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.qty, o.directed, o.sp500,
       o.received_ts, o.canceled_ts, o.order_category, coalesce(o.size_bucket, 'unknown') AS size_bucket, o.notional,
       o.regular_hours, o.covered, o.exclusion_reason,
       o.nbb, o.nbo, o.mid, o.quoted_spread, o.quote_age_ms AS nbbo_age_ms, o.nbbo_status, o.vendor_nbb, o.vendor_nbo,
       o.executions, o.shares_executed, 100 * CAST(o.shares_executed AS DOUBLE) / o.qty AS fill_pct, o.avg_price,
       o.first_fill_ts, o.last_fill_ts, o.first_fill_ms, coalesce(v.venues, 0) AS venues,
       coalesce(r.routes, 0) AS routes, o.routed_shares AS shares_routed, o.pfof_routed_shares, o.pfof_executed_shares,
       o.price_improvement AS price_improvement_per_share, o.effective_spread, o.net_price_improvement,
       o.exec_time_ms, o.resting_time_to_fill_ms,
       o.markout_1s, o.markout_5s, o.markout_15s, o.markout_60s, o.markout_300s,
       o.price_impact_1s, o.price_impact_5s, o.price_impact_15s, o.price_impact_60s, o.price_impact_300s,
       CASE WHEN o.executions = 0 AND o.canceled_ts IS NOT NULL THEN 'canceled'
            WHEN o.executions = 0 THEN 'unfilled'
            WHEN o.shares_executed < o.qty THEN 'partial'
            ELSE 'filled' END AS fill_status
FROM order_figures o
LEFT JOIN fill_venues v ON v.source = o.source AND v.trade_date = o.trade_date AND v.order_id = o.order_id
LEFT JOIN order_routes r ON r.source = o.source AND r.trade_date = o.trade_date AND r.order_id = o.order_id
