-- Rule 606(a)(1) routing per venue (docs/regulatory.md): for non-directed orders received in the
-- period, per calendar month, S&P 500 section, Rule 606 order type and venue: the orders routed
-- there (an order counts once per venue however many child orders went there), the shares
-- routed, and the net payment: payment for order flow received (pfof_per_share × shares routed)
-- plus rebates received minus fees paid on its executions there. Positive = received by the
-- firm, negative = paid. lambdas/core/regulatory/rule606.ts turns them into the per-venue percentages
-- and cents per hundred shares routed.
--   Routing legs are the order's routes; an order with no route at all is taken as routed where
--   it executed (its executions are the legs). A leg's venue terms are the source's latest
--   venues record for that venue effective on or before the leg's trade date (none → 0).
--   An execution's fee is executions.fee when given (negative = rebate received); otherwise the
--   venue record's rebate_per_share for liquidity 'A' (added) and fee_per_share for anything
--   else (removed, auction or unknown: the conservative reading).
--   Sections and order types as in sql/rule606/orders.sql.
--
-- Parameters (the review's list, in this order):
--   1 period           VARCHAR  '2026Q3' (a quarter; a month label also works)
--   2 start_date       DATE     first trade date of the period
--   3 end_date         DATE     first trade date after the period
--   4 max_quote_age_s  DOUBLE   bound for a uniform list; the figures applied it when computed
-- Output: year, mon, sp500, order_type, venue, orders_routed, shares_routed, pfof_usd,
-- rebate_usd, fee_usd, net_usd, executed_shares.
-- Money is summed as DECIMAL(38, 6) (every amount has at most 6 places: the lake rounds prices
-- and per-share rates to 6): an exact sum does not depend on summation order, so the same data
-- rounds to the same cent on every run and on both engines.
-- The order type comes from order_figures (sql/enrich), whose NBBO status already applies the
-- configured max_quote_age_s.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
sp500 AS (
  SELECT symbol, min(effective_from) AS since FROM reference WHERE list = 'SP500' GROUP BY symbol
),
classified AS (
  SELECT o.source, o.trade_date, o.order_id, o.order_category,
         CASE WHEN s.since IS NOT NULL AND s.since <= date_trunc('month', o.trade_date) THEN 'Y' ELSE 'N' END AS sp500
  FROM order_figures o
  CROSS JOIN params p
  LEFT JOIN sp500 s ON s.symbol = o.symbol
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date AND coalesce(o.directed, 'N') = 'N'
),
rts AS (
  SELECT r.source, r.trade_date, r.order_id, r.venue, r.qty
  FROM routes r CROSS JOIN params p
  WHERE r.trade_date >= p.start_date AND r.trade_date < p.end_date
),
exs AS (
  SELECT e.source, e.trade_date, e.order_id, e.venue, e.qty, e.fee, e.liquidity
  FROM executions e CROSS JOIN params p
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
),
routed_orders AS (
  SELECT DISTINCT source, trade_date, order_id FROM rts
),
legs AS (
  SELECT source, trade_date, order_id, venue, qty FROM rts
  UNION ALL
  SELECT e.source, e.trade_date, e.order_id, e.venue, e.qty
  FROM exs e
  LEFT JOIN routed_orders r ON r.source = e.source AND r.trade_date = e.trade_date AND r.order_id = e.order_id
  WHERE r.order_id IS NULL
),
venue_days AS (
  SELECT source, trade_date, venue FROM legs
  UNION
  SELECT source, trade_date, venue FROM exs
),
terms AS (
  SELECT d.source, d.trade_date, d.venue,
         coalesce(max_by(v.pfof_per_share, v.effective_from), 0) AS pfof_per_share,
         coalesce(max_by(v.fee_per_share, v.effective_from), 0) AS fee_per_share,
         coalesce(max_by(v.rebate_per_share, v.effective_from), 0) AS rebate_per_share
  FROM venue_days d
  LEFT JOIN venues v ON v.source = d.source AND v.venue = d.venue AND v.effective_from <= d.trade_date
  GROUP BY d.source, d.trade_date, d.venue
),
routed AS (
  SELECT year(c.trade_date) AS year, month(c.trade_date) AS mon, c.sp500, c.order_category, l.venue,
         count(DISTINCT c.source || '|' || CAST(c.trade_date AS VARCHAR) || '|' || c.order_id) AS orders_routed,
         sum(l.qty) AS shares_routed,
         sum(CAST(CAST(l.qty AS DOUBLE) * t.pfof_per_share AS DECIMAL(38, 6))) AS pfof_usd
  FROM classified c
  JOIN legs l ON l.source = c.source AND l.trade_date = c.trade_date AND l.order_id = c.order_id
  JOIN terms t ON t.source = l.source AND t.trade_date = l.trade_date AND t.venue = l.venue
  GROUP BY year(c.trade_date), month(c.trade_date), c.sp500, c.order_category, l.venue
),
fills AS (
  SELECT year(c.trade_date) AS year, month(c.trade_date) AS mon, c.sp500, c.order_category, e.venue,
         sum(e.qty) AS executed_shares,
         sum(CAST(CASE
               WHEN e.fee IS NOT NULL THEN greatest(-e.fee, 0)
               WHEN e.liquidity = 'A' THEN CAST(e.qty AS DOUBLE) * t.rebate_per_share
               ELSE 0
             END AS DECIMAL(38, 6))) AS rebate_usd,
         sum(CAST(CASE
               WHEN e.fee IS NOT NULL THEN greatest(e.fee, 0)
               WHEN e.liquidity = 'A' THEN 0
               ELSE CAST(e.qty AS DOUBLE) * t.fee_per_share
             END AS DECIMAL(38, 6))) AS fee_usd
  FROM classified c
  JOIN exs e ON e.source = c.source AND e.trade_date = c.trade_date AND e.order_id = c.order_id
  JOIN terms t ON t.source = e.source AND t.trade_date = e.trade_date AND t.venue = e.venue
  GROUP BY year(c.trade_date), month(c.trade_date), c.sp500, c.order_category, e.venue
)
SELECT coalesce(r.year, f.year) AS year, coalesce(r.mon, f.mon) AS mon, coalesce(r.sp500, f.sp500) AS sp500,
       coalesce(r.order_category, f.order_category) AS order_type, coalesce(r.venue, f.venue) AS venue,
       coalesce(r.orders_routed, 0) AS orders_routed, coalesce(r.shares_routed, 0) AS shares_routed,
       CAST(coalesce(r.pfof_usd, 0) AS DOUBLE) AS pfof_usd, CAST(coalesce(f.rebate_usd, 0) AS DOUBLE) AS rebate_usd,
       CAST(coalesce(f.fee_usd, 0) AS DOUBLE) AS fee_usd,
       CAST(coalesce(r.pfof_usd, 0) + coalesce(f.rebate_usd, 0) - coalesce(f.fee_usd, 0) AS DOUBLE) AS net_usd,
       coalesce(f.executed_shares, 0) AS executed_shares
FROM routed r
FULL OUTER JOIN fills f ON f.year = r.year AND f.mon = r.mon AND f.sp500 = r.sp500 AND f.order_category = r.order_category AND f.venue = r.venue
ORDER BY 1, 2, 3 DESC, 4, 5
