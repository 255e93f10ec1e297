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
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
dorders AS (
  SELECT o.source, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.received_ts
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date = p.trade_date
),
dexecs AS (
  SELECT e.source, e.exec_id, e.order_id, e.venue, e.exec_ts, e.price, e.qty, o.symbol
  FROM executions e CROSS JOIN params p
  JOIN dorders o ON o.source = e.source AND o.order_id = e.order_id
  WHERE e.trade_date = p.trade_date
),
-- One as-of pass answers both lookups: receipts of limit orders (marketability) and executions.
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS probe, CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS order_id, CAST(NULL AS VARCHAR) AS exec_id
  FROM quotes q CROSS JOIN params p
  WHERE q.trade_date = p.trade_date AND q.symbol IN (SELECT DISTINCT symbol FROM dexecs)
  UNION ALL
  SELECT symbol, received_ts, 1, NULL, NULL, NULL, NULL, 'receipt', source, order_id, NULL FROM dorders WHERE order_type = 'LMT'
  UNION ALL
  SELECT symbol, exec_ts, 1, NULL, NULL, NULL, NULL, 'exec', source, order_id, exec_id FROM dexecs
),
grouped AS (
  SELECT e.*, count(e.bid) OVER (PARTITION BY e.symbol ORDER BY e.ts, e.tie, e.source_key, e.source_line ROWS UNBOUNDED PRECEDING) AS grp
  FROM events e
),
filled AS (
  SELECT g.probe, g.source, g.order_id, g.exec_id, g.ts,
         max(g.bid) OVER (PARTITION BY g.symbol, g.grp) AS nbb,
         max(g.ask) OVER (PARTITION BY g.symbol, g.grp) AS nbo,
         max(CASE WHEN g.tie = 0 THEN g.ts END) OVER (PARTITION BY g.symbol, g.grp) AS quote_ts
  FROM grouped g
),
usable AS (
  SELECT f.*
  FROM filled f CROSS JOIN params p
  WHERE f.probe IS NOT NULL AND f.nbb IS NOT NULL AND f.nbb < f.nbo AND round((to_unixtime(f.ts) - to_unixtime(f.quote_ts)) * 1e6) <= p.max_quote_age_s * 1e6
),
covered AS (
  SELECT o.source, o.order_id, o.side, o.order_type
  FROM dorders o
  LEFT JOIN usable n ON n.probe = 'receipt' AND n.source = o.source AND n.order_id = o.order_id
  WHERE o.tif NOT IN ('OPG', 'CLS')
    AND (
      o.order_type = 'MKT'
      OR (n.nbb IS NOT NULL AND ((o.side = 'B' AND o.limit_price >= n.nbo) OR (o.side <> 'B' AND o.limit_price <= n.nbb)))
    )
),
judged AS (
  SELECT e.source, e.exec_id, e.order_id, e.symbol, e.venue, e.price, e.qty, c.side, n.nbb, n.nbo,
         CASE WHEN c.side = 'B' THEN e.price - n.nbo ELSE n.nbb - e.price END AS outside
  FROM dexecs e
  JOIN covered c ON c.source = e.source AND c.order_id = e.order_id
  JOIN usable n ON n.probe = 'exec' AND n.source = e.source AND n.exec_id = e.exec_id
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, j.source, 'outside_nbbo' AS kind, 'high' AS severity, j.order_id, j.exec_id,
       j.symbol, j.venue,
       CASE WHEN j.side = 'B' THEN 'buy' ELSE 'sell' END || ' of ' || CAST(j.qty AS VARCHAR) || ' at '
         || CAST(CAST(j.price AS DECIMAL(18, 4)) AS VARCHAR)
         || CASE
              WHEN j.side = 'B' THEN ' above the NBO ' || CAST(CAST(j.nbo AS DECIMAL(18, 4)) AS VARCHAR)
              ELSE ' below the NBB ' || CAST(CAST(j.nbb AS DECIMAL(18, 4)) AS VARCHAR)
            END
         || ' at execution (NBBO ' || CAST(CAST(j.nbb AS DECIMAL(18, 4)) AS VARCHAR) || ' x ' || CAST(CAST(j.nbo AS DECIMAL(18, 4)) AS VARCHAR) || ')' AS detail,
       j.outside AS value, p.nbbo_tolerance AS threshold
FROM judged j CROSS JOIN params p
-- Prices are decimals rounded to 6 places; the epsilon keeps binary noise from creating a breach.
WHERE j.outside > p.nbbo_tolerance + 1e-9
ORDER BY j.source, j.exec_id
