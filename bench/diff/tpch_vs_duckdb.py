#!/usr/bin/env python3
"""TPC-H answers of ember against DuckDB on the same .tbl files.

    bench/diff/tpch_vs_duckdb.py DATA_DIR [QUERIES_DIR]

DATA_DIR holds the eight .tbl files (for example written by ember's own
generator: CALL dbgen(sf => 1) and COPY t TO 'DIR/t.tbl' (DELIMITER '|')).
DuckDB comes from the package that ../shared/tools/duckdb-bench/run.sh
installs (run it once first); it needs node. Every query's rows must agree
in order, strings exactly and numbers to 1e-9 relative or 0.005 absolute
(DuckDB returns DOUBLE for some averages where ember keeps DECIMAL).
Exits 1 on any difference. A benchmark-sized check, not part of make test:
the CI test at SF 0.01 is tests/diff/tpch_diff.c against SQLite.
"""
import json, math, os, shutil, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.dirname(os.path.dirname(here))
data = os.path.abspath(sys.argv[1])
queries = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                          os.path.join(top, "..", "shared", "tpch", "queries"))
ddir = os.environ.get("EMBER_DUCKDB_DIR",
                      os.path.expanduser("~/.cache/ember-duckdb"))
if not os.path.isdir(os.path.join(ddir, "node_modules", "@duckdb")):
    sys.exit("DuckDB not installed in %s: run ../shared/tools/duckdb-bench/"
             "run.sh once" % ddir)
shutil.copy(os.path.join(here, "duckdb_answers.mjs"), ddir)


def sections(text):
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("-- q"):
            cur = line[3:].strip()
            out[cur] = []
        elif cur is not None and line.strip():
            out[cur].append(line)
    return out


duck = subprocess.run(["node", os.path.join(ddir, "duckdb_answers.mjs"),
                       data, queries], capture_output=True, text=True,
                      check=True).stdout
duck = {q: [json.loads(r) for r in rows] for q, rows in sections(duck).items()}

script = [".bail on", open(os.path.join(top, "tests/tpch/schema.sql")).read()]
for t in ["region", "nation", "supplier", "customer", "part", "partsupp",
          "orders", "lineitem"]:
    script.append("COPY %s FROM '%s/%s.tbl' (DELIMITER '|');" % (t, data, t))
for f in sorted(os.listdir(queries)):
    if f.startswith("q") and f.endswith(".sql"):
        script.append("SELECT '-- %s';" % f[:-4])
        script.append(open(os.path.join(queries, f)).read().strip().rstrip(";") + ";")
ember = subprocess.run([os.path.join(top, "build/ember"), "-csv",
                        "-noheader"], input="\n".join(script),
                       capture_output=True, text=True)
if ember.returncode != 0:
    sys.exit("ember failed: " + ember.stderr)
import csv, io
ember = {q: [next(csv.reader(io.StringIO(r))) for r in rows]
         for q, rows in sections(ember.stdout).items()}


def same(a, b):
    if b is None:
        return a == ""
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.005)


bad = 0
for q in sorted(duck):
    d, e = duck[q], ember.get(q, [])
    ok = len(d) == len(e) and all(
        len(dr) == len(er) and all(same(a, b) for a, b in zip(er, dr))
        for dr, er in zip(d, e))
    print("%s %4d rows  %s" % (q, len(e), "ok" if ok else "DIFFERENT"))
    if not ok:
        bad += 1
        for i, (dr, er) in enumerate(zip(d, e)):
            if len(dr) != len(er) or not all(same(a, b) for a, b in zip(er, dr)):
                print("  row %d: ember %s\n         duckdb %s" % (i + 1, er, dr))
                break
        if len(d) != len(e):
            print("  rows: ember %d, duckdb %d" % (len(e), len(d)))
print("TPC-H vs DuckDB: %d of %d queries agree" % (len(duck) - bad, len(duck)))
sys.exit(1 if bad else 0)
