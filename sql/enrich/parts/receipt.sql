-- Part of sql/enrich: each probe's NBBO status, and every order of the day classified from its
-- NBBO at receipt (docs/metrics.md "Order categories"): category, Rule 605 size bucket, S&P 500,
-- regular hours, covered, and the first exclusion reason that applies before any fill is seen.
quote_status AS (
  SELECT pq.trade_date, pq.row_id, pq.horizon, pq.probe_us, pq.quote_us, pq.bid, pq.ask,
         CASE WHEN pq.quote_us IS NULL THEN 'no_nbbo'
              WHEN pq.probe_us - pq.quote_us > p.max_quote_age_s * 1e6 THEN 'stale_nbbo'
              WHEN pq.bid >= pq.ask THEN 'crossed_or_locked_nbbo'
              ELSE 'ok' END AS status
  FROM probe_quotes pq
  JOIN params p ON p.trade_date = pq.trade_date
),
sp500_members AS (
  SELECT DISTINCT p.trade_date, r.symbol
  FROM reference r
  CROSS JOIN params p
  WHERE r.list = 'SP500' AND r.effective_from <= p.trade_date
),
receipt_nbbo AS (
  SELECT o.*, q.bid AS nbb, q.ask AS nbo, q.status AS nbbo_status,
         CAST(o.received_us - q.quote_us AS DOUBLE) / 1000 AS quote_age_ms,
         CASE WHEN q.status = 'ok' THEN (q.bid + q.ask) / 2 END AS mid,
         CASE WHEN q.status = 'ok' THEN q.ask - q.bid END AS quoted_spread,
         CASE WHEN sp.symbol IS NULL THEN 'N' ELSE 'Y' END AS sp500,
         hour(o.received_ts AT TIME ZONE 'America/New_York') * 60 + minute(o.received_ts AT TIME ZONE 'America/New_York')
           BETWEEN 570 AND 959 AS regular_hours
  FROM day_orders o
  LEFT JOIN quote_status q ON q.trade_date = o.trade_date AND q.row_id = o.order_id AND q.horizon = -1
  LEFT JOIN sp500_members sp ON sp.trade_date = o.trade_date AND sp.symbol = o.symbol
),
receipt_category AS (
  SELECT r.*,
         CASE WHEN r.tif IN ('OPG', 'CLS') THEN 'other'
              WHEN r.order_type = 'MKT' THEN 'market'
              WHEN r.nbbo_status = 'ok' THEN
                CASE WHEN (r.side_sign = 1 AND r.limit_price >= r.nbo) OR (r.side_sign = -1 AND r.limit_price <= r.nbb)
                     THEN 'marketable_limit' ELSE 'non_marketable_limit' END
              ELSE 'other' END AS order_category,
         r.qty * r.mid AS notional
  FROM receipt_nbbo r
),
order_receipt AS (
  SELECT c.*,
         CASE WHEN c.notional IS NULL THEN NULL
              WHEN c.notional < 250 THEN '0'
              WHEN c.notional < 1000 THEN '250'
              WHEN c.notional < 5000 THEN '1000'
              WHEN c.notional < 10000 THEN '5000'
              WHEN c.notional < 20000 THEN '10000'
              WHEN c.notional < 50000 THEN '20000'
              WHEN c.notional < 200000 THEN '50000'
              ELSE '200000' END AS size_bucket,
         c.order_category IN ('market', 'marketable_limit') AND c.regular_hours AND c.directed = 'N'
           AND c.nbbo_status = 'ok' AS covered,
         -- An unclassifiable limit order ('other' for want of an NBBO) is excluded for its NBBO.
         CASE WHEN c.directed = 'Y' THEN 'directed'
              WHEN NOT c.regular_hours THEN 'outside_regular_hours'
              WHEN c.order_category = 'non_marketable_limit' OR c.tif IN ('OPG', 'CLS') THEN 'not_marketable'
              WHEN c.nbbo_status <> 'ok' THEN c.nbbo_status
              END AS receipt_exclusion
  FROM receipt_category c
)
