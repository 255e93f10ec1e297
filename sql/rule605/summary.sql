-- Rule 605(a)(2) order execution summary figures (docs/regulatory.md), one row per S&P 500 flag ×
-- order type (M, ML) × order size, with the SEC's field names (oes-technical-specification.txt,
-- Exhibit A) so lambdas/core/regulatory/rule605.ts only rounds and writes them.
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
--   4 max_quote_age_s  DOUBLE   bound for a uniform list; the figures applied it when computed
-- Output: Sp500, OrderSize, OrderType, n_orders, AvgOrderQty, AvgOrderSize, n_executions,
-- executed_shares, ExctdOrderMidPtAvg, PctExctdAtQuotOrBetter, PctExctdPI, WghtdAvgPctPI,
-- AvgEffctvSprdPct, AvgPctQuotSprd, AvgEFQPct, AvgRealSprdPct15sec, AvgRealSprdPct1min,
-- WghtdAvgExctnTime (NULL where there is nothing to average).
-- Reads the figures tables only (order_figures, execution_figures: sql/enrich), whose NBBO
-- status already applies the configured max_quote_age_s; execution times come from their
-- epoch-microsecond columns, exact.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
sp500 AS (
  SELECT symbol, min(effective_from) AS since FROM reference WHERE list = 'SP500' GROUP BY symbol
),
-- Covered here as the specification says: marketable at receipt with a usable NBBO, whatever the
-- hour or the directed flag (the review's own covered set is narrower: docs/regulatory.md).
covered AS (
  SELECT o.source, o.trade_date, o.order_id, o.side_sign, CAST(o.qty AS DOUBLE) AS qty, o.received_us, o.nbb, o.nbo, o.mid,
         o.size_bucket AS order_size, o.qty * o.mid AS notional,
         CASE WHEN o.order_category = 'market' THEN 'M' ELSE 'ML' END AS order_type_code,
         CASE WHEN s.since IS NOT NULL AND s.since <= date_trunc('month', o.trade_date) THEN 'Y' ELSE 'N' END AS sp500
  FROM order_figures o
  CROSS JOIN params p
  LEFT JOIN sp500 s ON s.symbol = o.symbol
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
    AND o.tif NOT IN ('IOC', 'FOK', 'OPG', 'CLS')
    AND o.order_category IN ('market', 'marketable_limit') AND o.nbbo_status = 'ok'
),
-- Each order in its own bucket, and once more in 199999 (all sizes under $200,000).
bucketed AS (
  SELECT c.*, c.order_size AS report_size FROM covered c
  UNION ALL
  SELECT c.*, '199999' AS report_size FROM covered c WHERE c.order_size <> '200000'
),
per_exec AS (
  SELECT b.sp500, b.order_type_code, b.report_size, x.qty AS q, b.mid, b.nbo - b.nbb AS quoted,
         CASE WHEN b.side_sign = 1 THEN b.nbo - x.price ELSE x.price - b.nbb END AS pi,
         2 * b.side_sign * (x.price - b.mid) AS es,
         2 * b.side_sign * (x.price - x.mid_15s) AS rs15,
         2 * b.side_sign * (x.price - x.mid_60s) AS rs60,
         CAST(x.exec_us - b.received_us AS DOUBLE) / 1000 AS exec_ms
  FROM bucketed b
  JOIN execution_figures x ON x.source = b.source AND x.trade_date = b.trade_date AND x.order_id = b.order_id
),
order_totals AS (
  SELECT sp500, order_type_code, report_size, count(*) AS n_orders,
         sum(qty) / count(*) AS avg_qty, sum(notional) / count(*) AS avg_notional
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
FROM order_totals o
LEFT JOIN exec_sums x ON x.sp500 = o.sp500 AND x.order_type_code = o.order_type_code AND x.report_size = o.report_size
ORDER BY o.sp500 DESC, o.order_type_code, CAST(o.report_size AS BIGINT)
