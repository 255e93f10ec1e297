-- execution_quality: one row per execution with its order's context (category, NBBO at receipt)
-- and its figures (docs/metrics.md): price improvement, spreads, exact execution time, the NBBO at
-- the execution itself, markouts, price impact and realized spreads, venue terms. A thin view over
-- execution_figures (sql/enrich) under the column names analysts already use. exec_time_ms is
-- router latency (covered orders only); fill_time_ms is every fill's time from receipt. Orphan
-- executions (no order) are kept, with order columns NULL and orphan = true.
CREATE OR REPLACE VIEW execution_quality AS
SELECT x.source, x.trade_date, x.exec_id, x.order_id, x.route_id, x.venue, x.exec_ts, x.price, x.qty, x.liquidity, x.fee,
       coalesce(x.exclusion_reason = 'orphan_execution', false) AS orphan,
       x.symbol, x.side, x.order_type, x.order_category, coalesce(x.size_bucket, 'unknown') AS size_bucket, x.sp500,
       x.regular_hours, x.directed, x.received_ts, x.exec_time_ms, x.fill_time_ms,
       x.nbb_receipt AS nbb, x.nbo_receipt AS nbo, x.mid_receipt AS mid, x.nbbo_status, x.covered, x.exclusion_reason,
       x.price_improvement, x.effective_spread, x.quoted_spread_receipt AS quoted_spread,
       x.price_improvement - coalesce(x.fee_per_share_paid, 0) AS net_price_improvement,
       x.nbb_exec AS nbb_at_exec, x.nbo_exec AS nbo_at_exec, x.exec_quote_status, x.outside_nbbo_amount,
       x.markout_1s, x.markout_5s, x.markout_15s, x.markout_60s, x.markout_300s,
       x.price_impact_1s, x.price_impact_5s, x.price_impact_15s, x.price_impact_60s, x.price_impact_300s,
       x.realized_spread_15s, x.realized_spread_60s,
       x.venue_type, x.venue_approved, x.pfof_per_share, x.fee_per_share, x.rebate_per_share, x.pfof_venue
FROM execution_figures x
