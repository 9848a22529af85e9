# No hostdev port is ever stranded (issue 7): a managed port's VF unbound
# from vfio-pci behind vport's back is deleted and the VF put back on igbvf;
# a port whose VFs went away (SR-IOV disabled on the PF) is deleted with a
# note and nothing left in the store; a VF's admin MAC and VLAN changed
# behind vport's back are reported by reconcile and left as they are.
. "$(dirname "$0")/lib.sh"
need_vport
need_jq

# 1. VF unbound from vfio-pci behind vport's back.
before=$(sriov_snapshot)
define_and_start hm yes
run vport --json port-create hm --mac 52:54:00:00:00:71 --prepare
assert_eq "port-create exit status" 0 "$rc"
uuid=$(port_uuid "$stdout")
vf=$(vf_with_mac 52:54:00:00:00:71)
[ -n "$vf" ] || fail "no VF has admin MAC 52:54:00:00:00:71: $(vf_table)"
pci=$(vf_pci "$vf")
assert_eq "driver of VF $vf after prepare" vfio-pci "$(pci_driver "$pci")"
echo "$pci" >/sys/bus/pci/drivers/vfio-pci/unbind
assert_eq "driver of VF $vf after the unbind" none "$(pci_driver "$pci")"
run vport port-delete "$uuid"
assert_eq "port-delete of a port whose VF was unbound: exit status" 0 "$rc"
assert_eq "driver of VF $vf after delete" igbvf "$(pci_driver "$pci")"
wait_netdev "$pci" 10 || fail "VF $vf ($pci) has no netdev 10 s after port-delete"
assert_snapshot "VF state after delete" "$before" "$(sriov_snapshot)"

# 2. Drift: the VF's admin MAC and VLAN changed behind vport's back.
define_and_start hn no
run vport --json port-create hn --mac 52:54:00:00:00:72 --vlan 42 --prepare
assert_eq "port-create exit status" 0 "$rc"
uuid=$(port_uuid "$stdout")
vf=$(vf_with_mac 52:54:00:00:00:72)
run vport --json reconcile
assert_eq "reconcile exit status" 0 "$rc"
assert_eq "drift before tampering" "[]" "$(printf '%s\n' "$stdout" | jq -c .drift)"
ip link set "$PF" vf "$vf" mac 52:54:00:00:00:7f vlan 7
run vport --json reconcile
assert_eq "reconcile exit status after tampering" 0 "$rc"
kinds=$(printf '%s\n' "$stdout" | jq -r --arg u "$uuid" '[.drift[] | select(.port == $u) | .kind] | sort | join(",")')
assert_eq "drift kinds" "vf-mac-changed,vf-vlan-changed" "$kinds"
assert_eq "admin MAC left as the admin set it" 52:54:00:00:00:7f "$(vf_field "$vf" mac)"
assert_eq "VLAN left as the admin set it" 7 "$(vf_field "$vf" vlan)"

# 3. SR-IOV disabled behind vport's back: the VF and all its state are gone.
echo 0 >"$PF_SYS/sriov_numvfs"
run vport port-delete "$uuid"
assert_eq "port-delete of a port whose VF is gone: exit status" 0 "$rc"
assert_match "port-delete notes the VF was gone" "already gone" "$out"
run vport --json port-list
assert_eq "ports left" 0 "$(printf '%s\n' "$stdout" | jq length)"
fresh_sriov
