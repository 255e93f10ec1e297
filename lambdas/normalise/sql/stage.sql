-- The validated view of one input: {{input}} is a read_csv/read_parquet call whose fields are
-- all read as VARCHAR. Each layer adds what the next one needs, so DuckDB computes every value
-- once and projection pushdown drops what a query does not use.
--   nx_mapped:  line number, original fields (o_*), canonical text after profile mapping (m_*)
--   nx_typed:   typed values (t_*)
--   nx_errors:  one reason per failing column (e_*), the trade date
--   nx_checked: the row's reason (NULL = valid) and failing columns
CREATE OR REPLACE TEMP VIEW nx_mapped AS
SELECT {{line}} AS nx_line, {{record}} AS nx_record_error, {{originals}}, {{mapped}}
FROM {{input}};

CREATE OR REPLACE TEMP VIEW nx_typed AS
SELECT *, {{typed}}
FROM nx_mapped;

CREATE OR REPLACE TEMP VIEW nx_errors AS
SELECT *, {{errors}}, {{trade_date}} AS nx_trade_date
FROM nx_typed;

-- A record that is not even a record (a JSON line that is no object) gets that reason alone.
-- The reason and column lists are only built for rows that break a rule: joining nine NULLs
-- on every valid row cost as much as parsing a number.
CREATE OR REPLACE TEMP VIEW nx_checked AS
SELECT *,
  CASE WHEN nx_record_error IS NULL AND {{all_ok}} THEN NULL
    ELSE coalesce(nx_record_error, nullif(concat_ws('; ', {{error_list}}), '')) END AS nx_reason,
  CASE WHEN nx_record_error IS NULL AND NOT ({{all_ok}}) THEN nullif(concat_ws(';', {{error_columns}}), '') END AS nx_column
FROM nx_errors;
