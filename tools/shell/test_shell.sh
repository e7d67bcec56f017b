#!/bin/sh
# test_shell.sh -- end-to-end tests of the ember shell.
#
# Usage: tools/shell/test_shell.sh path/to/ember
#
# Runs the shell binary on small scripts and checks its standard output,
# standard error and exit status: input from stdin, -c and files; every
# output mode (CSV quoting, NULL); .bail and exit codes; error line and
# column reporting; .read, .output, .echo and the .timer format; .profile
# and .trace.
#
# Only SQL that any engine supports is used: CREATE TABLE, INSERT, SELECT
# of literals (and of a table just filled) and a syntax error; the
# .profile and .trace checks, last, also need ember's profile_output and
# trace_output settings. Exits non-zero if any check fails, printing
# expected and actual output.

if [ $# -ne 1 ]; then
    echo "usage: $0 path/to/ember" >&2
    exit 2
fi
case $1 in
/*) EMBER=$1 ;;
*) EMBER=$(pwd)/$1 ;;
esac
if [ ! -x "$EMBER" ]; then
    echo "$0: $EMBER is not an executable" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember-shell-test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
cd "$TMP" || exit 2

n_pass=0
n_fail=0
NL='
'

# run CMD...: run the shell with its stdin from /dev/null unless redirected
# by the caller; stdout goes to $TMP/out, stderr to $TMP/err, status to $rc.
run() {
    "$@" >out 2>err
    rc=$?
}

pass() {
    n_pass=$((n_pass + 1))
}

fail() {
    n_fail=$((n_fail + 1))
    echo "FAIL: $1"
    echo "--- expected:"
    printf '%s\n' "$2"
    echo "--- actual:"
    printf '%s\n' "$3"
    if [ -s err ]; then
        echo "--- stderr:"
        cat err
    fi
    echo "---"
}

# expect_out NAME TEXT: stdout is exactly TEXT (plus a final newline).
expect_out() {
    actual=$(cat out; echo x)
    actual=${actual%x}
    if [ "$actual" = "$2$NL" ]; then
        pass
    else
        fail "$1: stdout" "$2" "$actual"
    fi
}

# expect_rc NAME N: the exit status is N.
expect_rc() {
    if [ "$rc" -eq "$2" ]; then
        pass
    else
        fail "$1: exit status" "$2" "$rc"
    fi
}

# expect_err_line NAME N TEXT: line N of stderr is exactly TEXT.
expect_err_line() {
    actual=$(sed -n "$2p" err)
    if [ "$actual" = "$3" ]; then
        pass
    else
        fail "$1: stderr line $2" "$3" "$actual"
    fi
}

# expect_err_prefix NAME TEXT: the first line of stderr starts with TEXT.
expect_err_prefix() {
    actual=$(sed -n 1p err)
    case $actual in
    "$2"*) pass ;;
    *) fail "$1: stderr starts with" "$2" "$actual" ;;
    esac
}

# expect_no_err NAME: nothing was written to stderr.
expect_no_err() {
    if [ -s err ]; then
        fail "$1: stderr is empty" "" "$(cat err)"
    else
        pass
    fi
}

# ---------------------------------------------------------------------
# Inputs: stdin, -c, files, in order
# ---------------------------------------------------------------------

printf 'SELECT 1, 2;\nSELECT 3;\n' >in.sql
run "$EMBER" <in.sql
expect_out "stdin" "1|2${NL}3"
expect_rc "stdin" 0
expect_no_err "stdin"

run "$EMBER" -c "SELECT 1; SELECT 'two';
SELECT 3" </dev/null
expect_out "-c with several statements" "1${NL}two${NL}3"
expect_rc "-c with several statements" 0

printf "SELECT 'f1';\n" >f1.sql
printf "SELECT 'f2';\n" >f2.sql
run "$EMBER" f1.sql -c "SELECT 'c';" f2.sql </dev/null
expect_out "files and -c in order" "f1${NL}c${NL}f2"
expect_rc "files and -c in order" 0

run "$EMBER" -cmd ".mode csv" -c "SELECT 1, 2;" </dev/null
expect_out "-cmd runs first" "1,2"

cat >split.sql <<'EOF'
SELECT 'a;b', -- not the end;
  /* nor; this */ 2
  ;  SELECT 3 AS "x;y";
-- a comment alone
SELECT 'it''s';
EOF
run "$EMBER" split.sql </dev/null
expect_out "statement splitting" "a;b|2${NL}3${NL}it's"
expect_rc "statement splitting" 0

run "$EMBER" -c "SELECT 7" </dev/null
expect_out "last statement without ;" "7"

# ---------------------------------------------------------------------
# Output modes
# ---------------------------------------------------------------------

run "$EMBER" -header -c "SELECT 1 AS a, 'x' AS b;" </dev/null
expect_out "list with header" "a|b${NL}1|x"

run "$EMBER" -csv -c "SELECT 'a,b', 'say \"hi\"', 'l1
l2', NULL, 5;" </dev/null
expect_out "csv quoting and NULL" \
    "\"a,b\",\"say \"\"hi\"\"\",\"l1${NL}l2\",,5"

run "$EMBER" -csv -header -c "SELECT 1 AS \"p,q\", 2 AS r;" </dev/null
expect_out "csv header" "\"p,q\",r${NL}1,2"

run "$EMBER" -c ".mode tsv
.headers on
SELECT 1 AS a, 'x y' AS b, NULL AS c;" </dev/null
expect_out "tsv" "a	b	c${NL}1	x y	"

run "$EMBER" -c ".mode line
SELECT 1 AS a, 'xy' AS bbb;" </dev/null
expect_out "line" "  a = 1${NL}bbb = xy"

cat >table.sql <<'EOF'
CREATE TABLE t (n INTEGER, s VARCHAR);
INSERT INTO t VALUES (1, 'a');
INSERT INTO t VALUES (100, 'bbb');
SELECT n, s FROM t;
EOF
run "$EMBER" -table table.sql </dev/null
expect_out "table" "+-----+-----+
|   n | s   |
+-----+-----+
|   1 | a   |
| 100 | bbb |
+-----+-----+"
expect_rc "table" 0

run "$EMBER" -table -noheader -c "SELECT 'x' AS a;" </dev/null
expect_out "table without header" "+---+${NL}| x |${NL}+---+"

run "$EMBER" -c ".nullvalue NULL
SELECT NULL, 1;" </dev/null
expect_out ".nullvalue" "NULL|1"

# ---------------------------------------------------------------------
# Errors: position, bail, exit status
# ---------------------------------------------------------------------

cat >err.sql <<'EOF'
CREATE TABLE t (a INTEGER);
INSERT INTO t VALUES (1);
SELECT 1;  SELEC 2;
SELECT 'not reached by default';
EOF

run "$EMBER" err.sql </dev/null
expect_out "bail by default" "1"
expect_rc "bail by default" 1
expect_err_prefix "error in a file" "Error: err.sql:3:12: "
expect_err_line "error in a file, source line" 2 "  SELECT 1;  SELEC 2;"
expect_err_line "error in a file, caret" 3 "             ^"

run "$EMBER" <err.sql
expect_err_prefix "error on stdin" "Error: near line 3, column 12: "
expect_rc "error on stdin" 1

run "$EMBER" -bail err.sql </dev/null
expect_out "-bail" "1"
expect_rc "-bail" 1

run "$EMBER" -nobail err.sql </dev/null
expect_out "-nobail" "1${NL}not reached by default"
expect_rc "-nobail" 1

{ echo ".bail off"; cat err.sql; } >nobail.sql
run "$EMBER" nobail.sql </dev/null
expect_out ".bail off" "1${NL}not reached by default"
expect_rc ".bail off" 1
expect_err_prefix ".bail off, line counted" "Error: nobail.sql:4:12: "

run "$EMBER" -nobail err.sql f1.sql </dev/null
expect_out "-nobail runs later files" "1${NL}not reached by default${NL}f1"
expect_rc "-nobail runs later files" 1

run "$EMBER" err.sql f1.sql </dev/null
expect_out "bail skips later files" "1"

run "$EMBER" -c "SELECT 1;

  SELEC 2;" </dev/null
expect_err_prefix "error in -c" "Error: near line 3, column 3: "
expect_err_line "error in -c, caret" 3 "    ^"

run "$EMBER" -c ".nosuchcommand" </dev/null
expect_rc "unknown dot-command" 1
expect_err_prefix "unknown dot-command" "Error: near line 1: unknown command"

run "$EMBER" nosuchfile.sql </dev/null
expect_rc "missing file" 1

run "$EMBER" -nosuchoption </dev/null
expect_rc "usage error" 2

run "$EMBER" -c </dev/null
expect_rc "missing option argument" 2

run "$EMBER" -version </dev/null
expect_rc "-version" 0
case $(cat out) in
"ember "*) pass ;;
*) fail "-version" "ember VERSION" "$(cat out)" ;;
esac

# ---------------------------------------------------------------------
# Dot-commands
# ---------------------------------------------------------------------

printf "SELECT 'inc';\n" >inc.sql
printf "SELECT 'e1';\nSELEC 'e2';\n" >incerr.sql
run "$EMBER" -c ".read inc.sql
SELECT 'after';" </dev/null
expect_out ".read" "inc${NL}after"
expect_rc ".read" 0

run "$EMBER" -c ".read incerr.sql
SELECT 'after';" </dev/null
expect_out ".read stops at its error" "e1"
expect_rc ".read stops at its error" 1
expect_err_prefix ".read error position" "Error: incerr.sql:2:1: "

run "$EMBER" -c ".output o.txt
SELECT 'to file';
.output
SELECT 'to stdout';" </dev/null
expect_out ".output" "to stdout"
if [ "$(cat o.txt)" = "to file" ]; then
    pass
else
    fail ".output file" "to file" "$(cat o.txt)"
fi

run "$EMBER" -c ".echo on
SELECT 1;" </dev/null
expect_out ".echo" "SELECT 1;${NL}1"

run "$EMBER" -c ".timer on
SELECT 1;" </dev/null
expect_rc ".timer" 0
if [ "$(sed -n 1p out)" = "1" ] &&
    sed -n 2p out | grep -Eq \
        '^Run Time: real [0-9]+\.[0-9]{3} user [0-9]+\.[0-9]{3} sys [0-9]+\.[0-9]{3}$'; then
    pass
else
    fail ".timer format" \
        "1${NL}Run Time: real N.NNN user N.NNN sys N.NNN" "$(cat out)"
fi

run "$EMBER" -c ".help" </dev/null
if grep -q '^\.mode' out; then pass; else fail ".help" ".mode ..." "$(cat out)"; fi
for c in profile trace; do
    if grep -q "^\.$c FILE|off .*(off: stop)\$" out; then
        pass
    else
        fail ".help lists .$c" ".$c FILE|off ... (off: stop)" "$(cat out)"
    fi
done

# ---------------------------------------------------------------------
# .profile and .trace (these need ember's profile_output and
# trace_output settings, not only SQL that any engine supports)
# ---------------------------------------------------------------------

# expect_file NAME FILE: FILE exists and is not empty.
expect_file() {
    if [ -s "$2" ]; then pass; else fail "$1" "$2 written" "no $2"; fi
}

# expect_no_file NAME FILE: FILE does not exist.
expect_no_file() {
    if [ -e "$2" ]; then fail "$1" "no $2" "$2 exists"; else pass; fi
}

# expect_gzip NAME FILE: FILE starts with the gzip magic bytes.
expect_gzip() {
    magic=$(od -An -tx1 -N2 "$2" 2>/dev/null | tr -d ' ')
    if [ "$magic" = "1f8b" ]; then pass; else fail "$1" "1f8b" "$magic"; fi
}

printf '%s\n' "CREATE TABLE p (n INTEGER);" \
    "INSERT INTO p VALUES (1), (2), (3);" \
    ".profile prof.pb.gz" \
    "SELECT sum(n)" \
    "FROM p;" \
    ".show" \
    ".profile off" \
    "SELECT count(*) FROM p;" \
    ".show" >prof.in
run "$EMBER" <prof.in
expect_rc ".profile" 0
expect_no_err ".profile"
expect_out ".profile, .profile off and .show" "6
     bail: on
     echo: off
  headers: auto (hidden)
     mode: list
nullvalue: \"\"
   output: stdout
  profile: prof.pb.gz
    timer: off
    trace: off
3
     bail: on
     echo: off
  headers: auto (hidden)
     mode: list
nullvalue: \"\"
   output: stdout
  profile: off
    timer: off
    trace: off"
expect_file ".profile writes the profile" prof.pb.gz
expect_gzip ".profile profile is gzip" prof.pb.gz
expect_file ".profile writes the contention profile" prof.contention.pb.gz
expect_gzip ".profile contention profile is gzip" prof.contention.pb.gz
# .profile off is no file name: the SQL file holds the last statement
# profiled
expect_no_file ".profile off writes no file named off" off
expect_no_file ".profile off writes no off.sql" off.sql
if [ "$(cat prof.sql 2>/dev/null)" = "SELECT sum(n)${NL}FROM p" ]; then
    pass
else
    fail ".profile SQL file" "SELECT sum(n)${NL}FROM p" \
        "$(cat prof.sql 2>/dev/null)"
fi

rm -f q.pb.gz q.contention.pb.gz q.sql
run "$EMBER" -c ".profile q.pb.gz
.profile
SELECT 1;" </dev/null
expect_out ".profile without FILE clears" "1"
expect_no_file ".profile without FILE clears" q.pb.gz

# file names with a blank and a quote reach the engine intact
run "$EMBER" -c ".profile 'my prof.pb.gz'
SELECT 1;
.profile \"it's.pb.gz\"
SELECT 2;" </dev/null
expect_out ".profile quoted names" "1${NL}2"
expect_file ".profile name with a blank" "my prof.pb.gz"
expect_file ".profile name with a quote" "it's.pb.gz"
expect_file ".profile name with a quote, SQL file" "it's.sql"

run "$EMBER" -c ".profile no/such/dir/x.pb.gz
SELECT 1;
SELECT 'not reached';" </dev/null
expect_rc ".profile into a missing directory" 1
expect_err_prefix ".profile into a missing directory" \
    "Error: near line 2: could not write"

run "$EMBER" -c ".profile a.pb.gz b.pb.gz" </dev/null
expect_rc ".profile with two files" 1
expect_err_prefix ".profile with two files" \
    "Error: near line 1: usage: .profile FILE|off"

run "$EMBER" -c "CREATE TABLE p (n INTEGER);
INSERT INTO p VALUES (1), (2);
.trace tr.json
SELECT sum(n) FROM p;
.trace OFF
SELECT count(*) FROM p;" </dev/null
expect_out ".trace" "3${NL}2"
expect_rc ".trace" 0
expect_file ".trace writes the trace" tr.json
if grep -q '"traceEvents"' tr.json 2>/dev/null &&
    grep -q 'SELECT sum(n) FROM p' tr.json; then
    pass
else
    fail ".trace file" "traceEvents of SELECT sum(n) FROM p" \
        "$(head -c 300 tr.json 2>/dev/null)"
fi
rm -f tr.json
run "$EMBER" -c ".trace tr.json
.trace off
SELECT 1;" </dev/null
expect_no_file ".trace off stops" tr.json
expect_no_file ".trace off writes no file named off" off

echo "test_shell: $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
