#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""sec-check: what an unprivileged user gets from dmapeek, op by op.

The list of operations comes from the family's YAML spec and the uapi
header (never from this file), so an op added later is checked, or makes
this check fail until it is.

  sec-check.py nl SPEC HEADER DP_SEC USER
      every netlink op: run it as root and as USER (no capabilities) and
      as USER with CAP_NET_ADMIN only.  admin-perm ops must be refused
      with EPERM for both users (with an extack message where the module,
      not the genetlink core, refuses) and change nothing; the others must
      answer the user like root minus every attribute the spec marks
      "CAP_SYS_ADMIN only".
  sec-check.py ioctl HEADER DP_SEC USER READ_ONLY
      every DMAPEEK_IOC_CMD_* of the header, as USER on a /dev/dmapeek
      root opened (fd 3): EPERM unless named in READ_ONLY (comma list of
      NAME, which must answer OK, or NAME=ERRNO: an op open to every user
      whose argument dp-sec leaves wrong, which must answer ERRNO).

Prints one line per op and "fail: ..." lines; exits 1 on any failure.
"""
import collections
import os
import re
import subprocess
import sys

import yaml

failures = []


def fail(msg):
    failures.append(msg)
    print("fail: " + msg)


def c_name(s):
    return s.upper().replace("-", "_")


def header_enum(header, prefix):
    """The enum entries starting with prefix, in order, with their values."""
    out, val = [], None
    for line in open(header):
        m = re.match(r"\s*(%s[A-Z0-9_]+)\s*(?:=\s*(0x[0-9a-fA-F]+|\d+))?\s*,?\s*$" % prefix,
                     line)
        if not m or m.group(1).startswith("__"):
            continue
        val = int(m.group(2), 0) if m.group(2) else val + 1
        out.append((m.group(1), val))
    return out


def run(dp_sec, args, user=None, cap=None, fd3=False):
    cmd = [dp_sec]
    if user:
        cmd += ["--as", user]
    if cap:
        cmd += ["--cap", cap]
    if fd3:
        cmd += ["--fd", "3"]
    cmd += args
    if fd3:
        cmd = ["sh", "-c", '"$@" 3<>/dev/dmapeek', "sh"] + cmd
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=60)
    return p.stdout


def parse_nl(out):
    """(messages as Counters of path -> [hex values], errno name, extack)"""
    msgs, err, ext = [], "?", ""
    for line in out.splitlines():
        if line == "msg":
            msgs.append(collections.defaultdict(list))
        elif line.startswith("a ") and msgs:
            _, path, _, hexv = (line.split(" ") + [""])[:4]
            msgs[-1][path].append(hexv)
        elif line.startswith("nl "):
            err = line.split(" ")[2]
            ext = line.split("extack=", 1)[1]
    return msgs, err, ext


class Spec:
    def __init__(self, path):
        self.y = yaml.safe_load(open(path))
        self.sets = {s["name"]: s for s in self.y["attribute-sets"]}

    def attrs(self, set_name):
        """name -> (number, attr) of an attribute set, numbered as ynl does"""
        out, n = {}, 0
        for a in self.sets[set_name]["attributes"]:
            n = a.get("value", n + 1)
            out[a["name"]] = (n, a)
        return out

    def addr_paths(self, set_name, prefix=""):
        """paths of the attributes only CAP_SYS_ADMIN may see"""
        paths = set()
        for name, (n, a) in self.attrs(set_name).items():
            secret = "CAP_SYS_ADMIN only" in a.get("doc", "")
            if a["type"] == "nest":
                inner = self.addr_paths(a["nested-attributes"], "%s%d." % (prefix, n))
                if secret and not inner:
                    inner = {"%s%d." % (prefix, n)}
                paths |= inner
            elif secret:
                paths.add("%s%d" % (prefix, n))
        return paths


def is_secret(path, secret):
    return any(path == s or (s.endswith(".") and path.startswith(s)) for s in secret)


def first_value(msgs, num, typ, secret):
    """num's value in the object that shows the most addresses to root"""
    msgs = sorted(msgs, key=lambda m: -sum(len(v) for p, v in m.items()
                                           if is_secret(p, secret)))
    for m in msgs:
        for v in m.get(str(num), []):
            b = bytes.fromhex(v)
            if typ == "string":
                return "str:" + b.rstrip(b"\0").decode()
            return "u32:%d" % int.from_bytes(b, "little")
    return None


def check_nl(spec_path, header, dp_sec, user):
    spec = Spec(spec_path)
    cmds = dict(header_enum(header, "DMAPEEK_CMD_"))
    ops = spec.y["operations"]["list"]
    if sorted(cmds) != sorted("DMAPEEK_CMD_" + c_name(o["name"]) for o in ops):
        fail("the header's commands %s differ from the spec's ops" % sorted(cmds))
    dumps = {}
    # Root's dumps first: they give the ids the requests below use.
    for op in ops:
        if "dump" in op:
            dumps[op["attribute-set"]] = parse_nl(run(dp_sec, ["nl", str(
                cmds["DMAPEEK_CMD_" + c_name(op["name"])]), "dump"]))[0]
    checked = collections.Counter()
    for op in ops:
        name, aset = op["name"], op["attribute-set"]
        cmd = str(cmds["DMAPEEK_CMD_" + c_name(name)])
        admin = "admin-perm" in op.get("flags", [])
        if "do" not in op and "dump" not in op:
            # a notification: not a request, refused whoever asks
            _, err, _ = parse_nl(run(dp_sec, ["nl", cmd, "do"], user))
            print("%s: notification, user gets %s" % (name, err))
            if err not in ("EOPNOTSUPP", "EPERM"):
                fail("%s: a user sending the notification got %s" % (name, err))
            checked["notification"] += 1
            continue
        for kind in ("do", "dump"):
            if kind not in op:
                continue
            req = []
            attrs = spec.attrs(aset)
            # a dump's request attributes are filters: the whole dump shows more
            wanted = [] if kind == "dump" else op["do"].get("request", {}).get("attributes", [])
            for a in wanted:
                num, desc = attrs[a]
                if desc["type"] == "flag":
                    continue    # a switch (delete's all): the id is enough
                val = request_value(a, aset, num, desc, dumps, spec)
                if val is None:
                    fail("%s %s: no value for request attribute %s" % (name, kind, a))
                    break
                req.append("%d=%s" % (num, val))
            else:
                args = ["nl", cmd, kind] + req
                if admin:
                    check_refused(name, kind, args, dp_sec, user)
                    checked["mutating"] += 1
                else:
                    check_read(name, kind, args, dp_sec, user, spec.addr_paths(aset))
                    checked["read"] += 1
    print("netlink: %d read requests compared with root's, %d mutating refused, "
          "%d notification" % (checked["read"], checked["mutating"], checked["notification"]))


def request_value(a, aset, num, desc, dumps, spec):
    """A real value for request attribute a: an existing object's id"""
    if a == "timeout-ms":
        return "u32:100"
    if a == "id":
        src, field = aset, "id"
    elif a.endswith("-id"):
        src = a[:-3]
        if src.startswith("target-"):
            src = src[7:]
        field = "id"
    elif desc["type"] == "string":
        src, field = aset, a
    else:
        return None
    if src not in dumps:
        return None
    n, d = spec.attrs(src)[field]
    return first_value(dumps[src], n, d["type"], spec.addr_paths(src))


def check_refused(name, kind, args, dp_sec, user):
    for cap in (None, "net_admin"):
        who = user + ("+CAP_NET_ADMIN" if cap else "")
        _, err, ext = parse_nl(run(dp_sec, args, user, cap))
        print("%s %s as %s: %s extack=%s" % (name, kind, who, err, ext))
        if err != "EPERM":
            fail("%s: %s got %s, not EPERM" % (name, who, err))
        # genetlink refuses a caller without CAP_NET_ADMIN itself, with no
        # extack; past it, the module must say why.
        if cap and not ext:
            fail("%s: %s refused without an extack message" % (name, who))


def check_read(name, kind, args, dp_sec, user, secret):
    r_msgs, r_err, _ = parse_nl(run(dp_sec, args))
    u_msgs, u_err, _ = parse_nl(run(dp_sec, args, user))
    shown = sum(1 for m in r_msgs for p in m if is_secret(p, secret))
    print("%s %s: root %s %d msgs (%d address attrs), user %s %d msgs" %
          (name, kind, r_err, len(r_msgs), shown, u_err, len(u_msgs)))
    if r_err != "OK" or u_err != "OK":
        fail("%s %s: root %s, user %s" % (name, kind, r_err, u_err))
        return
    if len(r_msgs) != len(u_msgs):
        fail("%s %s: root got %d messages, user %d" % (name, kind, len(r_msgs), len(u_msgs)))
        return
    if secret and not shown:
        fail("%s %s: root sees no address attribute (%s): nothing was checked" %
             (name, kind, ",".join(sorted(secret))))
    for i, (r, u) in enumerate(zip(r_msgs, u_msgs)):
        leaked = sorted(p for p in u if is_secret(p, secret))
        if leaked:
            fail("%s %s: the user sees address attributes %s" % (name, kind, leaked))
        want = {p: len(v) for p, v in r.items() if not is_secret(p, secret)}
        got = {p: len(v) for p, v in u.items()}
        if want != got:
            fail("%s %s msg %d: user's attributes %s, root's minus addresses %s" %
                 (name, kind, i, got, want))


def check_ioctl(header, dp_sec, user, read_only):
    want_of = dict((w.split("=", 1) + ["OK"])[:2] for w in filter(None, read_only.split(",")))
    read_only = set(want_of)
    cmds = header_enum(header, "DMAPEEK_IOC_CMD_")
    text = open(header).read()
    # the debug build's ioctls are declared in dmapeek-debug.h, beside it
    debug = os.path.join(os.path.dirname(header), "dmapeek-debug.h")
    if os.path.exists(debug):
        text += open(debug).read()
    defined = set(re.findall(r"#define\s+DMAPEEK_IOC_([A-Z0-9_]+)\s+_IO", text))
    debug_only = defined - set(re.findall(r"#define\s+DMAPEEK_IOC_([A-Z0-9_]+)\s+_IO",
                                          open(header).read()))
    names = {n[len("DMAPEEK_IOC_CMD_"):] for n, _ in cmds}
    if names != defined:
        fail("ioctl commands %s and DMAPEEK_IOC_* defines %s differ" %
             (sorted(names), sorted(defined)))
    if not read_only <= names:
        fail("read-only ioctls %s are not in the header" % sorted(read_only - names))
    print(run(dp_sec, ["whoami"], user).strip())
    for n, nr in cmds:
        short = n[len("DMAPEEK_IOC_CMD_"):]
        out = run(dp_sec, ["ioctl", str(nr)], user, fd3=True).strip()
        print("%s as %s: %s" % (short, user, out))
        want = want_of.get(short, "EPERM")
        # a module built without --enable-debug-knobs has no debug ioctl
        if short in debug_only and out.endswith(" ENOTTY"):
            continue
        if not out.endswith(" " + want):
            fail("ioctl %s as %s: %s, want %s" % (short, user, out, want))
    print("ioctl: %d commands, %d refused" % (len(cmds), len(cmds) - len(read_only)))


if __name__ == "__main__":
    if sys.argv[1] == "nl":
        check_nl(*sys.argv[2:6])
    else:
        check_ioctl(*sys.argv[2:6])
    sys.exit(1 if failures else 0)
