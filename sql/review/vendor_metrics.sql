-- The vendors' self-reported statistics for the review period, reconciled by the Evaluate step
-- against the firm's own review_metrics (docs/review.md, "Vendor reconciliation").
-- Parameters: the review's four, in order (period, start_date, end_date, max_quote_age_s);
-- only the period is used, the others are bound so that every review query takes the same list.
WITH params AS (
  SELECT
    CAST(? AS VARCHAR) AS period,
    CAST(? AS DATE) AS start_date,
    CAST(? AS DATE) AS end_date,
    CAST(? AS DOUBLE) AS max_quote_age_s
)
SELECT
  v.source,
  v.period,
  v.symbol,
  v.order_type,
  v.metric,
  v.value
FROM vendor_metrics AS v
CROSS JOIN params AS p
WHERE v.period = p.period
ORDER BY v.source, v.metric, v.symbol, v.order_type
