-- Rule 606(a)(1) order counts (docs/regulatory.md): orders received in the period, per calendar
-- month, S&P 500 section, Rule 606 order type (metrics.md order categories: market,
-- marketable_limit, non_marketable_limit, other) and directed flag. lambdas/regulatory/rule606.ts
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
--   4 max_quote_age_s  DOUBLE   an NBBO older than this at receipt is stale (unusable)
-- Output: year, mon, sp500 ('Y'/'N'), order_type, directed ('Y'/'N'), orders, shares.
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
base AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.qty, o.received_ts,
         coalesce(o.directed, 'N') AS directed
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
),
sp500 AS (
  SELECT symbol, min(effective_from) AS since FROM reference WHERE list = 'SP500' GROUP BY symbol
),
-- NBBO in effect at receipt of each limit order, portable as-of (a quote at the same instant
-- precedes the order; equal quote times keep file order).
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS source, CAST(NULL AS DATE) AS trade_date, CAST(NULL AS VARCHAR) AS order_id
  FROM quotes q CROSS JOIN params p
  WHERE q.trade_date >= p.start_date AND q.trade_date < p.end_date
    AND q.symbol IN (SELECT DISTINCT symbol FROM base WHERE order_type = 'LMT')
  UNION ALL
  SELECT symbol, received_ts, 1, NULL, NULL, NULL, NULL, source, trade_date, order_id FROM base WHERE order_type = 'LMT'
),
grouped AS (
  SELECT e.*, count(e.bid) OVER (PARTITION BY e.symbol ORDER BY e.ts, e.tie, e.source_key, e.source_line ROWS UNBOUNDED PRECEDING) AS grp
  FROM events e
),
filled AS (
  SELECT g.source, g.trade_date, g.order_id, g.tie, g.ts,
         max(g.bid) OVER (PARTITION BY g.symbol, g.grp) AS nbb,
         max(g.ask) OVER (PARTITION BY g.symbol, g.grp) AS nbo,
         max(CASE WHEN g.tie = 0 THEN g.ts END) OVER (PARTITION BY g.symbol, g.grp) AS quote_ts
  FROM grouped g
),
usable AS (
  SELECT f.source, f.trade_date, f.order_id, f.nbb, f.nbo
  FROM filled f CROSS JOIN params p
  WHERE f.tie = 1 AND f.nbb IS NOT NULL AND f.nbb < f.nbo AND round((to_unixtime(f.ts) - to_unixtime(f.quote_ts)) * 1e6) <= p.max_quote_age_s * 1e6
),
classified AS (
  SELECT b.*,
         CASE WHEN s.since IS NOT NULL AND s.since <= date_trunc('month', b.trade_date) THEN 'Y' ELSE 'N' END AS sp500,
         CASE
           WHEN b.tif IN ('OPG', 'CLS') THEN 'other'
           WHEN b.order_type = 'MKT' THEN 'market'
           WHEN n.nbb IS NULL THEN 'other'
           WHEN (b.side = 'B' AND b.limit_price >= n.nbo) OR (b.side <> 'B' AND b.limit_price <= n.nbb) THEN 'marketable_limit'
           ELSE 'non_marketable_limit'
         END AS order_category
  FROM base b
  LEFT JOIN usable n ON n.source = b.source AND n.trade_date = b.trade_date AND n.order_id = b.order_id
  LEFT JOIN sp500 s ON s.symbol = b.symbol
)
SELECT year(trade_date) AS year, month(trade_date) AS mon, sp500, order_category AS order_type, directed,
       count(*) AS orders, sum(qty) AS shares
FROM classified
GROUP BY year(trade_date), month(trade_date), sp500, order_category, directed
ORDER BY 1, 2, 3 DESC, 4, 5
