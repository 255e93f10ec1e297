-- Rare: rewrites one output file without the repeats and conflicting rows nx_fate names.
COPY (
  SELECT * FROM read_parquet('{{src}}')
  WHERE source_line NOT IN (SELECT nx_line FROM nx_fate)
) TO '{{dst}}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1);
