-- A FIX log's quarantine CSV: lines the FIX parser rejected (the FIX text as `original`) and
-- canonical rows the validation rejected (their fields), each with line, column and reason.
COPY (
  SELECT * EXCLUDE (line, "column", reason), line, "column", reason
  FROM (
    SELECT original, CAST(line AS BIGINT) AS line, "column", reason
    FROM read_csv({{fix}}, header = true, auto_detect = false,
      columns = {'original': 'VARCHAR', 'line': 'VARCHAR', 'column': 'VARCHAR', 'reason': 'VARCHAR'})
    {{tables}}
  )
  ORDER BY line
) TO {{path}} (FORMAT csv, HEADER true);
