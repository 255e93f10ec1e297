-- Daily exception `unapproved_venue` (docs/exceptions.md): an execution of the trade date at a
-- venue that the source's due-diligence record (`venues`) does not approve as of that date, or
-- that is not on the source's list at all. The record in force for a venue is its latest one
-- with effective_from on or before the trade date (a record can change one venue at a time).
--
-- Parameters (the list every file in sql/exceptions binds, in this order):
--   1 trade_date          DATE    the trade date checked ('YYYY-MM-DD', America/New_York)
--   2 slow_fill_ms        DOUBLE  floor of the slow-fill threshold, milliseconds
--   3 nbbo_tolerance      DOUBLE  USD per share beyond the NBBO before outside_nbbo fires
--   4 unfilled_timeout_s  DOUBLE  seconds a marketable order may stay unfilled and uncanceled
--   5 max_quote_age_s     DOUBLE  an NBBO older than this at the lookup time is stale (unusable)
--   6 venue_stale_before  DATE    venue due-diligence records effective before this are stale
-- Output: the exception row contract; value = shares executed, threshold NULL.
WITH params AS (
  SELECT CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS slow_fill_ms, CAST(? AS DOUBLE) AS nbbo_tolerance,
         CAST(? AS DOUBLE) AS unfilled_timeout_s, CAST(? AS DOUBLE) AS max_quote_age_s, CAST(? AS DATE) AS venue_stale_before
),
in_force AS (
  SELECT source, venue, approved, effective_from
  FROM (
    SELECT v.source, v.venue, v.approved, v.effective_from,
           row_number() OVER (PARTITION BY v.source, v.venue ORDER BY v.effective_from DESC, v.source_key DESC, v.source_line DESC) AS rn
    FROM venues v CROSS JOIN params p
    WHERE v.effective_from <= p.trade_date
  ) r
  WHERE rn = 1
),
dorders AS (
  SELECT o.source, o.order_id, o.symbol FROM orders o CROSS JOIN params p WHERE o.trade_date = p.trade_date
)
SELECT CAST(p.trade_date AS VARCHAR) AS trade_date, e.source, 'unapproved_venue' AS kind, 'high' AS severity, e.order_id, e.exec_id,
       o.symbol, e.venue,
       CASE
         WHEN v.venue IS NULL THEN 'venue ' || e.venue || ' is not on the source''s venue list'
         ELSE 'venue ' || e.venue || ' is not approved (record effective ' || CAST(v.effective_from AS VARCHAR) || ')'
       END || '; ' || CAST(e.qty AS VARCHAR) || ' shares executed' AS detail,
       CAST(e.qty AS DOUBLE) AS value, CAST(NULL AS DOUBLE) AS threshold
FROM executions e
CROSS JOIN params p
LEFT JOIN in_force v ON v.source = e.source AND v.venue = e.venue
LEFT JOIN dorders o ON o.source = e.source AND o.order_id = e.order_id
WHERE e.trade_date = p.trade_date AND (v.venue IS NULL OR v.approved <> 'Y')
ORDER BY e.source, e.exec_id
