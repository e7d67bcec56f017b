#!/usr/bin/env python3
"""misestimates.py -- the misestimated operators of an EXPLAIN ANALYZE JSON.

    python3 docs/scripts/misestimates.py /tmp/ember-perf/bad-plan.json

Reads the document that EXPLAIN (ANALYZE, FORMAT JSON) returns (schema:
docs/explain-analyze-json.md) and prints every operator whose estimate is
flagged (`misestimated`: off by 10x or more either way), with estimated
and actual rows, the rows it consumed and its self time (time_ns +
build_ns, the `time` of the text form), then the operators with the most
self time.
"""
import json
import sys


def walk(op, out):
    out.append(op)
    for c in op.get("children", []):
        walk(c, out)


def main(path):
    # the document is one line; a shell run with -echo also wrote the
    # statement into the file
    with open(path) as f:
        doc = json.loads(next(l for l in f if l.startswith("{")))
    ops = []
    if doc["plan"]:
        walk(doc["plan"], ops)
    for sub in doc.get("subplans", []):
        walk(sub, ops)
    def own(o):  # self time as EXPLAIN ANALYZE prints it: work + build
        return o["time_ns"] + o["build_ns"]
    total = sum(own(o) for o in ops) or 1
    print(f"execute {doc['phases_ns']['execute'] / 1e6:.0f} ms, "
          f"{len(ops)} operators")
    print("misestimated: label, estimated -> actual rows (actual/estimated),"
          " rows in, self time")
    for o in ops:
        if o["misestimated"]:
            print(f"  {o['label']:<16} {o['estimated_rows']:.0f} -> "
                  f"{o['rows']} ({o['estimate_ratio']:.4g}), "
                  f"{o['rows_in']} in, {own(o) / 1e6:.1f} ms")
    print("most self time (share of all operators):")
    for o in sorted(ops, key=lambda o: -own(o))[:4]:
        print(f"  {o['label']:<16} {own(o) / 1e6:8.1f} ms "
              f"{100 * own(o) / total:5.1f}%")

if __name__ == "__main__":
    main(sys.argv[1])
