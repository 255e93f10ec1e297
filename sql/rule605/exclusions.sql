-- Rule 605(a)(2) exclusions (docs/regulatory.md): what the summary leaves out, counted by reason,
-- so that nothing is dropped silently. Orders: MKT/LMT orders of the month (tif not IOC, FOK, OPG,
-- CLS) whose NBBO at receipt is unusable: no_nbbo, stale_nbbo (older than max_quote_age_s),
-- crossed_or_locked_nbbo (such an order can be neither classified nor size-bucketed).
-- Executions of the month whose order is missing: orphan_execution.
--
-- Parameters (the review's list, in this order):
--   1 period           VARCHAR  '2026-07'
--   2 start_date       DATE     first day of the month
--   3 end_date         DATE     first day of the next month
--   4 max_quote_age_s  DOUBLE   an NBBO older than this at receipt is stale (unusable)
-- Output: reason, n (orders; executions for orphan_execution), shares (ordered; executed for
-- orphan_execution).
-- Time differences are rounded to whole microseconds (the lake's precision): to_unixtime's DOUBLE
-- is off by up to ~0.2 us at today's epoch, enough to tip an exact 10 s quote age either way.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
candidates AS (
  SELECT o.source, o.trade_date, o.order_id, o.symbol, o.qty, o.received_ts
  FROM orders o CROSS JOIN params p
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date AND o.tif NOT IN ('IOC', 'FOK', 'OPG', 'CLS')
),
events AS (
  SELECT q.symbol, q.ts, 0 AS tie, q.source_key, q.source_line, q.bid, q.ask,
         CAST(NULL AS VARCHAR) AS source, CAST(NULL AS DATE) AS trade_date, CAST(NULL AS VARCHAR) AS order_id
  FROM quotes q CROSS JOIN params p
  WHERE q.trade_date >= p.start_date AND q.trade_date < p.end_date AND q.symbol IN (SELECT DISTINCT symbol FROM candidates)
  UNION ALL
  SELECT symbol, received_ts, 1, NULL, NULL, NULL, NULL, source, trade_date, order_id FROM candidates
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
judged AS (
  SELECT c.qty,
         CASE
           WHEN f.nbb IS NULL THEN 'no_nbbo'
           WHEN round((to_unixtime(f.ts) - to_unixtime(f.quote_ts)) * 1e6) > p.max_quote_age_s * 1e6 THEN 'stale_nbbo'
           WHEN f.nbb >= f.nbo THEN 'crossed_or_locked_nbbo'
         END AS reason
  FROM candidates c
  JOIN filled f ON f.tie = 1 AND f.source = c.source AND f.trade_date = c.trade_date AND f.order_id = c.order_id
  CROSS JOIN params p
),
orphans AS (
  SELECT e.qty
  FROM executions e CROSS JOIN params p
  LEFT JOIN (
    SELECT DISTINCT o2.source, o2.trade_date, o2.order_id
    FROM orders o2 CROSS JOIN params p2
    WHERE o2.trade_date >= p2.start_date AND o2.trade_date < p2.end_date
  ) o ON o.source = e.source AND o.trade_date = e.trade_date AND o.order_id = e.order_id
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date AND o.order_id IS NULL
)
SELECT reason, count(*) AS n, sum(qty) AS shares FROM judged WHERE reason IS NOT NULL GROUP BY reason
UNION ALL
SELECT 'orphan_execution', count(*), sum(qty) FROM orphans HAVING count(*) > 0
ORDER BY 1
