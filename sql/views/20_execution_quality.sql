-- execution_quality: one row per execution with its order's context (category, NBBO at receipt)
-- and the per-execution figures of docs/metrics.md: price improvement, effective and quoted
-- spread, execution time, the NBBO in effect at the execution itself, markouts and realized
-- spreads. Staleness limit 10 s as in order_quality. Orphan executions (no order) are kept, with
-- order columns NULL and orphan = true.
CREATE OR REPLACE VIEW execution_quality AS
WITH x AS (
  SELECT e.source, e.trade_date, e.exec_id, e.order_id, e.route_id, e.venue, e.exec_ts, e.price, e.qty, e.liquidity, e.fee,
         oq.symbol, oq.side, CASE WHEN oq.side = 'B' THEN 1 ELSE -1 END AS s, oq.order_type, oq.order_category,
         oq.size_bucket, oq.sp500, oq.received_ts, oq.nbb, oq.nbo, oq.mid, oq.nbbo_status, oq.order_id IS NULL AS orphan
  FROM executions e
  LEFT JOIN order_quality oq ON oq.source = e.source AND oq.order_id = e.order_id
),
taus AS (
  SELECT tau FROM (VALUES (0), (1), (5), (15), (60), (300)) AS t (tau)
),
ev AS (
  SELECT q.symbol, q.trade_date, q.ts AS t, 0 AS is_probe, q.source_key AS k1, q.source_line AS k2, q.bid, q.ask,
         NULL AS source, NULL AS exec_id, NULL AS tau
  FROM quotes q
  UNION ALL
  SELECT x.symbol, x.trade_date, date_add('second', taus.tau, x.exec_ts), 1, NULL, NULL, NULL, NULL, x.source, x.exec_id, taus.tau
  FROM x CROSS JOIN taus
  WHERE NOT x.orphan
),
ev1 AS (
  SELECT ev.*,
         count(bid) OVER (PARTITION BY symbol, trade_date ORDER BY t, is_probe, k1, k2
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
  FROM ev
),
ev2 AS (
  SELECT ev1.*,
         max(bid) OVER (PARTITION BY symbol, trade_date, grp) AS q_bid,
         max(ask) OVER (PARTITION BY symbol, trade_date, grp) AS q_ask,
         max(CASE WHEN is_probe = 0 THEN t END) OVER (PARTITION BY symbol, trade_date, grp) AS q_ts
  FROM ev1
),
-- mid at t when the NBBO in effect is usable (present, at most 10 s old, not crossed or locked)
later AS (
  SELECT source, exec_id,
         max(CASE WHEN tau = 0 THEN q_bid END) AS nbb_at_exec, max(CASE WHEN tau = 0 THEN q_ask END) AS nbo_at_exec,
         max(CASE WHEN tau = 1 AND ok THEN mid_t END) AS mid_1s, max(CASE WHEN tau = 5 AND ok THEN mid_t END) AS mid_5s,
         max(CASE WHEN tau = 15 AND ok THEN mid_t END) AS mid_15s, max(CASE WHEN tau = 60 AND ok THEN mid_t END) AS mid_60s,
         max(CASE WHEN tau = 300 AND ok THEN mid_t END) AS mid_300s
  FROM (
    SELECT source, exec_id, tau, q_bid, q_ask, (q_bid + q_ask) / 2 AS mid_t,
           q_ts IS NOT NULL AND date_diff('millisecond', q_ts, t) <= 10000 AND q_bid < q_ask AS ok
    FROM ev2
    WHERE is_probe = 1
  ) AS probes
  GROUP BY source, exec_id
)
SELECT x.source, x.trade_date, x.exec_id, x.order_id, x.route_id, x.venue, x.exec_ts, x.price, x.qty, x.liquidity, x.fee,
       x.orphan, x.symbol, x.side, x.order_type, x.order_category, x.size_bucket, x.sp500, x.received_ts,
       date_diff('millisecond', x.received_ts, x.exec_ts) AS exec_time_ms,
       x.nbb, x.nbo, x.nbbo_status,
       x.order_category IN ('market', 'marketable_limit') AND x.nbbo_status = 'ok' AS covered,
       CASE WHEN x.nbbo_status = 'ok' THEN CASE WHEN x.s = 1 THEN x.nbo - x.price ELSE x.price - x.nbb END END AS price_improvement,
       2 * x.s * (x.price - x.mid) AS effective_spread,
       CASE WHEN x.nbbo_status = 'ok' THEN x.nbo - x.nbb END AS quoted_spread,
       l.nbb_at_exec, l.nbo_at_exec,
       x.s * (l.mid_1s - x.price) AS markout_1s, x.s * (l.mid_5s - x.price) AS markout_5s,
       x.s * (l.mid_15s - x.price) AS markout_15s, x.s * (l.mid_60s - x.price) AS markout_60s,
       x.s * (l.mid_300s - x.price) AS markout_300s,
       2 * x.s * (x.price - l.mid_15s) AS realized_spread_15s, 2 * x.s * (x.price - l.mid_60s) AS realized_spread_60s
FROM x
LEFT JOIN later l ON l.source = x.source AND l.exec_id = x.exec_id
