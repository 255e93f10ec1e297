-- Execution quality at PFOF venues against non-PFOF venues in matched cells (FINRA Rule 5310.09:
-- internalization and PFOF arrangements, judged by what they cost customers). A cell is one
-- source × trade date × symbol × order category × Rule 605 size bucket × half-hour of the day
-- (receipt, America/New_York): orders in one cell faced the same security, size and market
-- conditions, so a difference between the venue classes inside a cell is not a difference of
-- order mix. The statistical test on these figures is the findings step's (docs/review.md).
--
-- Population: covered executions (market and marketable limit orders, regular hours, not
-- directed, usable NBBO at receipt) from execution_figures; directed orders are not routing
-- decisions. The unit is the order × venue class: an order whose fills went to both classes
-- contributes one unit to each.
--
-- Parameters (the review's list): period, start_date, end_date, max_quote_age_s (the last is
-- applied when the figures are computed; bound so every review query takes the same list).
--
-- Output, one row per cell and venue class (sorted by the cell, then pfof_venue):
--   source, trade_date, symbol, order_category, size_bucket   the cell
--   time_bucket          'HH:MM', start of the half hour of receipt (New York)
--   pfof_venue           'Y' venues with pfof_per_share > 0 as of the trade date, else 'N'
--   matched              'Y' when the cell has units of both venue classes (compare only these)
--   n_orders             order × venue class units in this row
--   n_executions, shares fills and shares behind them
--   For each figure f in price_improvement, net_price_improvement, effective_spread (USD per
--   share) and exec_time_ms (milliseconds), additive so cells and days can be pooled:
--     f_shares_sum        Σ shares·f over the fills (share-weighted mean = f_shares_sum / shares)
--     f_shares_sum_sq     Σ shares·f²
--     f_order_sum         Σ over units of the unit's share-weighted mean of f
--     f_order_sum_sq      Σ over units of that mean squared (order-level variance)
--   exec_time_ms counts fills at or after receipt only (exec_time_shares and exec_time_orders
--   are the shares and units behind it).
--   net_price_improvement deducts the fee reported on the fill (negative fee = rebate).
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
covered_fills AS (
  SELECT x.source, x.trade_date, x.symbol, x.order_category, coalesce(x.size_bucket, 'unknown') AS size_bucket,
         lpad(CAST(hour(x.received_ts AT TIME ZONE 'America/New_York') AS VARCHAR), 2, '0') || ':'
           || CASE WHEN minute(x.received_ts AT TIME ZONE 'America/New_York') < 30 THEN '00' ELSE '30' END AS time_bucket,
         CASE WHEN x.pfof_venue THEN 'Y' ELSE 'N' END AS pfof_venue,
         x.order_id, CAST(x.qty AS DOUBLE) AS shares,
         x.price_improvement, x.price_improvement - coalesce(x.fee_per_share_paid, 0) AS net_price_improvement,
         x.effective_spread, x.exec_time_ms
  FROM execution_figures x
  CROSS JOIN params p
  WHERE x.trade_date >= p.start_date AND x.trade_date < p.end_date AND x.covered
),
-- One unit per order × venue class: its share-weighted figures.
order_units AS (
  SELECT source, trade_date, symbol, order_category, size_bucket, time_bucket, pfof_venue, order_id,
         count(*) AS executions, sum(shares) AS shares,
         sum(shares * price_improvement) AS price_improvement_shares_sum,
         sum(shares * price_improvement * price_improvement) AS price_improvement_shares_sum_sq,
         sum(shares * net_price_improvement) AS net_price_improvement_shares_sum,
         sum(shares * net_price_improvement * net_price_improvement) AS net_price_improvement_shares_sum_sq,
         sum(shares * effective_spread) AS effective_spread_shares_sum,
         sum(shares * effective_spread * effective_spread) AS effective_spread_shares_sum_sq,
         sum(CASE WHEN exec_time_ms IS NOT NULL THEN shares ELSE 0 END) AS exec_time_shares,
         sum(CASE WHEN exec_time_ms IS NOT NULL THEN shares * exec_time_ms ELSE 0 END) AS exec_time_ms_shares_sum,
         sum(CASE WHEN exec_time_ms IS NOT NULL THEN shares * exec_time_ms * exec_time_ms ELSE 0 END) AS exec_time_ms_shares_sum_sq
  FROM covered_fills
  GROUP BY source, trade_date, symbol, order_category, size_bucket, time_bucket, pfof_venue, order_id
),
cells AS (
  SELECT source, trade_date, symbol, order_category, size_bucket, time_bucket, pfof_venue,
         count(*) AS n_orders, sum(executions) AS n_executions, sum(shares) AS shares,
         sum(price_improvement_shares_sum) AS price_improvement_shares_sum,
         sum(price_improvement_shares_sum_sq) AS price_improvement_shares_sum_sq,
         sum(price_improvement_shares_sum / shares) AS price_improvement_order_sum,
         sum((price_improvement_shares_sum / shares) * (price_improvement_shares_sum / shares)) AS price_improvement_order_sum_sq,
         sum(net_price_improvement_shares_sum) AS net_price_improvement_shares_sum,
         sum(net_price_improvement_shares_sum_sq) AS net_price_improvement_shares_sum_sq,
         sum(net_price_improvement_shares_sum / shares) AS net_price_improvement_order_sum,
         sum((net_price_improvement_shares_sum / shares) * (net_price_improvement_shares_sum / shares)) AS net_price_improvement_order_sum_sq,
         sum(effective_spread_shares_sum) AS effective_spread_shares_sum,
         sum(effective_spread_shares_sum_sq) AS effective_spread_shares_sum_sq,
         sum(effective_spread_shares_sum / shares) AS effective_spread_order_sum,
         sum((effective_spread_shares_sum / shares) * (effective_spread_shares_sum / shares)) AS effective_spread_order_sum_sq,
         sum(exec_time_shares) AS exec_time_shares,
         count(exec_time_ms_shares_sum / nullif(exec_time_shares, 0)) AS exec_time_orders,
         sum(exec_time_ms_shares_sum) AS exec_time_ms_shares_sum,
         sum(exec_time_ms_shares_sum_sq) AS exec_time_ms_shares_sum_sq,
         sum(exec_time_ms_shares_sum / nullif(exec_time_shares, 0)) AS exec_time_ms_order_sum,
         sum((exec_time_ms_shares_sum / nullif(exec_time_shares, 0)) * (exec_time_ms_shares_sum / nullif(exec_time_shares, 0)))
           AS exec_time_ms_order_sum_sq
  FROM order_units
  GROUP BY source, trade_date, symbol, order_category, size_bucket, time_bucket, pfof_venue
)
SELECT c.source, c.trade_date, c.symbol, c.order_category, c.size_bucket, c.time_bucket, c.pfof_venue,
       CASE WHEN count(*) OVER (PARTITION BY c.source, c.trade_date, c.symbol, c.order_category, c.size_bucket, c.time_bucket) = 2
            THEN 'Y' ELSE 'N' END AS matched,
       c.n_orders, c.n_executions, c.shares,
       c.price_improvement_shares_sum, c.price_improvement_shares_sum_sq, c.price_improvement_order_sum, c.price_improvement_order_sum_sq,
       c.net_price_improvement_shares_sum, c.net_price_improvement_shares_sum_sq, c.net_price_improvement_order_sum,
       c.net_price_improvement_order_sum_sq,
       c.effective_spread_shares_sum, c.effective_spread_shares_sum_sq, c.effective_spread_order_sum, c.effective_spread_order_sum_sq,
       c.exec_time_shares, c.exec_time_orders, c.exec_time_ms_shares_sum, c.exec_time_ms_shares_sum_sq, c.exec_time_ms_order_sum, c.exec_time_ms_order_sum_sq
FROM cells c
ORDER BY c.source, c.trade_date, c.symbol, c.order_category, c.size_bucket, c.time_bucket, c.pfof_venue
