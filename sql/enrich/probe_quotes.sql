-- The NBBO at every probe of a set of source × trade date units (the receipt of each order, and
-- each execution at exec_ts and 1 … 300 s later): what execution_figures.sql and
-- order_figures.sql look up, computed once. The local batch runs it over all the sources and
-- dates of the batch into the temp table batch_probe_quotes (parts/params_pairs.sql,
-- lib/enrich-local.ts) and composes the two tables' queries with parts/asof.batch.sql, which
-- reads it; on AWS each table's query looks up its own probes (one unit, one query).
WITH
-- @include params
-- @include day
-- @include probes
-- @include asof
SELECT trade_date, source, row_id, horizon, probe_us, quote_us, bid, ask
FROM probe_quotes
