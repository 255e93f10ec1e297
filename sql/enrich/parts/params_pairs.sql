-- Part of sql/enrich: the parameters of the local batch's one as-of lookup (probe_quotes.sql,
-- DuckDB only, lib/enrich-local.ts): one row per source × trade date of the batch, given as two
-- comma-separated parameters of equal length that unnest side by side (pair k is the k-th source
-- with the k-th date), and the max quote age.
params AS (
  SELECT CAST(unnest(string_split(CAST(? AS VARCHAR), ',')) AS VARCHAR) AS source,
         CAST(unnest(string_split(CAST(? AS VARCHAR), ',')) AS DATE) AS trade_date,
         CAST(? AS DOUBLE) AS max_quote_age_s
)
