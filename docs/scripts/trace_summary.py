#!/usr/bin/env python3
"""trace_summary.py -- summarize an ember Chrome trace (SET trace_output).

    python3 docs/scripts/trace_summary.py /tmp/ember-perf/bad.json

Prints the tracks (threads), the number of events per phase type and
category, the time each thread spent in pipeline tasks, the longest
pipeline tasks with their operators, the operators with the most time,
lock waits per site, and the memory counter's range.
"""
import collections
import gzip
import json
import sys


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        doc = json.load(f)
    return doc if isinstance(doc, dict) else {"traceEvents": doc}


def main(path):
    doc = load(path)
    ev = doc["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in ev
             if e["ph"] == "M" and e["name"] == "thread_name"}
    print("tracks:", ", ".join(f"{t}={n}" for t, n in sorted(names.items())))
    print("events:", len(ev))
    kinds = collections.Counter((e["ph"], e.get("cat", "-")) for e in ev)
    for (ph, cat), n in sorted(kinds.items()):
        print(f"  ph={ph} cat={cat:<9} {n:6d}")
    ex = [e for e in ev if e.get("cat") == "phase"]
    print("phases (ms):", ", ".join(f"{e['name']} {e['dur'] / 1000:.3f}"
                                    for e in ex))
    busy = collections.defaultdict(float)
    for e in ev:
        if e.get("cat") == "pipeline":
            busy[e["tid"]] += e["dur"]
    print("pipeline tasks per thread (ms):",
          ", ".join(f"{names.get(t, t)} {v / 1000:.1f}"
                    for t, v in sorted(busy.items())))
    # the operators of each pipeline: operator spans inside its batches
    members = collections.defaultdict(list)
    batches = [e for e in ev if e.get("cat") == "batch"]
    for b in batches:
        for e in ev:
            if (e.get("cat") == "operator" and e["tid"] == b["tid"]
                    and b["ts"] <= e["ts"] <= b["ts"] + b["dur"]
                    and e["name"] not in members[b["name"]]):
                members[b["name"]].append(e["name"])
    tasks = sorted((e for e in ev if e.get("cat") == "pipeline"),
                   key=lambda e: -e["dur"])
    print("longest pipeline tasks (thread, start ms, ms, operators):")
    for e in tasks[:4]:
        print(f"  {e['name']:<11} {names.get(e['tid'], e['tid']):<9} "
              f"{e['ts'] / 1000:8.1f} {e['dur'] / 1000:8.1f}  "
              + " ".join(members.get(e["name"], [])))
    ops = collections.defaultdict(float)
    for e in ev:
        if e.get("cat") == "operator":
            ops[e["name"]] += e["dur"]
    print("operator spans, total over threads (ms):")
    for name, d in sorted(ops.items(), key=lambda x: -x[1])[:8]:
        print(f"  {name:<24} {d / 1000:10.1f}")
    locks = collections.defaultdict(lambda: [0, 0.0])
    for e in ev:
        if e.get("cat") == "lock":
            locks[(names.get(e["tid"], e["tid"]), e["name"])][0] += 1
            locks[(names.get(e["tid"], e["tid"]), e["name"])][1] += e["dur"]
    if locks:
        print("lock waits (track, site: count, ms):")
        for (track, site), (n, d) in sorted(locks.items()):
            print(f"  {track:<16} {site:<16} {n:5d} {d / 1000:9.2f}")
    mem = [e["args"]["bytes"] for e in ev if e.get("cat") == "memory"]
    if mem:
        print(f"memory counter: {len(mem)} samples, "
              f"{min(mem)} .. {max(mem)} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
