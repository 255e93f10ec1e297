-- Part of sql/enrich: THE as-of NBBO lookup for DuckDB (the local engine, and Athena's DuckDB
-- engine). Same contract as asof.trino.sql: probes + day_quotes in, probe_quotes out.
-- ASOF JOIN picks an arbitrary quote among several at one instant, so each instant keeps only
-- the last quote in file order first.
asof_last_at_instant AS (
  SELECT symbol, quote_us, bid, ask
  FROM day_quotes
  QUALIFY row_number() OVER (PARTITION BY symbol, quote_us ORDER BY source_key DESC, source_line DESC) = 1
),
probe_quotes AS (
  SELECT p.row_id, p.horizon, p.probe_us, q.quote_us, q.bid, q.ask
  FROM probes p
  ASOF LEFT JOIN asof_last_at_instant q ON p.symbol = q.symbol AND p.probe_us >= q.quote_us
)
