#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the command line's field tables from the netlink spec.

    tools/gen-fields.py [SPEC [OUTPUT]]

SPEC defaults to Documentation/netlink/specs/dmapeek.yaml and OUTPUT to
tools/fields-gen.c, both in the tree holding this script; OUTPUT "-" is
stdout.  "tests/guest-lab regen" and "make regen" run it beside
libdmapeek/gen-attr-types.py, and tests/unit/test-gen.sh fails when the
committed file differs from what this writes.

For each object of the command line (SETS below) the output holds one
table, const struct field NAME_fields[] (tools/fields.h), one row per
attribute the object carries, in the spec's order: its JSON key, a shorter
alias, its attribute number, its kind and the function naming its enum
values or flag bits.  Those rows are what the JSON printers emit, what list
filters, "find" and "expect" test, what "dmapeek OBJECT help" lists, and
the columns and sort keys dmapeek-top offers beyond its own.

Everything mechanical comes from the spec: the key is the attribute's name
with '-' made '_'; the kind follows its type (string, enum, enum-as-flags,
flag, s32, number) and a name ending in "-ns" is in nanoseconds.  The few
judgements are the tables below, each with its reason; nothing else in
tools/ repeats an attribute.
"""
import importlib.util
import os
import sys


def _load_attr_types():
    """libdmapeek/gen-attr-types.py, whose naming and command line this
    generator shares (its file name is no module name: loaded by path)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        'libdmapeek', 'gen-attr-types.py')
    spec = importlib.util.spec_from_file_location('gen_attr_types', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


attr_types = _load_attr_types()

# ------------------------------------------------------------- judgements

# The objects, the C name of each table, and which attributes of the set
# are the object's fields: those the named operation replies with (do and
# dump; an event lists its own), or with None every attribute of the set.
# The revoke outcome is no reply of one operation (ops.c assembles it from
# the revoke answer and the revoke-done event), and the event-ntf list
# predates op (ABI 1.3): both take their whole set.
SETS = [
    ('provider', 'provider_fields', 'provider-get'),
    ('device', 'device_fields', 'device-get'),
    ('buffer', 'buffer_fields', 'buffer-get'),
    ('attachment', 'attachment_fields', 'attachment-get'),
    ('mapping', 'mapping_fields', 'mapping-get'),
    ('p2p', 'p2p_fields', 'p2p-get'),
    ('revoke', 'revoke_fields', None),
    ('event', 'event_fields', None),
]

# Attributes that are no field although the object's message carries them:
# nests (the ranges, an outcome's attachments: printed as lists of their
# own), how a long object is cut into messages, and what only a request
# sends.
NOT_FIELDS = {
    ('buffer', 'nr-ranges'), ('buffer', 'range-first'),
    ('mapping', 'nr-ranges'), ('mapping', 'range-first'),
    ('revoke', 'timeout-ms'),
}

# Sizes in bytes: printed "64MiB", compared with K, M, G, T suffixes.  The
# spec has no unit; these are the byte counts.
SIZES = {
    ('provider', 'size'), ('provider', 'bytes-exported'),
    ('buffer', 'size'), ('attachment', 'size'), ('mapping', 'size'),
}

# Shorter words for a field (filters, "find", "expect"), as users typed
# them before the keys were long.
ALIASES = {
    ('provider', 'device-id'): 'device',
    ('provider', 'bytes-exported'): 'exported',
    ('device', 'domain-type'): 'domain',
    ('device', 'dma-mask-bits'): 'dma_mask',
    ('buffer', 'provider-id'): 'provider',
    ('attachment', 'buffer-id'): 'buffer',
    ('attachment', 'exp-name'): 'exporter',
    ('attachment', 'importer-dev'): 'importer',
    ('attachment', 'importer-driver'): 'driver',
    ('attachment', 'device-id'): 'device',
    ('attachment', 'unmap-delay-ms'): 'delay',
    ('attachment', 'last-unmap-latency-ns'): 'last_unmap',
    ('attachment', 'max-unmap-latency-ns'): 'max_unmap',
    ('mapping', 'attachment-id'): 'attachment',
    ('mapping', 'map-ns'): 'took',
    ('p2p', 'provider-bdf'): 'provider',
    ('p2p', 'client-bdf'): 'client',
    ('revoke', 'duration-ns'): 'took',
}

# Keys that are not the attribute's name: the monitor's and the revoke's
# JSON name the objects an event or a revoke is about without "_id".
KEYS = {
    ('revoke', 'buffer-id'): 'buffer',
    ('event', 'buffer-id'): 'buffer',
    ('event', 'attachment-id'): 'attachment',
    ('event', 'mapping-id'): 'mapping',
    ('event', 'provider-id'): 'provider',
}

# Text labels (dmapeek-top's column heads) other than the key in capitals.
LABELS = {
    ('buffer', 'created-ns'): 'CREATED',
}

# A u8 of this family is a yes/no (mapped, stuck): printed yes/no, true or
# false in JSON, like a flag attribute.
BOOL_TYPES = {'u8', 'flag'}

# ----------------------------------------------------------- mechanical

BANNER = """\
// SPDX-License-Identifier: GPL-2.0-only
/*
 * Do not edit: generated from Documentation/netlink/specs/dmapeek.yaml
 * by tools/gen-fields.py; regenerate with "tests/guest-lab regen" or
 * "make regen" (tests/unit/test-gen.sh fails when this file is stale).
 *
 * The fields of each object of the command line (tools/fields.h): JSON
 * key, alias, attribute, kind, value names, text label.
 */
#include <dmapeek.h>

#include "fields.h"
"""


c_name = attr_types.c_name


def c_str(s):
    return 'NULL' if s is None else f'"{s}"'


def enum_fn(name):
    # names.c: dmapeek_<enum>_str(), a flags set's per bit in the singular
    base = name[:-1] if name.endswith('flags') else name
    return 'dmapeek_' + base.replace('-', '_') + '_str'


def kind_of(set_name, attr, enums):
    name, atype = attr['name'], attr['type']
    if atype == 'string':
        return 'F_STR', None
    if atype in BOOL_TYPES:
        return 'F_BOOL', None
    if 'enum' in attr:
        if attr.get('enum-as-flags') or enums[attr['enum']]['type'] == 'flags':
            return 'F_FLAGS', enum_fn(attr['enum'])
        return 'F_ENUM', enum_fn(attr['enum'])
    if atype == 's32':
        return 'F_S32', None
    if (set_name, name) in SIZES:
        return 'F_SIZE', None
    if name.endswith('-ns'):
        return 'F_NS', None
    if atype in ('u32', 'uint'):
        return 'F_NUM', None
    raise SystemExit(f'gen-fields: {set_name} {name}: no field kind for spec type '
                     f'{atype!r}; add one to enum field_type and kind_of()')


def op_attrs(spec, op_name):
    for op in spec['operations']['list']:
        if op['name'] != op_name:
            continue
        names = []
        for mode in ('do', 'dump'):
            names += op.get(mode, {}).get('reply', {}).get('attributes', [])
        names += op.get('event', {}).get('attributes', [])
        return set(names)
    raise SystemExit(f'gen-fields: no operation {op_name!r} in the spec')


def generate(spec):
    family = spec['name']
    sets = {s['name']: s for s in spec['attribute-sets']}
    enums = {d['name']: d for d in spec['definitions'] if d['type'] in ('enum', 'flags')}
    out = [BANNER]
    for set_name, table, op in SETS:
        aset = sets.get(set_name)
        if aset is None:
            raise SystemExit(f'gen-fields: no attribute set {set_name!r} in the spec')
        prefix = aset.get('name-prefix', f'{family}-a-{set_name}-')
        carried = op_attrs(spec, op) if op else None
        out.append(f'\nconst struct field {table}[] = {{\n')
        for attr in aset['attributes']:
            name = attr['name']
            if attr['type'] == 'nest' or (set_name, name) in NOT_FIELDS:
                continue
            if carried is not None and name not in carried:
                continue
            kind, fn = kind_of(set_name, attr, enums)
            key = KEYS.get((set_name, name), name.replace('-', '_'))
            row = (f'\t{{ "{key}", {c_str(ALIASES.get((set_name, name)))}, '
                   f'{c_name(prefix + name)}, {kind}')
            if fn:
                row += f', .{"fname" if kind == "F_FLAGS" else "ename"} = {fn}'
            if (set_name, name) in LABELS:
                row += f', .label = "{LABELS[(set_name, name)]}"'
            out.append(row + ' },\n')
        out.append('\t{ NULL },\n};\n')
    return ''.join(out)


def main(argv):
    attr_types.write_generated(argv, generate, 'tools/fields-gen.c', __doc__)


if __name__ == '__main__':
    main(sys.argv)
