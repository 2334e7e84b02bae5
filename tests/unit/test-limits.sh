#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every limit is defined once (kmod/dmapeek.h, "DOC: dmapeek limits"):
#
#  - each const of Documentation/netlink/specs/dmapeek.yaml is in the uapi
#    header, with the spec's value (test-gen.sh compares the whole
#    generated block when the kernel's generator is at hand);
#  - the spec's checks name a const, not a number (but 0 and 1);
#  - no C file of kmod/, libdmapeek/ or tools/ (comments aside, generated
#    files aside) writes the value of a named limit where its name belongs,
#    and the module uses each name.
#
# Numbers like 1000 or 1024 mean many things, so each limit below has the
# forms its value takes and the words that must be on the same line for a
# number to be that limit; each pattern must catch the limit's own
# definition.  A new const in the spec needs an entry here.
top=${abs_top_srcdir:-$(dirname "$0")/../..}
command -v python3 >/dev/null || { echo "SKIP: no python3 (Debian: python3)"; exit 77; }
python3 -c 'import yaml' 2>/dev/null ||
	{ echo "SKIP: python3 has no yaml module (Debian: python3-yaml)"; exit 77; }

exec python3 - "$top" <<'EOF'
import glob
import os
import re
import sys

import yaml

top = sys.argv[1]
SPEC = "Documentation/netlink/specs/dmapeek.yaml"
UAPI = "include/uapi/linux/dmapeek.h"
INTERNAL = "kmod/dmapeek.h"
GENERATED = {"kmod/dmapeek-nl-gen.c", "kmod/dmapeek-nl-gen.h",
             "libdmapeek/attr-types.h", "tools/fields-gen.c"}

N1024 = r"\b1024\b|\b1U?L{0,2}\s*<<\s*10\b|\bSZ_1K\b|\bBIT\(10\)"
# name: (where it is defined, value forms, words on the line or None,
#        the directories it applies to)
LIMITS = {
    # the ABI's, from the spec
    "DMAPEEK_TIMEOUT_DEFAULT_MS": ("spec", r"\b1000\b", r"(?i)timeout\w*ms", "all"),
    "DMAPEEK_TIMEOUT_MAX_MS": ("spec", r"\b600000\b|\b600\s*\*\s*(?:1000|MSEC_PER_SEC)\b",
                               None, "all"),
    "DMAPEEK_UNMAP_DELAY_MAX_MS": ("spec", r"\b60000\b|\b60\s*\*\s*(?:1000|MSEC_PER_SEC)\b",
                                   r"(?i)delay", "all"),
    "DMAPEEK_EXPORT_MAX_RANGES": ("spec", N1024, r"(?i)ranges", "all"),
    "DMAPEEK_DMA_MAX_LEN": ("spec", r"\b1048576\b|\b0x100000\b|\b1U?L{0,2}\s*<<\s*20\b|"
                            r"\bBIT(?:_ULL)?\(20\)|\bSZ_1M\b", r"(?i)dma", "all"),
    "DMAPEEK_GET_MAX_SIZE": ("spec", r"\b2097152\b|\b0x200000\b|\b2U?L{0,2}\s*<<\s*20\b|"
                             r"\bSZ_2M\b", r"(?i)get|reply|genlmsg", "all"),
    "DMAPEEK_OP_MAX_OUTCOMES": ("spec", N1024, r"(?i)outcome", "all"),
    "DMAPEEK_AUDIT_MAX_MISMATCHES": ("spec", r"\b8\b", r"(?i)mismatch|audit_report", "all"),
    "DMAPEEK_DMABUF_MAX_ATTACHMENTS": ("spec", r"\b256\b|\b0x100\b|\b1U?L{0,2}\s*<<\s*8\b|"
                                       r"\bBIT\(8\)", r"(?i)attach", "all"),
    # the module's own (kmod/dmapeek.h)
    "DMAPEEK_IOCTL_MAX_SIZE": ("kmod", r"\bPAGE_SIZE\b", r"(?i)ioctl|usize", "kmod"),
    "DMAPEEK_GONE_REPORT_MS": ("kmod", r"\b5000\b|\b5\s*\*\s*MSEC_PER_SEC\b", None, "kmod"),
    "DMAPEEK_OP_SLICE_NS": ("kmod", r"\b100\s*\*\s*NSEC_PER_MSEC\b|\b100000000\b", None, "kmod"),
    "DMAPEEK_IMPORT_FENCE_TIMEOUT": ("kmod", r"\b5\s*\*\s*HZ\b", None, "kmod"),
    "DMAPEEK_AUDIT_BATCH": ("kmod", N1024, r"(?i)batch|pages", "kmod"),
    "DMAPEEK_EDU_TIMEOUT_US": ("kmod", r"\b5\s*\*\s*USEC_PER_SEC\b|\b5000000\b", None, "kmod"),
    "DMAPEEK_EDU_POLL_US": ("kmod", r"\b1000\b", r"(?i)poll", "kmod"),
}
# consts of the spec that are not limits, or whose value cannot be told
# from other numbers, with the reason
NOT_SCANNED = {
    "DMAPEEK_ABI_MAJOR": "a version, not a limit",
    "DMAPEEK_ABI_MINOR": "a version, not a limit",
    "DMAPEEK_NAME_LEN": "32 sizes too many other strings; the name is sized "
                        "by sizeof(struct dmapeek_export.name)",
    "DMAPEEK_DEV_NAME_LEN": "64 sizes too many other strings; the names are "
                            "sized by sizeof(struct dmapeek_dmabuf_attachment.device)",
}

failed = []


def fail(msg):
    failed.append(msg)
    print("FAIL: " + msg)


def read(rel):
    with open(os.path.join(top, rel), encoding="utf-8") as f:
        return f.read()


def code_only(text):
    """@text with comments blanked out (newlines kept), strings kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


spec = yaml.safe_load(read(SPEC))
prefix = spec["name"].upper().replace("-", "_") + "_"
consts = {prefix + d["name"].upper().replace("-", "_"): d["value"]
          for d in spec.get("definitions", []) if d["type"] == "const"}

# 1. the header carries each const with its value
uapi = read(UAPI)
for name, value in consts.items():
    m = re.search(r"^#define\s+%s\s+(\S+)\s*$" % name, uapi, re.M)
    if not m:
        fail(f"{UAPI} lacks {name} (run tests/guest-lab regen)")
    elif m.group(1) != str(value):
        fail(f"{UAPI}: {name} is {m.group(1)}, the spec says {value} "
             "(run tests/guest-lab regen)")

# 2. the spec's checks name consts
for aset in spec.get("attribute-sets", []):
    for attr in aset.get("attributes", []):
        for check, value in (attr.get("checks") or {}).items():
            if isinstance(value, int) and value not in (0, 1):
                fail(f"{SPEC}: {aset['name']}.{attr['name']} checks {check}: "
                     f"{value}: name it, a const in definitions")

# every const is either a limit here or said not to be
for name in consts:
    if name not in LIMITS and name not in NOT_SCANNED:
        fail(f"{name} is a const of the spec that {sys.argv[0]} does not know: "
             "give it its forms in LIMITS (or a reason in NOT_SCANNED)")

# each pattern catches its limit's own definition, which is where it says
internal = read(INTERNAL)
defs = {}
for name, (where, lit, ctx, _) in LIMITS.items():
    if where == "spec":
        if name not in consts:
            fail(f"LIMITS names {name}, which the spec does not define")
            continue
        line = f"#define {name}\t{consts[name]}"
    else:
        m = re.search(r"^#define\s+%s\s+.*$" % name, internal, re.M)
        if not m:
            fail(f"LIMITS names {name}, which {INTERNAL} does not define")
            continue
        line = m.group(0)
    defs[name] = line
    if not re.search(lit, line) or (ctx and not re.search(ctx, line)):
        fail(f"the pattern of {name} does not catch its definition: {line}")

# 3. no literal of a named limit, and each name used by the module
files = sorted(set(glob.glob(os.path.join(top, "kmod", "*.[ch]")) +
                   glob.glob(os.path.join(top, "libdmapeek", "*.[ch]")) +
                   glob.glob(os.path.join(top, "tools", "**", "*.[ch]"),
                             recursive=True)))
used = set()
for path in files:
    rel = os.path.relpath(path, top)
    if rel in GENERATED:
        code = read(rel)
        used.update(n for n in LIMITS if re.search(r"\b%s\b" % n, code))
        continue
    code = code_only(read(rel))
    for lineno, line in enumerate(code.split("\n"), 1):
        for name, (where, lit, ctx, scope) in LIMITS.items():
            if scope == "kmod" and not rel.startswith("kmod/"):
                continue
            if rel == INTERNAL and re.match(r"\s*#define\s+%s\b" % name, line):
                continue	# the definition itself
            if rel.startswith("kmod/") and re.search(r"\b%s\b" % name, line):
                used.add(name)
            if re.search(lit, line) and (ctx is None or re.search(ctx, line)):
                fail(f"{rel}:{lineno}: the value of {name}, not its name: "
                     f"{line.strip()}")
for name in LIMITS:
    if name not in used:
        fail(f"{name} is defined but no file of kmod/ uses it")

if failed:
    print(f"{len(failed)} problem(s); every limit is named once: the ABI's in "
          f"{SPEC} (then tests/guest-lab regen), the module's own in {INTERNAL}")
    sys.exit(1)
print(f"{len(consts)} consts of the spec in the uapi header, {len(LIMITS)} "
      f"limits named and used, no literal of one in {len(files)} C files")
EOF
