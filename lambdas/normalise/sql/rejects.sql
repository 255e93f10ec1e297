-- Rejected rows with their original fields, line, column and reason, in line order: invalid
-- values (from the scratch partition of the single read), conflicting duplicates, and records
-- the CSV reader could not split into fields. The first, empty branch fixes the header: the
-- file's own columns, then line, column, reason.
COPY (
  SELECT * FROM (
    SELECT {{empty}}, CAST(NULL AS BIGINT) AS line, CAST(NULL AS VARCHAR) AS "column", CAST(NULL AS VARCHAR) AS reason
    WHERE false
    {{branches}}
    UNION ALL BY NAME
    SELECT line, "column", reason FROM nx_structural
  )
  ORDER BY line
) TO '{{path}}' (FORMAT csv, HEADER true);
