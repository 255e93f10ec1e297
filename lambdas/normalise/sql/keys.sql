-- The business keys this load commits, with a hash of each row's canonical content and its
-- line: the next loads of the source check theirs against it (cross.sql).
COPY (
  SELECT {{key}} AS k, {{rowhash}} AS rh, source_key, source_line
  FROM read_parquet({{files}}, hive_partitioning = {{hive}}) c
) TO {{path}} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1);
