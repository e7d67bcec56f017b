#!/usr/bin/env python3
"""check_trace.py -- validate a Chrome Trace Event file written by ember.

usage: check_trace.py FILE[.gz]

Checks, and exits 1 with a message on the first violation:
  1. the file is JSON (gzip-compressed when it starts with 1f 8b): an
     object with "traceEvents" (a list), "displayTimeUnit" and "otherData";
  2. every event has the fields its phase requires: all have name, ph, pid,
     tid; "X" has numeric ts >= 0 and dur >= 0; "C" has ts and an "args"
     object of numbers; "M" has args.name (thread_name, process_name) or
     args.sort_index (thread_sort_index);
  3. on each tid the "X" spans nest: sorted by start (longer first on
     ties), each span ends before or at the end of every open span that
     contains its start -- no partial overlaps;
  4. every tid with events has a thread_name.

On success prints, one per line, for the calling test to match:
  thread <tid> <name>              (thread_name metadata)
  span <tid> <ts> <dur> <json name> (X events, input order)
  counter <tid> <json name> <json args>
  other <json otherData>
  ok <n events> events, <n spans> spans, <n counters> counters, <n tids> tids
Times are printed as integer nanoseconds (the file has microseconds with
three decimals, which this converts exactly).
"""
import gzip
import json
import sys
from decimal import Decimal


def fail(msg):
    print("check_trace: " + msg)
    sys.exit(1)


def ns(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        fail("%s is not a number: %r" % (what, v))
    # json gives floats; go through the decimal text to stay exact
    return int((Decimal(repr(v)) * 1000).to_integral_value())


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        # strict: no NaN/Infinity, which JSON does not allow
        return json.loads(data.decode("utf-8"),
                          parse_constant=lambda c: fail("bad constant " + c))
    except (UnicodeDecodeError, ValueError) as e:
        fail("not JSON: %s" % e)


def check_fields(i, ev):
    where = "event %d (%s)" % (i, json.dumps(ev)[:200])
    for k in ("name", "ph", "pid", "tid"):
        if k not in ev:
            fail("%s: no %r" % (where, k))
    if not isinstance(ev["name"], str):
        fail("%s: name is not a string" % where)
    ph = ev["ph"]
    if ph == "X":
        if ns(ev.get("ts"), where + " ts") < 0:
            fail("%s: negative ts" % where)
        if ns(ev.get("dur"), where + " dur") < 0:
            fail("%s: negative dur" % where)
    elif ph == "C":
        ns(ev.get("ts"), where + " ts")
        args = ev.get("args")
        if not isinstance(args, dict) or not args:
            fail("%s: counter without args" % where)
        for k, v in args.items():
            ns(v, where + " args." + k)
    elif ph == "M":
        args = ev.get("args")
        if not isinstance(args, dict):
            fail("%s: metadata without args" % where)
        if ev["name"] in ("thread_name", "process_name"):
            if not isinstance(args.get("name"), str):
                fail("%s: no args.name" % where)
        elif ev["name"] == "thread_sort_index":
            if not isinstance(args.get("sort_index"), int):
                fail("%s: no args.sort_index" % where)
    else:
        fail("%s: unexpected ph %r" % (where, ph))


def check_nesting(spans):
    by_tid = {}
    for ev in spans:
        ts = ns(ev["ts"], "ts")
        by_tid.setdefault(ev["tid"], []).append(
            (ts, ts + ns(ev["dur"], "dur"), ev["name"]))
    for tid, lst in by_tid.items():
        lst.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for start, end, name in lst:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack and end > stack[-1][1]:
                fail("tid %s: span %s [%d, %d) overlaps %s [%d, %d) "
                     "without nesting" % (tid, json.dumps(name), start, end,
                                          json.dumps(stack[-1][2]),
                                          stack[-1][0], stack[-1][1]))
            stack.append((start, end, name))


def main():
    if len(sys.argv) != 2:
        fail("usage: check_trace.py FILE")
    doc = load(sys.argv[1])
    if not isinstance(doc, dict):
        fail("top level is not an object")
    for k in ("traceEvents", "displayTimeUnit", "otherData"):
        if k not in doc:
            fail("no %r" % k)
    events = doc["traceEvents"]
    if not isinstance(events, list):
        fail("traceEvents is not a list")
    names = {}
    spans = []
    counters = []
    tids = set()
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            fail("event %d is not an object" % i)
        check_fields(i, ev)
        if ev["ph"] == "M" and ev["name"] == "thread_name":
            names[ev["tid"]] = ev["args"]["name"]
        elif ev["ph"] == "X":
            spans.append(ev)
            tids.add(ev["tid"])
        elif ev["ph"] == "C":
            counters.append(ev)
            tids.add(ev["tid"])
    check_nesting(spans)
    for tid in sorted(tids):
        if tid not in names:
            fail("tid %s has events but no thread_name" % tid)
    for tid in sorted(names):
        print("thread %s %s" % (tid, names[tid]))
    for ev in spans:
        print("span %s %d %d %s" % (ev["tid"], ns(ev["ts"], "ts"),
                                    ns(ev["dur"], "dur"),
                                    json.dumps(ev["name"])))
    for ev in counters:
        print("counter %s %s %s" % (ev["tid"], json.dumps(ev["name"]),
                                    json.dumps(ev["args"], sort_keys=True)))
    print("other " + json.dumps(doc["otherData"], sort_keys=True))
    print("ok %d events, %d spans, %d counters, %d tids"
          % (len(events), len(spans), len(counters), len(names)))


if __name__ == "__main__":
    main()
