-- A FIX log's quarantine rows: lines the FIX parser rejected (the FIX text as `original`) and
-- canonical rows the validation rejected (their fields), each with line, column and reason.
-- The CSV is written by lambdas/shared/csv.ts, which neutralises formula cells.
SELECT {{columns}}
FROM (
  SELECT original, line, "column", reason
  FROM nx_fix_rejects
  {{tables}}
)
ORDER BY line
