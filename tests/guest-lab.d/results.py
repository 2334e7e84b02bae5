#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# The results file of "tests/guest-lab check": reads what a finished lab
# run left in its logs directory and writes Documentation/results/check.rst,
# the latest figures of every lane and campaign.  Nothing here is measured
# or computed beyond counting: every figure is a line a test printed (the
# fuzzers' and campaigns' summary lines), a result line of the guest suite
# (results.txt), or a file's time.
#
#   tests/guest-lab.d/results.py [--since EPOCH] [-o FILE] LOGDIR
#
# LOGDIR is /var/cache/dmapeek-lab/logs-ID: make-check.log, gates-*.result
# (and gates-*.rc), results-LABEL-TOPOLOGY/ (results.txt, logs/TEST.log,
# dmesg.txt, guest-command, lane.txt), and debug/ with the same for the
# debug lane.  --since ignores what is older (a lane an earlier run left).
# Python 3's standard library only: it runs on the host.
import argparse
import glob
import os
import re
import sys
import textwrap
import time

# The campaigns, in the order the file shows them: a prefix of the test's
# name, a title, and the variable that replays its seed.
CAMPAIGNS = [
    ("fuzz_ioctl_", "ioctl fuzzer", "DMAPEEK_FUZZ_SEED"),
    ("fuzz_netlink_", "netlink fuzzer", "DMAPEEK_FUZZ_SEED"),
    ("fuzz_million_ioctl", "ioctl fuzzer, million-operation lane", "DMAPEEK_FUZZ_SEED"),
    ("fuzz_million_netlink", "netlink fuzzer, million-operation lane", "DMAPEEK_FUZZ_SEED"),
    ("fuzz_dmabuf_heaps", "dmabuf-heaps selftest beside stress", "DMAPEEK_FUZZ_SEED"),
    ("fault_sigkill", "SIGKILL campaign", "DMAPEEK_SEED"),
    ("fault_provider_removed", "provider removed", None),
    ("fault_provider_unbound", "provider unbound", None),
    ("fault_stuck_importers", "stuck importers under move and revoke", None),
    ("stress_60s", "concurrency (stress)", "DMAPEEK_FUZZ_SEED"),
    ("failslab_", "allocation failures (failslab)", "DMAPEEK_FUZZ_SEED"),
    ("monitor_all_burst", "monitor --all under a burst", None),
]

# Lines kept as printed (after the prefix), with the row's name.
KEPT = [
    (re.compile(r"^fuzz-ioctl (ops=.*)"), "fuzz-ioctl"),
    (re.compile(r"^fuzz-nl (ops=.*)"), "fuzz-nl"),
    (re.compile(r"^sigkill campaign: (.*)"), "campaign"),
    (re.compile(r"^stress (seconds=.*)"), "stress"),
    (re.compile(r"^events (create=.*)"), "events"),
    (re.compile(r"^objects (before .*)"), "objects"),
    (re.compile(r"^held after the campaign: (.*)"), "held after"),
    (re.compile(r"^slab after the campaign (.*)"), "slab"),
    (re.compile(r"^# (Totals: .*)"), "selftest"),
    (re.compile(r"^((?:remove|unbind) took .*)"), "provider"),
    (re.compile(r"^(before: buffers=.*)"), "objects"),
    (re.compile(r"^(after the (?:remove|unbind): .*)"), "objects"),
    (re.compile(r"^((?:buffer dump|export) during the (?:move|revoke): .*)"), "during"),
    (re.compile(r"^((?:move|revoke): .*)"), "answer"),
    (re.compile(r"^(seed=\d+ .*)"), "campaign"),
    (re.compile(r"^fi-total (.*)"), "injected"),
    (re.compile(r"^(monitor --all: .*)"), "CPU"),
    (re.compile(r"^(\d+ buffers: .* printed, .*)"), "events"),
    (re.compile(r"^fail: (.*)"), "failure"),
]
SEED = re.compile(r"^seed[ =](\d+)")
ERRNO = re.compile(r"^errno (E[A-Z0-9]+) (\d+)$")
CMD = re.compile(r"^cmd (\S+) calls=(\d+) (?:ok|acked)=(\d+)")
KIND = re.compile(r"^kind (\S+) ops=(\d+)")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def utc(t):
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def duration(s):
    s = int(round(s))
    return "%d min %02d s" % (s // 60, s % 60) if s >= 60 else "%d s" % s


def table(head, rows):
    """An RST simple table; the last column may wrap onto continuation lines."""
    last = 60
    widths = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(len(head) - 1)]
    widths.append(max([len(head[-1])] + [min(len(r[-1]), last) for r in rows]))
    rule = "  ".join("=" * w for w in widths)
    out = [rule, "  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(), rule]
    for r in rows:
        lines = textwrap.wrap(r[-1], last, break_long_words=False,
                              break_on_hyphens=False) or [""]
        first = [c.ljust(w) for c, w in zip(r[:-1], widths)]
        out.append("  ".join(first + [lines[0]]).rstrip())
        blank = ["".ljust(w) for w in widths[:-1]]
        for cont in lines[1:]:
            # a continuation line: its first column is blank
            out.append("  ".join(blank + [cont]).rstrip())
    out.append(rule)
    return out


def results_txt(path):
    """[(verdict, test, reason)] and whether the suite wrote END."""
    rows, ended = [], False
    for line in read(path).splitlines():
        if line == "END":
            ended = True
            continue
        m = re.match(r"^(PASS|FAIL|SKIP) (\S+?)(?:: (.*))?$", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3) or ""))
    return rows, ended


def kernel_of(dmesg):
    m = re.search(r"Linux version (\S+)", read(dmesg))
    return m.group(1) if m else "unknown"


def cpus_of(dmesg):
    m = re.search(r"smp: Brought up \d+ nodes?, (\d+) CPUs?", read(dmesg))
    return m.group(1) if m else None


def lane_info(d):
    """The lab's own record of a lane (lane.txt), else the files' times."""
    info = {}
    for line in read(os.path.join(d, "lane.txt")).splitlines():
        k, _, v = line.partition(" ")
        info[k] = v.strip()
    if "start" not in info:
        t0 = os.path.join(d, "guest-command")
        t1 = os.path.join(d, "results.txt")
        if os.path.exists(t0) and os.path.exists(t1):
            info["start"] = str(int(os.path.getmtime(t0)))
            info["end"] = str(int(os.path.getmtime(t1)))
    return info


def campaign_rows(text, replay):
    """The key figures of one campaign's log, as its lines print them."""
    rows, errnos, cmds, kinds = [], {}, [], []
    for line in text.splitlines():
        line = line.rstrip()
        m = SEED.match(line)
        if m and replay and not line.startswith("seed="):
            # the campaign's seed; a later one (a second fuzzer's) is
            # derived from it.  ("seed=N ..." lines say it themselves.)
            seeds = [r[1] for r in rows if r[0] in ("seed", "run")]
            if not seeds:
                rows.append(("seed", "%s (%s=%s replays it)" % (m.group(1), replay, m.group(1))))
            elif not any(re.match(r"(?:seed=)?%s\b" % m.group(1), x) for x in seeds):
                rows.append(("seed", m.group(1)))
            continue
        m = ERRNO.match(line)
        if m:
            errnos[m.group(1)] = errnos.get(m.group(1), 0) + int(m.group(2))
            continue
        m = CMD.match(line)
        if m:
            if int(m.group(3)):
                cmds.append("%s %s" % (m.group(1), m.group(3)))
            continue
        m = KIND.match(line)
        if m:
            kinds.append("%s %s" % (m.group(1), m.group(2)))
            continue
        for rx, name in KEPT:
            m = rx.match(line)
            if m:
                if name in ("fuzz-ioctl", "fuzz-nl"):
                    # a fuzzer's block ends with its summary line
                    if cmds:
                        rows.append(("succeeded", ", ".join(cmds)))
                    if errnos:
                        rows.append(("errnos", ", ".join(
                            "%s %d" % kv for kv in sorted(errnos.items(), key=lambda kv: -kv[1]))))
                    cmds, errnos = [], {}
                if name == "campaign" and line.startswith("seed="):
                    # the seed line of the SIGKILL and failslab campaigns
                    rows.append(("run", m.group(1)))
                    break
                rows.append((name, m.group(1)))
                break
    if kinds:
        rows.append(("operations", ", ".join(kinds)))
    if errnos:  # a fuzzer stopped before its summary line
        rows.append(("errnos", ", ".join(
            "%s %d" % kv for kv in sorted(errnos.items(), key=lambda kv: -kv[1]))))
    return rows


def find_lanes(logdir, since):
    """[(label, topology, directory)] of every guest lane, in run order."""
    lanes = []
    for d in sorted(glob.glob(os.path.join(logdir, "results-*")) +
                    glob.glob(os.path.join(logdir, "debug", "results-*"))):
        res = os.path.join(d, "results.txt")
        if not os.path.isfile(res) or os.path.getmtime(res) < since:
            continue
        name = os.path.basename(d)[len("results-"):]
        label, _, topo = name.partition("-")
        lanes.append((label, topo, d))
    lanes.sort(key=lambda l: float(lane_info(l[2]).get("start", 0)))
    return lanes


def host_tests(logdir, since):
    p = os.path.join(logdir, "make-check.log")
    if not os.path.isfile(p) or os.path.getmtime(p) < since:
        return None
    c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for m in re.finditer(r"^(PASS|XFAIL|FAIL|ERROR|XPASS|SKIP): ", read(p), re.M):
        v = m.group(1)
        c["PASS" if v in ("PASS", "XFAIL") else "SKIP" if v == "SKIP" else "FAIL"] += 1
    return c, []


def gates(logdir, since):
    c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    failed = []
    for p in sorted(glob.glob(os.path.join(logdir, "gates-*.result"))):
        if os.path.getmtime(p) < since:
            continue
        name = os.path.basename(p)[len("gates-"):-len(".result")]
        rc = read(p[:-len(".result")] + ".rc").strip()
        out = read(p).strip()
        if rc == "":
            rc = "0" if not out else "1"  # before the lab kept the status
        if rc == "0":
            c["PASS"] += 1
        elif rc == "77":
            c["SKIP"] += 1
        else:
            c["FAIL"] += 1
            failed.append(("FAIL", name, out.splitlines()[0] if out else ""))
    return (c, failed) if sum(c.values()) else None


def write(logdir, since, source):
    lanes = find_lanes(logdir, since)
    files = [p for p in glob.glob(os.path.join(logdir, "**", "*"), recursive=True)
             if os.path.isfile(p) and os.path.getmtime(p) >= since]
    if not files:
        sys.exit("results: nothing in %s" % logdir)
    t0 = min(os.path.getmtime(p) for p in files)
    t1 = max(os.path.getmtime(p) for p in files)
    out = []
    w = out.append
    w("Latest check results")
    w("====================")
    w("")
    w("Written by ``tests/guest-lab check``; do not edit.  The figures are the")
    w("lines the tests printed in the run below (``tests/guest-lab.d/results.py``")
    w("reads them from the run's logs); ``Documentation/reliability.rst`` says")
    w("what each campaign proves and how to replay it.")
    w("")

    kernels, loads, cpus = [], [], None
    for label, topo, d in lanes:
        k = kernel_of(os.path.join(d, "dmesg.txt"))
        if k not in kernels:
            kernels.append(k)
        cpus = cpus or cpus_of(os.path.join(d, "dmesg.txt"))
        info = lane_info(d)
        if "load_start" in info:
            loads.append("%s/%s %s at the start, %s at the end" % (
                label, topo, info["load_start"], info.get("load_end", "?")))
    meta = [("run", source),
            ("date", "%s to %s (the log files' times)" % (utc(t0), utc(t1))),
            ("kernel", ", ".join(kernels) or "unknown"),
            ("topologies", ", ".join(sorted({l[1] for l in lanes})) or "none"),
            ("machine", "QEMU (software emulation), %s vCPUs in the guest" % (cpus or "?")),
            ("host load", "; ".join(loads) + " (1, 5, 15 min)" if loads
             else "not recorded by this run")]
    out += table(["what", "value"], meta)
    w("")

    w("Lanes")
    w("-----")
    w("")
    rows, failures = [], []
    for name, got in (("host", host_tests(logdir, since)), ("gates", gates(logdir, since))):
        if got:
            c, failed = got
            rows.append((name, "-", str(c["PASS"]), str(c["FAIL"]), str(c["SKIP"]), "-"))
            failures += [(name, "-", v, t, r) for v, t, r in failed]
    for label, topo, d in lanes:
        res, ended = results_txt(os.path.join(d, "results.txt"))
        c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        for v, t, r in res:
            c[v] += 1
            if v == "FAIL":
                failures.append((label, topo, v, t, r))
        info = lane_info(d)
        dur = "-"
        if "start" in info and "end" in info:
            dur = duration(float(info["end"]) - float(info["start"]))
        if not ended:
            dur += " (did not finish)"
        rows.append((label, topo, str(c["PASS"]), str(c["FAIL"]), str(c["SKIP"]), dur))
    out += table(["lane", "topology", "passed", "failed", "skipped", "boot and suite"], rows)
    w("")
    w("The guest lanes count the lines of the suite's ``results.txt``; check")
    w("adds one kernel-log scan per lane to its own total.")
    w("")
    if failures:
        w("Failed:")
        w("")
        for label, topo, v, t, r in failures:
            w("- %s/%s/%s: %s" % (label, topo, t, r) if topo != "-" else "- %s/%s: %s" % (label, t, r))
        w("")

    w("Campaigns")
    w("---------")
    for label, topo, d in lanes:
        res, _ = results_txt(os.path.join(d, "results.txt"))
        verdicts = {t: (v, r) for v, t, r in res}
        for prefix, title, replay in CAMPAIGNS:
            for test in sorted(t for t in verdicts if t.startswith(prefix)):
                v, reason = verdicts[test]
                w("")
                head = "%s, %s/%s" % (title, label, topo)
                w(head)
                w("~" * len(head))
                w("")
                w("``%s``: %s%s" % (test, v, ": " + reason if reason and v != "FAIL" else ""))
                if v == "SKIP":
                    continue
                crow = campaign_rows(read(os.path.join(d, "logs", test + ".log")), replay)
                if not crow:
                    w("")
                    w("(the test's log has no figures)")
                    continue
                w("")
                out += table(["figure", "as the test printed it"], crow)
                seed = [m.group(1) for m in (re.match(r"(?:seed=)?(\d+)", r[1])
                                             for r in crow if r[0] in ("seed", "run")) if m]
                if replay and seed:
                    w("")
                    w("Replay: ``%s=%s tests/guest-lab%s guest %s``." % (
                        replay, seed[0], " --debug" if label == "debug" else "", test))
    w("")
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description="write check.rst from a lab run's logs")
    ap.add_argument("logdir")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--since", type=float, default=0,
                    help="ignore files older than this (seconds since the epoch)")
    ap.add_argument("--source", help="how the header names the run (default: the logs directory)")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.logdir):
        sys.exit("results: no directory %s" % a.logdir)
    source = a.source or "the lab's logs in %s" % os.path.abspath(a.logdir)
    text = write(a.logdir, a.since, source)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        tmp = a.output + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
