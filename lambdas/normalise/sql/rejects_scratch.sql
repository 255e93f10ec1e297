UNION ALL BY NAME
SELECT {{decoded}}, source_line AS line, p.c AS "column", p.r AS reason
FROM (
  SELECT source_line, from_json(source_key, '{"o": ["VARCHAR"], "c": "VARCHAR", "r": "VARCHAR"}') AS p
  FROM read_parquet({{files}}, hive_partitioning = false)
)
