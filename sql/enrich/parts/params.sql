-- Part of sql/enrich: the parameters of one unit of work (source, trade date, max quote age), as
-- Athena binds them. Every CTE keys its rows by trade_date, so the same text also runs over many
-- dates of a source at once (parts/params_dates.sql, the local engine's batch).
params AS (
  SELECT CAST(? AS VARCHAR) AS source, CAST(? AS DATE) AS trade_date, CAST(? AS DOUBLE) AS max_quote_age_s
)
