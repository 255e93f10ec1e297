-- First pass: the record count, and the hashes of key values seen more than once (candidates
-- for duplicates and conflicts). The exact, typed comparison runs later on those rows alone.
-- The reader finds records that do not split into the header's fields whatever columns a pass
-- reads (text is checked for UTF-8 before DuckDB sees it), so every pass skips the same records;
-- core.ts checks the accounting and fails loudly if they ever differed.
CREATE OR REPLACE TEMP TABLE nx_keys AS
SELECT hk, count(*) AS n, grouping(hk) AS total
FROM (SELECT {{keyhash}} AS hk FROM nx_mapped)
GROUP BY GROUPING SETS ((hk), ())
HAVING count(*) > 1 OR grouping(hk) = 1;
