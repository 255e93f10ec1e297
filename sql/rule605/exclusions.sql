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
--   4 max_quote_age_s  DOUBLE   bound for a uniform list; the figures applied it when computed
-- Output: reason, n (orders; executions for orphan_execution), shares (ordered; executed for
-- orphan_execution).
-- Reads the figures tables (sql/enrich): the NBBO status at receipt and the orphan reason are
-- theirs, so this file and the summary cannot disagree on what was left out.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date, CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
unusable_receipt AS (
  SELECT o.nbbo_status AS reason, o.qty
  FROM order_figures o CROSS JOIN params p
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
    AND o.tif NOT IN ('IOC', 'FOK', 'OPG', 'CLS') AND o.nbbo_status <> 'ok'
),
orphans AS (
  SELECT e.qty
  FROM execution_figures e CROSS JOIN params p
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date AND e.exclusion_reason = 'orphan_execution'
)
SELECT reason, count(*) AS n, sum(qty) AS shares FROM unusable_receipt GROUP BY reason
UNION ALL
SELECT 'orphan_execution', count(*), sum(qty) FROM orphans HAVING count(*) > 0
ORDER BY 1
