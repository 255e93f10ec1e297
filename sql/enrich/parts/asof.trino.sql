-- Part of sql/enrich: THE as-of NBBO lookup for Athena engine version 3 (Trino has no ASOF
-- JOIN). In: probes (trade_date, source, row_id, horizon, symbol, probe_us) and day_quotes. Out:
-- probe_quotes, one row per probe with the last quote at or before probe_us (NULLs when none that day).
-- Quotes and probes form one stream per trade date and symbol; quote_group counts the quotes seen so far, so
-- every probe shares its group with exactly the quote in effect. A quote sorts before a probe at
-- the same instant (ts <= t), and among quotes at one instant file order decides (the last wins).
-- The DuckDB form (asof.duckdb.sql) must give the same rows: test/enrich/asof-forms.test.ts.
asof_stream AS (
  SELECT trade_date, symbol, quote_us AS event_us, 0 AS is_probe, source_key, source_line, bid, ask,
         CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS row_id, CAST(NULL AS INTEGER) AS horizon
  FROM day_quotes
  UNION ALL
  SELECT trade_date, symbol, probe_us, 1, CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
         source, row_id, horizon
  FROM probes
),
asof_grouped AS (
  SELECT s.*,
         count(bid) OVER (PARTITION BY trade_date, symbol ORDER BY event_us, is_probe, source_key, source_line
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS quote_group
  FROM asof_stream s
),
asof_filled AS (
  SELECT g.trade_date, g.source, g.row_id, g.horizon, g.is_probe, g.event_us,
         max(CASE WHEN g.is_probe = 0 THEN g.event_us END) OVER (PARTITION BY g.trade_date, g.symbol, g.quote_group) AS quote_us,
         max(g.bid) OVER (PARTITION BY g.trade_date, g.symbol, g.quote_group) AS bid,
         max(g.ask) OVER (PARTITION BY g.trade_date, g.symbol, g.quote_group) AS ask
  FROM asof_grouped g
),
probe_quotes AS (
  SELECT trade_date, source, row_id, horizon, event_us AS probe_us, quote_us, bid, ask
  FROM asof_filled
  WHERE is_probe = 1
)
