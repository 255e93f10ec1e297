-- Best-effort orphan count: rows of this drop whose order_id is not among the orders known for
-- the same source and trade date (lake files downloaded to {{orders}}, plus this drop's own).
SELECT count(*) AS orphans
FROM read_parquet({{outputs}}, hive_partitioning = false) o
WHERE NOT EXISTS (SELECT 1 FROM read_parquet({{orders}}, hive_partitioning = false) k WHERE k.order_id = o.order_id);
