-- Part of sql/enrich: the parameters of a local batch (DuckDB only, lib/enrich-local.ts): one row
-- per trade date of one source, the dates given as one comma-separated parameter in the place of
-- parts/params.sql's single date, so one query pass enriches many dates. Rows never mix dates:
-- every join and window below is keyed by trade_date (test/enrich/asof-forms.test.ts compares).
params AS (
  SELECT CAST(? AS VARCHAR) AS source, CAST(unnest(string_split(CAST(? AS VARCHAR), ',')) AS DATE) AS trade_date,
         CAST(? AS DOUBLE) AS max_quote_age_s
)
