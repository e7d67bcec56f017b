#!/bin/sh
# pprof.sh -- the pprof reports of docs/performance.md, from the profiles
# that walk.sh and walk_causes.sh wrote to OUT_DIR; SVG graphs to docs/img/.
#
#   docs/scripts/pprof.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Writes OUT_DIR/pprof-*.txt, each starting with the command that made it.
set -eu
OUT=${1:-/tmp/ember-perf}
IMG=$(dirname "$0")/../img
mkdir -p "$IMG"
IMG=$(cd "$IMG" && pwd)
p() {  # p OUTPUT_NAME ARGS...: run pprof, keep its output (stderr too)
    name=$1; shift
    cmd="go tool pprof"
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_./=-]*) cmd="$cmd '$a'" ;;
        *) cmd="$cmd $a" ;;
        esac
    done
    echo "\$ $cmd" >"$OUT/pprof-$name.txt"
    go tool pprof "$@" >>"$OUT/pprof-$name.txt" 2>&1
}
cd "$OUT"
# the regression: operator time of both plans, the SQL behind the hot join
p top-good -top good.pb.gz
p top-bad -top bad.pb.gz
p list-bad -list 'Join#[0-9]+$' bad.pb.gz
p alloc-bad -sample_index=alloc_space -top bad.pb.gz
p contention-bad -top bad.contention.pb.gz
# lock contention: the contention profile under lock_shards = 1
p contention-lock -top lock.contention.pb.gz
p contention-lock-count -sample_index=contentions -top lock.contention.pb.gz
p contention-lock-raw -raw lock.contention.pb.gz
p diff-lock -top -diff_base agg.pb.gz lock.pb.gz
# allocation: arena = off against the defaults, same plan
p alloc-agg -sample_index=alloc_objects -top agg.pb.gz
p alloc-arena-off -sample_index=alloc_objects -top arena_off.pb.gz
p diff-arena-off -sample_index=alloc_objects -top -diff_base agg.pb.gz \
    arena_off.pb.gz
# cache: hash_partitions = 0 against 64, same plan
p diff-hp0 -top -diff_base join.pb.gz join_hp0.pb.gz
cd - >/dev/null
go tool pprof -svg -output "$IMG/q5-cost-pprof.svg" "$OUT/good.pb.gz"
go tool pprof -svg -output "$IMG/q5-syntactic-pprof.svg" "$OUT/bad.pb.gz"
