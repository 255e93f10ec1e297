-- order_quality: one row per order with its NBBO at receipt, category, size bucket, fills and
-- figures, so that "why was this order slow / badly filled?" is one SELECT. Same definitions as
-- sql/metrics/execution_quality.sql (docs/metrics.md), with the default staleness limit of 10 s
-- (a view takes no parameters; nbbo_age_ms lets an analyst apply another). The as-of lookup is
-- partitioned by (symbol, trade_date), so a filter on trade_date prunes the lake partitions.
CREATE OR REPLACE VIEW order_quality AS
WITH ev AS (
  SELECT q.symbol, q.trade_date, q.ts AS t, 0 AS is_probe, q.source_key AS k1, q.source_line AS k2, q.bid, q.ask,
         NULL AS source, NULL AS order_id
  FROM quotes q
  UNION ALL
  SELECT o.symbol, o.trade_date, o.received_ts, 1, NULL, NULL, NULL, NULL, o.source, o.order_id
  FROM orders o
),
ev1 AS (
  SELECT ev.*,
         count(bid) OVER (PARTITION BY symbol, trade_date ORDER BY t, is_probe, k1, k2
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
  FROM ev
),
ev2 AS (
  SELECT ev1.*,
         max(bid) OVER (PARTITION BY symbol, trade_date, grp) AS nbb,
         max(ask) OVER (PARTITION BY symbol, trade_date, grp) AS nbo,
         max(CASE WHEN is_probe = 0 THEN t END) OVER (PARTITION BY symbol, trade_date, grp) AS nbbo_ts
  FROM ev1
),
nb AS (
  SELECT source, order_id, trade_date, nbb, nbo, nbbo_ts FROM ev2 WHERE is_probe = 1
),
fills AS (
  SELECT source, order_id, count(*) AS executions, sum(qty) AS shares_executed,
         sum(price * qty) AS notional_executed, min(exec_ts) AS first_fill_ts, max(exec_ts) AS last_fill_ts,
         count(DISTINCT venue) AS venues
  FROM executions
  GROUP BY source, order_id
),
sp500 AS (
  SELECT symbol, min(effective_from) AS sp500_from FROM reference WHERE list = 'SP500' GROUP BY symbol
),
routed AS (
  SELECT source, order_id, count(*) AS routes, sum(qty) AS shares_routed, count(DISTINCT venue) AS route_venues
  FROM routes
  GROUP BY source, order_id
),
base AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, CASE WHEN o.side = 'B' THEN 1 ELSE -1 END AS s,
         o.order_type, o.limit_price, o.tif, o.qty, o.received_ts, o.canceled_ts, o.directed, o.vendor_nbb, o.vendor_nbo,
         CASE WHEN sp.sp500_from <= o.trade_date THEN 'Y' ELSE 'N' END AS sp500,
         nb.nbb, nb.nbo, nb.nbbo_ts, date_diff('millisecond', nb.nbbo_ts, o.received_ts) AS nbbo_age_ms,
         CASE WHEN nb.nbbo_ts IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', nb.nbbo_ts, o.received_ts) > 10000 THEN 'stale_nbbo'
              WHEN nb.nbb >= nb.nbo THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS nbbo_status,
         COALESCE(f.executions, 0) AS executions, COALESCE(f.shares_executed, 0) AS shares_executed,
         f.notional_executed, f.first_fill_ts, f.last_fill_ts, COALESCE(f.venues, 0) AS venues,
         COALESCE(r.routes, 0) AS routes, COALESCE(r.shares_routed, 0) AS shares_routed
  FROM orders o
  LEFT JOIN nb ON nb.source = o.source AND nb.order_id = o.order_id AND nb.trade_date = o.trade_date
  LEFT JOIN fills f ON f.source = o.source AND f.order_id = o.order_id
  LEFT JOIN routed r ON r.source = o.source AND r.order_id = o.order_id
  LEFT JOIN sp500 sp ON sp.symbol = o.symbol
),
cat AS (
  SELECT b.*,
         CASE WHEN b.tif IN ('OPG', 'CLS') THEN 'other'
              WHEN b.order_type = 'MKT' THEN 'market'
              WHEN b.order_type = 'LMT' AND b.nbbo_status = 'ok' THEN
                CASE WHEN (b.s = 1 AND b.limit_price >= b.nbo) OR (b.s = -1 AND b.limit_price <= b.nbb)
                     THEN 'marketable_limit' ELSE 'non_marketable_limit' END
              ELSE 'other' END AS order_category,
         CASE WHEN b.nbbo_status = 'ok' THEN (b.nbb + b.nbo) / 2 END AS mid,
         b.qty * COALESCE((b.nbb + b.nbo) / 2, b.limit_price) AS notional
  FROM base b
)
SELECT source, trade_date, order_id, symbol, side, order_type, limit_price, tif, qty, directed, sp500,
       received_ts, canceled_ts, order_category,
       CASE WHEN notional IS NULL THEN 'unknown' WHEN notional < 250 THEN '0' WHEN notional < 1000 THEN '250'
            WHEN notional < 5000 THEN '1000' WHEN notional < 10000 THEN '5000' WHEN notional < 20000 THEN '10000'
            WHEN notional < 50000 THEN '20000' WHEN notional < 200000 THEN '50000' ELSE '200000' END AS size_bucket,
       notional, nbb, nbo, mid, nbo - nbb AS quoted_spread, nbbo_ts, nbbo_age_ms, nbbo_status,
       vendor_nbb, vendor_nbo,
       executions, shares_executed, 100 * CAST(shares_executed AS DOUBLE) / qty AS fill_pct,
       notional_executed / nullif(shares_executed, 0) AS avg_price,
       first_fill_ts, last_fill_ts, date_diff('millisecond', received_ts, first_fill_ts) AS first_fill_ms,
       venues, routes, shares_routed,
       -- share-weighted over the order's fills; NULL unless covered (market, marketable limit) with a usable NBBO
       CASE WHEN order_category IN ('market', 'marketable_limit') AND nbbo_status = 'ok' AND shares_executed > 0 THEN
         s * (CASE WHEN s = 1 THEN nbo ELSE nbb END) - s * notional_executed / shares_executed END AS price_improvement_per_share,
       CASE WHEN order_category IN ('market', 'marketable_limit') AND nbbo_status = 'ok' AND shares_executed > 0 THEN
         2 * s * (notional_executed / shares_executed - mid) END AS effective_spread,
       CASE WHEN executions = 0 AND canceled_ts IS NOT NULL THEN 'canceled'
            WHEN executions = 0 THEN 'unfilled'
            WHEN shares_executed < qty THEN 'partial'
            ELSE 'filled' END AS fill_status
FROM cat
