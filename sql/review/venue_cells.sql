-- Venue cells of the findings (docs/review.md, "PFOF against non-PFOF venues in matched cells"):
-- executions of covered orders summed per source × trading day × symbol × size bucket ×
-- half-hour of receipt × venue × whether the execution was paid for: the venue pays for order flow,
-- or this fill earned a rebate or fee credit (negative fee; Regulatory Notice 21-23 counts those as
-- payments too). Judged per fill: an exchange that rebates added liquidity does not pay for the
-- marketable orders it charges. The Evaluate step matches
-- symbol × size × half-hour cells where a router used both kinds of venue, and bootstraps over days.
-- The half-hour is taken on UTC time of day: within one trading day it is the same half-hour of
-- the New York session, and an order is only ever compared with the same router's orders of the
-- same cell, so the one-hour shift across a daylight-saving change moves a cell, not a comparison.
-- Every execution counts for venue concentration (shares); price figures count covered ones.
-- Parameters (the review's list, in this order): period, start_date, end_date, max_quote_age_s;
-- only the dates are used.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
e AS (
  SELECT
    x.*,
    CAST(floor((x.received_us % 86400000000) / 1800000000.0) AS INTEGER) AS tod_bucket,
    coalesce(x.pfof_venue, false) OR coalesce(x.pfof_per_share, 0) > 0 OR coalesce(x.fee_per_share_paid, 0) < 0 AS paying
  FROM execution_figures AS x
  CROSS JOIN params AS p
  WHERE x.trade_date >= p.start_date AND x.trade_date < p.end_date AND x.directed <> 'Y' AND x.regular_hours
)
SELECT
  e.source,
  CAST(e.trade_date AS VARCHAR) AS trade_date,
  e.symbol,
  coalesce(e.size_bucket, 'none') AS size_bucket,
  CAST(e.tod_bucket AS VARCHAR) AS tod_bucket,
  e.venue,
  CASE WHEN e.paying THEN 'Y' ELSE 'N' END AS pfof_venue,
  sum(e.qty) AS shares,
  sum(CASE WHEN e.covered AND e.price_improvement IS NOT NULL THEN e.qty ELSE 0 END) AS covered_shares,
  sum(CASE WHEN e.covered AND e.price_improvement IS NOT NULL THEN e.price_improvement * e.qty ELSE 0 END) AS pi_amount
FROM e
GROUP BY e.source, e.trade_date, e.symbol, coalesce(e.size_bucket, 'none'), e.tod_bucket, e.venue, e.paying
ORDER BY e.source, trade_date, e.symbol, size_bucket, tod_bucket, e.venue, pfof_venue
