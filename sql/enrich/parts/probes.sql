-- Part of sql/enrich: the day's executions and every instant whose NBBO the figures need (the
-- as-of lookup's probes), for execution_figures.sql and for the local batch's one lookup of all
-- its sources (probe_quotes.sql). Horizon -1 is an order's receipt; 0 an execution's exec_ts;
-- 1 … 300 seconds after it. An execution without its order has no symbol, so no probe.
day_executions AS (
  SELECT e.trade_date, e.source, e.exec_id, e.order_id, e.route_id, e.venue, e.exec_ts,
         CAST(round(to_unixtime(e.exec_ts) * 1e6) AS BIGINT) AS exec_us, e.price, e.qty, e.liquidity, e.fee
  FROM executions e
  CROSS JOIN params p
  WHERE e.source = p.source AND e.trade_date = p.trade_date
),
horizons AS (
  SELECT horizon FROM (VALUES (0), (1), (5), (15), (60), (300)) AS t (horizon)
),
probes AS (
  SELECT trade_date, source, order_id AS row_id, -1 AS horizon, symbol, received_us AS probe_us
  FROM day_orders
  UNION ALL
  SELECT e.trade_date, e.source, e.exec_id, h.horizon, o.symbol, e.exec_us + h.horizon * 1000000
  FROM day_executions e
  JOIN day_orders o ON o.trade_date = e.trade_date AND o.source = e.source AND o.order_id = e.order_id
  CROSS JOIN horizons h
)
