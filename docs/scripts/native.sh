#!/bin/sh
# native.sh -- the native workflow of docs/performance.md: ember's own C
# functions under perf (TPC-H SF 1, Q5 with join_order = 'syntactic'),
# callgrind (SF 0.1, one thread, Q5 with both join orders, only exec_run
# collected) and gperftools' CPU profiler (make profile; the same Q5 as
# for perf, through ember-bench).
#
#   docs/scripts/native.sh [OUT_DIR]    (default /tmp/ember-perf)
#
# Needs perf, valgrind, google-pprof, go and a `make profile` build.
# Valgrind needs the LD_PRELOAD shim vg_reserve_shim.c (see there):
# ember's 64 GiB arena reservations do not fit valgrind's address space.
set -eu
OUT=${1:-/tmp/ember-perf}
HERE=$(dirname "$0")
EMBER=${EMBER:-build/ember}
GPERF_BENCH=${GPERF_BENCH:-build/profile/ember-bench}
Q=$(grep -v '^--' "$HERE/q5/q5_dims_first.sql")
# Query execution: exec_run on the thread that runs the statement (it
# also finalizes sinks: hash table builds, sorts), task_main on the pool's
# workers. Keeping only stacks through one of them drops data generation.
EXEC='^(exec_run|task_main)$'

# hardware counters, where the machine has them (a VM often has none)
perf stat -e cycles,instructions,cache-references,cache-misses -- \
    "$EMBER" -c "SELECT 1;" >/dev/null 2>"$OUT/perf-stat.txt" || true

# perf, cold: a fresh process, data generation, then the bad plan once.
# Only stacks through EXEC are kept (this drops data generation). A first
# run faults its memory in, and the kernel zeroing those pages shows.
perf record -g -o "$OUT/perf-cold.data" -- "$EMBER" -c "CALL dbgen(sf => 1);" \
    -c "SET join_order = 'syntactic';" -c "$Q" >/dev/null 2>"$OUT/perf-cold-record.txt"
perf report -i "$OUT/perf-cold.data" --no-children --parent="$EXEC" -x \
    --percentage relative --sort symbol --percent-limit 2 --stdio -g none \
    >"$OUT/perf-cold-self.txt" 2>/dev/null

# perf, warm: attach to a shell that has generated the data and run the
# bad plan once, record three more runs of it, detach. The shell reads
# its statements from a FIFO, so the script can wait for each step.
rm -f "$OUT/perf.in"
mkfifo "$OUT/perf.in"
"$EMBER" <"$OUT/perf.in" >"$OUT/perf.out" 2>&1 &
pid=$!
exec 3>"$OUT/perf.in"
printf '%s\n' "CALL dbgen(sf => 1);" "SET join_order = 'syntactic';" \
    ".output /dev/null" "$Q" ".output" "SELECT 'warm';" >&3
until grep -q '^warm$' "$OUT/perf.out"; do sleep 0.2; done
perf record -g -p "$pid" -o "$OUT/perf.data" 2>"$OUT/perf-record.txt" &
perf_pid=$!
sleep 1
printf '%s\n' ".output /dev/null" "$Q" "$Q" "$Q" ".output" "SELECT 'done';" >&3
until grep -q '^done$' "$OUT/perf.out"; do sleep 0.2; done
kill -INT "$perf_pid"
wait "$perf_pid" || true
exec 3>&-
wait "$pid"
rm -f "$OUT/perf.in"
perf report -i "$OUT/perf.data" --no-children --percentage relative \
    --sort symbol --percent-limit 1 --stdio -g none \
    >"$OUT/perf-self.txt" 2>/dev/null
perf report -i "$OUT/perf.data" --children --percentage relative \
    --sort symbol --percent-limit 10 --stdio -g none \
    >"$OUT/perf-children.txt" 2>/dev/null
perf report -i "$OUT/perf.data" --no-children --percentage relative \
    --sort symbol --percent-limit 5 --stdio \
    -g graph,2,callee,function,percent --max-stack 8 \
    >"$OUT/perf-callers.txt" 2>/dev/null

# both plans on one thread, timed by the shell (second run of each): at
# SF 0.1, the scale of the callgrind runs, and at SF 1
for sf in 0.1 1; do
    "$EMBER" -echo <<SQL >"$OUT/native-timer-sf$sf.txt" 2>&1
CALL dbgen(sf => $sf);
SET threads = 1;
.output /dev/null
$Q
.output
.timer on
$Q
.timer off
SET join_order = 'syntactic';
.output /dev/null
$Q
.output
.timer on
$Q
SQL
done

# callgrind: instruction counts are deterministic, so the good/bad ratio
# is free of the machine's noise.
cc -shared -fPIC -O2 -o "$OUT/vg_reserve_shim.so" "$HERE/vg_reserve_shim.c" -ldl
for order in cost syntactic; do
    EMBER_VG_RESERVE_MIB=512 LD_PRELOAD="$OUT/vg_reserve_shim.so" \
        valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect=exec_run --callgrind-out-file="$OUT/callgrind.$order" \
        "$EMBER" -c "CALL dbgen(sf => 0.1);" -c "SET threads = 1;" \
        -c "SET join_order = '$order';" -c "$Q" >"$OUT/callgrind-$order.log" 2>&1
    callgrind_annotate --auto=no "$OUT/callgrind.$order" >"$OUT/callgrind-$order.txt"
    callgrind_annotate --auto=no --inclusive=yes "$OUT/callgrind.$order" \
        >"$OUT/callgrind-$order-inclusive.txt"
done

# gperftools: ember-bench linked with libprofiler (make profile); the
# profile covers the whole process, so the reports focus on EXEC. The
# sampling rate stays at its default, 100 Hz: libprofiler's interval timer
# cannot tick faster than the kernel's clock (250 Hz here), and a higher
# CPUPROFILE_FREQUENCY would make every sample count for less time than
# it stands for.
rm -f "$OUT/ember.prof"
CPUPROFILE="$OUT/ember.prof" "$GPERF_BENCH" sql \
    --setup "$HERE/setup.sql" --count 5 --set join_order=syntactic \
    "$HERE/q5" >"$OUT/gperf-bench.txt" 2>&1
google-pprof --text "$GPERF_BENCH" "$OUT/ember.prof" >"$OUT/gperf-text.txt" 2>&1
google-pprof --text --focus="$EXEC" "$GPERF_BENCH" "$OUT/ember.prof" \
    >"$OUT/gperf-focus.txt" 2>&1
go tool pprof -top -focus="$EXEC" "$GPERF_BENCH" "$OUT/ember.prof" \
    >"$OUT/gperf-go-top.txt" 2>&1
go tool pprof -svg -focus="$EXEC" -output "$OUT/gperf.svg" "$GPERF_BENCH" \
    "$OUT/ember.prof" >/dev/null 2>&1 || true
