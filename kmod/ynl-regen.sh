#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Regenerate the netlink glue from Documentation/netlink/specs/dmapeek.yaml
# with the kernel's own generator (tools/net/ynl in linux-source):
#
#   kmod/ynl-regen.sh /path/to/linux-source
#
# It writes kmod/dmapeek-nl-gen.[ch] (policies and op tables) and the
# netlink block of include/uapi/linux/dmapeek.h between its YNL markers.
# "tests/guest-lab regen" runs it inside the lab's build root.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: $0 LINUX_SOURCE_DIR}
gen="$src/tools/net/ynl/pyynl/ynl_gen_c.py"
[ -f "$gen" ] || { echo "$0: no $gen" >&2; exit 1; }

# The generator validates the spec against the schema two directories up
# and names the spec relative to the directory holding MAINTAINERS, so
# give it the kernel's layout in a scratch tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs"
: >"$tmp/MAINTAINERS"
cp "$src/Documentation/netlink/genetlink.yaml" "$tmp/Documentation/netlink/"
cp "$top/Documentation/netlink/specs/dmapeek.yaml" "$tmp/Documentation/netlink/specs/"
spec="$tmp/Documentation/netlink/specs/dmapeek.yaml"

python3 "$gen" --mode kernel --header --spec "$spec" -o "$tmp/dmapeek-nl-gen.h"
python3 "$gen" --mode kernel --source --spec "$spec" -o "$tmp/dmapeek-nl-gen.c"
python3 "$gen" --mode uapi --header --spec "$spec" -o "$tmp/uapi.h"

# Name the command that really regenerates these files in their banner.
for f in dmapeek-nl-gen.h dmapeek-nl-gen.c; do
	sed 's@To regenerate run: tools/net/ynl/ynl-regen.sh@To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen)@' \
		"$tmp/$f" >"$top/kmod/$f"
done

# Splice the generated uapi body (without its include guard) into the one
# ABI header, between the markers.
uapi="$top/include/uapi/linux/dmapeek.h"
awk 'NR == FNR {
	if ($0 ~ /^#(ifndef|define) _UAPI_LINUX_DMAPEEK_H$/ || $0 ~ /^#endif/) next
	if ($0 ~ /SPDX-License-Identifier/) next
	# one blank line where the guard was, not two (checkpatch LINE_SPACING)
	if ($0 == "" && blank) next
	blank = ($0 == "")
	sub(/To regenerate run: tools\/net\/ynl\/ynl-regen.sh/, "To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen)")
	body = body $0 "\n"; next
}
/YNL-BEGIN/ { print; printf "%s", body; skip = 1; next }
/YNL-END/ { skip = 0 }
!skip { print }' "$tmp/uapi.h" "$uapi" >"$tmp/dmapeek.h"
cp "$tmp/dmapeek.h" "$uapi"
echo "regenerated kmod/dmapeek-nl-gen.[ch] and the netlink block of $uapi"
