#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare what `dmapeek -j OBJECT list` prints with what nl-decode (libnl,
its own parser) decoded from the same dump, field by field.

    cmp-json.py SPEC OBJECT NL_DECODE_OUTPUT DMAPEEK_JSON

nl-decode prints raw numbers; dmapeek prints enums by the spec's names and
flag sets as lists of names, so those are mapped through the spec (read
here with PyYAML, not through libdmapeek).  Prints the number of objects
compared; exits 1 on the first difference."""
import json
import sys

import yaml

spec_path, obj, nl_path, cli_path = sys.argv[1:5]
spec = yaml.safe_load(open(spec_path))
defs = {d['name']: d for d in spec['definitions'] if d['type'] in ('enum', 'flags')}
aset = next(s for s in spec['attribute-sets'] if s['name'] == obj)
attrs = {a['name'].replace('-', '_'): a for a in aset['attributes']}


def entry_names(d):
    return [e['name'] if isinstance(e, dict) else e for e in d['entries']]


def expect(key, raw):
    a = attrs.get(key)
    if not a or 'enum' not in a:
        return raw
    d = defs[a['enum']]
    names = entry_names(d)
    if d['type'] == 'flags' or a.get('enum-as-flags'):
        return [n for i, n in enumerate(names) if raw & (1 << i)]
    i = raw - d.get('value-start', 0)
    return names[i] if 0 <= i < len(names) else str(raw)


nl = [json.loads(l) for l in open(nl_path) if l.strip()]
cli = json.load(open(cli_path))


def key_of(o):
    return (o.get('provider_bdf'), o.get('client_bdf')) if obj == 'p2p' else o['id']


by_key = {key_of(o): o for o in cli}
if len(nl) != len(cli):
    sys.exit(f"{obj}: nl-decode saw {len(nl)} objects, dmapeek printed {len(cli)}")
for o in nl:
    c = by_key.get(key_of(o))
    if c is None:
        sys.exit(f"{obj} {key_of(o)}: decoded by libnl, missing from dmapeek -j")
    for k, raw in o.items():
        if k == 'range':
            got, want = len(c.get('ranges', [])), raw
        elif k == 'nr_ranges':
            # the module's total: dmapeek -j must print every range
            got, want = len(c.get('ranges', [])), raw
        else:
            if k not in c:
                sys.exit(f"{obj} {key_of(o)}: field {k} missing from dmapeek -j")
            got, want = c[k], expect(k, raw)
            if isinstance(got, bool):
                got = int(got)
        if got != want:
            sys.exit(f"{obj} {key_of(o)}: {k}: libnl decoded {want!r}, dmapeek printed {got!r}")
print(len(nl))
