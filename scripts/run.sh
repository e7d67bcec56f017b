#!/bin/sh
# make run: generate TPC-H data with the built-in generator (CALL dbgen),
# run the 22 queries and print per-query time, rows and allocations.
#
#   make run                 scale factor 1 (6 M lineitem rows, ~1 GB)
#   make run SF=0.1          another scale factor
#   make run THREADS=1       threads per query (default: all cores)
#
# Each query runs once to warm up and then RUNS times (default 3); the
# table shows the median. The Go benchmark lines behind it are kept in
# build/run-sf$SF.txt: `build/ember-bench compare` reads them.
set -e
cd "$(dirname "$0")/.."
SF=${SF:-1}
RUNS=${RUNS:-3}
THREADS=${THREADS:-$(nproc 2>/dev/null || echo 1)}
out=build/run-sf$SF.txt
queries=${EMBER_QUERIES:-bench/tpch/queries}
echo "TPC-H at scale factor $SF, $THREADS thread(s): generating data and" \
    "running 22 queries ($RUNS timed runs each after a warm-up)..."
build/ember-bench tpch --sf "$SF" --threads "$THREADS" --count "$RUNS" \
    --warmup 1 --queries "$queries" --set profiling=off >"$out"
awk '
/^BenchmarkLoad/ {
    printf "data generated in %.2f s\n\n", $3 / 1e9
}
/^BenchmarkTPCH/ {
    split($1, p, "/"); q = p[3]; sub(/-[0-9]+$/, "", q)
    if (!(q in n)) order[++nq] = q
    t[q, ++n[q]] = $3 / 1e6
    for (i = 4; i < NF; i++) {
        if ($(i + 1) == "allocs/op") allocs[q] = $i
        if ($(i + 1) == "rows/op") rows[q] = $i
        if ($(i + 1) == "B/op") bytes[q] = $i
    }
}
function median(q,    i, j, k, v, m) {
    m = n[q]
    for (i = 1; i <= m; i++) v[i] = t[q, i]
    for (i = 2; i <= m; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
            k = v[j]; v[j] = v[j - 1]; v[j - 1] = k
        }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
    printf "%-6s %12s %8s %8s %12s\n", "query", "median ms", "rows",
        "allocs", "alloc bytes"
    for (i = 1; i <= nq; i++) {
        q = order[i]; m = median(q); total += m
        printf "%-6s %12.1f %8d %8d %12d\n", q, m, rows[q], allocs[q],
            bytes[q]
    }
    printf "%-6s %12.1f\n", "total", total
}' "$out"
echo
echo "Go benchmark lines: $out (compare runs: build/ember-bench compare OLD NEW)"
