#!/bin/sh
# The cost of ember's own counters on the TPC-H queries, as ratios from
# one run (three configurations interleaved round by round, so a noisy
# machine drifts alike for all of them):
#
#   base   build/nocounters (make VARIANT=nocounters): every profiling
#          counter compiled out
#   off    the release build with profiling off (the default)
#   on     the release build with profiling on: what EXPLAIN ANALYZE,
#          profile_output and trace_output collect
#
# usage: bench/overhead.sh [SF] [ROUNDS] [THREADS]   (default 0.3 4 1)
# Results: build/overhead/{base,off,on}.txt and two comparisons printed by
# ember-bench compare (median, 95% interval, Mann-Whitney p-value).
set -e
cd "$(dirname "$0")/.."
SF=${1:-0.3}
ROUNDS=${2:-4}
THREADS=${3:-1}
make -s VARIANT=release build/ember-bench
make -s VARIANT=nocounters build/nocounters/ember-bench
out=build/overhead
mkdir -p "$out"
: >"$out/base.txt"
: >"$out/off.txt"
: >"$out/on.txt"
run() {
    # run BIN PROFILING FILE: two timed runs per query after a warm-up
    "$1" tpch --sf "$SF" --threads "$THREADS" --count 2 --warmup 1 \
        --set profiling="$2" >>"$3"
}
i=1
while [ "$i" -le "$ROUNDS" ]; do
    echo "round $i of $ROUNDS" >&2
    run build/nocounters/ember-bench off "$out/base.txt"
    run build/ember-bench off "$out/off.txt"
    run build/ember-bench on "$out/on.txt"
    i=$((i + 1))
done
echo "== counters compiled in, profiling off, against a build without them"
build/ember-bench compare --unit ns/op no-counters="$out/base.txt" \
    profiling-off="$out/off.txt"
echo
echo "== profiling on (EXPLAIN ANALYZE's counters) against off"
build/ember-bench compare --unit ns/op profiling-off="$out/off.txt" \
    profiling-on="$out/on.txt"
