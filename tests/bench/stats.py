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
import csv
import math
import statistics
import sys

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


def main(paths):
    rows = []
    for p in paths:
        with open(p, newline="") as f:
            rows.extend(csv.DictReader(f, delimiter="\t"))
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
