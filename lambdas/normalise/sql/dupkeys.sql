-- Duplicate candidates: hashes of keys seen more than once among the valid rows just written
-- (one column read back from the Parquet files, not the input). The exact, typed comparison
-- runs in fate.sql on those rows alone.
CREATE OR REPLACE TEMP TABLE nx_dupkeys AS
SELECT {{keyhash}} AS hk
FROM read_parquet({{files}}, hive_partitioning = {{hive}})
GROUP BY ALL
HAVING count(*) > 1;
