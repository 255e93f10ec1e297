-- DuckDB-native yardstick for bench/metrics.ts (not portable, not used by reviews): the core
-- figures (price improvement, effective spread, execution time) per source and order category,
-- with DuckDB's ASOF JOIN for the NBBO at receipt. Same parameters as the review SQL.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date,
         CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
o AS (
  SELECT o.* FROM orders o, params p WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
),
q AS (
  SELECT q.symbol, q.trade_date, q.ts, q.bid, q.ask FROM quotes q, params p
  WHERE q.trade_date >= p.start_date AND q.trade_date < p.end_date
),
ob AS (
  SELECT o.source, o.order_id, o.side, o.order_type, o.tif, o.limit_price, o.received_ts, q.bid AS nbb, q.ask AS nbo,
         q.ts AS q_ts, CASE WHEN o.side = 'B' THEN 1 ELSE -1 END AS s
  FROM o ASOF LEFT JOIN q ON o.symbol = q.symbol AND o.trade_date = q.trade_date AND o.received_ts >= q.ts
),
oc AS (
  SELECT ob.*, ob.q_ts IS NOT NULL AND epoch_ms(ob.received_ts) - epoch_ms(ob.q_ts) <= p.max_quote_age_s * 1000 AND ob.nbb < ob.nbo AS ok,
         CASE WHEN ob.tif IN ('OPG', 'CLS') THEN 'other' WHEN ob.order_type = 'MKT' THEN 'market'
              WHEN ob.q_ts IS NULL OR ob.nbb >= ob.nbo THEN 'other'
              WHEN (ob.s = 1 AND ob.limit_price >= ob.nbo) OR (ob.s = -1 AND ob.limit_price <= ob.nbb) THEN 'marketable_limit'
              ELSE 'non_marketable_limit' END AS order_category
  FROM ob, params p
),
x AS (
  SELECT oc.source, oc.order_category, e.qty, e.price, oc.s, oc.ok, oc.nbb, oc.nbo,
         epoch_ms(e.exec_ts) - epoch_ms(oc.received_ts) AS exec_ms
  FROM executions e JOIN oc ON oc.source = e.source AND oc.order_id = e.order_id, params p
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
)
SELECT source, order_category,
       sum(CASE WHEN ok THEN qty * (CASE WHEN s = 1 THEN nbo - price ELSE price - nbb END) END) / sum(CASE WHEN ok THEN qty END) AS price_improvement_per_share,
       sum(CASE WHEN ok THEN qty * 2 * s * (price - (nbb + nbo) / 2) END) / sum(CASE WHEN ok THEN qty END) AS avg_effective_spread,
       sum(CASE WHEN exec_ms >= 0 THEN qty * exec_ms END) / sum(CASE WHEN exec_ms >= 0 THEN qty END) AS avg_exec_time_ms
FROM x
GROUP BY GROUPING SETS ((source), (source, order_category))
ORDER BY 1, 2
