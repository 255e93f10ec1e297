-- Part of sql/enrich: THE as-of NBBO lookup for DuckDB (the local engine, and Athena's DuckDB
-- engine). Same contract as asof.trino.sql: probes + day_quotes in, probe_quotes out.
-- ASOF JOIN picks an arbitrary quote among several at one instant, so the join finds only the
-- instant in effect, and the quote of that instant is the last in file order (arg_max by file and
-- line), taken among the quotes of the instants found only: deduplicating every quote first (a
-- window or a group-by over all of them) was most of this query's time.
asof_instant AS (
  SELECT p.trade_date, p.source, p.row_id, p.horizon, p.symbol, p.probe_us, q.quote_us
  FROM probes p
  ASOF LEFT JOIN (SELECT trade_date, symbol, quote_us FROM day_quotes) q
    ON p.trade_date = q.trade_date AND p.symbol = q.symbol AND p.probe_us >= q.quote_us
),
asof_last_at_instant AS (
  SELECT q.trade_date, q.symbol, q.quote_us, arg_max({'bid': q.bid, 'ask': q.ask}, {'file': q.source_key, 'line': q.source_line}) AS last_quote
  FROM day_quotes q
  SEMI JOIN asof_instant a ON a.trade_date = q.trade_date AND a.symbol = q.symbol AND a.quote_us = q.quote_us
  GROUP BY q.trade_date, q.symbol, q.quote_us
),
probe_quotes AS (
  SELECT a.trade_date, a.source, a.row_id, a.horizon, a.probe_us, a.quote_us, l.last_quote.bid AS bid, l.last_quote.ask AS ask
  FROM asof_instant a
  LEFT JOIN asof_last_at_instant l ON l.trade_date = a.trade_date AND l.symbol = a.symbol AND l.quote_us = a.quote_us
)
