-- Daily exception `outside_nbbo` (docs/exceptions.md): an execution of a covered order (marketable
-- at receipt: MKT, or LMT at or through the usable NBBO) priced more than nbbo_tolerance outside the
-- NBBO in effect at exec_ts: a buy above the NBO or a sell below the NBB, a possible trade-through.
-- An execution whose NBBO at exec_ts is unusable (missing, stale, crossed or locked) is not judged.
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract; value = USD per share outside the NBBO, threshold = tolerance.
-- Reads execution_figures (sql/enrich): the order's category at receipt, the NBBO in effect at
-- exec_ts and its status, and outside_nbbo_amount are the figures layer's.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
judged AS (
  SELECT x.source, x.exec_id, x.order_id, x.symbol, x.venue, x.price, x.qty, x.side_sign, x.nbb_exec AS nbb, x.nbo_exec AS nbo,
         x.outside_nbbo_amount AS outside
  FROM execution_figures x CROSS JOIN params p
  WHERE x.trade_date = p.trade_date AND x.order_category IN ('market', 'marketable_limit') AND x.exec_quote_status = 'ok'
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, j.source, 'outside_nbbo' AS kind, 'high' AS severity, j.order_id, j.exec_id,
       j.symbol, j.venue,
       CASE WHEN j.side_sign = 1 THEN 'buy' ELSE 'sell' END || ' of ' || CAST(j.qty AS VARCHAR) || ' at '
         || CAST(CAST(j.price AS DECIMAL(18, 4)) AS VARCHAR)
         || CASE
              WHEN j.side_sign = 1 THEN ' above the NBO ' || CAST(CAST(j.nbo AS DECIMAL(18, 4)) AS VARCHAR)
              ELSE ' below the NBB ' || CAST(CAST(j.nbb AS DECIMAL(18, 4)) AS VARCHAR)
            END
         || ' at execution (NBBO ' || CAST(CAST(j.nbb AS DECIMAL(18, 4)) AS VARCHAR) || ' x ' || CAST(CAST(j.nbo AS DECIMAL(18, 4)) AS VARCHAR) || ')' AS detail,
       j.outside AS value, p.nbbo_tolerance AS threshold
FROM judged j CROSS JOIN params p
-- Prices are decimals rounded to 6 places; the epsilon keeps binary noise from creating a breach.
WHERE j.outside > p.nbbo_tolerance + 1e-9
ORDER BY j.source, j.exec_id
