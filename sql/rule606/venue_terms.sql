-- Rule 606(a)(1) venue facts (docs/regulatory.md): each source's venues record in force at the
-- end of the period (latest effective_from before end_date), for the venue names in the report
-- and the factual part of the "material aspects" discussion (venue type, payment for order flow,
-- fees and rebates per share, as the vendor declared them).
--
-- Parameters (the review's list, in this order):
--   1 period           VARCHAR  '2026Q3'
--   2 start_date       DATE     first trade date of the period
--   3 end_date         DATE     first trade date after the period
--   4 max_quote_age_s  DOUBLE   unused here; bound so every rule606 file takes the same list
-- Output: source, venue, name, venue_type, approved, pfof_per_share, fee_per_share,
-- rebate_per_share, effective_from.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
ranked AS (
  SELECT v.source, v.venue, v.name, v.venue_type, v.approved, v.pfof_per_share, v.fee_per_share, v.rebate_per_share, v.effective_from,
         row_number() OVER (PARTITION BY v.source, v.venue ORDER BY v.effective_from DESC, v.source_key DESC, v.source_line DESC) AS rn
  FROM venues v CROSS JOIN params p
  WHERE v.effective_from < p.end_date
)
SELECT source, venue, name, venue_type, approved, coalesce(pfof_per_share, 0) AS pfof_per_share, coalesce(fee_per_share, 0) AS fee_per_share,
       coalesce(rebate_per_share, 0) AS rebate_per_share, CAST(effective_from AS VARCHAR) AS effective_from
FROM ranked
WHERE rn = 1
ORDER BY venue, source
