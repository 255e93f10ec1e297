-- The one read of the input. Every record goes to a partition: valid rows to their trade date
-- (or nx_rejected = false for datasets without one), rejected rows to a scratch partition
-- (trade date NULL, or nx_rejected = true) that never reaches the lake. A scratch row keeps its
-- line in source_line and its original fields, failing columns and reason as JSON in
-- source_key, so the quarantine CSV is written from it without reading the input again.
--   zstd level 1: the lake's codec at its cheapest level (files ~5-10 % larger than level 3).
--   ROW_GROUP_SIZE 16384: each open partition file buffers up to half a row group before
--     writing it; with the default (122,880) a file spanning a quarter of dates sat in memory.
--   RETURN_STATS: each file's partition and row count.
COPY (
  SELECT {{columns}}, {{partition_select}}
  FROM nx_checked
) TO '{{dir}}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384,
  PARTITION_BY ({{partition_by}}), FILENAME_PATTERN 'part-{i}', RETURN_STATS true);
