#!/bin/bash
# The module-prefix rules of docs/ARCHITECTURE.md ("Module prefixes"), held
# against the built archives: every global function or variable a layer
# defines carries one of its layer's prefixes, and is referenced from some
# object other than the one defining it (otherwise it should be static, or
# gone). Usage: test-exports.sh BUILD_ROOT
set -u
root=${1:?usage: test-exports.sh BUILD_ROOT}
command -v nm >/dev/null || { echo "SKIP: nm (binutils) not installed"; exit 77; }

declare -A prefix=(
        [base]='mac_|uuid_|pci_addr_|vlan_|ipaddr_|name_check$|ifname_check$|netname_check$|sha1_|utf8_|vport_error_'
        [conf]='[a-z_]+_def_|xml_|forward_mode_|direct_mode_|hostdev_driver_|mac_table_manager_'
        [store]='store_'
        [kernel]='kernel_|knl_|sysfs_|tap_|macvtap_|macvlan_|vsi_|vport_kernel_ops_real$'
        [core]='container_|plug_|port_|net_|pool_|netdev_|journal_|owner_|sriov_|vf_snapshot_|vf_mac_method_|teaming_|ctx_|vport_'
        [fault]='fault_'
)
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
defs=$(mktemp) refs=$(mktemp)
trap 'rm -f "$defs" "$refs"' EXIT

for layer in base conf store kernel core fault; do
        dir=$root/src/libvport/$([ "$layer" = fault ] && echo core || echo "$layer")
        archive=$dir/libvport-$layer.a
        [ -e "$archive" ] || { [ "$layer" = fault ] && continue; echo "missing $archive"; exit 1; }
        # posix format: "archive[member]: symbol type ..."
        # names starting with __ are the toolchain's (ASan's __odr_asan.*)
        nm -A -P --defined-only -g "$archive" |
                awk -v l="$layer" '$3 ~ /^[TDBR]$/ && $2 !~ /^__/ {print $2, l, $1}' >>"$defs"
        nm -A -P -u "$archive" | awk '{print $2, $1}' >>"$refs"
done
find "$root" -name '*.o' ! -path '*libvport-*.a.p/*' -print0 |
        xargs -0 -r nm -A -P -u 2>/dev/null | awk '{print $2, $1}' >>"$refs"

while read -r sym layer obj; do
        if ! [[ $sym =~ ^(${prefix[$layer]}) ]]; then
                echo "FAIL: $layer exports '$sym' ($obj) without a $layer prefix"
                fail=1
        fi
done <"$defs"

# A symbol nothing outside its object references. String-table pairs made by
# DEFINE_STRING_TABLE_LOOKUP count as used when either half is.
used() { awk -v s="$1" -v o="$2" '$1 == s && $2 != o {f = 1} END {exit !f}' "$refs"; }
while read -r sym layer obj; do
        used "$sym" "$obj" && continue
        case $sym in
        *_from_string) used "${sym%_from_string}_to_string" "$obj" && continue ;;
        *_to_string) used "${sym%_to_string}_from_string" "$obj" && continue ;;
        esac
        # the public API is used by callers outside the tree; bench/ programs
        # are not built by default, so their sources count as references
        grep -qw "$sym" "$src/src/libvport/libvport.sym" && continue
        grep -qw "$sym" "$src"/bench/*.c && continue
        # another source file names it, in code a build option left out here
        # (plug-direct.c in a -Dmacvtap=disabled build): it cannot be static
        own=$(printf '%s' "$obj" | sed -E 's|.*/([^/]+\.c)\.o\]?:?$|\1|')
        other=$(grep -rlw --include='*.c' "$sym" "$src/src" | grep -v "/$own\$")
        [ -n "$other" ] && continue
        echo "FAIL: '$sym' ($obj) is referenced by no other object: make it static or remove it"
        fail=1
done <"$defs"

n=$(wc -l <"$defs")
[ $fail = 0 ] && echo "ok: $n exported symbols carry their layer's prefix and are used outside their file"
exit $fail
