#!/bin/sh
# test_bench.sh BUILD_DIR -- ember-bench end to end:
#   1. `tpch` output parses as Go benchmark format (config lines, Unit
#      lines, result lines with every metric), names as DuckDB's runner;
#   2. a benchmark with an empty result fails, bad arguments exit 2;
#   3. `compare` on hand-written files with known outcomes: a +100%
#      slowdown over 8 samples each is significant, identical samples are
#      "~", footnotes for small and equal samples, ember vs DuckDB names
#      line up, and --fail-over sets the exit status.
# The TPC-H part skips (and says so) when no query directory is found.
set -u
B=${1:?usage: tests/bench/test_bench.sh BUILD_DIR}
bin=$B/ember-bench
[ -x "$bin" ] || { echo "no $bin"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TAB=$(printf '\t')
failed=0
checks=0

fail() {
    # fail WHAT EXPECTED ACTUAL
    printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    failed=$((failed + 1))
}
expect_rc() {
    # expect_rc WHAT WANT GOT
    checks=$((checks + 1))
    [ "$2" = "$3" ] || fail "$1: exit status" "$2" "$3"
}
expect_grep() {
    # expect_grep WHAT FILE REGEX: some line of FILE matches
    checks=$((checks + 1))
    grep -Eq -- "$3" "$2" ||
        fail "$1" "a line matching /$3/" "$(head -c 3000 "$2")"
}
expect_no_grep() {
    checks=$((checks + 1))
    if grep -Eq -- "$3" "$2"; then
        fail "$1" "no line matching /$3/" "$(grep -E -- "$3" "$2")"
    fi
}
expect_count() {
    # expect_count WHAT FILE REGEX N: exactly N lines match
    checks=$((checks + 1))
    n=$(grep -Ec -- "$3" "$2")
    [ "$n" = "$4" ] || fail "$1" "$4 lines matching /$3/" "$n"
}

# ---------------------------------------------------------------- tpch
"$bin" tpch --sf 0.01 --count 2 --warmup 0 --only 1,6 --threads 1 \
    >"$tmp/tpch.txt" 2>"$tmp/tpch.err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'no TPC-H queries' "$tmp/tpch.err"; then
    echo "skip: no TPC-H query directory (tpch format checks skipped)"
else
    expect_rc "tpch --sf 0.01 --only 1,6" 0 $rc
    out=$tmp/tpch.txt
    num='[0-9]+'
    config='^[a-z][^ :A-Z]*:([ ].*)?$'
    unit='^Unit [^ ]+( [a-z]+=[a-z]+)+$'
    # time, allocations, bytes and CPU, as every result line starts
    common="${TAB}1${TAB}$num ns/op${TAB}$num allocs/op${TAB}$num B/op"
    common="$common${TAB}$num cpu-ns/op"
    load="^BenchmarkLoad/SF0\.01/dbgen-1$common\$"
    query="^BenchmarkTPCH/SF0\.01/Q0[16]-1$common"
    query="$query${TAB}$num lockwait-ns/op${TAB}[1-9][0-9]* rows/op\$"
    # Every line is one of the four kinds.
    grep -Ev -- "$config|$unit|$load|$query" "$out" >"$tmp/bad.txt"
    checks=$((checks + 1))
    [ -s "$tmp/bad.txt" ] &&
        fail "tpch: every line is config, Unit or a result" \
            "no other lines" "$(cat "$tmp/bad.txt")"
    for key in goos goarch pkg cpu engine version threads sf commit; do
        expect_grep "tpch: config key $key" "$out" "^$key: ."
    done
    expect_grep "tpch: pkg" "$out" '^pkg: ember/tpch$'
    expect_grep "tpch: threads" "$out" '^threads: 1$'
    expect_grep "tpch: sf label" "$out" '^sf: 0\.01$'
    expect_grep "tpch: engine" "$out" '^engine: ember [0-9]'
    expect_grep "tpch: cpu unit" "$out" '^Unit cpu-ns/op better=lower$'
    expect_grep "tpch: lock unit" "$out" '^Unit lockwait-ns/op better=lower$'
    expect_count "tpch: one load line" "$out" "$load" 1
    expect_count "tpch: Q01 runs" "$out" "^BenchmarkTPCH/SF0\.01/Q01-1$TAB" 2
    expect_count "tpch: Q06 runs" "$out" "^BenchmarkTPCH/SF0\.01/Q06-1$TAB" 2
    expect_count "tpch: result lines" "$out" '^Benchmark' 5
    # Config lines come before the first result.
    first_result=$(grep -n '^Benchmark' "$out" | head -n 1 | cut -d: -f1)
    last_config=$(grep -En "$config" "$out" | tail -n 1 | cut -d: -f1)
    checks=$((checks + 1))
    [ "$last_config" -lt "$first_result" ] ||
        fail "tpch: config before results" "config lines first" \
            "config line $last_config after result line $first_result"
    # Its own output reads back: compare of a file with itself.
    "$bin" compare "$out" "$out" >"$tmp/self.txt" 2>&1
    expect_rc "compare of tpch output with itself" 0 $?
    expect_grep "compare reads tpch lines" "$tmp/self.txt" \
        '^TPCH/SF0\.01/Q06-1 .* ~ \(p=1\.000 n=2\)'
fi

# ------------------------------------------------- tpch: answers, usage
mkdir "$tmp/q"
echo "SELECT r_name FROM region WHERE r_regionkey < 0;" >"$tmp/q/q01.sql"
echo "SELECT count(*) FROM nation;" >"$tmp/q/q02.sql"
"$bin" tpch --sf 0.01 --count 1 --warmup 0 --queries "$tmp/q" --threads 1 \
    >"$tmp/empty.txt" 2>"$tmp/empty.err"
expect_rc "tpch with an empty result" 1 $?
expect_grep "empty result reported" "$tmp/empty.err" 'Q01: empty result'
expect_count "no timing for the empty query" "$tmp/empty.txt" \
    '^BenchmarkTPCH/SF0\.01/Q01-1' 0
expect_count "the other query still runs" "$tmp/empty.txt" \
    '^BenchmarkTPCH/SF0\.01/Q02-1' 1
"$bin" tpch --sf 0.01 --queries "$tmp/q" --only 7 >/dev/null 2>&1
expect_rc "tpch --only a missing query" 2 $?
"$bin" tpch --queries "$tmp/nonexistent" >/dev/null 2>&1
expect_rc "tpch --queries missing dir" 2 $?
"$bin" tpch --count 0 >/dev/null 2>&1
expect_rc "tpch --count 0" 2 $?
"$bin" frobnicate >/dev/null 2>&1
expect_rc "unknown command" 2 $?

# ------------------------------------------------------------------ sql
mkdir "$tmp/s"
echo "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3);" \
    >"$tmp/setup.sql"
echo "SELECT sum(a) FROM t;" >"$tmp/s/sum.sql"
echo "SELECT a FROM t ORDER BY a;" >"$tmp/s/sorted.sql"
"$bin" sql --setup "$tmp/setup.sql" --count 3 --threads 1 "$tmp/s" \
    >"$tmp/sql.txt" 2>&1
expect_rc "sql" 0 $?
expect_count "sql: sum runs" "$tmp/sql.txt" \
    "^BenchmarkSQL/sum-1${TAB}1${TAB}[0-9]+ ns/op.*${TAB}1 rows/op\$" 3
expect_count "sql: sorted runs" "$tmp/sql.txt" \
    "^BenchmarkSQL/sorted-1${TAB}.*${TAB}3 rows/op\$" 3
expect_count "sql: setup load line" "$tmp/sql.txt" '^BenchmarkLoad/setup-1	' 1

# -------------------------------------------------------------- compare
# a: old 100..107 ns, new 200..207 ns (+96.62% between medians 103.5 and
# 203.5; U = 0, exact p = 2 / C(16, 8) = 0.000155). b: the same values in
# both. c: one constant value everywhere.
gen() {
    # gen A_BASE: the file with a at A_BASE..A_BASE+7 ns
    echo "goos: linux"
    echo "pkg: x"
    echo "note: lines that are not benchmark data are ignored"
    for i in 0 1 2 3 4 5 6 7; do
        printf 'BenchmarkX/a-1\t1\t%d ns/op\t5 allocs/op\n' $(($1 + i))
        printf 'BenchmarkX/b-1 1 %d ns/op 5 allocs/op\n' $((50 + i))
        printf 'BenchmarkX/c-1 1 10 ns/op 5 allocs/op\n'
    done
    echo "PASS"
}
gen 100 >"$tmp/old.txt"
gen 200 >"$tmp/new.txt"

"$bin" compare "$tmp/old.txt" "$tmp/new.txt" >"$tmp/cmp.txt" 2>&1
expect_rc "compare old new" 0 $?
expect_grep "compare: header" "$tmp/cmp.txt" '│ +sec/op +│ +sec/op +vs base +│'
expect_grep "compare: a is a significant +96.62%" "$tmp/cmp.txt" \
    '^X/a-1 +103\.5n ± 3% +203\.5n ± 2% +\+96\.62% \(p=0\.000 n=8\)$'
expect_grep "compare: b is ~ with p=1" "$tmp/cmp.txt" \
    '^X/b-1 +53\.50n ± [0-9]+% +53\.50n ± [0-9]+% +~ \(p=1\.000 n=8\)$'
expect_grep "compare: c all equal" "$tmp/cmp.txt" \
    '^X/c-1 +10\.00n ± 0% +10\.00n ± 0% +~ \(p=1\.000 n=8\)¹$'
expect_grep "compare: footnote all equal" "$tmp/cmp.txt" \
    '^¹ all samples are equal$'
expect_grep "compare: geomean" "$tmp/cmp.txt" \
    '^geomean +38\.12n +47\.75n +\+25\.28%$'
expect_grep "compare: allocs table" "$tmp/cmp.txt" '│ +allocs/op +│'
expect_grep "compare: config shown" "$tmp/cmp.txt" '^pkg: x$'
expect_no_grep "compare: no stray footnote" "$tmp/cmp.txt" 'need >='

"$bin" compare "$tmp/old.txt" "$tmp/new.txt" --fail-over 10 \
    >"$tmp/gate.txt" 2>&1
expect_rc "compare --fail-over 10 with a +97% slowdown" 1 $?
expect_grep "gate names the regression" "$tmp/gate.txt" \
    '^regression: X/a-1 sec/op \+96\.62% \(p=0\.000\) in .*new\.txt exceeds --fail-over 10%$'
expect_count "gate names only it" "$tmp/gate.txt" '^regression:' 1
"$bin" compare "$tmp/old.txt" "$tmp/new.txt" --fail-over 100 >/dev/null 2>&1
expect_rc "compare --fail-over 100 (slowdown under it)" 0 $?
"$bin" compare "$tmp/old.txt" "$tmp/old.txt" --fail-over 10 \
    >"$tmp/same.txt" 2>&1
expect_rc "compare identical files --fail-over 10" 0 $?
expect_count "identical: every delta is ~" "$tmp/same.txt" \
    '^X/.* ~ \(p=1\.000 n=8\)' 6
"$bin" compare "$tmp/new.txt" "$tmp/old.txt" --fail-over 10 >/dev/null 2>&1
expect_rc "compare a speedup --fail-over 10" 0 $?
"$bin" compare --unit allocs/op "$tmp/old.txt" "$tmp/new.txt" \
    --fail-over 10 >"$tmp/allocs.txt" 2>&1
expect_rc "compare --unit allocs/op --fail-over 10" 0 $?
expect_no_grep "--unit shows one table" "$tmp/allocs.txt" 'sec/op'
"$bin" compare --unit MB/s "$tmp/old.txt" "$tmp/new.txt" >/dev/null 2>&1
expect_rc "compare --unit absent" 2 $?
"$bin" compare "$tmp/old.txt" "$tmp/missing.txt" >/dev/null 2>&1
expect_rc "compare a missing file" 2 $?

# Few samples: 3 vs 3, fully separated (p = 0.1, the smallest possible).
printf 'BenchmarkY-2 1 %s ns/op\n' 10 11 12 >"$tmp/few_old.txt"
printf 'BenchmarkY-2 1 %s ns/op\n' 20 21 22 >"$tmp/few_new.txt"
"$bin" compare "$tmp/few_old.txt" "$tmp/few_new.txt" --fail-over 10 \
    >"$tmp/few.txt" 2>&1
expect_rc "compare 3 vs 3 --fail-over 10 (not significant)" 0 $?
expect_grep "few: ~ with p=0.100" "$tmp/few.txt" \
    '^Y-2 +11\.00n ± ∞¹ +21\.00n ± ∞¹ +~ \(p=0\.100 n=3\)²$'
expect_grep "few: CI footnote" "$tmp/few.txt" \
    '^¹ need >= 6 samples for confidence interval at level 0\.95$'
expect_grep "few: test footnote" "$tmp/few.txt" \
    '^² need >= 4 samples to detect a difference at alpha level 0\.05$'

# ember against DuckDB's runner: the same names line up in one row; the
# extra benchmark of one side is flagged on the geomean.
{
    echo "engine: duckdb v1.5.6"
    echo "threads: 1"
    printf 'BenchmarkLoad/SF1/lineitem-1 1 %s ns/op\n' 900
    for v in 300 301 302 303 304 305 306 307; do
        printf 'BenchmarkTPCH/SF1/Q01-1 1 %s ns/op\n' $v
        printf 'BenchmarkTPCH/SF1/Q06-1 1 %s ns/op\n' $((v / 3))
    done
} >"$tmp/duck.txt"
{
    echo "engine: ember 0.3.0"
    echo "threads: 1"
    echo "Unit rows/op assume=exact"
    for v in 100 101 102 103 104 105 106 107; do
        printf 'BenchmarkTPCH/SF1/Q01-1\t1\t%s ns/op\t4 rows/op\n' $v
        printf 'BenchmarkTPCH/SF1/Q06-1\t1\t%s ns/op\t1 rows/op\n' $v
    done
} >"$tmp/ember.txt"
"$bin" compare ember="$tmp/ember.txt" duckdb="$tmp/duck.txt" \
    >"$tmp/vs.txt" 2>&1
expect_rc "compare ember vs duckdb" 0 $?
expect_grep "vs: labels" "$tmp/vs.txt" '│ +ember +│ +duckdb +│'
expect_grep "vs: engines differ" "$tmp/vs.txt" \
    '^engine: ember=ember 0\.3\.0; duckdb=duckdb v1\.5\.6$'
expect_grep "vs: shared threads" "$tmp/vs.txt" '^threads: 1$'
expect_grep "vs: Q01 in one row" "$tmp/vs.txt" \
    '^TPCH/SF1/Q01-1 +103\.5n ± 3% +303\.5n ± 1% +\+193\.24% \(p=0\.000 n=8\)$'
expect_grep "vs: set differs" "$tmp/vs.txt" \
    'benchmark set differs from baseline'

printf '\n%d checks, %d failed\n' "$checks" "$failed"
[ "$failed" -eq 0 ]
