#!/bin/sh
# walk.sh -- the regression walk of docs/performance.md, one ember session:
# TPC-H SF 1, then Q5 (FROM list "dimensions first") with the cost-based
# join order ("good") and with join_order = 'syntactic' ("bad"): EXPLAIN,
# EXPLAIN ANALYZE, a pprof profile and a Chrome trace of each, and the
# EXPLAIN (ANALYZE, FORMAT JSON) document of the bad plan.
#
#   docs/scripts/walk.sh [OUT_DIR]     (default /tmp/ember-perf)
#
# Writes OUT_DIR/explain.txt, OUT_DIR/bad-plan.json and
# OUT_DIR/{good,bad}.{pb.gz,contention.pb.gz,sql,json}. Run from the
# repository root after `make`. Each plan runs twice untimed before it
# is measured, and the profiled run is the second of two with
# profile_output and trace_output set (each run rewrites the files): the
# first run with profiling on after runs without it commits fresh memory
# for the join build, and would be measured cold.
set -eu
OUT=${1:-/tmp/ember-perf}
mkdir -p "$OUT"
HERE=$(dirname "$0")
Q=$(grep -v '^--' "$HERE/q5/q5_dims_first.sql")
EMBER=${EMBER:-build/ember}
$EMBER -echo <<SQL 2>&1 | tee "$OUT/explain.txt"
.read $HERE/setup.sql
-- warm-up runs: the first runs of a plan fault its memory in
.output /dev/null
$Q
$Q
.output
SHOW join_order;
EXPLAIN $Q
EXPLAIN ANALYZE $Q
SET profile_output = '$OUT/good.pb.gz';
SET trace_output = '$OUT/good.json';
.output /dev/null
$Q
$Q
.output
SET profile_output = '';
SET trace_output = '';
SET join_order = 'syntactic';
.output /dev/null
$Q
$Q
.output
EXPLAIN $Q
EXPLAIN ANALYZE $Q
SET profile_output = '$OUT/bad.pb.gz';
SET trace_output = '$OUT/bad.json';
.output /dev/null
$Q
$Q
.output
SET profile_output = '';
SET trace_output = '';
.output $OUT/bad-plan.json
EXPLAIN (ANALYZE, FORMAT JSON) $Q
.output
SQL
