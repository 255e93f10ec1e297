-- execution_figures of one source × trade date: one row per execution (lambdas/shared/figures.ts,
-- formulas in docs/metrics.md). Run before order_figures.sql, which aggregates these rows.
-- Parameters: source, trade_date, max_quote_age_s. The `-- @include` lines are replaced by the
-- parts under sql/enrich/parts/ (lib/enrich-sql.ts); `asof` is the engine's own as-of form.
WITH
-- @include params
-- @include day
-- @include probes
-- @include asof
-- @include receipt
exec_quotes AS (
  SELECT trade_date, row_id AS exec_id,
         max(CASE WHEN horizon = 0 THEN bid END) AS nbb_exec,
         max(CASE WHEN horizon = 0 THEN ask END) AS nbo_exec,
         max(CASE WHEN horizon = 0 THEN status END) AS exec_quote_status,
         max(CASE WHEN horizon = 0 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_exec,
         max(CASE WHEN horizon = 1 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_1s,
         max(CASE WHEN horizon = 5 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_5s,
         max(CASE WHEN horizon = 15 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_15s,
         max(CASE WHEN horizon = 60 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_60s,
         max(CASE WHEN horizon = 300 AND status = 'ok' THEN (bid + ask) / 2 END) AS mid_300s,
         max(CASE WHEN horizon = 1 THEN status END) AS mid_1s_status,
         max(CASE WHEN horizon = 5 THEN status END) AS mid_5s_status,
         max(CASE WHEN horizon = 15 THEN status END) AS mid_15s_status,
         max(CASE WHEN horizon = 60 THEN status END) AS mid_60s_status,
         max(CASE WHEN horizon = 300 THEN status END) AS mid_300s_status
  FROM quote_status
  WHERE horizon >= 0
  GROUP BY trade_date, row_id
),
execution_rows AS (
  SELECT e.*, o.order_id AS known_order, o.symbol, o.side, o.side_sign, o.order_type, o.order_category, o.size_bucket,
         o.sp500, o.regular_hours, o.directed, COALESCE(o.covered, false) AS covered, o.receipt_exclusion,
         o.received_ts, o.received_us, o.nbbo_status, o.nbb AS nbb_receipt, o.nbo AS nbo_receipt,
         o.mid AS mid_receipt, o.quoted_spread AS quoted_spread_receipt,
         q.nbb_exec, q.nbo_exec, q.mid_exec, q.exec_quote_status, q.mid_1s, q.mid_5s, q.mid_15s, q.mid_60s, q.mid_300s,
         q.mid_1s_status, q.mid_5s_status, q.mid_15s_status, q.mid_60s_status, q.mid_300s_status,
         CAST(e.exec_us - o.received_us AS DOUBLE) / 1000 AS fill_time_ms,
         vt.venue_type, vt.approved AS venue_approved, vt.pfof_per_share, vt.fee_per_share, vt.rebate_per_share
  FROM day_executions e
  LEFT JOIN order_receipt o ON o.trade_date = e.trade_date AND o.order_id = e.order_id
  LEFT JOIN exec_quotes q ON q.trade_date = e.trade_date AND q.exec_id = e.exec_id
  LEFT JOIN venue_terms vt ON vt.trade_date = e.trade_date AND vt.venue = e.venue
)
SELECT x.exec_id, x.order_id, x.route_id, x.venue, x.exec_ts, x.exec_us, x.price, x.qty, x.liquidity, x.fee,
       x.symbol, x.side, x.side_sign, x.order_type, x.order_category, x.size_bucket, x.sp500, x.regular_hours, x.directed,
       x.covered,
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution'
            WHEN x.receipt_exclusion IS NOT NULL THEN x.receipt_exclusion
            WHEN x.exec_us < x.received_us THEN 'negative_exec_time'
            END AS exclusion_reason,
       x.received_ts, x.received_us, x.nbbo_status, x.nbb_receipt, x.nbo_receipt, x.mid_receipt, x.quoted_spread_receipt,
       x.nbb_exec, x.nbo_exec, x.mid_exec, x.exec_quote_status,
       x.mid_1s, x.mid_5s, x.mid_15s, x.mid_60s, x.mid_300s,
       -- An execution without its order has no symbol, so no lookup: its reason is named, not NULL.
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution' ELSE x.mid_1s_status END AS mid_1s_status,
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution' ELSE x.mid_5s_status END AS mid_5s_status,
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution' ELSE x.mid_15s_status END AS mid_15s_status,
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution' ELSE x.mid_60s_status END AS mid_60s_status,
       CASE WHEN x.known_order IS NULL THEN 'orphan_execution' ELSE x.mid_300s_status END AS mid_300s_status,
       x.fill_time_ms,
       CASE WHEN x.covered AND x.fill_time_ms >= 0 THEN x.fill_time_ms END AS exec_time_ms,
       CASE WHEN x.covered THEN CASE WHEN x.side_sign = 1 THEN x.nbo_receipt - x.price ELSE x.price - x.nbb_receipt END
            END AS price_improvement,
       CASE WHEN x.covered THEN 2 * x.side_sign * (x.price - x.mid_receipt) END AS effective_spread,
       CASE WHEN x.covered THEN 2 * x.side_sign * (x.price - x.mid_15s) END AS realized_spread_15s,
       CASE WHEN x.covered THEN 2 * x.side_sign * (x.price - x.mid_60s) END AS realized_spread_60s,
       x.side_sign * (x.mid_1s - x.price) AS markout_1s,
       x.side_sign * (x.mid_5s - x.price) AS markout_5s,
       x.side_sign * (x.mid_15s - x.price) AS markout_15s,
       x.side_sign * (x.mid_60s - x.price) AS markout_60s,
       x.side_sign * (x.mid_300s - x.price) AS markout_300s,
       x.side_sign * (x.mid_1s - x.mid_exec) AS price_impact_1s,
       x.side_sign * (x.mid_5s - x.mid_exec) AS price_impact_5s,
       x.side_sign * (x.mid_15s - x.mid_exec) AS price_impact_15s,
       x.side_sign * (x.mid_60s - x.mid_exec) AS price_impact_60s,
       x.side_sign * (x.mid_300s - x.mid_exec) AS price_impact_300s,
       CASE WHEN x.exec_quote_status = 'ok' THEN CASE WHEN x.side_sign = 1 THEN x.price - x.nbo_exec ELSE x.nbb_exec - x.price END
            END AS outside_nbbo_amount,
       x.venue_type, x.venue_approved, x.pfof_per_share, x.fee_per_share, x.rebate_per_share,
       COALESCE(x.pfof_per_share, 0) > 0 AS pfof_venue,
       x.fee / x.qty AS fee_per_share_paid,
       p.source, p.trade_date
FROM execution_rows x
JOIN params p ON p.trade_date = x.trade_date
ORDER BY p.trade_date, x.exec_id
