-- The vendors' self-reported statistics for the review period, reconciled by the Evaluate step
-- against the firm's own review_metrics (docs/review.md, "Vendor reconciliation").
-- Like with like: the firm's figure of the same name has the scope metrics.md gives it (exec
-- time, price improvement and spreads over covered orders only, in the all-orders row too), and
-- the vendor's order type is read as the firm's order category, so 'MKT', 'Market' and 'market'
-- meet the same row and 'ALL' or 'all' the '*' row. An order type not recognised stays as sent
-- (trimmed), and the reconciliation says the firm has no such row rather than comparing
-- something else.
-- Parameters: the review's four, in order (period, start_date, end_date, max_quote_age_s);
-- only the period is used, the others are bound so that every review query takes the same list.
WITH params AS (
  SELECT
    CAST(? AS VARCHAR) AS period,
    CAST(? AS DATE) AS start_date,
    CAST(? AS DATE) AS end_date,
    CAST(? AS DOUBLE) AS max_quote_age_s
),
vendor_rows AS (
  SELECT v.source, v.period, trim(v.symbol) AS symbol, lower(trim(v.order_type)) AS order_type_text,
         trim(v.order_type) AS order_type_sent, lower(trim(v.metric)) AS metric, v.value
  FROM vendor_metrics AS v
  CROSS JOIN params AS p
  WHERE v.period = p.period
)
SELECT
  source,
  period,
  symbol,
  CASE
    WHEN order_type_text IN ('*', 'all', 'any') THEN '*'
    WHEN order_type_text IN ('market', 'mkt', 'm') THEN 'market'
    WHEN order_type_text IN ('marketable_limit', 'marketable limit', 'ml') THEN 'marketable_limit'
    WHEN order_type_text IN ('non_marketable_limit', 'non-marketable limit', 'non marketable limit', 'nml') THEN 'non_marketable_limit'
    WHEN order_type_text = 'other' THEN 'other'
    ELSE order_type_sent
  END AS order_type,
  metric,
  value
FROM vendor_rows
ORDER BY source, metric, symbol, order_type
