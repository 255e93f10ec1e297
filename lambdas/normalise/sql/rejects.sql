-- Rejected rows with their original fields (q_0, q_1, … by position), line, column and reason,
-- in line order: invalid values (from the scratch partition of the single read), conflicting
-- duplicates, and records that are not rows (nx_structural). The first, empty branch fixes the
-- columns. The CSV is written by lambdas/shared/csv.ts, which neutralises formula cells.
SELECT {{columns}} FROM (
  SELECT {{empty}}, CAST(NULL AS BIGINT) AS line, CAST(NULL AS VARCHAR) AS "column", CAST(NULL AS VARCHAR) AS reason
  WHERE false
  {{branches}}
  UNION ALL BY NAME
  SELECT line, "column", reason FROM nx_structural
)
ORDER BY line
