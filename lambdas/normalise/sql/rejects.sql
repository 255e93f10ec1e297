-- Rejected rows with their original fields, line, column and reason, in line order: invalid
-- values, conflicting duplicates, and records the CSV reader could not split into fields.
COPY (
  SELECT * FROM (
    SELECT {{originals}}, nx_line AS line, nx_column AS "column", nx_reason AS reason
    FROM nx_checked
    WHERE nx_reason IS NOT NULL
    UNION ALL BY NAME
    SELECT {{originals}}, c.nx_line AS line, {{key_columns}} AS "column",
      {{key_label}} || ' conflicts with line(s) ' || f.other_lines || ': same key, different content' AS reason
    FROM nx_checked c JOIN nx_fate f ON f.nx_line = c.nx_line AND f.fate = 'conflict'
    UNION ALL BY NAME
    SELECT line, "column", reason FROM nx_structural
  )
  ORDER BY line
) TO '{{path}}' (FORMAT csv, HEADER true);
