-- Annual due-diligence refresh (docs/exceptions.md): for every source with a venues record or
-- with orders in the 31 days to the trade date, its latest due-diligence record (max
-- effective_from on or before the trade date) and whether that record is stale (effective before
-- venue_stale_before, i.e. older than the configured age) or missing altogether. Not an exception
-- row: lambdas/core/regulatory/due-diligence.ts turns the stale rows into a reminder notice.
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the as-of date ('YYYY-MM-DD')
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: as_of, source, latest_effective_from, age_days, venues, approved_venues,
-- active ('Y' = orders in the last 31 days), stale ('Y'/'N'), stale_before.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
records AS (
  SELECT v.source, v.venue, v.approved, v.effective_from
  FROM venues v CROSS JOIN params p
  WHERE v.effective_from <= p.trade_date
),
in_force AS (
  SELECT source, venue, approved
  FROM (
    SELECT r.*, row_number() OVER (PARTITION BY r.source, r.venue ORDER BY r.effective_from DESC, r.approved) AS rn FROM records r
  ) x
  WHERE rn = 1
),
latest AS (
  SELECT r.source, max(r.effective_from) AS latest_effective_from FROM records r GROUP BY r.source
),
lists AS (
  SELECT source, count(*) AS venues, count_if(approved = 'Y') AS approved_venues FROM in_force GROUP BY source
),
active AS (
  SELECT DISTINCT o.source
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date <= p.trade_date AND o.trade_date >= p.trade_date - INTERVAL '31' DAY
),
sources AS (
  SELECT source FROM latest
  UNION
  SELECT source FROM active
)
SELECT CAST(p.trade_date AS VARCHAR) AS as_of, s.source, CAST(l.latest_effective_from AS VARCHAR) AS latest_effective_from,
       date_diff('day', l.latest_effective_from, p.trade_date) AS age_days,
       coalesce(n.venues, 0) AS venues, coalesce(n.approved_venues, 0) AS approved_venues,
       CASE WHEN a.source IS NULL THEN 'N' ELSE 'Y' END AS active,
       CASE WHEN l.latest_effective_from IS NULL OR l.latest_effective_from < p.venue_stale_before THEN 'Y' ELSE 'N' END AS stale,
       CAST(p.venue_stale_before AS VARCHAR) AS stale_before
FROM sources s
CROSS JOIN params p
LEFT JOIN latest l ON l.source = s.source
LEFT JOIN lists n ON n.source = s.source
LEFT JOIN active a ON a.source = s.source
ORDER BY s.source
