-- Keys this load shares with committed loads of other drop objects of the same source (their
-- key files, {{prior}}): the same content is a duplicate (dropped and counted), different
-- content a conflict (rejected, naming the other object and line). A row meets at most one
-- committed row of its key, since committed keys are unique; the QUALIFY keeps that certain.
CREATE OR REPLACE TEMP TABLE nx_cross AS
SELECT c.nx_line, CASE WHEN p.rh = c.rh THEN 'duplicate' ELSE 'conflict' END AS fate, CAST(NULL AS BIGINT) AS first_line,
  CAST(p.source_line AS VARCHAR) || ' of ' || p.source_key AS other_lines, c.key_label, c.filename
FROM (
  SELECT source_line AS nx_line, {{key}} AS k, {{rowhash}} AS rh, {{key_label}} AS key_label, filename
  FROM read_parquet({{files}}, hive_partitioning = {{hive}}, filename = true) c
) c
JOIN read_parquet({{prior}}) p ON p.k = c.k
QUALIFY row_number() OVER (PARTITION BY c.nx_line, c.filename ORDER BY p.rh = c.rh DESC, p.source_key, p.source_line) = 1;
