#!/bin/sh
# run_all.sh -- regenerate every output quoted in docs/performance.md.
#
#   docs/scripts/run_all.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Run from the repository root after `make` and `make profile`. Copies the
# binaries to OUT_DIR/bin first, so that every run uses the same build even
# if build/ is rebuilt meanwhile. SRC=DIR takes them from DIR/build
# instead, e.g. a clean tree of one commit:
#
#   git archive HEAD | tar -x -C /tmp/src && git rev-parse --short HEAD \
#       >/tmp/src/COMMIT && make -C /tmp/src && make -C /tmp/src profile
#   SRC=/tmp/src docs/scripts/run_all.sh
#
# Writes docs/img/*.svg and, in OUT_DIR, machine.txt (the build, the
# machine, the load before and after, the time of each step) and the
# outputs of walk.sh, bench_regression.sh, walk_causes.sh,
# bench_causes.sh, pprof.sh and native.sh. Takes about 6 minutes on a
# 2-CPU machine. Timings need a quiet machine: check the load averages in
# machine.txt.
set -eu
OUT=${1:-/tmp/ember-perf}
HERE=$(dirname "$0")
SRC=${SRC:-.}
mkdir -p "$OUT/bin"
cp "$SRC/build/ember" "$SRC/build/ember-bench" "$OUT/bin/"
cp "$SRC/build/profile/ember-bench" "$OUT/bin/ember-bench-gperf"
export EMBER="$OUT/bin/ember" BENCH="$OUT/bin/ember-bench" \
    GPERF_BENCH="$OUT/bin/ember-bench-gperf"
{
    if [ -f "$SRC/COMMIT" ]; then
        echo "binaries built from a clean tree of commit $(cat "$SRC/COMMIT")"
    else
        git -C "$SRC" log -1 --format='commit %h %s'
        echo "uncommitted changes in $(git -C "$SRC" status --short | wc -l) files"
    fi
    uname -srm
    grep -m1 'model name' /proc/cpuinfo
    echo "nproc $(nproc)"
    grep MemTotal /proc/meminfo
    echo "start $(date -u '+%F %T UTC')"
    uptime
} >"$OUT/machine.txt"
step() {  # step SCRIPT: run it, note its time in machine.txt
    t0=$(date +%s)
    "$HERE/$1" "$OUT" >/dev/null
    echo "$1 $(( $(date +%s) - t0 )) s" >>"$OUT/machine.txt"
}
step walk.sh
step bench_regression.sh
step walk_causes.sh
step bench_causes.sh
step pprof.sh
step native.sh
{
    echo "end $(date -u '+%F %T UTC')"
    uptime
} >>"$OUT/machine.txt"
python3 "$HERE/misestimates.py" "$OUT/bad-plan.json" >"$OUT/misestimates.txt"
for t in good bad lock; do
    python3 "$HERE/trace_summary.py" "$OUT/$t.json" >"$OUT/trace-$t.txt"
done
python3 "$HERE/trace_svg.py" "$HERE/../img/q5-traces.svg" \
    "Q5, join_order = cost" "$OUT/good.json" \
    "Q5, join_order = syntactic" "$OUT/bad.json" \
    "GROUP BY l_orderkey, lock_shards = 1" "$OUT/lock.json"
