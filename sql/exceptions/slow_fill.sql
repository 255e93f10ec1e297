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
-- Reads the figures tables (sql/enrich) of the day and of its 20 previous trade dates: category at
-- receipt and the exact first-fill time (epoch microseconds) are the figures layer's.
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
      FROM order_figures o CROSS JOIN params p
      WHERE o.trade_date < p.trade_date AND o.trade_date >= p.trade_date - INTERVAL '45' DAY
    ) d
  ) r
  WHERE back <= 20
),
scope AS (
  SELECT source, trade_date, false AS is_day FROM history
  UNION ALL
  SELECT DISTINCT o.source, o.trade_date, true AS is_day FROM order_figures o CROSS JOIN params p WHERE o.trade_date = p.trade_date
),
first_venues AS (
  SELECT x.source, x.trade_date, x.order_id, min_by(x.venue, x.exec_us) AS first_venue
  FROM execution_figures x JOIN scope s ON s.source = x.source AND s.trade_date = x.trade_date
  WHERE x.exclusion_reason IS DISTINCT FROM 'orphan_execution'
  GROUP BY x.source, x.trade_date, x.order_id
),
timed AS (
  SELECT o.source, o.order_id, o.symbol, o.order_type, s.is_day, f.first_venue, o.first_fill_ms
  FROM order_figures o
  JOIN scope s ON s.source = o.source AND s.trade_date = o.trade_date
  LEFT JOIN first_venues f ON f.source = o.source AND f.trade_date = o.trade_date AND f.order_id = o.order_id
  WHERE o.order_category IN ('market', 'marketable_limit') AND o.first_fill_ms IS NOT NULL
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
