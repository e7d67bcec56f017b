#!/bin/sh
# Runs every test against one build: tests/run.sh BUILD_DIR
# (build for the release build, build/asan for the sanitizer build).
#
# Tests that need ../shared (SQLite's sqllogictest corpus, TPC-H data and
# reference answers) skip with a message when it is absent; CI has it.
set -u
B=${1:?usage: tests/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
SHARED=${EMBER_SHARED:-$top/../shared}
failed=0
start=$(date +%s)

step() { printf '\n== %s\n' "$*"; }
check() {
    # check NAME COMMAND...: run, report, count failures
    name=$1
    shift
    t0=$(date +%s)
    if "$@" >"$tmp/out" 2>&1; then
        printf 'ok    %-40s %3ss  %s\n' "$name" $(($(date +%s) - t0)) \
            "$(tail -n 1 "$tmp/out")"
    else
        printf 'FAIL  %-40s\n' "$name"
        # what failed first (cmocka, sanitizers, assertions), then the end
        grep -n -m 20 -E '^\[  (FAILED|ERROR) |[Ff]ailure|ERROR:|runtime error|Assertion' \
            "$tmp/out" | sed 's/^/    ! /'
        tail -n 40 "$tmp/out" | sed 's/^/      /'
        failed=$((failed + 1))
    fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "unit tests ($B)"
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    check "$(basename "$t")" "$t"
done

step "sqllogictest: tests/sql"
check "tests/sql" "$B/ember-slt" $(find tests/sql -name '*.test' | sort)

step "sqllogictest: SQLite corpus"
if [ -d "$SHARED/slt/sqlite" ]; then
    for f in select1 select2 select3; do
        check "sqlite/$f.test" "$B/ember-slt" --also sqlite \
            "$SHARED/slt/sqlite/$f.test"
    done
    check "sqlite/evidence/*.test" "$B/ember-slt" --also sqlite \
        --known tests/slt-known-failures.txt "$SHARED"/slt/sqlite/evidence/*.test
else
    echo "skip: $SHARED/slt/sqlite not found (SQLite corpus tests skipped)"
fi

step "TPC-H SF 0.01 against the reference answers"
if [ -d "$SHARED/tpch/sf0.01" ]; then
    check "tpch sf0.01, 1 thread" "$B/tests/tpch_check" tests/tpch/schema.sql \
        "$SHARED/tpch/sf0.01" "$SHARED/tpch/queries" \
        "$SHARED/tpch/sf0.01/answers" --set threads=1
    check "tpch sf0.01, 2 threads" "$B/tests/tpch_check" tests/tpch/schema.sql \
        "$SHARED/tpch/sf0.01" "$SHARED/tpch/queries" \
        "$SHARED/tpch/sf0.01/answers" --set threads=2
else
    echo "skip: $SHARED/tpch/sf0.01 not found (TPC-H answer test skipped)"
fi

step "TPC-H generator: ember against SQLite on the same data"
if [ -d "$SHARED/tpch/queries" ]; then
    check "tpch_diff sf0.01 (CALL dbgen)" "$B/tests/tpch_diff" --sf 0.01 \
        --shared "$SHARED"
else
    echo "skip: $SHARED/tpch/queries not found (differential test skipped)"
fi

step "ember-bench"
check "tests/bench/test_bench.sh" sh tests/bench/test_bench.sh "$B"

step "shell"
check "tools/shell/test_shell.sh" sh tools/shell/test_shell.sh "$B/ember"

if [ -x "$B/tests/fuzz_smoke" ]; then
    step "fuzz smoke"
    check "fuzz_smoke" "$B/tests/fuzz_smoke"
fi

printf '\n%s: %d failed, %ss\n' "$B" "$failed" $(($(date +%s) - start))
[ "$failed" -eq 0 ]
