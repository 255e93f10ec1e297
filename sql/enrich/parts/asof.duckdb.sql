-- Part of sql/enrich: THE as-of NBBO lookup for DuckDB (the local engine, and Athena's DuckDB
-- engine). Same contract as asof.trino.sql: probes + day_quotes in, probe_quotes out.
-- One ASOF JOIN whose sort key settles ties itself: quotes order by (instant, file, line), and a
-- probe sorts after every quote of its own instant, so the quote found is the last in file order
-- at the last instant at or before the probe (the rule of asof.trino.sql). A join on the instant
-- alone picks an arbitrary quote among several at one instant, and settling that afterwards
-- (a semi-join and group-by over the day's quotes) took half of the lookup's time.
probe_quotes AS (
  SELECT p.trade_date, p.source, p.row_id, p.horizon, p.probe_us, q.quote_us, q.bid, q.ask
  FROM probes p
  ASOF LEFT JOIN (
    SELECT trade_date, symbol, quote_us, bid, ask,
           {'us': quote_us, 'after_quotes': 0, 'file': source_key, 'line': source_line} AS quote_order
    FROM day_quotes
  ) q
    ON p.trade_date = q.trade_date AND p.symbol = q.symbol
   AND {'us': p.probe_us, 'after_quotes': 1, 'file': '', 'line': 0} >= q.quote_order
)
