#!/usr/bin/env python3
"""check_explain_json.py -- validate EXPLAIN (ANALYZE, FORMAT JSON) and
EXPLAIN (FORMAT JSON) output against its schema,
docs/explain-analyze-json.md (version 3).

usage:
  check_explain_json.py FILE...
      Check each file: one JSON document as EXPLAIN (ANALYZE, FORMAT JSON)
      or ember_profile_text(stmt, 1) writes it ("analyzed": true), or as
      EXPLAIN (FORMAT JSON) writes it ("analyzed": false: the plan only,
      no runtime keys). Prints, per valid file,
        ok FILE: N operators (S subplans), R rows, L lock sites (C contended)
        ok FILE: N operators (S subplans), plan only
      and every violation of an invalid one; exits 1 if any is invalid.
  check_explain_json.py --self-test FILE
      Check FILE, then check that each of a list of mutations of it
      (a key removed, an unknown key, a wrong type, a negative count,
      another version, broken times, ids, rows...) is rejected.
  check_explain_json.py --run [--ember PATH] [--queries DIR] [--keep DIR]
      The test driver: run TPC-H queries at SF 0.01 (those built in here,
      plus DIR/q*.sql, by default $EMBER_SHARED/tpch/queries or
      ../shared/tpch/queries when present), queries with subqueries, and a
      query that waits on a lock at 2 threads through the shell (default
      build/ember), the same queries under EXPLAIN (FORMAT JSON), a query
      whose text is not UTF-8, check every document, then run the
      self-test on an analyzed and on a plan-only one.
      Exits 1 if a document is invalid or a mutation is accepted.

The checks are the document's: exact key sets (nothing missing, nothing
unknown, no duplicate key; the key sets depend on "analyzed"), UTF-8,
types (integers are JSON integers, not 3.0 nor true), version 3,
non-negative numbers, operators nested through
"children" with ids 1..N in pre-order, self time <= cumulative time (and
cumulative = self + children exactly), rows_in = the children's rows,
plan rows = statement rows for queries, estimates, hash tables and lock
sites consistent. Python 3 standard library only.
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

VERSION = 3
U64_MAX = (1 << 64) - 1
MISESTIMATE = 10.0

# Key -> type: "int" (JSON integer >= 0), "num" (any non-negative JSON
# number), "str", "bool", or a nested spec handled by the walker.
TOP_KEYS = {
    "version": "int", "analyzed": "bool", "sql": "str", "phases_ns": "phases",
    "threads": "int",
    "thread_ns": "int", "cpu_ns": "int", "allocations": "int",
    "allocated_bytes": "int", "peak_bytes": "int", "rows": "int",
    "locks": "locks", "plan": "op_or_null", "subplans": "op_list",
}
PHASE_KEYS = {k: "int" for k in
              ("parse", "bind", "optimize", "physical", "execute", "total")}
LOCKS_KEYS = {"wait_ns": "int", "contention_percent": "num",
              "sites": "site_list"}
SITE_KEYS = {"site": "str", "acquires": "int", "contended": "int",
             "wait_ns": "int", "operator": "int"}
OP_KEYS = {
    "id": "int", "name": "str", "label": "str", "detail": "str",
    "sql_line": "int", "estimated_rows": "num", "rows": "int",
    "rows_in": "int", "chunks": "int", "estimate_ratio": "num",
    "misestimated": "bool", "time_ns": "int", "cpu_ns": "int",
    "cumulative_time_ns": "int", "build_ns": "int", "allocations": "int",
    "allocated_bytes": "int", "memory_bytes": "int", "lock_waits": "int",
    "lock_wait_ns": "int", "hash_table_entries": "int", "hash_table_capacity": "int",
    "children": "op_list",
}
# A plan that did not run ("analyzed": false): these keys only.
PLAN_TOP_KEYS = {"version": "int", "analyzed": "bool", "sql": "str",
                 "plan": "op_or_null", "subplans": "op_list"}
PLAN_OP_KEYS = {"id": "int", "name": "str", "label": "str", "detail": "str",
                "sql_line": "int", "estimated_rows": "num",
                "children": "op_list"}
QUERY_WORDS = ("SELECT", "WITH", "VALUES", "EXPLAIN", "(")


class Checker:
    """Collects the violations of one document."""

    def __init__(self):
        self.errors = []
        self.ops = []          # operators in document (pre-order) order
        self.analyzed = True   # the document's "analyzed"

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where or "document", msg))

    # ---------------------------------------------------------------- types

    def scalar(self, where, v, kind):
        if kind == "int":
            if isinstance(v, bool) or not isinstance(v, int):
                self.err(where, "expected an integer, got %s" % json.dumps(v))
                return False
            if v < 0 or v > U64_MAX:
                self.err(where, "integer out of range 0..2^64-1: %d" % v)
                return False
        elif kind == "num":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.err(where, "expected a number, got %s" % json.dumps(v))
                return False
            if v < 0:
                self.err(where, "negative number %r" % v)
                return False
        elif kind == "str":
            if not isinstance(v, str):
                self.err(where, "expected a string, got %s" % json.dumps(v))
                return False
        elif kind == "bool":
            if not isinstance(v, bool):
                self.err(where, "expected true or false, got %s"
                         % json.dumps(v))
                return False
        return True

    def keys(self, where, obj, spec):
        """Exact key set; returns whether obj is an object."""
        if not isinstance(obj, dict):
            self.err(where, "expected an object, got %s"
                     % json.dumps(obj)[:80])
            return False
        for k in spec:
            if k not in obj:
                self.err(where, "missing key %r" % k)
        for k in obj:
            if k not in spec:
                self.err(where, "unknown key %r" % k)
        for k, kind in spec.items():
            if k in obj and kind in ("int", "num", "str", "bool"):
                self.scalar("%s.%s" % (where, k) if where else k, obj[k],
                            kind)
        return True

    def get(self, obj, key, kind):
        """obj[key] when present with the right type, else None."""
        if not isinstance(obj, dict) or key not in obj:
            return None
        v = obj[key]
        if kind == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            return None
        if kind == "num" and (isinstance(v, bool)
                              or not isinstance(v, (int, float))):
            return None
        if kind == "str" and not isinstance(v, str):
            return None
        if kind == "bool" and not isinstance(v, bool):
            return None
        if kind == "list" and not isinstance(v, list):
            return None
        return v

    # ------------------------------------------------------------ operators

    def op(self, where, o, depth):
        """Check operator `o` and its subtree; returns its rows or None."""
        if depth > 200:
            self.err(where, "operators nested more than 200 deep")
            return None
        if not self.keys(where, o, OP_KEYS if self.analyzed else PLAN_OP_KEYS):
            return None
        self.ops.append(o)
        g = lambda k, kind="int": self.get(o, k, kind)
        oid = g("id")
        where = "%s(%s)" % (where, g("label", "str") or oid)
        if oid is not None and oid != len(self.ops):
            self.err(where, "id %d, expected %d: ids are 1..N in pre-order"
                     % (oid, len(self.ops)))
        label = g("label", "str")
        if label is not None and oid is not None:
            if not re.fullmatch(r"[A-Za-z]+#%d" % oid, label):
                self.err(where, "label %r is not <Kind>#%d" % (label, oid))
        name = g("name", "str")
        if name is not None and name == "":
            self.err(where, "empty name")
        kids = g("children", "list")
        if "children" in o and kids is None:
            self.err(where + ".children", "expected an array")
        kid_rows, kid_cum = 0, 0
        for i, c in enumerate(kids or []):
            self.op("%s.children[%d]" % (where, i), c, depth + 1)
            kid_rows = None if kid_rows is None or self.get(
                c, "rows", "int") is None else kid_rows + c["rows"]
            kid_cum = None if kid_cum is None or self.get(
                c, "cumulative_time_ns", "int") is None \
                else kid_cum + c["cumulative_time_ns"]

        # times: self <= cumulative, cumulative = self + children
        t, b, cum = g("time_ns"), g("build_ns"), g("cumulative_time_ns")
        if None not in (t, b, cum):
            if t + b > cum:
                self.err(where, "self time %d (time_ns %d + build_ns %d) > "
                         "cumulative_time_ns %d" % (t + b, t, b, cum))
            if kid_cum is not None and cum != t + b + kid_cum:
                self.err(where, "cumulative_time_ns %d != time_ns + build_ns"
                         " + children's cumulative (%d)"
                         % (cum, t + b + kid_cum))
        # rows
        rows, rows_in, chunks = g("rows"), g("rows_in"), g("chunks")
        if rows_in is not None and kid_rows is not None \
                and rows_in != kid_rows:
            self.err(where, "rows_in %d != sum of the children's rows %d"
                     % (rows_in, kid_rows))
        if chunks is not None and rows is not None and chunks > rows:
            self.err(where, "chunks %d > rows %d" % (chunks, rows))
        # estimates
        est, ratio = g("estimated_rows", "num"), g("estimate_ratio", "num")
        mis = g("misestimated", "bool")
        if None not in (est, ratio, rows):
            act = max(rows, 1)
            lo = act / max(est + 0.05, 1.0)
            hi = act / max(est - 0.05, 1.0)
            if not lo * (1 - 6e-4) <= ratio <= hi * (1 + 6e-4):
                self.err(where, "estimate_ratio %r, expected %.4g "
                         "(rows %d, estimated_rows %r)"
                         % (ratio, act / max(est, 1.0), rows, est))
            elif mis is not None:
                if lo >= MISESTIMATE * (1 + 1e-9) \
                        or hi <= (1 - 1e-9) / MISESTIMATE:
                    want = True
                elif hi < MISESTIMATE * (1 - 1e-9) \
                        and lo > (1 + 1e-9) / MISESTIMATE:
                    want = False
                else:
                    want = None   # on the threshold within rounding
                if want is not None and mis != want:
                    self.err(where, "misestimated is %s with estimate_ratio"
                             " %r" % (json.dumps(mis), ratio))
        # hash table, locks
        e, cap = g("hash_table_entries"), g("hash_table_capacity")
        if None not in (e, cap) and e > cap:
            self.err(where, "hash_table_entries %d > hash_table_capacity %d"
                     % (e, cap))
        # a metered operator's memory holds its hash table's 8-byte slots
        mem = g("memory_bytes")
        if None not in (cap, mem, t) and t > 0 and mem < 8 * cap:
            self.err(where, "memory_bytes %d < 8 * hash_table_capacity %d"
                     % (mem, cap))
        lw, lns = g("lock_waits"), g("lock_wait_ns")
        if None not in (lw, lns) and lns > 0 and lw == 0:
            self.err(where, "lock_wait_ns %d with 0 lock_waits" % lns)
        return rows

    def op_list(self, where, v):
        if not isinstance(v, list):
            self.err(where, "expected an array, got %s" % json.dumps(v)[:80])
            return []
        for i, o in enumerate(v):
            self.op("%s[%d]" % (where, i), o, 0)
        return v

    # ------------------------------------------------------------- document

    def sql_lines(self, sql):
        """Every operator's sql_line is a line of `sql`."""
        if sql is None:
            return
        n_lines = sql.count("\n") + 1
        for o in self.ops:
            line = self.get(o, "sql_line", "int")
            if line is not None and line > n_lines:
                self.err("operator %s" % o.get("label"),
                         "sql_line %d > %d lines of sql" % (line, n_lines))

    def document(self, doc):
        if isinstance(doc, dict) and isinstance(doc.get("analyzed"), bool):
            self.analyzed = doc["analyzed"]
        if not self.keys("", doc, TOP_KEYS if self.analyzed
                         else PLAN_TOP_KEYS):
            return
        g = lambda k, kind="int": self.get(doc, k, kind)
        if "version" in doc and doc["version"] != VERSION:
            self.err("version", "is %s, this checker knows version %d"
                     % (json.dumps(doc["version"]), VERSION))
        if not self.analyzed:
            plan = doc.get("plan", None)
            if plan is not None:
                self.op("plan", plan, 0)
            if "subplans" in doc:
                self.op_list("subplans", doc["subplans"])
            self.sql_lines(g("sql", "str"))
            return

        phases = doc.get("phases_ns")
        if self.keys("phases_ns", phases, PHASE_KEYS):
            vals = [self.get(phases, k, "int") for k in PHASE_KEYS]
            if None not in vals and sum(vals[:5]) > vals[5]:
                self.err("phases_ns", "total %d < parse + bind + optimize "
                         "+ physical + execute = %d" % (vals[5],
                                                        sum(vals[:5])))

        plan = doc.get("plan", None)
        if plan is not None:
            self.op("plan", plan, 0)
        if "subplans" in doc:
            self.op_list("subplans", doc["subplans"])
        ids = {o.get("id") for o in self.ops if isinstance(o, dict)}

        rows, sql = g("rows"), g("sql", "str")
        if plan is not None and isinstance(plan, dict) and rows is not None \
                and sql is not None:
            first = re.sub(r"^(\s|--[^\n]*\n|/\*.*?\*/)*", "", sql, flags=re.S)
            word = re.match(r"\(|[A-Za-z]*", first).group(0).upper()
            prow = self.get(plan, "rows", "int")
            if word in QUERY_WORDS and prow is not None and prow != rows:
                self.err("rows", "%d != plan.rows %d" % (rows, prow))
        self.sql_lines(sql)
        if plan is not None and g("threads") == 0:
            self.err("threads", "0 with a plan that ran")

        # sums over operators
        for key in ("allocations", "allocated_bytes"):
            total = g(key)
            parts = [self.get(o, key, "int") for o in self.ops]
            if total is not None and None not in parts \
                    and sum(parts) > total:
                self.err(key, "%d < sum over operators %d"
                         % (total, sum(parts)))

        locks = doc.get("locks")
        if not self.keys("locks", locks, LOCKS_KEYS):
            return
        sites = locks.get("sites")
        if "sites" in locks and not isinstance(sites, list):
            self.err("locks.sites", "expected an array")
            sites = None
        seen, wait_sum = set(), 0
        for i, s in enumerate(sites or []):
            where = "locks.sites[%d]" % i
            if not self.keys(where, s, SITE_KEYS):
                wait_sum = None
                continue
            name = self.get(s, "site", "str")
            if name is not None:
                if name == "" or name in seen:
                    self.err(where, "site name %r empty or repeated" % name)
                seen.add(name)
            acq, con = self.get(s, "acquires", "int"), \
                self.get(s, "contended", "int")
            wns, op = self.get(s, "wait_ns", "int"), \
                self.get(s, "operator", "int")
            if None not in (acq, con) and con > acq:
                self.err(where, "contended %d > acquires %d" % (con, acq))
            if con == 0 and wns:
                self.err(where, "wait_ns %d with 0 contended" % wns)
            if con == 0 and op:
                self.err(where, "operator %d for a site never contended"
                         % op)
            if op and op not in ids:
                self.err(where, "operator %d is not an operator id" % op)
            wait_sum = None if wait_sum is None or wns is None \
                else wait_sum + wns
        wait = self.get(locks, "wait_ns", "int")
        if None not in (wait, wait_sum) and wait != wait_sum:
            self.err("locks.wait_ns", "%d != sum over sites %d"
                     % (wait, wait_sum))
        pct, tns = self.get(locks, "contention_percent", "num"), g("thread_ns")
        if None not in (pct, tns, wait):
            want = 100.0 * wait / tns if tns else 0.0
            if abs(pct - want) > 5e-5 + 1e-9 * want:
                self.err("locks.contention_percent", "%r, expected %.4f "
                         "(100 * wait_ns / thread_ns)" % (pct, want))


def parse(text):
    """Strict JSON: no NaN/Infinity, no duplicate keys."""
    def no_const(c):
        raise ValueError("not JSON: " + c)

    def pairs(kv):
        d = {}
        for k, v in kv:
            if k in d:
                raise ValueError("duplicate key %r" % k)
            d[k] = v
        return d
    return json.loads(text, parse_constant=no_const, object_pairs_hook=pairs)


def check_text(text):
    """Returns (errors, checker) for one document's text."""
    try:
        doc = parse(text)
    except ValueError as e:
        return ["not JSON: %s" % e], None
    c = Checker()
    c.document(doc)
    return c.errors, c


def check_file(path, quiet=False):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print("FAIL %s: not UTF-8 (JSON must be): %s" % (path, e))
        return False
    errors, c = check_text(text)
    if errors:
        print("FAIL %s: %d violation%s" % (path, len(errors),
                                           "" if len(errors) == 1 else "s"))
        for e in errors[:50]:
            print("  " + e)
        return False
    if not quiet:
        doc = parse(text)
        if not doc["analyzed"]:
            print("ok %s: %d operators (%d subplans), plan only"
                  % (path, len(c.ops), len(doc["subplans"])))
            return True
        sites = doc["locks"]["sites"]
        print("ok %s: %d operators (%d subplans), %d rows, %d lock sites "
              "(%d contended)" % (path, len(c.ops), len(doc["subplans"]),
                                  doc["rows"], len(sites),
                                  sum(1 for s in sites if s["contended"])))
    return True


# ---------------------------------------------------------------- self-test

def first_op(doc, pred=lambda o: True):
    stack = [doc["plan"]] + list(doc["subplans"])
    while stack:
        o = stack.pop(0)
        if o is None:
            continue
        if pred(o):
            return o
        stack = list(o["children"]) + stack
    return None


def mutations():
    """(description, function mutating a document in place) pairs; each
    must make a valid document invalid."""
    def setk(path, v):
        def f(d):
            o = d
            for k in path[:-1]:
                o = o[k]
            o[path[-1]] = v
        return f

    def delk(path):
        def f(d):
            o = d
            for k in path[:-1]:
                o = o[k]
            del o[path[-1]]
        return f

    def on_op(fn, pred=lambda o: True):
        return lambda d: fn(first_op(d, pred))

    def below_ops(d):
        ops, stack = [], [d["plan"]] + list(d["subplans"])
        while stack:
            o = stack.pop()
            ops.append(o)
            stack.extend(o["children"])
        total = sum(o["allocated_bytes"] for o in ops)
        if total == 0:
            raise KeyError("no operator allocated")
        d["allocated_bytes"] = total - 1

    def flip_analyzed(d):
        d["analyzed"] = not d["analyzed"]

    def plan_only(fn):
        """fn, for plan-only documents only (KeyError: not applicable)."""
        def f(d):
            if d["analyzed"]:
                raise KeyError("analyzed")
            fn(d)
        return f

    leaf = lambda o: not o["children"]
    inner = lambda o: bool(o["children"])
    m = [
        ("version 2", setk(["version"], 2)),
        ("version 4", setk(["version"], 4)),
        ("version as text", setk(["version"], "3")),
        ("missing analyzed", delk(["analyzed"])),
        ("analyzed as integer", lambda d: d.__setitem__(
            "analyzed", int(d["analyzed"]))),
        ("analyzed flipped", flip_analyzed),
        ("runtime key in a plan-only document", plan_only(
            lambda d: d.__setitem__("rows", 0))),
        ("runtime key in a plan-only operator", plan_only(
            on_op(lambda o: o.__setitem__("time_ns", 0)))),
        ("missing sql", delk(["sql"])),
        ("unknown top-level key", setk(["extra"], 1)),
        ("missing phase", delk(["phases_ns", "bind"])),
        ("unknown phase", setk(["phases_ns", "plan"], 0)),
        ("negative phase", setk(["phases_ns", "parse"], -1)),
        ("phases exceed total", lambda d: d["phases_ns"].__setitem__(
            "execute", d["phases_ns"]["total"] + 1)),
        ("threads as float", lambda d: d.__setitem__(
            "threads", float(d["threads"]))),
        ("rows as boolean", setk(["rows"], True)),
        ("statement rows differ from plan rows", lambda d: d.__setitem__(
            "rows", d["rows"] + 1)),
        ("plan not an object", setk(["plan"], [])),
        ("subplans not an array", setk(["subplans"], {})),
        ("locks.sites not an array", setk(["locks", "sites"], None)),
        ("unknown key in locks", setk(["locks", "count"], 0)),
        ("contention_percent negative",
         setk(["locks", "contention_percent"], -0.5)),
        ("contention_percent wrong", lambda d: d["locks"].__setitem__(
            "contention_percent", d["locks"]["contention_percent"] + 1)),
        ("lock wait not the sum of sites", lambda d: d["locks"].__setitem__(
            "wait_ns", d["locks"]["wait_ns"] + 1)),
        ("bad lock site", lambda d: d["locks"]["sites"].append(
            {"site": "x", "acquires": 1, "contended": 2, "wait_ns": 5,
             "operator": 9999})),
        ("operator missing a key", on_op(lambda o: o.pop("chunks"))),
        ("operator missing its estimate", on_op(lambda o: o.pop(
            "estimated_rows"))),
        ("operator with unknown key", on_op(lambda o: o.__setitem__(
            "mem_bytes", 0))),
        ("operator name not a string", on_op(lambda o: o.__setitem__(
            "name", 5))),
        ("negative rows", on_op(lambda o: o.__setitem__("rows", -1))),
        ("misestimated as integer", on_op(lambda o: o.__setitem__(
            "misestimated", 0))),
        ("estimated_rows as text", on_op(lambda o: o.__setitem__(
            "estimated_rows", "3"))),
        ("estimate_ratio off", on_op(lambda o: o.__setitem__(
            "estimate_ratio", o["estimate_ratio"] * 3 + 1))),
        ("misestimated flipped", on_op(lambda o: o.__setitem__(
            "misestimated", not o["misestimated"]))),
        ("self time above cumulative", on_op(lambda o: o.__setitem__(
            "time_ns", o["cumulative_time_ns"] + 1))),
        ("cumulative not self + children", on_op(lambda o: o.__setitem__(
            "cumulative_time_ns", o["cumulative_time_ns"] + 7), inner)),
        ("rows_in not the children's rows", on_op(lambda o: o.__setitem__(
            "rows_in", o["rows_in"] + 1), inner)),
        ("leaf with rows_in", on_op(lambda o: o.__setitem__(
            "rows_in", 5), leaf)),
        ("chunks above rows", on_op(lambda o: o.__setitem__(
            "chunks", o["rows"] + 1))),
        ("hash table over capacity", on_op(lambda o: o.__setitem__(
            "hash_table_entries", o["hash_table_capacity"] + 1))),
        ("hash table without its memory", on_op(lambda o: o.__setitem__(
            "memory_bytes", 8 * o["hash_table_capacity"] - 1),
            lambda o: o["hash_table_capacity"] > 0 and o["time_ns"] > 0)),
        ("lock wait without waits", on_op(lambda o: (o.__setitem__(
            "lock_waits", 0), o.__setitem__("lock_wait_ns", 10)))),
        ("id out of order", on_op(lambda o: o.__setitem__(
            "id", o["id"] + 100))),
        ("label not Kind#id", on_op(lambda o: o.__setitem__(
            "label", o["label"] + "0"))),
        ("children not an array", on_op(lambda o: o.__setitem__(
            "children", None), leaf)),
        ("child with a missing key", on_op(lambda o: o["children"][0].pop(
            "cumulative_time_ns"), inner)),
        ("sql_line past the end", on_op(lambda o: o.__setitem__(
            "sql_line", 10000))),
        ("allocated_bytes below the operators'", below_ops),
        ("top level an array", lambda d: d.__setitem__("__array__", True)),
    ]
    return m


def self_test(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    errors, _ = check_text(text)
    if errors:
        print("FAIL %s is not valid to start with:" % path)
        for e in errors[:20]:
            print("  " + e)
        return False
    base = parse(text)
    ok = True
    n = 0
    for desc, fn in mutations():
        d = copy.deepcopy(base)
        try:
            fn(d)
        except (AttributeError, TypeError, IndexError, KeyError):
            print("self-test: %s: not applicable to this document" % desc)
            continue
        if d.pop("__array__", False):
            d = [d]
        errors, _ = check_text(json.dumps(d))
        if not errors:
            print("FAIL self-test: %s: accepted" % desc)
            ok = False
        n += 1
    for desc, text2 in (("NaN", text.replace('"estimated_rows": ',
                                             '"estimated_rows": NaN, "x": ',
                                             1)),
                        ("duplicate key", text.replace(
                            '"version": 3', '"version": 3, "version": 3', 1)),
                        ("truncated", text[:len(text) // 2])):
        errors, _ = check_text(text2)
        if not errors:
            print("FAIL self-test: %s: accepted" % desc)
            ok = False
        n += 1
    if ok:
        print("ok self-test: %d broken variants of %s rejected" % (n, path))
    return ok


# ------------------------------------------------------------------ driver

# TPC-H queries 1, 3, 5, 6, 10, 13, 18 (joins, aggregates, top-N, an outer
# join, IN with GROUP BY/HAVING) and 22 (uncorrelated scalar subquery: a
# subplan; NOT EXISTS: an anti join), with the standard substitutions.
TPCH = {
    "q01": """SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty,
    sum(l_extendedprice) AS sum_base_price,
    sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
    sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
    avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price,
    avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus""",
    "q03": """SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue,
    o_orderdate, o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey
    AND l_orderkey = o_orderkey AND o_orderdate < DATE '1995-03-15'
    AND l_shipdate > DATE '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate
LIMIT 10""",
    "q05": """SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
    AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey
    AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
    AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01'
    AND o_orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR
GROUP BY n_name
ORDER BY revenue DESC""",
    "q06": """SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01'
    AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR
    AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01
    AND l_quantity < 24""",
    "q10": """SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue,
    c_acctbal, n_name, c_address, c_phone, c_comment
FROM customer, orders, lineitem, nation
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
    AND o_orderdate >= DATE '1993-10-01'
    AND o_orderdate < DATE '1993-10-01' + INTERVAL '3' MONTH
    AND l_returnflag = 'R' AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
ORDER BY revenue DESC
LIMIT 20""",
    "q13": """SELECT c_count, count(*) AS custdist
FROM (SELECT c_custkey, count(o_orderkey) AS c_count
      FROM customer LEFT OUTER JOIN orders ON c_custkey = o_custkey
          AND o_comment NOT LIKE '%special%requests%'
      GROUP BY c_custkey) AS c_orders
GROUP BY c_count
ORDER BY custdist DESC, c_count DESC""",
    "q18": """SELECT c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice,
    sum(l_quantity)
FROM customer, orders, lineitem
WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey
                     HAVING sum(l_quantity) > 300)
    AND c_custkey = o_custkey AND o_orderkey = l_orderkey
GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
ORDER BY o_totalprice DESC, o_orderdate
LIMIT 100""",
    "q22": """SELECT cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal
FROM (SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode, c_acctbal
      FROM customer
      WHERE substring(c_phone FROM 1 FOR 2)
              IN ('13', '31', '23', '29', '30', '18', '17')
        AND c_acctbal > (SELECT avg(c_acctbal) FROM customer
                         WHERE c_acctbal > 0.00
                           AND substring(c_phone FROM 1 FOR 2)
                               IN ('13', '31', '23', '29', '30', '18', '17'))
        AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = c_custkey)
      ) AS custsale
GROUP BY cntrycode
ORDER BY cntrycode""",
}

# Subqueries: a correlated scalar subquery that runs per outer row (a
# subplan), one that is unnested into a join, EXISTS, IN, and a union.
SUBQUERIES = {
    "subplan_per_row": """SELECT n_name,
    (SELECT count(*) FROM customer
     WHERE c_nationkey = n_nationkey AND c_acctbal > n_nationkey * 100) AS rich
FROM nation
ORDER BY n_name""",
    "correlated_unnested": """SELECT c_name FROM customer c
WHERE c_acctbal > (SELECT avg(c_acctbal) FROM customer c2
                   WHERE c2.c_nationkey = c.c_nationkey)""",
    "exists_limit": """SELECT o_orderkey FROM orders o
WHERE EXISTS (SELECT 1 FROM lineitem l
              WHERE l.l_orderkey = o.o_orderkey AND l_quantity > 49)
LIMIT 5""",
    "in_union": """SELECT n_name FROM nation
WHERE n_nationkey IN (SELECT s_nationkey FROM supplier WHERE s_acctbal > 9000)
UNION ALL SELECT r_name FROM region""",
}

# A query returning many rows with long strings: each thread collects its
# result rows, then appends them to the query's result under the combine
# lock, copying every string; at 2 threads the thread that finishes second
# waits on "sink.combine" while the first copies (usually; retried).
LOCK_SETUP = """CREATE TABLE lw_d(n INTEGER);
INSERT INTO lw_d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
CREATE TABLE lw_s AS SELECT i, repeat('x', 60) || CAST(i AS VARCHAR) AS s
  FROM (SELECT g.n * 100000 + a.n * 10000 + b.n * 1000 + c.n * 100
               + e.n * 10 + f.n AS i
        FROM lw_d a, lw_d b, lw_d c, lw_d e, lw_d f, lw_d g) t;
"""
LOCK_QUERY = "SELECT i, s FROM lw_s WHERE i % 3 = 0"
LOCK_TRIES = 6


def top_dir():
    return os.path.abspath(os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", ".."))


def shared_queries():
    shared = os.environ.get("EMBER_SHARED") or os.path.join(top_dir(), "..",
                                                            "shared")
    d = os.path.join(shared, "tpch", "queries")
    return d if os.path.isdir(d) else None


def run_shell(ember, script):
    """Run a script through the shell; returns the JSON lines in order."""
    p = subprocess.run([ember, "-nobail"], input=script, capture_output=True,
                       text=True, encoding="utf-8", errors="surrogateescape",
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (ember, p.returncode,
                                                  p.stderr[-3000:]))
    return [line for line in p.stdout.split("\n") if line.startswith("{")]


def explain(q, analyze=True):
    return "EXPLAIN (%sFORMAT JSON) %s;\n" % ("ANALYZE, " if analyze else "",
                                             q.strip().rstrip(";"))


def save(path, line):
    """Write a document as the shell printed it, bytes that are not UTF-8
    included (the checker must see them)."""
    with open(path, "wb") as f:
        f.write(line.encode("utf-8", "surrogateescape") + b"\n")


# Text that is not UTF-8 (a lone \xff, a truncated sequence, an encoded
# surrogate) in a literal, an alias and a comment: the documents must
# still be UTF-8, with U+FFFD for each bad byte. "\udcXX" is byte XX
# under surrogateescape.
BAD_UTF8 = ("SELECT 'a\udcffb' AS \"x\udcc3\" -- \udced\udca0\udc80\n"
            "FROM nation WHERE n_name <> '\udce2\udc82'")


def run(args):
    ember = args.get("--ember") or os.path.join(top_dir(), "build", "ember")
    if not os.access(ember, os.X_OK):
        print("check_explain_json: %s not found (make first)" % ember)
        return False
    qdir = args.get("--queries") or shared_queries()
    queries = dict(("tpch/" + k, v) for k, v in TPCH.items())
    if qdir:
        for f in sorted(glob.glob(os.path.join(qdir, "q*.sql"))):
            with open(f, encoding="utf-8") as fh:
                name = os.path.basename(f)[:-4]
                queries["shared/" + name] = fh.read()
        print("queries: %d built in + %s" % (len(TPCH), qdir))
    else:
        print("queries: %d built in (no ../shared/tpch/queries)" % len(TPCH))
    for k, v in SUBQUERIES.items():
        queries["subquery/" + k] = v

    keep = args.get("--keep")
    if keep:
        os.makedirs(keep, exist_ok=True)
        return drive(ember, queries, keep)
    with tempfile.TemporaryDirectory(prefix="ember_explain_") as tmp:
        return drive(ember, queries, tmp)


def drive(ember, queries, keep):
    ok = True
    valid = 0
    docs = {}
    # threads 1 and 2 run the queries; 0 stands for EXPLAIN without
    # ANALYZE (plan only)
    for threads in (1, 2, 0):
        script = "CALL dbgen(sf=>0.01);\nSET threads = %d;\n" % max(threads, 1)
        names = list(queries) + ["bad_utf8"]
        script += "".join(explain(queries.get(n, BAD_UTF8), threads > 0)
                          for n in names)
        lines = run_shell(ember, script)
        if len(lines) != len(names):
            print("FAIL: %d queries gave %d JSON documents at %d threads"
                  % (len(names), len(lines), threads))
            ok = False
        for name, line in zip(names, lines):
            path = os.path.join(keep, "%s-%s.json" % (
                name.replace("/", "_"), "t%d" % threads if threads
                else "plan"))
            save(path, line)
            docs[(name, threads)] = path
            if check_file(path):
                valid += 1
            else:
                ok = False

    # the subplan query must have produced a subplan
    sub = docs.get(("subquery/subplan_per_row", 2))
    if sub:
        with open(sub, encoding="utf-8") as f:
            if not parse(f.read())["subplans"]:
                print("FAIL %s: no subplans" % sub)
                ok = False

    # lock wait at 2 threads
    waited = None
    for attempt in range(2):
        script = "SET threads = 2;\n" + LOCK_SETUP + \
            explain(LOCK_QUERY) * (LOCK_TRIES // 2)
        for i, line in enumerate(run_shell(ember, script)):
            path = os.path.join(keep, "lock_wait-%d.json"
                                % (attempt * LOCK_TRIES // 2 + i))
            save(path, line)
            if not check_file(path):
                ok = False
                continue
            valid += 1
            doc = parse(line)
            hit = [s for s in doc["locks"]["sites"] if s["contended"]]
            if hit and waited is None:
                waited = path
                print("lock wait: %s" % ", ".join(
                    "%s %d waits %.3f ms under operator %d"
                    % (s["site"], s["contended"], s["wait_ns"] / 1e6,
                       s["operator"]) for s in hit))
        if waited:
            break
    if waited is None:
        print("warning: no lock wait in %d runs of the lock query (machine "
              "busy?); the lock checks ran on zero waits only" % LOCK_TRIES)

    if not self_test(waited or docs.get(("tpch/q05", 2)) or
                     next(iter(docs.values()))):
        ok = False
    plan_doc = docs.get(("tpch/q05", 0))
    if plan_doc and not self_test(plan_doc):
        ok = False
    print("%s: %d documents valid (in %s)"
          % ("ok" if ok else "FAIL", valid, keep))
    return ok


def main(argv):
    if len(argv) >= 2 and argv[1] == "--run":
        args = {}
        i = 2
        while i < len(argv):
            if argv[i] in ("--ember", "--queries", "--keep") \
                    and i + 1 < len(argv):
                args[argv[i]] = argv[i + 1]
                i += 2
            else:
                print("check_explain_json: unknown option %r" % argv[i])
                return 2
        return 0 if run(args) else 1
    if len(argv) == 3 and argv[1] == "--self-test":
        return 0 if self_test(argv[2]) else 1
    if len(argv) < 2 or argv[1].startswith("-"):
        print(__doc__.strip())
        return 2
    ok = True
    for path in argv[1:]:
        ok = check_file(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
