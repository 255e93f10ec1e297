-- Industry benchmark of the findings (docs/review.md, "Benchmarks with provenance"): other market
-- centers' Rule 605(a)(2) summary rows (table public_605, dataset rule605) for the months of the
-- review period, with the SEC's field names, the market center and the file each came from.
-- Parameters (the review's list, in this order): period, start_date, end_date, max_quote_age_s;
-- only the dates are used.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
)
SELECT
  r.source,
  r.source_key,
  r.DsgntParticipant,
  r.RprtEntityCd,
  r.RptDate,
  r.Sp500,
  r.OrderSize,
  r.OrderType,
  r.PctExctdAtQuotOrBetter,
  r.WghtdAvgPctPI,
  r.AvgEFQPct,
  r.WghtdAvgExctnTime
FROM public_605 AS r
CROSS JOIN params AS p
WHERE
  CAST(r.RptDate AS INTEGER) >= year(p.start_date) * 100 + month(p.start_date)
  AND CAST(r.RptDate AS INTEGER) < year(p.end_date) * 100 + month(p.end_date)
ORDER BY r.RprtEntityCd, r.RptDate, r.Sp500, r.OrderType, r.OrderSize
