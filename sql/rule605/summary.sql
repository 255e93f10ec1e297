-- Rule 605(a)(2) order execution summary figures (docs/regulatory.md), one row per S&P 500 flag ×
-- order type (M, ML) × order size, with the SEC's field names (oes-technical-specification.txt,
-- Exhibit A) so lambdas/regulatory/rule605.ts only rounds and writes them.
--   Covered orders: orders received in the month that are marketable at receipt (metrics.md):
--   MKT → M; LMT at or through the NBBO in effect at receipt → ML. Excluded, as the SEC's
--   metadata says ("exclude other order types, e.g. IOC, FOK"): tif IOC and FOK (marketable IOC
--   orders are their own Rule 605 category), and OPG/CLS orders (special handling). An order
--   needs a usable NBBO at receipt (present, not older than max_quote_age_s, neither crossed nor
--   locked) both to be classified and to be size-bucketed; the others are counted by
--   sql/rule605/exclusions.sql.
--   Order size: notional qty × midpoint at receipt; buckets 0, 250, 1000, 5000, 10000, 20000,
--   50000, 200000 (lower bounds, USD) and 199999 = every order under $200,000.
--   S&P 500 flag: on reference list 'SP500' with effective_from on or before the first day of the
--   month.
--   Per execution of a covered order (price P, shares q, s = +1 buy / −1 sell, NBB/NBO/M/Q at
--   receipt, M_τ = usable mid at exec_ts + τ): price improvement buy NBO − P, sell P − NBB;
--   effective spread 2·s·(P − M); realized spread 2·s·(P − M_τ); execution time exec_ts −
--   received_ts in ms (a negative one is bad data: left out of the time average only).
--   Percentages are fractions, as the SEC's sample and metadata (maximum 1.0) show, and the
--   spread percentages divide share-weighted averages by the share-weighted average midpoint
--   (AvgPctQuotSprd by definition; AvgEffctvSprdPct and the realized ones the same way, which
--   is what makes AvgEFQPct = AvgEffctvSprdPct / AvgPctQuotSprd in the SEC's sample).
--
-- Parameters (the review's list, in this order):
--   1 period           VARCHAR  '2026-07' (the report month)
--   2 start_date       DATE     first day of the month
--   3 end_date         DATE     first day of the next month
--   4 max_quote_age_s  DOUBLE   an NBBO older than this at the lookup time is stale (unusable)
-- Output: Sp500, OrderSize, OrderType, n_orders, AvgOrderQty, AvgOrderSize, n_executions,
-- executed_shares, ExctdOrderMidPtAvg, PctExctdAtQuotOrBetter, PctExctdPI, WghtdAvgPctPI,
-- AvgEffctvSprdPct, AvgPctQuotSprd, AvgEFQPct, AvgRealSprdPct15sec, AvgRealSprdPct1min,
-- WghtdAvgExctnTime (NULL where there is nothing to average).
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
sp500 AS (
  SELECT symbol, min(effective_from) AS since FROM reference WHERE list = 'SP500' GROUP BY symbol
),
candidates AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.side, o.order_type, o.limit_price, o.qty, o.received_ts,
         CASE WHEN s.since IS NOT NULL AND s.since <= date_trunc('month', o.trade_date) THEN 'Y' ELSE 'N' END AS sp500
  FROM orders o CROSS JOIN params p
  LEFT JOIN sp500 s ON s.symbol = o.symbol
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date AND o.tif NOT IN ('IOC', 'FOK', 'OPG', 'CLS')
),
cexecs AS (
  SELECT e.source, e.trade_date, e.order_id, e.exec_id, e.exec_ts, e.price, e.qty, c.symbol
  FROM executions e CROSS JOIN params p
  JOIN candidates c ON c.source = e.source AND c.trade_date = e.trade_date AND c.order_id = e.order_id
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
),
-- One as-of pass for every lookup: receipts ('R') and executions 15 s and 60 s later.
probes AS (
  SELECT 'R' AS probe, source, trade_date, order_id, CAST(NULL AS VARCHAR) AS exec_id, symbol, received_ts AS ts FROM candidates
  UNION ALL
  SELECT '15', source, trade_date, order_id, exec_id, symbol, exec_ts + INTERVAL '15' SECOND FROM cexecs
  UNION ALL
  SELECT '60', source, trade_date, order_id, exec_id, symbol, exec_ts + INTERVAL '60' SECOND FROM cexecs
),
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS probe, CAST(NULL AS VARCHAR) AS source, CAST(NULL AS DATE) AS trade_date,
         CAST(NULL AS VARCHAR) AS order_id, CAST(NULL AS VARCHAR) AS exec_id
  FROM quotes q CROSS JOIN params p
  WHERE q.trade_date >= p.start_date AND q.trade_date < p.end_date AND q.symbol IN (SELECT DISTINCT symbol FROM candidates)
  UNION ALL
  SELECT symbol, ts, 1, NULL, NULL, NULL, NULL, probe, source, trade_date, order_id, exec_id FROM probes
),
grouped AS (
  SELECT e.*, count(e.bid) OVER (PARTITION BY e.symbol ORDER BY e.ts, e.tie, e.source_key, e.source_line ROWS UNBOUNDED PRECEDING) AS grp
  FROM events e
),
filled AS (
  SELECT g.probe, g.source, g.trade_date, g.order_id, g.exec_id, g.tie, g.ts,
         max(g.bid) OVER (PARTITION BY g.symbol, g.grp) AS nbb,
         max(g.ask) OVER (PARTITION BY g.symbol, g.grp) AS nbo,
         max(CASE WHEN g.tie = 0 THEN g.ts END) OVER (PARTITION BY g.symbol, g.grp) AS quote_ts
  FROM grouped g
),
usable AS (
  SELECT f.probe, f.source, f.trade_date, f.order_id, f.exec_id, f.nbb, f.nbo, (f.nbb + f.nbo) / 2 AS mid
  FROM filled f CROSS JOIN params p
  WHERE f.tie = 1 AND f.nbb IS NOT NULL AND f.nbb < f.nbo AND round((to_unixtime(f.ts) - to_unixtime(f.quote_ts)) * 1e6) <= p.max_quote_age_s * 1e6
),
covered AS (
  SELECT c.source, c.trade_date, c.order_id, c.side, c.qty, c.received_ts, c.sp500, n.nbb, n.nbo, n.mid,
         CASE WHEN c.order_type = 'MKT' THEN 'M' ELSE 'ML' END AS order_type_code,
         c.qty * n.mid AS notional
  FROM candidates c
  JOIN usable n ON n.probe = 'R' AND n.source = c.source AND n.trade_date = c.trade_date AND n.order_id = c.order_id
  WHERE c.order_type = 'MKT' OR (c.side = 'B' AND c.limit_price >= n.nbo) OR (c.side <> 'B' AND c.limit_price <= n.nbb)
),
sized AS (
  SELECT c.*,
         CASE
           WHEN c.notional < 250 THEN '0'
           WHEN c.notional < 1000 THEN '250'
           WHEN c.notional < 5000 THEN '1000'
           WHEN c.notional < 10000 THEN '5000'
           WHEN c.notional < 20000 THEN '10000'
           WHEN c.notional < 50000 THEN '20000'
           WHEN c.notional < 200000 THEN '50000'
           ELSE '200000'
         END AS order_size
  FROM covered c
),
-- Each order in its own bucket, and once more in 199999 (all sizes under $200,000).
bucketed AS (
  SELECT s.*, s.order_size AS report_size FROM sized s
  UNION ALL
  SELECT s.*, '199999' AS report_size FROM sized s WHERE s.order_size <> '200000'
),
per_exec AS (
  SELECT b.sp500, b.order_type_code, b.report_size, x.qty AS q, b.mid, b.nbo - b.nbb AS quoted,
         CASE WHEN b.side = 'B' THEN b.nbo - x.price ELSE x.price - b.nbb END AS pi,
         2 * (CASE WHEN b.side = 'B' THEN 1 ELSE -1 END) * (x.price - b.mid) AS es,
         2 * (CASE WHEN b.side = 'B' THEN 1 ELSE -1 END) * (x.price - m15.mid) AS rs15,
         2 * (CASE WHEN b.side = 'B' THEN 1 ELSE -1 END) * (x.price - m60.mid) AS rs60,
         round((to_unixtime(x.exec_ts) - to_unixtime(b.received_ts)) * 1e6) / 1e3 AS exec_ms
  FROM bucketed b
  JOIN cexecs x ON x.source = b.source AND x.trade_date = b.trade_date AND x.order_id = b.order_id
  LEFT JOIN usable m15 ON m15.probe = '15' AND m15.source = x.source AND m15.exec_id = x.exec_id AND m15.order_id = x.order_id
  LEFT JOIN usable m60 ON m60.probe = '60' AND m60.source = x.source AND m60.exec_id = x.exec_id AND m60.order_id = x.order_id
),
order_figures AS (
  SELECT sp500, order_type_code, report_size, count(*) AS n_orders,
         CAST(sum(qty) AS DOUBLE) / count(*) AS avg_qty, sum(notional) / count(*) AS avg_notional
  FROM bucketed
  GROUP BY sp500, order_type_code, report_size
),
exec_sums AS (
  SELECT sp500, order_type_code, report_size, count(*) AS n_executions,
         sum(q) AS shares,
         sum(q * mid) AS mid_q,
         sum(CASE WHEN pi >= 0 THEN q ELSE 0 END) AS at_or_better_q,
         sum(CASE WHEN pi > 0 THEN q ELSE 0 END) AS improved_q,
         sum(pi * q) AS pi_q,
         sum(es * q) AS es_q,
         sum(quoted * q) AS quoted_q,
         sum(rs15 * q) AS rs15_q, sum(CASE WHEN rs15 IS NOT NULL THEN mid * q END) AS rs15_mid_q,
         sum(rs60 * q) AS rs60_q, sum(CASE WHEN rs60 IS NOT NULL THEN mid * q END) AS rs60_mid_q,
         sum(CASE WHEN exec_ms >= 0 THEN exec_ms * q END) AS time_q, sum(CASE WHEN exec_ms >= 0 THEN q END) AS time_shares
  FROM per_exec
  GROUP BY sp500, order_type_code, report_size
)
SELECT o.sp500 AS "Sp500", o.report_size AS "OrderSize", o.order_type_code AS "OrderType",
       o.n_orders, o.avg_qty AS "AvgOrderQty", o.avg_notional AS "AvgOrderSize",
       coalesce(x.n_executions, 0) AS n_executions, coalesce(x.shares, 0) AS executed_shares,
       CAST(x.mid_q AS DOUBLE) / x.shares AS "ExctdOrderMidPtAvg",
       CAST(x.at_or_better_q AS DOUBLE) / x.shares AS "PctExctdAtQuotOrBetter",
       CAST(x.improved_q AS DOUBLE) / x.shares AS "PctExctdPI",
       x.pi_q / x.mid_q AS "WghtdAvgPctPI",
       x.es_q / x.mid_q AS "AvgEffctvSprdPct",
       x.quoted_q / x.mid_q AS "AvgPctQuotSprd",
       x.es_q / nullif(x.quoted_q, 0) AS "AvgEFQPct",
       x.rs15_q / x.rs15_mid_q AS "AvgRealSprdPct15sec",
       x.rs60_q / x.rs60_mid_q AS "AvgRealSprdPct1min",
       x.time_q / x.time_shares AS "WghtdAvgExctnTime"
FROM order_figures o
LEFT JOIN exec_sums x ON x.sp500 = o.sp500 AND x.order_type_code = o.order_type_code AND x.report_size = o.report_size
ORDER BY o.sp500 DESC, o.order_type_code, CAST(o.report_size AS BIGINT)
