# A hostdev network on <pf dev='eth0'/> (managed='no'): two ports get the requested
# MACs and VLAN in the PF's VF table; a third port on the 2-VF pool fails cleanly;
# deleting the ports restores the exact original VF table and drivers.
. "$(dirname "$0")/lib.sh"
need_vport
need_jq

before=$(sriov_snapshot)
define_and_start hn no

run vport --json port-create hn --mac 52:54:00:00:00:01 --vlan 42 --prepare
assert_eq "port-create #1 exit status" 0 "$rc"
uuid1=$(port_uuid "$stdout")
[ -n "$uuid1" ] || fail "port-create #1 printed no uuid: $out"
run vport --json port-create hn --mac 52:54:00:00:00:02 --vlan 42 --prepare
assert_eq "port-create #2 exit status" 0 "$rc"
uuid2=$(port_uuid "$stdout")
[ -n "$uuid2" ] || fail "port-create #2 printed no uuid: $out"
assert_ne "uuid of port #2" "$uuid1" "$uuid2"

vf_table | sed 's/^/  vf table: /'
vf1=$(vf_with_mac 52:54:00:00:00:01)
vf2=$(vf_with_mac 52:54:00:00:00:02)
[ -n "$vf1" ] || fail "no VF has admin MAC 52:54:00:00:00:01 in the PF table"
[ -n "$vf2" ] || fail "no VF has admin MAC 52:54:00:00:00:02 in the PF table"
assert_ne "VF of port #2" "$vf1" "$vf2"
assert_eq "VF $vf1 vlan" 42 "$(vf_field "$vf1" vlan)"
assert_eq "VF $vf2 vlan" 42 "$(vf_field "$vf2" vlan)"

full=$(sriov_snapshot)
run vport --json port-create hn --mac 52:54:00:00:00:03 --vlan 42 --prepare
assert_ne "port-create #3 on a full 2-VF pool exit status" 0 "$rc"
assert_match "port-create #3 error names the network" "hn" "$out"
assert_snapshot "VF state after the failed port-create #3" "$full" "$(sriov_snapshot)"

run vport port-delete "$uuid2"
assert_eq "port-delete #2 exit status" 0 "$rc"
run vport port-delete "$uuid1"
assert_eq "port-delete #1 exit status" 0 "$rc"
assert_snapshot "VF state after deleting both ports" "$before" "$(sriov_snapshot)"
