#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Statistics and the results file of the benchmark suite (tests/bench/run).
#
# A row is one figure: the median of its samples with their spread
# (min..max), and, when it is compared with a reference measured in the
# same run, that reference's median and the ratio of the two.  The results
# file is TSV with a header line:
#
#   lane part case metric unit median lo hi n ref_case ref_median ratio note
#
# Run as a program, it prints the table of one or more results files:
#   tests/bench/stats.py FILE.tsv...
# and with --rst OUT also writes them as an RST page (the lab's bench
# writes Documentation/results/bench-suite.rst so):
#   tests/bench/stats.py --rst OUT [--kernel K] [--topology T]
#                        [--load TEXT] [--date TEXT] FILE.tsv...
import argparse
import csv
import math
import os
import statistics
import sys
import time

COLUMNS = ["lane", "part", "case", "metric", "unit", "median", "lo", "hi", "n",
           "ref_case", "ref_median", "ratio", "note"]


def summary(samples):
    """(median, min, max) of @samples."""
    return (statistics.median(samples), min(samples), max(samples))


def slope(points):
    """Least-squares slope of log(y) against log(x): the scaling exponent."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else float("nan")


def size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and not n % (1 << shift):
            return "%d%s" % (n >> shift, unit)
    return str(n)


def row(part, case, metric, unit, samples=None, ref_case="", ref=None, note=""):
    r = {"part": part, "case": case, "metric": metric, "unit": unit,
         "median": "", "lo": "", "hi": "", "n": 0, "ref_case": ref_case,
         "ref_median": "", "ratio": "", "note": note}
    if samples:
        med, lo, hi = summary(samples)
        r.update(median=med, lo=lo, hi=hi, n=len(samples))
        if ref:
            r["ref_median"] = ref[0]
            r["ratio"] = med / ref[0] if ref[0] else ""
    return r


def write_tsv(path, rows, lane):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "lane": lane, **{k: fmt(r[k]) for k in
                                            ("median", "lo", "hi", "ref_median", "ratio")}})


def fmt(v):
    if v == "" or v is None:
        return ""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 0.01):
        return "%.3g" % v
    return ("%.3f" % v).rstrip("0").rstrip(".") if abs(v) < 100 else "%.0f" % v


def print_table(rows, lane=None):
    """One line per figure: the value [spread], then what it is compared with."""
    part = None
    for r in rows:
        if r.get("part") != part:
            part = r.get("part")
            print("\n== %s%s" % (part, "" if lane is None else " (%s)" % lane))
        lane_tag = "%s: " % r["lane"] if lane is None and r.get("lane") else ""
        if r["median"] == "":
            val = r["unit"]
        else:
            val = "%s [%s..%s] %s" % (fmt(r["median"]), fmt(r["lo"]), fmt(r["hi"]), r["unit"])
            if int(r["n"] or 0) <= 1:
                val = "%s %s" % (fmt(r["median"]), r["unit"])
        line = "  %s%-44s %-26s %s" % (lane_tag, r["case"], r["metric"], val)
        if r["ref_case"] and r["ref_median"] != "":
            line += "  | %s %s  ratio %s" % (r["ref_case"], fmt(r["ref_median"]), fmt(r["ratio"]))
        if r["note"]:
            line += "  (%s)" % r["note"]
        print(line)


def rst_table(head, rows):
    """An RST simple table of strings (no cell may be empty: "-" then)."""
    rows = [[c if c != "" else "-" for c in r] for r in rows]
    widths = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(len(head))]
    rule = "  ".join("=" * w for w in widths)
    out = [rule, "  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(), rule]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(rule)
    return out


def write_rst(path, rows, meta, title="Benchmark suite", source="tests/guest-lab bench"):
    """The results as an RST page: the run's facts, then a table per part."""
    out = [title, "=" * len(title), "",
           "Written by ``%s``; do not edit.  Each figure is the" % source,
           "median of its samples with their spread [min..max] and, where it is",
           "compared with a reference measured in the same run, that reference's",
           "median and the ratio of the two (``Documentation/benchmarks.rst``,",
           "\"Method\").", ""]
    out += rst_table(["what", "value"], [[k, v] for k, v in meta])
    part = None
    table = []

    def flush():
        if table:
            out.extend(["", part, "-" * len(part), ""])
            out.extend(rst_table(["lane", "case", "metric", "value", "n",
                                  "reference", "ratio", "note"], table))
            table.clear()
    for r in rows:
        if r.get("part") != part:
            flush()
            part = r.get("part") or "-"
        if r["median"] == "":
            val = r["unit"]
        elif int(r["n"] or 0) <= 1:
            val = "%s %s" % (fmt(r["median"]), r["unit"])
        else:
            val = "%s [%s..%s] %s" % (fmt(r["median"]), fmt(r["lo"]), fmt(r["hi"]), r["unit"])
        ref = ""
        if r["ref_case"] and r["ref_median"] != "":
            ref = "%s %s" % (r["ref_case"], fmt(r["ref_median"]))
        table.append([r.get("lane", ""), r["case"], r["metric"], val, str(r["n"] or ""),
                      ref, fmt(r["ratio"]) if ref else "", r["note"]])
    flush()
    out.append("")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(path + ".tmp", path)


def main(argv):
    ap = argparse.ArgumentParser(description="the benchmark suite's tables")
    ap.add_argument("files", nargs="+", metavar="FILE.tsv")
    ap.add_argument("--rst", help="also write the tables as an RST page here")
    ap.add_argument("--kernel", default="unknown")
    ap.add_argument("--topology", default="unknown")
    ap.add_argument("--load", default="not recorded",
                    help="the host's load average during the run")
    ap.add_argument("--date", default=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    ap.add_argument("--title", default="Benchmark suite")
    ap.add_argument("--source", default="tests/guest-lab bench",
                    help="the command that writes the page")
    a = ap.parse_args(argv)
    rows = []
    for p in a.files:
        with open(p, newline="") as f:
            rows.extend(csv.DictReader(f, delimiter="\t"))
    print_table(rows)
    if a.rst:
        lanes = []
        for r in rows:
            if r.get("lane") and r["lane"] not in lanes:
                lanes.append(r["lane"])
        write_rst(a.rst, rows, [("date", a.date), ("kernel", a.kernel),
                                ("topology", a.topology),
                                ("machine", "QEMU (software emulation), the lab's guest"),
                                ("host load", a.load),
                                ("lanes", ", ".join(lanes) or "-")],
                  title=a.title, source=a.source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
