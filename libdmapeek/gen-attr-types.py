#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write libdmapeek's attribute type tables from the netlink spec.

    libdmapeek/gen-attr-types.py [SPEC [OUTPUT]]

SPEC defaults to Documentation/netlink/specs/dmapeek.yaml and OUTPUT to
libdmapeek/attr-types.h, both in the tree holding this script; OUTPUT "-"
is stdout.  "tests/guest-lab regen" and "make regen" run it beside the
kernel's generator, and tests/unit/test-gen.sh fails when the committed
file differs from what this writes.

For each attribute set the library decodes (SETS below) the output holds
one table, static const uint8_t SET_types[], indexed by the attribute's
uapi enum name (as the kernel's YNL generator names it: FAMILY_A_SET_ATTR,
or the set's name-prefix followed by ATTR, upper case, '-' made '_'),
giving its wire type as enum dp_atype (libdmapeek/internal.h) names it.
The decoder (decode.c) takes the table's size as the set's highest attribute.

Only what follows from the spec mechanically is written here.  What needs
a judgement stays in this file, each with its reason: which sets the
library decodes and what their tables are called (decode.c's dp_kinds pairs
them with commands and ids), and the few attributes the object decoder
must not take (SKIP).  A spec type without a library type (u16, u64,
binary, ...) is an error: decide how the decoder reads it first.
"""
import os
import sys

import yaml

# Spec type -> enum dp_atype.  A "flag" carries no value: its presence is
# the value (1), as the buffer's held.
TYPES = {
    'u8': 'DP_T_U8',
    'u32': 'DP_T_U32',
    's32': 'DP_T_S32',
    'uint': 'DP_T_UINT',
    'string': 'DP_T_STR',
    'nest': 'DP_T_NEST',
    'flag': 'DP_T_FLAG',
}

# The attribute sets the library decodes (decode.c's dp_kinds and their
# nested records), in the order the tables are written, with the C name of
# each table.  "abi" is read by dmapeek_abi_version() on its own.
SETS = [
    ('provider', 'provider_types'),
    ('device', 'device_types'),
    ('buffer', 'buffer_types'),
    ('range', 'range_types'),
    ('attachment', 'attachment_types'),
    ('mapping', 'mapping_types'),
    ('p2p', 'p2p_types'),
    ('revoke', 'revoke_types'),
    ('revoke-attachment', 'revoke_att_types'),
    ('audit', 'audit_types'),
    ('audit-mismatch', 'audit_mismatch_types'),
    ('event', 'event_types'),
]

# Attributes the object decoder leaves alone although the spec has them.
SKIP = {
    # Move-done and revoke-done carry each attachment's outcome: ops.c
    # reads those nests into the revoke result (dp_obj_add_record), the
    # event object has no nested records of its own.
    ('event', 'attachment'),
}

BANNER = """\
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Do not edit: generated from Documentation/netlink/specs/dmapeek.yaml
 * by libdmapeek/gen-attr-types.py; regenerate with "tests/guest-lab regen"
 * or "make regen" (tests/unit/test-gen.sh fails when this file is stale).
 *
 * The wire type of each attribute of the sets libdmapeek decodes, indexed
 * by attribute number; included by decode.c.
 */
"""


def c_name(s):
    return s.upper().replace('-', '_')


def generate(spec):
    family = spec['name']
    sets = {s['name']: s for s in spec['attribute-sets']}
    out = [BANNER]
    for set_name, table in SETS:
        aset = sets.get(set_name)
        if aset is None:
            raise SystemExit(f'gen-attr-types: no attribute set {set_name!r} in the spec')
        prefix = aset.get('name-prefix', f'{family}-a-{set_name}-')
        out.append(f'\nstatic const uint8_t {table}[] = {{\n')
        for attr in aset['attributes']:
            name = c_name(prefix + attr['name'])
            if (set_name, attr['name']) in SKIP:
                out.append(f'\t/* [{name}]: not decoded here (gen-attr-types.py SKIP) */\n')
                continue
            atype = attr['type']
            if atype not in TYPES:
                raise SystemExit(f'gen-attr-types: {set_name} {attr["name"]}: no library '
                                 f'type for spec type {atype!r}; add one to enum '
                                 f'dp_atype and TYPES')
            if TYPES[atype] is None:
                out.append(f'\t/* [{name}]: {atype}, no value to decode */\n')
                continue
            out.append(f'\t[{name}] = {TYPES[atype]},\n')
        out.append('};\n')
    # The decoder keeps a bit per attribute (DP_MAX_ATTR) and per nested
    # record's attribute (DP_SUB_MAX): a set that outgrows them must fail
    # to build, not decode wrong.
    nested = {a['nested-attributes'] for s, _ in SETS for a in sets[s]['attributes']
              if a['type'] == 'nest' and (s, a['name']) not in SKIP}
    out.append('\n')
    for set_name, table in SETS:
        if set_name in nested:
            out.append(f'_Static_assert(sizeof({table}) <= DP_SUB_MAX + 1, '
                       f'"nested record");\n')
        else:
            out.append(f'_Static_assert(sizeof({table}) <= DP_MAX_ATTR, '
                       f'"attribute mask");\n')
    return ''.join(out)


def write_generated(argv, generate, default_out, doc):
    """The command line of both generators (this one and tools/gen-fields.py):
    [SPEC [OUTPUT]] relative to the tree holding the scripts, the output
    replaced whole, or written to stdout for "-"."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec_path = argv[1] if len(argv) > 1 else \
        os.path.join(top, 'Documentation/netlink/specs/dmapeek.yaml')
    out_path = argv[2] if len(argv) > 2 else os.path.join(top, default_out)
    if len(argv) > 3:
        raise SystemExit(doc)
    with open(spec_path, encoding='utf-8') as f:
        text = generate(yaml.safe_load(f))
    if out_path == '-':
        sys.stdout.write(text)
        return
    tmp = out_path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, out_path)


def main(argv):
    write_generated(argv, generate, 'libdmapeek/attr-types.h', __doc__)


if __name__ == '__main__':
    main(sys.argv)
