-- First pass: the record count, and the hashes of key values seen more than once (candidates
-- for duplicates and conflicts). The exact, typed comparison runs later on those rows alone.
-- `bytes` makes the reader split every field here too, so that this pass and the later ones
-- skip exactly the same unreadable records.
CREATE OR REPLACE TEMP TABLE nx_keys AS
SELECT hk, count(*) AS n, grouping(hk) AS total, sum(bytes) AS bytes
FROM (SELECT {{keyhash}} AS hk, {{touch}} AS bytes FROM nx_mapped)
GROUP BY GROUPING SETS ((hk), ())
HAVING count(*) > 1 OR grouping(hk) = 1;
