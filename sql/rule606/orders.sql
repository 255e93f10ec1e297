-- Rule 606(a)(1) order counts (docs/regulatory.md): orders received in the period, per calendar
-- month, S&P 500 section, Rule 606 order type (metrics.md order categories: market,
-- marketable_limit, non_marketable_limit, other) and directed flag. lambdas/core/regulatory/rule606.ts
-- turns them into ndoPct (non-directed share of all orders) and the per-type percentages of
-- non-directed orders. All sources (SOR vendors) together: the report is the firm's.
--   S&P 500 section: the symbol is on reference list 'SP500' with effective_from on or before the
--   first day of the month. Order type: tif OPG/CLS → other; MKT → market; LMT → marketable
--   when at or through the NBBO in effect at receipt, else non-marketable; LMT with no usable
--   NBBO (missing, older than max_quote_age_s, crossed or locked) cannot be classified → other.
--
-- Parameters (the review's list, in this order):
--   1 period           VARCHAR  '2026Q3' (a quarter; a month label also works)
--   2 start_date       DATE     first trade date of the period
--   3 end_date         DATE     first trade date after the period
--   4 max_quote_age_s  DOUBLE   bound for a uniform list; the figures applied it when computed
-- Output: year, mon, sp500 ('Y'/'N'), order_type, directed ('Y'/'N'), orders, shares.
-- The order type comes from order_figures (sql/enrich), whose NBBO status already applies the
-- configured max_quote_age_s.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
sp500 AS (
  SELECT symbol, min(effective_from) AS since FROM reference WHERE list = 'SP500' GROUP BY symbol
),
classified AS (
  SELECT o.trade_date, o.qty, o.order_category, coalesce(o.directed, 'N') AS directed,
         CASE WHEN s.since IS NOT NULL AND s.since <= date_trunc('month', o.trade_date) THEN 'Y' ELSE 'N' END AS sp500
  FROM order_figures o
  CROSS JOIN params p
  LEFT JOIN sp500 s ON s.symbol = o.symbol
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
)
SELECT year(trade_date) AS year, month(trade_date) AS mon, sp500, order_category AS order_type, directed,
       count(*) AS orders, sum(qty) AS shares
FROM classified
GROUP BY year(trade_date), month(trade_date), sp500, order_category, directed
ORDER BY 1, 2, 3 DESC, 4, 5
