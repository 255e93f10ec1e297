-- Order cells of the findings (docs/review.md, "Unit of inference"): the sums over the orders of one
-- source × trading day × symbol × order category × size bucket that every ratio rule needs, so the
-- Evaluate step computes each figure and its cluster-robust error (by day and symbol) exactly as
-- from the orders themselves, without carrying one row per order out of Athena.
-- Directed orders stay out (routing quality is the router's, not the customer's choice), and so do
-- orders received outside regular hours. Price figures count covered orders only (order_figures
-- sets them only then); fill-rate and routing figures count every order of the category.
-- Parameters (the review's list, in this order): period, start_date, end_date, max_quote_age_s;
-- only the dates are used.
-- Output: one row per cell, sums named as lambdas/shared/config.ts ORDER_CELL_SUMS.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
o AS (
  SELECT
    f.*,
    f.covered AND f.price_improvement IS NOT NULL AND f.shares_executed > 0 AS priced
  FROM order_figures AS f
  CROSS JOIN params AS p
  WHERE f.trade_date >= p.start_date AND f.trade_date < p.end_date AND f.directed <> 'Y' AND f.regular_hours
)
SELECT
  o.source,
  CAST(o.trade_date AS VARCHAR) AS trade_date,
  o.symbol,
  o.order_category,
  coalesce(o.size_bucket, 'none') AS size_bucket,
  coalesce(o.sp500, 'N') AS sp500,
  count(*) AS orders,
  sum(o.qty) AS shares,
  count_if(o.covered) AS covered_orders,
  sum(CASE WHEN o.priced THEN o.shares_executed ELSE 0 END) AS covered_shares,
  sum(CASE WHEN o.priced THEN o.price_improvement * o.shares_executed ELSE 0 END) AS pi_amount,
  sum(CASE WHEN o.priced AND o.effective_spread IS NOT NULL THEN o.effective_spread * o.shares_executed ELSE 0 END) AS es_amount,
  sum(CASE WHEN o.priced AND o.quoted_spread IS NOT NULL THEN o.quoted_spread * o.shares_executed ELSE 0 END) AS qs_amount,
  sum(CASE WHEN o.priced AND o.mid IS NOT NULL THEN o.mid * o.shares_executed ELSE 0 END) AS mid_amount,
  sum(CASE WHEN o.priced THEN coalesce(o.outside_amount, 0) ELSE 0 END) AS outside_amount,
  sum(CASE WHEN o.priced THEN coalesce(o.shares_outside_quote, 0) ELSE 0 END) AS shares_outside_quote,
  count_if(o.filled) AS filled_orders,
  sum(coalesce(o.unfilled_shares, 0)) AS unfilled_shares,
  count_if(o.quoted_spread IS NOT NULL) AS quoted_orders,
  sum(CASE WHEN o.quoted_spread IS NOT NULL THEN o.qty ELSE 0 END) AS quoted_shares,
  sum(CASE WHEN o.quoted_spread IS NOT NULL THEN o.qty * o.quoted_spread ELSE 0 END) AS qs_qty_amount,
  sum(CASE WHEN o.covered AND o.first_fill_ms >= 0 THEN o.first_fill_ms ELSE 0 END) AS fill_ms_sum,
  count_if(o.covered AND o.first_fill_ms >= 0) AS fill_ms_n,
  sum(coalesce(o.routed_shares, 0)) AS routed_shares,
  sum(coalesce(o.pfof_routed_shares, 0)) AS pfof_routed_shares
FROM o
GROUP BY o.source, o.trade_date, o.symbol, o.order_category, coalesce(o.size_bucket, 'none'), coalesce(o.sp500, 'N')
ORDER BY o.source, trade_date, o.symbol, o.order_category, size_bucket
