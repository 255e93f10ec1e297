-- Daily exception `nbbo_mismatch` (docs/exceptions.md): the NBBO a vendor reports for an order at
-- receipt (orders.vendor_nbb / vendor_nbo) differs from the firm's own NBBO at received_ts by more
-- than one tick ($0.01 at a firm price of $1.00 or more, $0.0001 below). Orders for which the firm
-- has no NBBO, or only a stale one, are not judged (the metrics count them as exclusions); a
-- crossed or locked firm NBBO is still compared, since the vendor should have seen the same.
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract; value = the larger absolute difference (USD), threshold =
-- the tick of that side.
-- Reads order_figures (sql/enrich): the firm's NBBO at receipt and its status (which applies
-- max_quote_age_s when the figures are computed) are the figures layer's.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
judged AS (
  SELECT o.source, o.order_id, o.symbol, o.vendor_nbb, o.vendor_nbo, o.nbb, o.nbo,
         abs(o.vendor_nbb - o.nbb) AS bid_diff, CASE WHEN o.nbb >= 1 THEN 1e-2 ELSE 1e-4 END AS bid_tick,
         abs(o.vendor_nbo - o.nbo) AS ask_diff, CASE WHEN o.nbo >= 1 THEN 1e-2 ELSE 1e-4 END AS ask_tick
  FROM order_figures o CROSS JOIN params p
  WHERE o.trade_date = p.trade_date AND (o.vendor_nbb IS NOT NULL OR o.vendor_nbo IS NOT NULL)
    AND o.nbbo_status IN ('ok', 'crossed_or_locked_nbbo')
),
flagged AS (
  SELECT j.*,
         coalesce(j.bid_diff > j.bid_tick + 1e-9, false) AS bid_off,
         coalesce(j.ask_diff > j.ask_tick + 1e-9, false) AS ask_off,
         -- The side that is off by more ticks speaks for the order.
         coalesce(j.bid_diff / j.bid_tick, -1) >= coalesce(j.ask_diff / j.ask_tick, -1) AS bid_worse
  FROM judged j
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, f.source, 'nbbo_mismatch' AS kind, 'low' AS severity, f.order_id,
       CAST(NULL AS VARCHAR) AS exec_id, f.symbol, CAST(NULL AS VARCHAR) AS venue,
       'vendor NBBO ' || coalesce(CAST(CAST(f.vendor_nbb AS DECIMAL(18, 4)) AS VARCHAR), '-') || ' x '
         || coalesce(CAST(CAST(f.vendor_nbo AS DECIMAL(18, 4)) AS VARCHAR), '-') || ' vs firm NBBO '
         || CAST(CAST(f.nbb AS DECIMAL(18, 4)) AS VARCHAR) || ' x ' || CAST(CAST(f.nbo AS DECIMAL(18, 4)) AS VARCHAR)
         || ' at receipt (' || CASE WHEN f.bid_off AND f.ask_off THEN 'bid and offer' WHEN f.bid_off THEN 'bid' ELSE 'offer' END
         || ' off by more than a tick)' AS detail,
       CASE WHEN f.bid_worse THEN f.bid_diff ELSE f.ask_diff END AS value,
       CASE WHEN f.bid_worse THEN f.bid_tick ELSE f.ask_tick END AS threshold
FROM flagged f CROSS JOIN params p
WHERE f.bid_off OR f.ask_off
ORDER BY f.source, f.order_id
