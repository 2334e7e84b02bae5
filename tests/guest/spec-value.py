#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The numbers behind names in the netlink spec, for the guest tests.

    spec-value.py SPEC attr SET ATTR             the attribute's number
    spec-value.py SPEC enum ENUM ENTRY           the entry's value
    spec-value.py SPEC attr-enum SET ATTR ENTRY  ENTRY's value in the enum
                                                 that attribute ATTR uses

The tests read values the tools print as raw numbers (nl-decode's JSON,
an event attribute newer than dp's header) against the spec, so
they do not hard-code numbers an ABI change could move.  Numbering as YNL
gives it: attributes from 1 (or "value"), each one more than the one
before; enum entries from value-start (default 0), flags 1 << that.
Prints the number; exits 1 with the reason on stderr when a name is not
in the spec.
"""
import sys

import yaml


def die(msg):
    print(f"spec-value: {msg}", file=sys.stderr)
    sys.exit(1)


def attr_set(spec, name):
    for s in spec.get("attribute-sets", []):
        if s["name"] == name:
            return s
    die(f"no attribute-set {name}")


def attribute(spec, set_name, attr):
    s = attr_set(spec, set_name)
    if "subset-of" in s:
        # a subset keeps its parent's numbers
        return attribute(spec, s["subset-of"], attr)
    value = 0
    for a in s["attributes"]:
        value = a.get("value", value + 1)
        if a["name"] == attr:
            return value, a
    die(f"attribute-set {set_name} has no attribute {attr}")


def enum_value(spec, enum, entry):
    for d in spec.get("definitions", []):
        if d["name"] != enum or d["type"] not in ("enum", "flags"):
            continue
        value = d.get("value-start", 0)
        prev = None
        for e in d["entries"]:
            name = e if isinstance(e, str) else e["name"]
            if isinstance(e, dict) and "value" in e:
                value = e["value"]
            elif prev is not None:
                value = prev + 1
            prev = value
            if name == entry:
                return 1 << value if d["type"] == "flags" else value
        die(f"enum {enum} has no entry {entry}")
    die(f"no enum {enum}")


def main():
    if len(sys.argv) < 5:
        die(__doc__)
    spec = yaml.safe_load(open(sys.argv[1]))
    what = sys.argv[2]
    if what == "attr" and len(sys.argv) == 5:
        print(attribute(spec, sys.argv[3], sys.argv[4])[0])
    elif what == "enum" and len(sys.argv) == 5:
        print(enum_value(spec, sys.argv[3], sys.argv[4]))
    elif what == "attr-enum" and len(sys.argv) == 6:
        _, a = attribute(spec, sys.argv[3], sys.argv[4])
        if "enum" not in a:
            die(f"attribute {sys.argv[4]} of {sys.argv[3]} has no enum")
        print(enum_value(spec, a["enum"], sys.argv[5]))
    else:
        die(__doc__)


if __name__ == "__main__":
    main()
