-- Part of sql/enrich (included by lib/enrich-sql.ts, never run alone): the day's orders and
-- quotes of one source × trade date, and the source's venue terms in force that day. Times
-- become epoch microseconds here, once, so every latency below is exact integer arithmetic.
day_orders AS (
  SELECT o.trade_date, o.source, o.order_id, o.symbol, o.side, CASE WHEN o.side = 'B' THEN 1 ELSE -1 END AS side_sign, o.order_type, o.tif,
         o.limit_price, o.qty, o.received_ts, CAST(round(to_unixtime(o.received_ts) * 1e6) AS BIGINT) AS received_us,
         o.canceled_ts, CAST(round(to_unixtime(o.canceled_ts) * 1e6) AS BIGINT) AS canceled_us,
         COALESCE(o.directed, 'N') AS directed, o.vendor_nbb, o.vendor_nbo
  FROM orders o
  CROSS JOIN params p
  WHERE o.source = p.source AND o.trade_date = p.trade_date
),
-- Quotes of the trade date for the symbols the source traded: an NBBO never carries over midnight
-- (the as-of lookup is keyed by trade_date and symbol). A semi-join on the dates, so params with
-- several sources of one date (parts/params_pairs.sql) read each quote once.
day_quotes AS (
  SELECT q.trade_date, q.symbol, CAST(round(to_unixtime(q.ts) * 1e6) AS BIGINT) AS quote_us, q.bid, q.ask, q.source_key, q.source_line
  FROM quotes q
  WHERE q.trade_date IN (SELECT trade_date FROM params)
    AND q.symbol IN (SELECT symbol FROM day_orders)
),
venue_terms AS (
  SELECT trade_date, venue, venue_type, approved, pfof_per_share, fee_per_share, rebate_per_share
  FROM (
    SELECT p.trade_date, v.venue, v.venue_type, v.approved, v.pfof_per_share, v.fee_per_share, v.rebate_per_share,
           row_number() OVER (PARTITION BY p.trade_date, v.venue ORDER BY v.effective_from DESC) AS newest_first
    FROM venues v
    CROSS JOIN params p
    WHERE v.source = p.source AND v.effective_from <= p.trade_date
  ) AS terms
  WHERE newest_first = 1
)
