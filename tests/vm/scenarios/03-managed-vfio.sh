# managed='yes': preparing a port binds its VF to vfio-pci; deleting it binds the VF
# back to igbvf, with its netdev and original MAC (the netdev's too).
. "$(dirname "$0")/lib.sh"
need_vport
need_jq

before=$(sriov_snapshot)
# The netdev MACs before any port exists (VF index -> MAC), to check that
# release restores the VF's effective MAC too, not only the PF table.
mac0=$(netdev_mac "$(pci_netdev "$(vf_pci 0)")")
mac1=$(netdev_mac "$(pci_netdev "$(vf_pci 1)")")
define_and_start hm yes

run vport --json port-create hm --mac 52:54:00:00:00:11 --prepare
assert_eq "port-create exit status" 0 "$rc"
uuid=$(port_uuid "$stdout")
[ -n "$uuid" ] || fail "port-create printed no uuid: $out"
vf=$(vf_with_mac 52:54:00:00:00:11)
[ -n "$vf" ] || fail "no VF has admin MAC 52:54:00:00:00:11 in the PF table: $(vf_table)"
pci=$(vf_pci "$vf")
other=$(vf_pci $((1 - vf)))
orig_admin=$(printf '%s\n' "$before" | awk -v i="$vf" '$1 == i { print $2 }')
if [ "$vf" = 0 ]; then orig_mac=$mac0; else orig_mac=$mac1; fi
assert_eq "driver of VF $vf ($pci) after prepare" vfio-pci "$(pci_driver "$pci")"
assert_eq "driver of the other VF ($other)" igbvf "$(pci_driver "$other")"
assert_eq "netdev of VF $vf while on vfio-pci" "" "$(pci_netdev "$pci")"

run vport port-delete "$uuid"
assert_eq "port-delete exit status" 0 "$rc"
assert_eq "driver of VF $vf ($pci) after delete" igbvf "$(pci_driver "$pci")"
wait_netdev "$pci" 10 || fail "VF $vf ($pci) has no netdev 10 s after port-delete"
assert_eq "VF $vf admin MAC in the PF table after delete" "$orig_admin" "$(vf_field "$vf" mac)"
assert_snapshot "VF state after delete" "$before" "$(sriov_snapshot)"
nd=$(pci_netdev "$pci")
mac=$(netdev_mac "$nd")
is_unicast_mac "$mac" || fail "VF $vf netdev $nd came back with MAC '$mac'"
# igbvf invents a random MAC on every probe when no admin MAC is set; vport
# then sets the netdev's MAC back to the one it had before the port.
assert_eq "VF $vf netdev $nd MAC after delete (restored)" "$orig_mac" "$mac"
