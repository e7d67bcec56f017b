-- 1.5M groups: the aggregation's hash table is the shared structure that
-- lock_shards = 1 puts under one lock (0: per-thread tables, merged).
SELECT count(*), sum(qty)
FROM (SELECT l_orderkey, sum(l_quantity) AS qty
      FROM lineitem GROUP BY l_orderkey) AS t;
