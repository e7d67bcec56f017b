#!/bin/sh
# walk_causes.sh -- the other causes of docs/performance.md, at TPC-H SF 1
# on 2 threads: EXPLAIN ANALYZE of the queries of causes/ with the
# defaults and with each knob that brings a cause back, and pprof
# profiles: the aggregation with the defaults (agg), with lock_shards = 1
# (lock, with a trace) and with arena = off (arena_off); the self-join
# with hash_partitions = 64, the default (join), and 0 (join_hp0). The
# shell's timer (wall, user and system time) of the aggregation with
# arena off and on. Then, at TPC-H SF 0.1, Q5 with vector_size = 1,
# timed by the shell with profiling off and by EXPLAIN ANALYZE.
#
#   docs/scripts/walk_causes.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Writes OUT_DIR/causes-explain.txt, vector-explain.txt, lock.json and
# OUT_DIR/{agg,lock,arena_off,join,join_hp0}.{pb.gz,contention.pb.gz,sql}.
# Every configuration runs once untimed before it is measured.
set -eu
OUT=${1:-/tmp/ember-perf}
mkdir -p "$OUT"
HERE=$(dirname "$0")
EMBER=${EMBER:-build/ember}
q() { grep -v '^--' "$HERE/causes/$1.sql"; }
AGG=$(q agg_orderkey)
JOIN=$(q join_lineitem)
Q5=$(q q5)
$EMBER -echo <<SQL 2>&1 | tee "$OUT/causes-explain.txt"
.read $HERE/setup.sql
SET threads = 2;
-- warm-up runs
.output /dev/null
$AGG
$JOIN
.output
EXPLAIN ANALYZE $AGG
SET profile_output = '$OUT/agg.pb.gz';
.output /dev/null
$AGG
.output
SET profile_output = '';
SET lock_shards = 1;
.output /dev/null
$AGG
.output
EXPLAIN ANALYZE $AGG
SET profile_output = '$OUT/lock.pb.gz';
SET trace_output = '$OUT/lock.json';
.output /dev/null
$AGG
.output
SET profile_output = '';
SET trace_output = '';
SET lock_shards = 0;
SET arena = off;
.output /dev/null
$AGG
.output
EXPLAIN ANALYZE $AGG
SET profile_output = '$OUT/arena_off.pb.gz';
.output /dev/null
$AGG
.output
SET profile_output = '';
.timer on
$AGG
SET arena = on;
$AGG
.timer off
.output /dev/null
$JOIN
.output
EXPLAIN ANALYZE $JOIN
SET profile_output = '$OUT/join.pb.gz';
.output /dev/null
$JOIN
.output
SET profile_output = '';
SET hash_partitions = 0;
.output /dev/null
$JOIN
.output
EXPLAIN ANALYZE $JOIN
SET profile_output = '$OUT/join_hp0.pb.gz';
.output /dev/null
$JOIN
.output
SET profile_output = '';
SQL
$EMBER -echo <<SQL 2>&1 | tee "$OUT/vector-explain.txt"
CALL dbgen(sf => 0.1);
SET threads = 2;
.output /dev/null
$Q5
.output
.timer on
$Q5
SET vector_size = 1;
$Q5
.timer off
EXPLAIN ANALYZE $Q5
SQL
