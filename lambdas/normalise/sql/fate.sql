-- Duplicates and conflicts among valid rows that share a key ({{key}}, typed). Identical
-- repeats: the first line is kept, later ones are duplicates. Different content under the same
-- key: every row of the key is rejected as a conflict, since nothing says which one is right.
CREATE OR REPLACE TEMP TABLE nx_fate AS
WITH cand AS (
  SELECT source_line AS nx_line, {{key}} AS k, {{rowhash}} AS rh, {{key_label}} AS key_label, filename
  FROM read_parquet({{files}}, hive_partitioning = {{hive}}, filename = true) c
  WHERE {{keyhash}} IN (SELECT hk FROM nx_dupkeys)
),
grp AS (
  SELECT k, count(DISTINCT rh) AS variants, min(nx_line) AS first_line, list(nx_line ORDER BY nx_line) AS lines
  FROM cand
  GROUP BY k
  HAVING count(*) > 1
)
SELECT c.nx_line, CASE WHEN g.variants > 1 THEN 'conflict' ELSE 'duplicate' END AS fate, g.first_line,
  array_to_string(list_filter(g.lines, x -> x <> c.nx_line), ', ') AS other_lines, c.key_label, c.filename
FROM cand c JOIN grp g USING (k)
WHERE g.variants > 1 OR c.nx_line <> g.first_line;
