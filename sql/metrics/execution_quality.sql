-- Execution-quality metrics of one review period, in long format (docs/metrics.md).
-- Returns exactly REVIEW_METRIC_COLUMNS (lambdas/shared/metrics.ts) for every metric of
-- ../shared/design/metrics.md, per source × period × grouping set, '*' meaning "all".
--
-- Shape: a chain of CTEs. Athena (Trino) inlines a CTE at every reference, so only rows1 (orders,
-- executions, routes: about a tenth of the bytes) is referenced twice; the quotes and the as-of
-- sort are referenced once. Information travels along the chain with windows and GROUPING SETS.
--   rows0/1   orders, executions and routes of the period, one stream keyed by (source, order_id),
--             the order's fields propagated to its executions and routes (window per order)
--   probes…nbp  NBBO as-of by the portable form (architecture.md): narrow probes and quotes in one
--             sorted stream per (symbol, trade_date), grp = quotes seen so far, NBBO = max over
--             grp; then one row per probed row (its NBBO at receipt and at exec_ts + tau)
--   ent…fig3  rows1 joined back to its NBBOs: category, size bucket and figures per row
--   l1        per order and per order × venue sums (so n_orders counts distinct orders)
--   l2        grouping sets, exact percentiles from sorted arrays; l3 venue shares, HHI; unpivot
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date,
         CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
sp500 AS (
  SELECT symbol, min(effective_from) AS sp500_from
  FROM reference
  WHERE list = 'SP500'
  GROUP BY symbol
),
rows0 AS (
  SELECT 'O' AS kind, o.source, o.order_id, o.order_id AS row_id, CAST(NULL AS VARCHAR) AS venue,
         CAST(NULL AS DOUBLE) AS price, o.qty AS row_qty, o.trade_date AS row_date, o.received_ts AS row_ts,
         o.symbol, o.side, o.order_type, o.limit_price, o.tif, o.qty AS o_qty, o.received_ts, o.canceled_ts,
         o.trade_date AS o_date,
         CASE WHEN sp.sp500_from <= o.trade_date THEN 'Y' ELSE 'N' END AS sp500
  FROM orders o
  CROSS JOIN params p
  LEFT JOIN sp500 sp ON sp.symbol = o.symbol
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
  UNION ALL
  SELECT 'X', e.source, e.order_id, e.exec_id, e.venue, e.price, e.qty, e.trade_date, e.exec_ts,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM executions e
  CROSS JOIN params p
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
  UNION ALL
  SELECT 'R', r.source, r.order_id, r.route_id, r.venue, NULL, r.qty, r.trade_date, r.sent_ts,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM routes r
  CROSS JOIN params p
  WHERE r.trade_date >= p.start_date AND r.trade_date < p.end_date
),
rows1 AS (
  SELECT kind, source, order_id, row_id, venue, price, row_qty, row_date, row_ts,
         max(symbol) OVER (PARTITION BY source, order_id) AS symbol,
         max(side) OVER (PARTITION BY source, order_id) AS side,
         max(order_type) OVER (PARTITION BY source, order_id) AS order_type,
         max(limit_price) OVER (PARTITION BY source, order_id) AS limit_price,
         max(tif) OVER (PARTITION BY source, order_id) AS tif,
         max(o_qty) OVER (PARTITION BY source, order_id) AS o_qty,
         max(received_ts) OVER (PARTITION BY source, order_id) AS received_ts,
         max(canceled_ts) OVER (PARTITION BY source, order_id) AS canceled_ts,
         max(o_date) OVER (PARTITION BY source, order_id) AS o_date,
         max(sp500) OVER (PARTITION BY source, order_id) AS sp500,
         count(symbol) OVER (PARTITION BY source, order_id) AS n_order_rows,
         sum(CASE WHEN kind = 'X' THEN 1 ELSE 0 END) OVER (PARTITION BY source, order_id) AS o_nx,
         sum(CASE WHEN kind = 'X' THEN row_qty ELSE 0 END) OVER (PARTITION BY source, order_id) AS o_shx,
         min(CASE WHEN kind = 'X' THEN row_ts END) OVER (PARTITION BY source, order_id) AS o_first_ts,
         sum(CASE WHEN kind = 'R' THEN 1 ELSE 0 END) OVER (PARTITION BY source, order_id) AS o_nr
  FROM rows0
),
-- Every row of an order is a probe at its receipt (tau 0); an execution also at exec_ts + tau.
taus AS (
  SELECT tau FROM (VALUES (0), (1), (5), (15), (60), (300)) AS t (tau)
),
probes AS (
  SELECT r.symbol,
         CASE WHEN t.tau = 0 THEN r.o_date ELSE r.row_date END AS pdate,
         CASE WHEN t.tau = 0 THEN r.received_ts ELSE date_add('second', t.tau, r.row_ts) END AS pts,
         t.tau, r.kind, r.source, r.row_id
  FROM rows1 r
  CROSS JOIN taus t
  WHERE r.n_order_rows > 0
    AND (t.tau = 0 OR (r.kind = 'X' AND r.tif NOT IN ('OPG', 'CLS')))
),
ev AS (
  SELECT q.symbol, q.trade_date AS pdate, q.ts AS pts, 0 AS is_probe, q.source_key AS k1, q.source_line AS k2,
         q.bid, q.ask, NULL AS tau, NULL AS kind, NULL AS source, NULL AS row_id
  FROM quotes q
  CROSS JOIN params p
  WHERE q.trade_date >= p.start_date AND q.trade_date < p.end_date
    AND q.symbol IN (
      SELECT o.symbol FROM orders o CROSS JOIN params p2
      WHERE o.trade_date >= p2.start_date AND o.trade_date < p2.end_date
    )
  UNION ALL
  SELECT symbol, pdate, pts, 1, NULL, NULL, NULL, NULL, tau, kind, source, row_id
  FROM probes
),
-- A quote sorts before a probe at the same instant (ts <= t); among quotes, file order decides.
ev1 AS (
  SELECT ev.*,
         count(bid) OVER (PARTITION BY symbol, pdate ORDER BY pts, is_probe, k1, k2
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
  FROM ev
),
ev2 AS (
  SELECT ev1.*,
         max(bid) OVER (PARTITION BY symbol, pdate, grp) AS nb_bid,
         max(ask) OVER (PARTITION BY symbol, pdate, grp) AS nb_ask,
         max(CASE WHEN is_probe = 0 THEN pts END) OVER (PARTITION BY symbol, pdate, grp) AS nb_ts
  FROM ev1
),
-- One row per probed order, execution and route: the NBBO at receipt and at exec_ts + tau.
nbp AS (
  SELECT kind, source, row_id,
         max(CASE WHEN tau = 0 THEN nb_bid END) AS nbb, max(CASE WHEN tau = 0 THEN nb_ask END) AS nbo,
         max(CASE WHEN tau = 0 THEN nb_ts END) AS nb_ts,
         max(CASE WHEN tau = 1 THEN nb_bid END) AS bid_1, max(CASE WHEN tau = 1 THEN nb_ask END) AS ask_1,
         max(CASE WHEN tau = 1 THEN nb_ts END) AS ts_1,
         max(CASE WHEN tau = 5 THEN nb_bid END) AS bid_5, max(CASE WHEN tau = 5 THEN nb_ask END) AS ask_5,
         max(CASE WHEN tau = 5 THEN nb_ts END) AS ts_5,
         max(CASE WHEN tau = 15 THEN nb_bid END) AS bid_15, max(CASE WHEN tau = 15 THEN nb_ask END) AS ask_15,
         max(CASE WHEN tau = 15 THEN nb_ts END) AS ts_15,
         max(CASE WHEN tau = 60 THEN nb_bid END) AS bid_60, max(CASE WHEN tau = 60 THEN nb_ask END) AS ask_60,
         max(CASE WHEN tau = 60 THEN nb_ts END) AS ts_60,
         max(CASE WHEN tau = 300 THEN nb_bid END) AS bid_300, max(CASE WHEN tau = 300 THEN nb_ask END) AS ask_300,
         max(CASE WHEN tau = 300 THEN nb_ts END) AS ts_300
  FROM ev2
  WHERE is_probe = 1
  GROUP BY kind, source, row_id
),
-- Routes without an order are left out (the daily exception report lists them).
ent AS (
  SELECT r.kind, r.source, r.order_id, r.row_id, r.venue, r.price, r.row_qty, r.row_date, r.row_ts, r.symbol, r.side,
         r.order_type, r.limit_price, r.tif, r.o_qty, r.received_ts, r.canceled_ts, r.sp500, r.n_order_rows, r.o_nx,
         r.o_shx, r.o_first_ts, r.o_nr,
         n.nbb, n.nbo, n.nb_ts, n.bid_1, n.ask_1, n.ts_1, n.bid_5, n.ask_5, n.ts_5, n.bid_15, n.ask_15, n.ts_15,
         n.bid_60, n.ask_60, n.ts_60, n.bid_300, n.ask_300, n.ts_300
  FROM rows1 r
  LEFT JOIN nbp n ON n.kind = r.kind AND n.source = r.source AND n.row_id = r.row_id
  WHERE r.kind <> 'R' OR r.n_order_rows > 0
),
venue_terms AS (
  SELECT source, venue, effective_from, pfof_per_share,
         lead(effective_from) OVER (PARTITION BY source, venue ORDER BY effective_from) AS effective_to
  FROM venues
),
-- NBBO status: missing, then stale (older than max_quote_age_s), then crossed or locked.
fig1 AS (
  SELECT e.*,
         CASE WHEN e.side = 'B' THEN 1 ELSE -1 END AS s,
         CASE WHEN e.nb_ts IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.nb_ts, e.received_ts) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.nbb >= e.nbo THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_0,
         CASE WHEN e.ts_1 IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.ts_1, date_add('second', 1, e.row_ts)) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.bid_1 >= e.ask_1 THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_1,
         CASE WHEN e.ts_5 IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.ts_5, date_add('second', 5, e.row_ts)) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.bid_5 >= e.ask_5 THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_5,
         CASE WHEN e.ts_15 IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.ts_15, date_add('second', 15, e.row_ts)) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.bid_15 >= e.ask_15 THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_15,
         CASE WHEN e.ts_60 IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.ts_60, date_add('second', 60, e.row_ts)) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.bid_60 >= e.ask_60 THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_60,
         CASE WHEN e.ts_300 IS NULL THEN 'no_nbbo'
              WHEN date_diff('millisecond', e.ts_300, date_add('second', 300, e.row_ts)) > p.max_quote_age_s * 1000 THEN 'stale_nbbo'
              WHEN e.bid_300 >= e.ask_300 THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS st_300,
         COALESCE(vt.pfof_per_share, 0) AS pfof
  FROM ent e
  CROSS JOIN params p
  LEFT JOIN venue_terms vt
    ON vt.source = e.source AND vt.venue = e.venue AND vt.effective_from <= e.row_date
   AND (vt.effective_to IS NULL OR e.row_date < vt.effective_to)
),
-- Category (Rule 606 order type) and Rule 605 size bucket, from the NBBO at receipt. The notional
-- uses the mid of the last quote even when stale or crossed (it sizes the order, it does not
-- judge a price), else the limit price; with neither the bucket is 'unknown'.
fig2 AS (
  SELECT f.*,
         CASE WHEN f.tif IN ('OPG', 'CLS') THEN 'other'
              WHEN f.order_type = 'MKT' THEN 'market'
              WHEN f.order_type = 'LMT' AND f.st_0 = 'ok' THEN
                CASE WHEN (f.s = 1 AND f.limit_price >= f.nbo) OR (f.s = -1 AND f.limit_price <= f.nbb)
                     THEN 'marketable_limit' ELSE 'non_marketable_limit' END
              ELSE 'other' END AS order_category,
         CASE WHEN f.st_0 = 'ok' THEN (f.nbb + f.nbo) / 2 END AS mid,
         f.o_qty * COALESCE((f.nbb + f.nbo) / 2, f.limit_price) AS notional,
         date_diff('millisecond', f.received_ts, f.row_ts) AS exec_ms,
         date_diff('millisecond', f.received_ts, f.o_first_ts) AS first_ms
  FROM fig1 f
),
fig3 AS (
  SELECT f.*,
         CASE WHEN f.notional IS NULL THEN 'unknown'
              WHEN f.notional < 250 THEN '0'
              WHEN f.notional < 1000 THEN '250'
              WHEN f.notional < 5000 THEN '1000'
              WHEN f.notional < 10000 THEN '5000'
              WHEN f.notional < 20000 THEN '10000'
              WHEN f.notional < 50000 THEN '20000'
              WHEN f.notional < 200000 THEN '50000'
              ELSE '200000' END AS size_bucket,
         CASE WHEN f.kind = 'X' AND f.n_order_rows > 0 THEN 1 ELSE 0 END AS is_x,
         CASE WHEN f.kind = 'X' AND f.n_order_rows > 0 AND f.order_category IN ('market', 'marketable_limit') THEN 1 ELSE 0 END AS cov,
         CASE WHEN f.kind = 'X' AND f.n_order_rows > 0 AND f.order_category IN ('market', 'marketable_limit')
               AND f.st_0 = 'ok' THEN 1 ELSE 0 END AS in_sp,
         CASE WHEN f.s = 1 THEN f.nbo - f.price ELSE f.price - f.nbb END AS pi,
         2 * f.s * (f.price - f.mid) AS es,
         f.nbo - f.nbb AS qs,
         f.s * ((f.bid_1 + f.ask_1) / 2 - f.price) AS mo_1,
         f.s * ((f.bid_5 + f.ask_5) / 2 - f.price) AS mo_5,
         f.s * ((f.bid_15 + f.ask_15) / 2 - f.price) AS mo_15,
         f.s * ((f.bid_60 + f.ask_60) / 2 - f.price) AS mo_60,
         f.s * ((f.bid_300 + f.ask_300) / 2 - f.price) AS mo_300,
         2 * f.s * (f.price - (f.bid_15 + f.ask_15) / 2) AS rs_15,
         2 * f.s * (f.price - (f.bid_60 + f.ask_60) / 2) AS rs_60,
         -- Venue flow: an order's routes, or its executions when it has no route.
         CASE WHEN f.n_order_rows > 0 AND ((f.kind = 'R') OR (f.kind = 'X' AND f.o_nr = 0)) THEN f.row_qty ELSE 0 END AS flow
  FROM fig2 f
),
-- Per order (venue aggregated away) and per order × venue.
l1 AS (
  SELECT source, order_id, symbol, order_category, size_bucket, sp500, venue,
         grouping(venue) AS gv,
         max(CASE WHEN kind = 'O' THEN 1 ELSE 0 END) AS o_n,
         sum(CASE WHEN kind = 'O' THEN o_qty ELSE 0 END) AS o_qty,
         sum(CASE WHEN kind = 'O' THEN o_nx ELSE 0 END) AS o_nx,
         sum(CASE WHEN kind = 'O' AND o_nx > 0 THEN 1 ELSE 0 END) AS o_filled,
         sum(CASE WHEN kind = 'O' AND o_nx = 0 AND canceled_ts IS NOT NULL THEN 1 ELSE 0 END) AS o_canceled,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN 1 ELSE 0 END) AS nml_n,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN o_nx ELSE 0 END) AS nml_nx,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN CAST(o_qty AS DOUBLE) ELSE 0 END) AS nml_w,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN CAST(o_qty AS DOUBLE) * o_qty ELSE 0 END) AS nml_w2,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN CAST(o_shx AS DOUBLE) ELSE 0 END) AS nml_s1,
         sum(CASE WHEN kind = 'O' AND order_category = 'non_marketable_limit' THEN CAST(o_shx AS DOUBLE) * o_shx / o_qty ELSE 0 END) AS nml_s2,
         max(CASE WHEN kind = 'O' AND first_ms >= 0 THEN first_ms END) AS ff_ms,
         sum(CASE WHEN kind = 'O' AND first_ms >= 0 THEN o_nx ELSE 0 END) AS ff_nx,
         sum(CASE WHEN kind = 'O' AND first_ms < 0 THEN 1 ELSE 0 END) AS ff_neg,
         sum(CASE WHEN kind = 'X' AND n_order_rows = 0 THEN 1 ELSE 0 END) AS orphan,
         sum(is_x) AS x_n,
         sum(is_x * row_qty) AS x_sh,
         sum(in_sp) AS sp_n,
         sum(CASE WHEN in_sp = 1 THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS sp_w,
         sum(CASE WHEN in_sp = 1 THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS sp_w2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * pi ELSE 0 END) AS pi_1,
         sum(CASE WHEN in_sp = 1 THEN row_qty * pi * pi ELSE 0 END) AS pi_2,
         sum(CASE WHEN in_sp = 1 AND pi > 0 THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS pi_imp,
         sum(CASE WHEN in_sp = 1 AND pi = 0 THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS pi_at,
         sum(CASE WHEN in_sp = 1 AND pi < 0 THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS pi_out,
         sum(CASE WHEN in_sp = 1 THEN row_qty * es ELSE 0 END) AS es_1,
         sum(CASE WHEN in_sp = 1 THEN row_qty * es * es ELSE 0 END) AS es_2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * qs ELSE 0 END) AS qs_1,
         sum(CASE WHEN in_sp = 1 THEN row_qty * qs * qs ELSE 0 END) AS qs_2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * mid ELSE 0 END) AS m_w,
         sum(CASE WHEN in_sp = 1 THEN row_qty * mid * row_qty * mid ELSE 0 END) AS m_w2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * pi * pi / mid ELSE 0 END) AS pim_2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * es * es / mid ELSE 0 END) AS esm_2,
         sum(CASE WHEN in_sp = 1 THEN row_qty * qs * qs / mid ELSE 0 END) AS qsm_2,
         sum(CASE WHEN is_x = 1 AND tif NOT IN ('OPG', 'CLS') AND st_0 = 'no_nbbo' THEN 1 ELSE 0 END) AS sp_x_no,
         sum(CASE WHEN is_x = 1 AND tif NOT IN ('OPG', 'CLS') AND st_0 = 'stale_nbbo' THEN 1 ELSE 0 END) AS sp_x_stale,
         sum(CASE WHEN is_x = 1 AND tif NOT IN ('OPG', 'CLS') AND st_0 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS sp_x_cross,
         sum(CASE WHEN is_x = 1 AND exec_ms >= 0 THEN 1 ELSE 0 END) AS et_n,
         sum(CASE WHEN is_x = 1 AND exec_ms >= 0 THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS et_w,
         sum(CASE WHEN is_x = 1 AND exec_ms >= 0 THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS et_w2,
         sum(CASE WHEN is_x = 1 AND exec_ms >= 0 THEN CAST(row_qty AS DOUBLE) * exec_ms ELSE 0 END) AS et_1,
         sum(CASE WHEN is_x = 1 AND exec_ms >= 0 THEN CAST(row_qty AS DOUBLE) * exec_ms * exec_ms ELSE 0 END) AS et_2,
         sum(CASE WHEN is_x = 1 AND exec_ms < 0 THEN 1 ELSE 0 END) AS et_neg,
         sum(CASE WHEN cov = 1 AND st_1 = 'ok' THEN 1 ELSE 0 END) AS m1_n,
         sum(CASE WHEN cov = 1 AND st_1 = 'ok' THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS m1_w,
         sum(CASE WHEN cov = 1 AND st_1 = 'ok' THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS m1_w2,
         sum(CASE WHEN cov = 1 AND st_1 = 'ok' THEN row_qty * mo_1 ELSE 0 END) AS m1_1,
         sum(CASE WHEN cov = 1 AND st_1 = 'ok' THEN row_qty * mo_1 * mo_1 ELSE 0 END) AS m1_2,
         sum(CASE WHEN cov = 1 AND st_1 = 'no_nbbo' THEN 1 ELSE 0 END) AS m1_no,
         sum(CASE WHEN cov = 1 AND st_1 = 'stale_nbbo' THEN 1 ELSE 0 END) AS m1_stale,
         sum(CASE WHEN cov = 1 AND st_1 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS m1_cross,
         sum(CASE WHEN cov = 1 AND st_5 = 'ok' THEN 1 ELSE 0 END) AS m5_n,
         sum(CASE WHEN cov = 1 AND st_5 = 'ok' THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS m5_w,
         sum(CASE WHEN cov = 1 AND st_5 = 'ok' THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS m5_w2,
         sum(CASE WHEN cov = 1 AND st_5 = 'ok' THEN row_qty * mo_5 ELSE 0 END) AS m5_1,
         sum(CASE WHEN cov = 1 AND st_5 = 'ok' THEN row_qty * mo_5 * mo_5 ELSE 0 END) AS m5_2,
         sum(CASE WHEN cov = 1 AND st_5 = 'no_nbbo' THEN 1 ELSE 0 END) AS m5_no,
         sum(CASE WHEN cov = 1 AND st_5 = 'stale_nbbo' THEN 1 ELSE 0 END) AS m5_stale,
         sum(CASE WHEN cov = 1 AND st_5 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS m5_cross,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN 1 ELSE 0 END) AS m15_n,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS m15_w,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS m15_w2,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN row_qty * mo_15 ELSE 0 END) AS m15_1,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN row_qty * mo_15 * mo_15 ELSE 0 END) AS m15_2,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN row_qty * rs_15 ELSE 0 END) AS r15_1,
         sum(CASE WHEN cov = 1 AND st_15 = 'ok' THEN row_qty * rs_15 * rs_15 ELSE 0 END) AS r15_2,
         sum(CASE WHEN cov = 1 AND st_15 = 'no_nbbo' THEN 1 ELSE 0 END) AS m15_no,
         sum(CASE WHEN cov = 1 AND st_15 = 'stale_nbbo' THEN 1 ELSE 0 END) AS m15_stale,
         sum(CASE WHEN cov = 1 AND st_15 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS m15_cross,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN 1 ELSE 0 END) AS m60_n,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS m60_w,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS m60_w2,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN row_qty * mo_60 ELSE 0 END) AS m60_1,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN row_qty * mo_60 * mo_60 ELSE 0 END) AS m60_2,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN row_qty * rs_60 ELSE 0 END) AS r60_1,
         sum(CASE WHEN cov = 1 AND st_60 = 'ok' THEN row_qty * rs_60 * rs_60 ELSE 0 END) AS r60_2,
         sum(CASE WHEN cov = 1 AND st_60 = 'no_nbbo' THEN 1 ELSE 0 END) AS m60_no,
         sum(CASE WHEN cov = 1 AND st_60 = 'stale_nbbo' THEN 1 ELSE 0 END) AS m60_stale,
         sum(CASE WHEN cov = 1 AND st_60 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS m60_cross,
         sum(CASE WHEN cov = 1 AND st_300 = 'ok' THEN 1 ELSE 0 END) AS m300_n,
         sum(CASE WHEN cov = 1 AND st_300 = 'ok' THEN CAST(row_qty AS DOUBLE) ELSE 0 END) AS m300_w,
         sum(CASE WHEN cov = 1 AND st_300 = 'ok' THEN CAST(row_qty AS DOUBLE) * row_qty ELSE 0 END) AS m300_w2,
         sum(CASE WHEN cov = 1 AND st_300 = 'ok' THEN row_qty * mo_300 ELSE 0 END) AS m300_1,
         sum(CASE WHEN cov = 1 AND st_300 = 'ok' THEN row_qty * mo_300 * mo_300 ELSE 0 END) AS m300_2,
         sum(CASE WHEN cov = 1 AND st_300 = 'no_nbbo' THEN 1 ELSE 0 END) AS m300_no,
         sum(CASE WHEN cov = 1 AND st_300 = 'stale_nbbo' THEN 1 ELSE 0 END) AS m300_stale,
         sum(CASE WHEN cov = 1 AND st_300 = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS m300_cross,
         sum(CAST(flow AS DOUBLE)) AS fl_sh,
         sum(CASE WHEN pfof > 0 THEN CAST(flow AS DOUBLE) ELSE 0 END) AS fl_pfof_sh,
         sum(flow * pfof) AS fl_pfof_usd
  FROM fig3
  GROUP BY GROUPING SETS (
    (source, order_id, symbol, order_category, size_bucket, sp500),
    (source, order_id, symbol, order_category, size_bucket, sp500, venue)
  )
),
-- Grouping sets of the output. Venue sets split a non-venue set by venue; venue_hhi is given for
-- the non-venue sets that have such a split (all, category, S&P 500, S&P 500 × category).
gsets AS (
  SELECT * FROM (VALUES
    (0, 0, 0, 0, 0), (1, 0, 0, 0, 0), (0, 1, 0, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1),
    (1, 1, 0, 0, 0), (0, 1, 0, 0, 1),
    (0, 0, 1, 0, 0), (0, 1, 1, 0, 0), (0, 0, 1, 0, 1), (0, 1, 1, 0, 1)
  ) AS t (by_symbol, by_cat, by_venue, by_size, by_sp500)
),
x1 AS (
  SELECT l.*,
         CASE WHEN g.by_symbol = 1 THEN l.symbol ELSE '*' END AS k_symbol,
         CASE WHEN g.by_cat = 1 THEN l.order_category ELSE '*' END AS k_cat,
         CASE WHEN g.by_venue = 1 THEN l.venue ELSE '*' END AS k_venue,
         CASE WHEN g.by_size = 1 THEN l.size_bucket ELSE '*' END AS k_size,
         CASE WHEN g.by_sp500 = 1 THEN l.sp500 ELSE '*' END AS k_sp500,
         CASE WHEN l.gv = 1 AND l.ff_ms IS NOT NULL THEN 1 ELSE 0 END AS ff
  FROM l1 l
  CROSS JOIN gsets g
  WHERE ((l.gv = 1 AND g.by_venue = 0) OR (l.gv = 0 AND g.by_venue = 1 AND l.venue IS NOT NULL))
    -- an orphan execution has no order: it counts only where every order column is '*'
    AND (l.symbol IS NOT NULL OR (g.by_symbol = 0 AND g.by_cat = 0 AND g.by_size = 0 AND g.by_sp500 = 0))
),
l2 AS (
  SELECT source, k_symbol, k_cat, k_venue, k_size, k_sp500,
         sum(o_n) AS o_n, sum(CAST(o_qty AS DOUBLE)) AS o_qty, sum(o_nx) AS o_nx, sum(o_filled) AS o_filled,
         sum(o_canceled) AS o_canceled,
         sum(nml_n) AS nml_n, sum(nml_nx) AS nml_nx, sum(nml_w) AS nml_w, sum(nml_w2) AS nml_w2,
         sum(nml_s1) AS nml_s1, sum(nml_s2) AS nml_s2,
         sum(ff) AS ff_n, sum(CASE WHEN ff = 1 THEN ff_nx ELSE 0 END) AS ff_nx,
         sum(CASE WHEN ff = 1 THEN CAST(ff_ms AS DOUBLE) ELSE 0 END) AS ff_1,
         sum(CASE WHEN ff = 1 THEN CAST(ff_ms AS DOUBLE) * ff_ms ELSE 0 END) AS ff_2,
         sum(ff_neg) AS ff_neg,
         -- exact order-level percentiles need every value: Trino has no exact percentile aggregate
         array_agg(ff_ms ORDER BY ff_ms) FILTER (WHERE ff = 1) AS ff_arr,
         sum(orphan) AS orphan,
         sum(x_n) AS x_n, sum(CASE WHEN x_n > 0 THEN 1 ELSE 0 END) AS x_o, sum(CAST(x_sh AS DOUBLE)) AS x_sh,
         sum(sp_n) AS sp_n, sum(CASE WHEN sp_n > 0 THEN 1 ELSE 0 END) AS sp_o,
         sum(sp_w) AS sp_w, sum(sp_w2) AS sp_w2, sum(pi_1) AS pi_1, sum(pi_2) AS pi_2,
         sum(pi_imp) AS pi_imp, sum(pi_at) AS pi_at, sum(pi_out) AS pi_out,
         sum(es_1) AS es_1, sum(es_2) AS es_2, sum(qs_1) AS qs_1, sum(qs_2) AS qs_2,
         sum(m_w) AS m_w, sum(m_w2) AS m_w2, sum(pim_2) AS pim_2, sum(esm_2) AS esm_2, sum(qsm_2) AS qsm_2,
         sum(sp_x_no) AS sp_x_no, sum(sp_x_stale) AS sp_x_stale, sum(sp_x_cross) AS sp_x_cross,
         sum(et_n) AS et_n, sum(CASE WHEN et_n > 0 THEN 1 ELSE 0 END) AS et_o,
         sum(et_w) AS et_w, sum(et_w2) AS et_w2, sum(et_1) AS et_1, sum(et_2) AS et_2, sum(et_neg) AS et_neg,
         sum(m1_n) AS m1_n, sum(CASE WHEN m1_n > 0 THEN 1 ELSE 0 END) AS m1_o, sum(m1_w) AS m1_w, sum(m1_w2) AS m1_w2,
         sum(m1_1) AS m1_1, sum(m1_2) AS m1_2, sum(m1_no) AS m1_no, sum(m1_stale) AS m1_stale, sum(m1_cross) AS m1_cross,
         sum(m5_n) AS m5_n, sum(CASE WHEN m5_n > 0 THEN 1 ELSE 0 END) AS m5_o, sum(m5_w) AS m5_w, sum(m5_w2) AS m5_w2,
         sum(m5_1) AS m5_1, sum(m5_2) AS m5_2, sum(m5_no) AS m5_no, sum(m5_stale) AS m5_stale, sum(m5_cross) AS m5_cross,
         sum(m15_n) AS m15_n, sum(CASE WHEN m15_n > 0 THEN 1 ELSE 0 END) AS m15_o, sum(m15_w) AS m15_w, sum(m15_w2) AS m15_w2,
         sum(m15_1) AS m15_1, sum(m15_2) AS m15_2, sum(r15_1) AS r15_1, sum(r15_2) AS r15_2,
         sum(m15_no) AS m15_no, sum(m15_stale) AS m15_stale, sum(m15_cross) AS m15_cross,
         sum(m60_n) AS m60_n, sum(CASE WHEN m60_n > 0 THEN 1 ELSE 0 END) AS m60_o, sum(m60_w) AS m60_w, sum(m60_w2) AS m60_w2,
         sum(m60_1) AS m60_1, sum(m60_2) AS m60_2, sum(r60_1) AS r60_1, sum(r60_2) AS r60_2,
         sum(m60_no) AS m60_no, sum(m60_stale) AS m60_stale, sum(m60_cross) AS m60_cross,
         sum(m300_n) AS m300_n, sum(CASE WHEN m300_n > 0 THEN 1 ELSE 0 END) AS m300_o, sum(m300_w) AS m300_w, sum(m300_w2) AS m300_w2,
         sum(m300_1) AS m300_1, sum(m300_2) AS m300_2, sum(m300_no) AS m300_no, sum(m300_stale) AS m300_stale, sum(m300_cross) AS m300_cross,
         sum(fl_sh) AS fl_sh, sum(CASE WHEN fl_sh > 0 THEN 1 ELSE 0 END) AS fl_o,
         sum(fl_pfof_sh) AS fl_pfof_sh, sum(fl_pfof_usd) AS fl_pfof_usd
  FROM x1
  GROUP BY source, k_symbol, k_cat, k_venue, k_size, k_sp500
),
-- Venue shares and HHI: a venue row's flow over its parent row's (same keys, venue '*').
-- Percentiles interpolate linearly between the order statistics around p·(n − 1).
l3 AS (
  SELECT l2.*,
         CASE WHEN ff_n > 0 THEN
           element_at(ff_arr, CAST(floor(CAST(50 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
           + (CAST(50 * (ff_n - 1) AS DOUBLE) / 100 - floor(CAST(50 * (ff_n - 1) AS DOUBLE) / 100))
             * (element_at(ff_arr, CAST(ceil(CAST(50 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
                - element_at(ff_arr, CAST(floor(CAST(50 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1))
         END AS med_ms,
         CASE WHEN ff_n > 0 THEN
           element_at(ff_arr, CAST(floor(CAST(95 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
           + (CAST(95 * (ff_n - 1) AS DOUBLE) / 100 - floor(CAST(95 * (ff_n - 1) AS DOUBLE) / 100))
             * (element_at(ff_arr, CAST(ceil(CAST(95 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
                - element_at(ff_arr, CAST(floor(CAST(95 * (ff_n - 1) AS DOUBLE) / 100) AS BIGINT) + 1))
         END AS p95_ms,
         max(CASE WHEN k_venue = '*' THEN fl_sh END) OVER (PARTITION BY source, k_symbol, k_cat, k_size, k_sp500) AS fl_total,
         sum(CASE WHEN k_venue <> '*' THEN fl_sh * fl_sh ELSE 0 END) OVER (PARTITION BY source, k_symbol, k_cat, k_size, k_sp500) AS fl_sq,
         CASE WHEN k_symbol = '*' AND k_size = '*' THEN 1 ELSE 0 END AS has_venue_split
  FROM l2
),
metric_names AS (
  SELECT metric FROM (VALUES
    ('orders'), ('shares_ordered'), ('shares_executed'), ('executions'),
    ('price_improvement_per_share'), ('pct_shares_price_improved'), ('pct_shares_at_quote'), ('pct_shares_outside_quote'),
    ('avg_effective_spread'), ('avg_quoted_spread'), ('eq_ratio_pct'), ('spread_capture_pct'),
    ('pct_effective_spread'), ('pct_quoted_spread'), ('weighted_pct_price_improvement'),
    ('avg_exec_time_ms'), ('median_exec_time_ms'), ('p95_exec_time_ms'),
    ('fill_rate_pct'), ('limit_fill_rate_pct'), ('cancel_rate_pct'),
    ('markout_1s_per_share'), ('markout_5s_per_share'), ('markout_15s_per_share'), ('markout_60s_per_share'), ('markout_300s_per_share'),
    ('realized_spread_15s'), ('realized_spread_60s'),
    ('venue_share_pct'), ('pfof_venue_share_pct'), ('venue_hhi'), ('pfof_received_usd')
  ) AS t (metric)
),
-- One row per group and metric with the weighted moments behind it: w = Σ weights, w2 = Σ
-- weights², s1 = Σ w·x, s2 = Σ w·x² (NULL where a spread is not meaningful).
mom AS (
  SELECT l.source, l.k_symbol, l.k_cat, l.k_venue, l.k_size, l.k_sp500, m.metric,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered', 'fill_rate_pct', 'cancel_rate_pct', 'limit_fill_rate_pct',
                             'median_exec_time_ms', 'p95_exec_time_ms', 'pfof_venue_share_pct')
             THEN CASE WHEN l.k_venue = '*' THEN 1 ELSE 0 END
           WHEN m.metric = 'venue_share_pct' THEN CASE WHEN l.k_venue <> '*' THEN 1 ELSE 0 END
           WHEN m.metric = 'venue_hhi' THEN CASE WHEN l.k_venue = '*' AND l.has_venue_split = 1 THEN 1 ELSE 0 END
           ELSE 1
         END AS applies,
         CASE m.metric
           WHEN 'orders' THEN CAST(l.o_n AS DOUBLE)
           WHEN 'shares_ordered' THEN l.o_qty
           WHEN 'shares_executed' THEN l.x_sh
           WHEN 'executions' THEN CAST(l.x_n AS DOUBLE)
           WHEN 'eq_ratio_pct' THEN 100 * l.es_1 / nullif(l.qs_1, 0)
           WHEN 'spread_capture_pct' THEN 100 - 100 * l.es_1 / nullif(l.qs_1, 0)
           WHEN 'median_exec_time_ms' THEN l.med_ms
           WHEN 'p95_exec_time_ms' THEN l.p95_ms
           WHEN 'venue_share_pct' THEN 100 * l.fl_sh / nullif(l.fl_total, 0)
           WHEN 'pfof_venue_share_pct' THEN 100 * l.fl_pfof_sh / nullif(l.fl_sh, 0)
           WHEN 'venue_hhi' THEN 10000 * l.fl_sq / nullif(l.fl_total * l.fl_total, 0)
           WHEN 'pfof_received_usd' THEN l.fl_pfof_usd
         END AS direct,
         CASE m.metric
           WHEN 'price_improvement_per_share' THEN l.sp_w WHEN 'pct_shares_price_improved' THEN l.sp_w
           WHEN 'pct_shares_at_quote' THEN l.sp_w WHEN 'pct_shares_outside_quote' THEN l.sp_w
           WHEN 'avg_effective_spread' THEN l.sp_w WHEN 'avg_quoted_spread' THEN l.sp_w
           WHEN 'pct_effective_spread' THEN l.m_w WHEN 'pct_quoted_spread' THEN l.m_w
           WHEN 'weighted_pct_price_improvement' THEN l.m_w
           WHEN 'avg_exec_time_ms' THEN l.et_w
           WHEN 'median_exec_time_ms' THEN CAST(l.ff_n AS DOUBLE) WHEN 'p95_exec_time_ms' THEN CAST(l.ff_n AS DOUBLE)
           WHEN 'fill_rate_pct' THEN CAST(l.o_n AS DOUBLE) WHEN 'cancel_rate_pct' THEN CAST(l.o_n AS DOUBLE)
           WHEN 'limit_fill_rate_pct' THEN l.nml_w
           WHEN 'markout_1s_per_share' THEN l.m1_w WHEN 'markout_5s_per_share' THEN l.m5_w
           WHEN 'markout_15s_per_share' THEN l.m15_w WHEN 'markout_60s_per_share' THEN l.m60_w
           WHEN 'markout_300s_per_share' THEN l.m300_w
           WHEN 'realized_spread_15s' THEN l.m15_w WHEN 'realized_spread_60s' THEN l.m60_w
         END AS w,
         CASE m.metric
           WHEN 'price_improvement_per_share' THEN l.sp_w2 WHEN 'pct_shares_price_improved' THEN l.sp_w2
           WHEN 'pct_shares_at_quote' THEN l.sp_w2 WHEN 'pct_shares_outside_quote' THEN l.sp_w2
           WHEN 'avg_effective_spread' THEN l.sp_w2 WHEN 'avg_quoted_spread' THEN l.sp_w2
           WHEN 'pct_effective_spread' THEN l.m_w2 WHEN 'pct_quoted_spread' THEN l.m_w2
           WHEN 'weighted_pct_price_improvement' THEN l.m_w2
           WHEN 'avg_exec_time_ms' THEN l.et_w2
           WHEN 'median_exec_time_ms' THEN CAST(l.ff_n AS DOUBLE) WHEN 'p95_exec_time_ms' THEN CAST(l.ff_n AS DOUBLE)
           WHEN 'fill_rate_pct' THEN CAST(l.o_n AS DOUBLE) WHEN 'cancel_rate_pct' THEN CAST(l.o_n AS DOUBLE)
           WHEN 'limit_fill_rate_pct' THEN l.nml_w2
           WHEN 'markout_1s_per_share' THEN l.m1_w2 WHEN 'markout_5s_per_share' THEN l.m5_w2
           WHEN 'markout_15s_per_share' THEN l.m15_w2 WHEN 'markout_60s_per_share' THEN l.m60_w2
           WHEN 'markout_300s_per_share' THEN l.m300_w2
           WHEN 'realized_spread_15s' THEN l.m15_w2 WHEN 'realized_spread_60s' THEN l.m60_w2
         END AS w2,
         CASE m.metric
           WHEN 'price_improvement_per_share' THEN l.pi_1
           WHEN 'pct_shares_price_improved' THEN 100 * l.pi_imp
           WHEN 'pct_shares_at_quote' THEN 100 * l.pi_at
           WHEN 'pct_shares_outside_quote' THEN 100 * l.pi_out
           WHEN 'avg_effective_spread' THEN l.es_1 WHEN 'avg_quoted_spread' THEN l.qs_1
           WHEN 'pct_effective_spread' THEN 100 * l.es_1 WHEN 'pct_quoted_spread' THEN 100 * l.qs_1
           WHEN 'weighted_pct_price_improvement' THEN 100 * l.pi_1
           WHEN 'avg_exec_time_ms' THEN l.et_1
           WHEN 'median_exec_time_ms' THEN l.ff_1 WHEN 'p95_exec_time_ms' THEN l.ff_1
           WHEN 'fill_rate_pct' THEN 100 * CAST(l.o_filled AS DOUBLE)
           WHEN 'cancel_rate_pct' THEN 100 * CAST(l.o_canceled AS DOUBLE)
           WHEN 'limit_fill_rate_pct' THEN 100 * l.nml_s1
           WHEN 'markout_1s_per_share' THEN l.m1_1 WHEN 'markout_5s_per_share' THEN l.m5_1
           WHEN 'markout_15s_per_share' THEN l.m15_1 WHEN 'markout_60s_per_share' THEN l.m60_1
           WHEN 'markout_300s_per_share' THEN l.m300_1
           WHEN 'realized_spread_15s' THEN l.r15_1 WHEN 'realized_spread_60s' THEN l.r60_1
         END AS s1,
         CASE m.metric
           WHEN 'price_improvement_per_share' THEN l.pi_2
           WHEN 'pct_shares_price_improved' THEN 10000 * l.pi_imp
           WHEN 'pct_shares_at_quote' THEN 10000 * l.pi_at
           WHEN 'pct_shares_outside_quote' THEN 10000 * l.pi_out
           WHEN 'avg_effective_spread' THEN l.es_2 WHEN 'avg_quoted_spread' THEN l.qs_2
           WHEN 'pct_effective_spread' THEN 10000 * l.esm_2 WHEN 'pct_quoted_spread' THEN 10000 * l.qsm_2
           WHEN 'weighted_pct_price_improvement' THEN 10000 * l.pim_2
           WHEN 'avg_exec_time_ms' THEN l.et_2
           WHEN 'median_exec_time_ms' THEN l.ff_2 WHEN 'p95_exec_time_ms' THEN l.ff_2
           WHEN 'fill_rate_pct' THEN 10000 * CAST(l.o_filled AS DOUBLE)
           WHEN 'cancel_rate_pct' THEN 10000 * CAST(l.o_canceled AS DOUBLE)
           WHEN 'limit_fill_rate_pct' THEN 10000 * l.nml_s2
           WHEN 'markout_1s_per_share' THEN l.m1_2 WHEN 'markout_5s_per_share' THEN l.m5_2
           WHEN 'markout_15s_per_share' THEN l.m15_2 WHEN 'markout_60s_per_share' THEN l.m60_2
           WHEN 'markout_300s_per_share' THEN l.m300_2
           WHEN 'realized_spread_15s' THEN l.r15_2 WHEN 'realized_spread_60s' THEN l.r60_2
         END AS s2,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered', 'fill_rate_pct', 'cancel_rate_pct') THEN l.o_n
           WHEN m.metric = 'limit_fill_rate_pct' THEN l.nml_n
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN l.ff_n
           WHEN m.metric IN ('executions', 'shares_executed') THEN l.x_o
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement') THEN l.sp_o
           WHEN m.metric = 'avg_exec_time_ms' THEN l.et_o
           WHEN m.metric = 'markout_1s_per_share' THEN l.m1_o
           WHEN m.metric = 'markout_5s_per_share' THEN l.m5_o
           WHEN m.metric IN ('markout_15s_per_share', 'realized_spread_15s') THEN l.m15_o
           WHEN m.metric IN ('markout_60s_per_share', 'realized_spread_60s') THEN l.m60_o
           WHEN m.metric = 'markout_300s_per_share' THEN l.m300_o
           ELSE l.fl_o
         END AS n_orders,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered', 'fill_rate_pct', 'cancel_rate_pct') THEN l.o_nx
           WHEN m.metric = 'limit_fill_rate_pct' THEN l.nml_nx
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN l.ff_nx
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement') THEN l.sp_n
           WHEN m.metric = 'avg_exec_time_ms' THEN l.et_n
           WHEN m.metric = 'markout_1s_per_share' THEN l.m1_n
           WHEN m.metric = 'markout_5s_per_share' THEN l.m5_n
           WHEN m.metric IN ('markout_15s_per_share', 'realized_spread_15s') THEN l.m15_n
           WHEN m.metric IN ('markout_60s_per_share', 'realized_spread_60s') THEN l.m60_n
           WHEN m.metric = 'markout_300s_per_share' THEN l.m300_n
           ELSE l.x_n
         END AS n_executions,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement') THEN l.sp_x_no
           WHEN m.metric = 'markout_1s_per_share' THEN l.m1_no
           WHEN m.metric = 'markout_5s_per_share' THEN l.m5_no
           WHEN m.metric IN ('markout_15s_per_share', 'realized_spread_15s') THEN l.m15_no
           WHEN m.metric IN ('markout_60s_per_share', 'realized_spread_60s') THEN l.m60_no
           WHEN m.metric = 'markout_300s_per_share' THEN l.m300_no
           ELSE 0
         END AS excl_no_nbbo,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement') THEN l.sp_x_stale
           WHEN m.metric = 'markout_1s_per_share' THEN l.m1_stale
           WHEN m.metric = 'markout_5s_per_share' THEN l.m5_stale
           WHEN m.metric IN ('markout_15s_per_share', 'realized_spread_15s') THEN l.m15_stale
           WHEN m.metric IN ('markout_60s_per_share', 'realized_spread_60s') THEN l.m60_stale
           WHEN m.metric = 'markout_300s_per_share' THEN l.m300_stale
           ELSE 0
         END AS excl_stale_nbbo,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement') THEN l.sp_x_cross
           WHEN m.metric = 'markout_1s_per_share' THEN l.m1_cross
           WHEN m.metric = 'markout_5s_per_share' THEN l.m5_cross
           WHEN m.metric IN ('markout_15s_per_share', 'realized_spread_15s') THEN l.m15_cross
           WHEN m.metric IN ('markout_60s_per_share', 'realized_spread_60s') THEN l.m60_cross
           WHEN m.metric = 'markout_300s_per_share' THEN l.m300_cross
           ELSE 0
         END AS excl_crossed_or_locked_nbbo,
         CASE
           WHEN m.metric = 'avg_exec_time_ms' THEN l.et_neg
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN l.ff_neg
           ELSE 0
         END AS excl_negative_exec_time,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered', 'fill_rate_pct', 'cancel_rate_pct', 'limit_fill_rate_pct',
                             'median_exec_time_ms', 'p95_exec_time_ms') THEN 0
           ELSE l.orphan
         END AS excl_orphan_execution
  FROM l3 l
  CROSS JOIN metric_names m
),
fin AS (
  SELECT mom.*,
         COALESCE(direct, s1 / nullif(w, 0)) AS value,
         CASE WHEN w > 0 THEN w * w / w2 END AS n_eff,
         CASE WHEN w > 0 AND w - w2 / w > 0 THEN sqrt(greatest((s2 - s1 * s1 / w) / (w - w2 / w), 0)) END AS std_dev
  FROM mom
  WHERE applies = 1
)
SELECT p.period, f.source, f.k_symbol AS symbol, f.k_cat AS order_category, f.k_venue AS venue,
       f.k_size AS size_bucket, f.k_sp500 AS sp500, f.metric, f.value,
       CAST(f.n_orders AS BIGINT) AS n_orders, CAST(f.n_executions AS BIGINT) AS n_executions,
       f.std_dev, f.n_eff,
       CAST(f.excl_no_nbbo AS BIGINT) AS excl_no_nbbo, CAST(f.excl_stale_nbbo AS BIGINT) AS excl_stale_nbbo,
       CAST(f.excl_crossed_or_locked_nbbo AS BIGINT) AS excl_crossed_or_locked_nbbo,
       CAST(f.excl_negative_exec_time AS BIGINT) AS excl_negative_exec_time,
       CAST(f.excl_orphan_execution AS BIGINT) AS excl_orphan_execution
FROM fin f
CROSS JOIN params p
WHERE f.value IS NOT NULL
   OR f.excl_no_nbbo + f.excl_stale_nbbo + f.excl_crossed_or_locked_nbbo + f.excl_negative_exec_time
      + f.excl_orphan_execution > 0
ORDER BY f.source, f.k_symbol, f.k_cat, f.k_venue, f.k_size, f.k_sp500, f.metric
