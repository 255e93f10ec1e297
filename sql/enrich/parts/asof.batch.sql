-- Part of sql/enrich: the as-of lookups of a local batch (DuckDB only, lib/enrich-local.ts),
-- taken from the temp table batch_probe_quotes, which probe_quotes.sql fills once for every
-- source and date of the batch with the engine's own as-of form (each date's quotes are then
-- sorted once, not once per source and table). Same columns as the forms' probe_quotes; the
-- local batch = one query per date is proved by test/enrich/asof-forms.test.ts.
probe_quotes AS (
  SELECT c.trade_date, c.source, c.row_id, c.horizon, c.probe_us, c.quote_us, c.bid, c.ask
  FROM batch_probe_quotes c
  JOIN params p ON p.source = c.source AND p.trade_date = c.trade_date
)
