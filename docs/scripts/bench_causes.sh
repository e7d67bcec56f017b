#!/bin/sh
# bench_causes.sh -- the other causes of docs/performance.md: the
# queries of causes/ at TPC-H SF 1 on 2 threads, with the defaults and
# with each knob that brings a cause back; then vector_size = 1 on Q5 at
# SF 0.1. Writes OUT_DIR/causes-*.txt, causes-compare.txt, vec-*.txt and
# vec-compare.txt.
#
#   docs/scripts/bench_causes.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Runs are interleaved: ROUNDS (5) rounds of every configuration with
# COUNT (4) timed runs each, appended to one file per configuration, so
# that a slow spell of a shared machine hits every configuration alike.
# The vector_size runs set profiling = off: per-operator metering reads
# the clock and the thread's counters around every operator call, which
# at one row per chunk would be a large part of what is measured.
set -eu
OUT=${1:-/tmp/ember-perf}
ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-4}
mkdir -p "$OUT"
HERE=$(dirname "$0")
BENCH=${BENCH:-build/ember-bench}
# (compare's LABEL=PATH splits at the first '=': labels cannot hold one)
CONFIGS="base lock_shards_1 arena_off hash_partitions_0"
sets() {
    case $1 in
    base) ;;
    lock_shards_1) echo "--set lock_shards=1" ;;
    arena_off) echo "--set arena=off" ;;
    hash_partitions_0) echo "--set hash_partitions=0" ;;
    esac
}
for c in $CONFIGS; do : >"$OUT/causes-$c.txt"; done
r=1
while [ $r -le "$ROUNDS" ]; do
    for c in $CONFIGS; do
        # shellcheck disable=SC2046
        $BENCH sql --setup "$HERE/setup.sql" --threads 2 --count "$COUNT" \
            $(sets $c) "$HERE/causes" >>"$OUT/causes-$c.txt"
    done
    r=$((r + 1))
done
for c in lock_shards_1 arena_off hash_partitions_0; do
    echo "=== $c"
    $BENCH compare base="$OUT/causes-base.txt" "$c=$OUT/causes-$c.txt"
done | tee "$OUT/causes-compare.txt"

printf 'CALL dbgen(sf => 0.1);\n' >"$OUT/setup-sf0.1.sql"
: >"$OUT/vec-2048.txt"
: >"$OUT/vec-1.txt"
r=1
while [ $r -le "$ROUNDS" ]; do
    $BENCH sql --setup "$OUT/setup-sf0.1.sql" --threads 2 --count "$COUNT" \
        --set profiling=off "$HERE/q5" >>"$OUT/vec-2048.txt"
    $BENCH sql --setup "$OUT/setup-sf0.1.sql" --threads 2 --count "$COUNT" \
        --set profiling=off --set vector_size=1 "$HERE/q5" >>"$OUT/vec-1.txt"
    r=$((r + 1))
done
$BENCH compare vector_size_2048="$OUT/vec-2048.txt" \
    vector_size_1="$OUT/vec-1.txt" | tee "$OUT/vec-compare.txt"
