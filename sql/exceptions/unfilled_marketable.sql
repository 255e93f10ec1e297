-- Daily exception `unfilled_marketable` (docs/exceptions.md): an order marketable at receipt (MKT,
-- or LMT at or through the usable NBBO, metrics.md) that got no fill on its trade date and was not
-- canceled within unfilled_timeout_s of receipt: an order the router sat on.
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract; value = seconds from receipt to cancel (NULL: never
-- canceled), threshold = unfilled_timeout_s.
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
dorders AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.received_ts, o.canceled_ts
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date = p.trade_date
),
-- NBBO in effect at receipt, portable as-of (a quote at the same instant precedes the probe).
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS order_id
  FROM quotes q CROSS JOIN params p
  WHERE q.trade_date = p.trade_date AND q.symbol IN (SELECT DISTINCT symbol FROM dorders WHERE order_type = 'LMT')
  UNION ALL
  SELECT symbol, received_ts, 1, NULL, NULL, NULL, NULL, source, order_id FROM dorders WHERE order_type = 'LMT'
),
grouped AS (
  SELECT e.*, count(e.bid) OVER (PARTITION BY e.symbol ORDER BY e.ts, e.tie, e.source_key, e.source_line ROWS UNBOUNDED PRECEDING) AS grp
  FROM events e
),
filled AS (
  SELECT g.source, g.order_id, g.tie,
         max(g.bid) OVER (PARTITION BY g.symbol, g.grp) AS nbb,
         max(g.ask) OVER (PARTITION BY g.symbol, g.grp) AS nbo,
         max(CASE WHEN g.tie = 0 THEN g.ts END) OVER (PARTITION BY g.symbol, g.grp) AS quote_ts
  FROM grouped g
),
at_receipt AS (
  SELECT source, order_id, nbb, nbo, quote_ts FROM filled WHERE tie = 1
),
marketable AS (
  SELECT o.source, o.order_id, o.symbol, o.order_type, o.received_ts, o.canceled_ts
  FROM dorders o
  LEFT JOIN at_receipt n ON n.source = o.source AND n.order_id = o.order_id
  CROSS JOIN params p
  WHERE o.tif NOT IN ('OPG', 'CLS')
    AND (
      o.order_type = 'MKT'
      OR (
        n.nbb IS NOT NULL AND n.nbb < n.nbo
        AND round((to_unixtime(o.received_ts) - to_unixtime(n.quote_ts)) * 1e6) <= p.max_quote_age_s * 1e6
        AND ((o.side = 'B' AND o.limit_price >= n.nbo) OR (o.side <> 'B' AND o.limit_price <= n.nbb))
      )
    )
),
filled_orders AS (
  SELECT DISTINCT e.source, e.order_id
  FROM executions e CROSS JOIN params p
  WHERE e.trade_date = p.trade_date
),
open_orders AS (
  SELECT m.*, round((to_unixtime(m.canceled_ts) - to_unixtime(m.received_ts)) * 1e6) / 1e6 AS cancel_after_s
  FROM marketable m
  LEFT JOIN filled_orders f ON f.source = m.source AND f.order_id = m.order_id
  WHERE f.order_id IS NULL
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, o.source, 'unfilled_marketable' AS kind, 'medium' AS severity, o.order_id,
       CAST(NULL AS VARCHAR) AS exec_id, o.symbol, CAST(NULL AS VARCHAR) AS venue,
       CASE WHEN o.order_type = 'MKT' THEN 'market' ELSE 'marketable limit' END || ' order with no fill, '
         || CASE
              WHEN o.canceled_ts IS NULL THEN 'never canceled'
              ELSE 'canceled ' || CAST(CAST(round(o.cancel_after_s) AS BIGINT) AS VARCHAR) || ' s after receipt'
            END
         || ' (timeout ' || CAST(CAST(round(p.unfilled_timeout_s) AS BIGINT) AS VARCHAR) || ' s)' AS detail,
       o.cancel_after_s AS value, p.unfilled_timeout_s AS threshold
FROM open_orders o CROSS JOIN params p
WHERE o.canceled_ts IS NULL OR o.cancel_after_s > p.unfilled_timeout_s
ORDER BY o.source, o.order_id
