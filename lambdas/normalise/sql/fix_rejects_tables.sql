UNION ALL BY NAME
SELECT * REPLACE (CAST(line AS BIGINT) AS line)
FROM read_csv({{files}}, header = true, all_varchar = true, union_by_name = true)
