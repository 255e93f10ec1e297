-- Daily exception `orphan` (docs/exceptions.md): an execution or a route of the trade date whose
-- parent order is missing: no order of the same source with that order_id received on the trade
-- date or in the 30 days before it (a GTC order may fill days after receipt).
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract; value = shares, threshold NULL. A route has no exec_id.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
known AS (
  SELECT DISTINCT o.source, o.order_id
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date <= p.trade_date AND o.trade_date >= p.trade_date - INTERVAL '30' DAY
),
orphans AS (
  SELECT e.source, e.order_id, e.exec_id, e.venue, e.qty, 'execution ' || e.exec_id AS what
  FROM executions e CROSS JOIN params p
  LEFT JOIN known k ON k.source = e.source AND k.order_id = e.order_id
  WHERE e.trade_date = p.trade_date AND k.order_id IS NULL
  UNION ALL
  SELECT r.source, r.order_id, CAST(NULL AS VARCHAR), r.venue, r.qty, 'route ' || r.route_id
  FROM routes r CROSS JOIN params p
  LEFT JOIN known k ON k.source = r.source AND k.order_id = r.order_id
  WHERE r.trade_date = p.trade_date AND k.order_id IS NULL
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, x.source, 'orphan' AS kind, 'medium' AS severity, x.order_id, x.exec_id,
       CAST(NULL AS VARCHAR) AS symbol, x.venue,
       x.what || ' (' || CAST(x.qty AS VARCHAR) || ' shares at ' || x.venue || ') names order ' || x.order_id
         || ', which the source never sent in the 30 days to the trade date' AS detail,
       CAST(x.qty AS DOUBLE) AS value, CAST(NULL AS DOUBLE) AS threshold
FROM orphans x CROSS JOIN params p
ORDER BY x.source, x.what
