-- Valid, non-duplicate rows to Parquet: zstd, timestamps as TIMESTAMPTZ (isAdjustedToUTC=true),
-- partition columns only in the path. RETURN_STATS gives each file's partition and row count.
COPY (
  SELECT {{columns}}{{partition_select}}
  FROM nx_checked
  WHERE nx_reason IS NULL{{not_dropped}}
) TO '{{dir}}' (FORMAT parquet, COMPRESSION zstd, {{partition_by}}{{options}}RETURN_STATS true);
