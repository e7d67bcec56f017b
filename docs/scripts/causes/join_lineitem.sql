-- A join whose build side (all 6M lineitem rows: a 128 MiB bucket array
-- and 96 MiB of entries) is far bigger than the CPU caches:
-- hash_partitions decides whether the table is linked one cache-sized
-- slice at a time (default 64) or all over at once (0).
SELECT count(*)
FROM lineitem a JOIN lineitem b
  ON a.l_orderkey = b.l_orderkey AND a.l_linenumber = b.l_linenumber;
