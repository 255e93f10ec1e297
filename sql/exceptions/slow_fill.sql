-- Daily exception `slow_fill` (docs/exceptions.md): a marketable order of the trade date whose
-- first fill came later than max(slow_fill_ms, p99 of the same source's first-fill times over its
-- 20 previous trade dates). Only marketable orders (MKT, or LMT at or through the usable NBBO at
-- receipt, metrics.md) are judged: a resting limit order is expected to wait.
--
-- Parameters: every file in sql/exceptions binds the same list, in this order, so the daily
-- state machine can run them all in one Map with one ExecutionParameters array.
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract (trade_date, source, kind, severity, order_id, exec_id,
-- symbol, venue, detail, value, threshold); severity is the kind's default, which configuration
-- may override.
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
-- Each source's 20 most recent trade dates with orders before the day (45 calendar days cover
-- weekends and holidays), then the day itself.
history AS (
  SELECT source, trade_date
  FROM (
    SELECT d.source, d.trade_date, row_number() OVER (PARTITION BY d.source ORDER BY d.trade_date DESC) AS back
    FROM (
      SELECT DISTINCT o.source, o.trade_date
      FROM orders o CROSS JOIN params p
      WHERE o.trade_date < p.trade_date AND o.trade_date >= p.trade_date - INTERVAL '45' DAY
    ) d
  ) r
  WHERE back <= 20
),
scope AS (
  SELECT source, trade_date, false AS is_day FROM history
  UNION ALL
  SELECT DISTINCT o.source, o.trade_date, true AS is_day FROM orders o CROSS JOIN params p WHERE o.trade_date = p.trade_date
),
sorders AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.received_ts, s.is_day
  FROM orders o JOIN scope s ON s.source = o.source AND s.trade_date = o.trade_date
),
-- NBBO in effect at receipt, portable as-of: quotes and probes in one ordered stream per symbol
-- (a quote at the same instant precedes the probe; equal quote times keep file order).
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS source, CAST(NULL AS DATE) AS trade_date, CAST(NULL AS VARCHAR) AS order_id
  FROM quotes q
  WHERE q.trade_date IN (SELECT DISTINCT trade_date FROM scope)
    AND q.symbol IN (SELECT DISTINCT symbol FROM sorders WHERE order_type = 'LMT')
  UNION ALL
  SELECT symbol, received_ts, 1, NULL, NULL, NULL, NULL, source, trade_date, order_id
  FROM sorders
  WHERE order_type = 'LMT'
),
grouped AS (
  SELECT e.*, count(e.bid) OVER (PARTITION BY e.symbol ORDER BY e.ts, e.tie, e.source_key, e.source_line ROWS UNBOUNDED PRECEDING) AS grp
  FROM events e
),
filled AS (
  SELECT g.source, g.trade_date, g.order_id, g.tie, g.ts,
         max(g.bid) OVER (PARTITION BY g.symbol, g.grp) AS nbb,
         max(g.ask) OVER (PARTITION BY g.symbol, g.grp) AS nbo,
         max(CASE WHEN g.tie = 0 THEN g.ts END) OVER (PARTITION BY g.symbol, g.grp) AS quote_ts
  FROM grouped g
),
at_receipt AS (
  SELECT source, trade_date, order_id, nbb, nbo, quote_ts FROM filled WHERE tie = 1
),
marketable AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.order_type, o.received_ts, o.is_day
  FROM sorders o
  LEFT JOIN at_receipt n ON n.source = o.source AND n.trade_date = o.trade_date AND n.order_id = o.order_id
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
fills AS (
  SELECT e.source, e.trade_date, e.order_id, min(e.exec_ts) AS first_exec_ts, min_by(e.venue, e.exec_ts) AS first_venue
  FROM executions e JOIN scope s ON s.source = e.source AND s.trade_date = e.trade_date
  GROUP BY e.source, e.trade_date, e.order_id
),
timed AS (
  SELECT m.source, m.order_id, m.symbol, m.order_type, m.is_day, f.first_venue,
         round((to_unixtime(f.first_exec_ts) - to_unixtime(m.received_ts)) * 1e6) / 1e3 AS first_fill_ms
  FROM marketable m
  JOIN fills f ON f.source = m.source AND f.trade_date = m.trade_date AND f.order_id = m.order_id
),
-- A fill before receipt is bad data (counted by the metrics as negative_exec_time), not speed.
baseline AS (
  SELECT source, approx_percentile(first_fill_ms, 0.99) AS p99, count(*) AS n
  FROM timed
  WHERE NOT is_day AND first_fill_ms >= 0
  GROUP BY source
),
judged AS (
  SELECT t.*, b.p99, coalesce(b.n, 0) AS n_history, greatest(p.slow_fill_ms, coalesce(b.p99, p.slow_fill_ms)) AS limit_ms
  FROM timed t CROSS JOIN params p LEFT JOIN baseline b ON b.source = t.source
  WHERE t.is_day
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, j.source, 'slow_fill' AS kind, 'medium' AS severity, j.order_id,
       CAST(NULL AS VARCHAR) AS exec_id, j.symbol, j.first_venue AS venue,
       CASE WHEN j.order_type = 'MKT' THEN 'market' ELSE 'marketable limit' END || ' order first filled '
         || CAST(CAST(round(j.first_fill_ms) AS BIGINT) AS VARCHAR) || ' ms after receipt; limit '
         || CAST(CAST(round(j.limit_ms) AS BIGINT) AS VARCHAR) || ' ms = max(floor '
         || CAST(CAST(round(p.slow_fill_ms) AS BIGINT) AS VARCHAR) || ' ms, p99 '
         || coalesce(CAST(CAST(round(j.p99) AS BIGINT) AS VARCHAR) || ' ms', 'n/a') || ' of '
         || CAST(j.n_history AS VARCHAR) || ' fills on the previous 20 trade dates)' AS detail,
       j.first_fill_ms AS value, j.limit_ms AS threshold
FROM judged j CROSS JOIN params p
WHERE j.first_fill_ms > j.limit_ms
ORDER BY j.source, j.order_id
