-- First-fill time histograms of the findings (docs/review.md, "Quantiles"): covered orders' time
-- from receipt to first fill, counted per source × trading day × order category in bins of
-- 1 % on ln(1 + ms) (lambdas/core/review/findings.ts FILL_TIME_BIN_WIDTH), so the Evaluate step reads a
-- p95 to within 1 % and bootstraps it over trading days without one row per order.
-- Parameters (the review's list, in this order): period, start_date, end_date, max_quote_age_s;
-- only the dates are used.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
)
SELECT
  f.source,
  CAST(f.trade_date AS VARCHAR) AS trade_date,
  f.order_category,
  CAST(floor(ln(1 + f.first_fill_ms) / 0.01) AS INTEGER) AS bin,
  count(*) AS n
FROM order_figures AS f
CROSS JOIN params AS p
WHERE
  f.trade_date >= p.start_date AND f.trade_date < p.end_date AND f.directed <> 'Y' AND f.covered AND f.first_fill_ms >= 0
GROUP BY f.source, f.trade_date, f.order_category, CAST(floor(ln(1 + f.first_fill_ms) / 0.01) AS INTEGER)
ORDER BY f.source, trade_date, f.order_category, bin
