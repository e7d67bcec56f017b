#!/usr/bin/env python3
"""trace_svg.py -- draw an ember Chrome trace as a small SVG timeline.

    python3 docs/scripts/trace_svg.py OUT.svg TITLE TRACE.json [TITLE TRACE.json]...

One panel per trace, one row per track (thread, lock track): pipeline
tasks as grey bars, operator spans coloured by operator, lock waits red.
A stand-in for a Perfetto screenshot, drawn from the same file with no
dependency beyond Python.
"""
import json
import sys

W, LABEL, ROW, GAP = 900, 110, 22, 34


PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
           "#e377c2", "#17becf", "#bcbd22"]


def panel(title, path, y0, out):
    doc = json.load(open(path))
    ev = doc["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in ev
             if e["ph"] == "M" and e["name"] == "thread_name"}
    order = {e["tid"]: e["args"]["sort_index"] for e in ev
             if e["ph"] == "M" and e["name"] == "thread_sort_index"}
    tids = sorted(names, key=lambda t: order.get(t, t))
    end = max(e["ts"] + e.get("dur", 0) for e in ev if e["ph"] == "X")
    scale = (W - LABEL - 10) / end
    out.append(f'<text x="4" y="{y0 + 14}" font-weight="bold">{title} '
               f'(execute {doc["otherData"]["execute_ns"] / 1e6:.0f} ms, '
               f'axis 0..{end / 1000:.0f} ms)</text>')
    y = y0 + 22
    # operators coloured by rank of their total time in this trace
    tot = {}
    for e in ev:
        if e.get("cat") == "operator":
            k = e["name"].split(" ")[0]
            tot[k] = tot.get(k, 0) + e["dur"]
    ranked = sorted(tot, key=lambda k: -tot[k])
    seen = {k: PALETTE[i] if i < len(PALETTE) else "#999999"
            for i, k in enumerate(ranked)}
    for t in tids:
        out.append(f'<text x="4" y="{y + 15}">{names[t]}</text>')
        out.append(f'<rect x="{LABEL}" y="{y}" width="{W - LABEL - 10}" '
                   f'height="{ROW - 2}" fill="#f4f4f4"/>')
        rank = {"pipeline": 0, "operator": 1, "lock": 2}
        mine = [e for e in ev if e["ph"] == "X" and e["tid"] == t]
        for e in sorted(mine, key=lambda e: rank.get(e.get("cat"), 3)):
            cat = e.get("cat")
            x = LABEL + e["ts"] * scale
            w = max(e["dur"] * scale, 0.5)
            if cat == "pipeline":
                out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" '
                           f'height="{ROW - 2}" fill="#bbbbbb"/>')
            elif cat == "operator":
                c = seen[e["name"].split(" ")[0]]
                out.append(f'<rect x="{x:.2f}" y="{y + 4}" width="{w:.2f}" '
                           f'height="{ROW - 10}" fill="{c}"/>')
            elif cat == "lock":
                out.append(f'<rect x="{x:.2f}" y="{y + 2}" width="{w:.2f}" '
                           f'height="{ROW - 6}" fill="#d62728"/>')
        y += ROW
    # legend: the operators with the most time in this trace, then the
    # span kinds; an entry that would run past the right edge wraps
    items = [(name, seen[name]) for name in ranked[:6]]
    items += [("pipeline task", "#bbbbbb"), ("lock wait", "#d62728")]
    x = LABEL
    for name, colour in items:
        width = 13 + 7 * len(name) + 12
        if x + width > W and x > LABEL:
            x = LABEL
            y += 14
        out.append(f'<rect x="{x}" y="{y + 4}" width="10" height="10" '
                   f'fill="{colour}"/><text x="{x + 13}" y="{y + 13}">'
                   f'{name}</text>')
        x += width
    return y + GAP


def main(argv):
    dst, pairs = argv[0], list(zip(argv[1::2], argv[2::2]))
    body, y = [], 4
    for title, path in pairs:
        y = panel(title, path, y, body)
    with open(dst, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" '
                f'height="{y}" font-family="sans-serif" font-size="11">\n'
                f'<rect width="100%" height="100%" fill="white"/>\n')
        f.write("\n".join(body))
        f.write("\n</svg>\n")


if __name__ == "__main__":
    main(sys.argv[1:])
