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
-- Reads order_figures (sql/enrich): category at receipt, fills of the trade date and the
-- epoch-microsecond receipt and cancel times (exact).
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
open_orders AS (
  SELECT o.source, o.order_id, o.symbol, o.order_type, o.canceled_ts,
         CAST(o.canceled_us - o.received_us AS DOUBLE) / 1e6 AS cancel_after_s
  FROM order_figures o CROSS JOIN params p
  WHERE o.trade_date = p.trade_date AND o.order_category IN ('market', 'marketable_limit') AND o.executions = 0
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
