-- Rare: the CSV reader skipped records it could not split, so the record numbers counted in the
-- single read fall short by the number of skipped records before them. Rewrites one output file
-- with its true line numbers (nx_offsets: from which counted record on, how many were skipped).
COPY (
  SELECT * REPLACE (source_line + coalesce((SELECT max(k) FROM nx_offsets WHERE o_from <= source_line - 1), 0) AS source_line)
  FROM read_parquet('{{src}}')
) TO '{{dst}}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1);
