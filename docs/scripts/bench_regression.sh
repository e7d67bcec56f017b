#!/bin/sh
# bench_regression.sh -- the benchmark step of docs/performance.md: Q5
# (q5/) with the cost-based join order and with join_order = 'syntactic',
# COUNT (10) timed runs each at TPC-H SF 1, then ember-bench compare, once
# as a table and once as a gate (--fail-over 10: exit status 1 on a
# significant slowdown of more than 10%).
#
#   docs/scripts/bench_regression.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Writes OUT_DIR/{good,bad}.txt (Go benchmark format), compare.txt and
# gate.txt.
set -eu
OUT=${1:-/tmp/ember-perf}
COUNT=${COUNT:-10}
mkdir -p "$OUT"
HERE=$(dirname "$0")
BENCH=${BENCH:-build/ember-bench}
$BENCH sql --setup "$HERE/setup.sql" --count "$COUNT" "$HERE/q5" \
    >"$OUT/good.txt"
$BENCH sql --setup "$HERE/setup.sql" --count "$COUNT" \
    --set join_order=syntactic "$HERE/q5" >"$OUT/bad.txt"
$BENCH compare good="$OUT/good.txt" bad="$OUT/bad.txt" | tee "$OUT/compare.txt"
rc=0
$BENCH compare --unit ns/op --fail-over 10 good="$OUT/good.txt" \
    bad="$OUT/bad.txt" >"$OUT/gate.txt" 2>&1 || rc=$?
echo "exit status $rc" >>"$OUT/gate.txt"
