# Crashes half-way (VPORT_FAULT=op:N=crash|crash-after ends the process
# around a kernel op), finished by `vport reconcile` or a repeated delete;
# concurrent creates; bulk teardown.

M=52:54:00:dd:00:01

crash() { # crash HOST SPEC ARGS...: the CLI must die with the injected exit 99
	local h=$1 spec=$2 rc
	shift 2
	"$VPORT" --help | grep -q VPORT_FAULT || skip "$VPORT is built without -Dfault_injection=true"
	VPORT_FAULT=$spec vp "$h" "$@" >/dev/null 2>&1
	rc=$?
	expect_eq "exit status with VPORT_FAULT=$spec" "$rc" 99
}

count_kind() { links "$1" | jq --arg k "$2" '[.[] | select(.linkinfo.info_kind == $k)] | length'; }

test_crash_after_macvtap_create_reconcile() {
	topo A
	crash A macvlan_create:1=crash-after port-create vepa --mac $M --owner vm1 --prepare
	expect_eq "macvtaps after the crash" "$(count_kind A macvtap)" 1
	vp A reconcile >/dev/null || fail "reconcile"
	expect_eq "macvtaps after reconcile" "$(count_kind A macvtap)" 0
	expect_eq "port state after reconcile" "$(vpj A port-list | jq -r '.[0].state')" allocated
	vp A port-delete --owner vm1 >/dev/null || fail "delete"
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

test_crash_after_tap_create_repeated_delete() {
	topo A
	crash A tap_create:1=crash-after port-create br --mac $M --owner vm1 --prepare
	expect_eq "taps after the crash" "$(count_kind A tun)" 1
	vp A port-delete --owner vm1 >/dev/null || fail "delete"
	expect_eq "taps after delete" "$(count_kind A tun)" 0
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

test_crash_passthrough_mac_restored() {
	local orig
	topo A
	orig=$(link_mac A eth1)
	crash A link_set_mac:1=crash-after port-create passthrough --mac $M --owner vm1 --prepare
	expect_eq "physdev MAC after the crash" "$(link_mac A eth1)" $M
	vp A reconcile >/dev/null || fail "reconcile"
	expect_eq "physdev MAC after reconcile" "$(link_mac A eth1)" "$orig"
	expect_eq "physdev up again (it was)" "$(link_up A eth1)" true
	vp A port-delete --owner vm1 >/dev/null || fail "delete"
}

test_crash_in_delete_repeated() {
	local u ifname orig
	topo A
	orig=$(link_mac A eth1)
	u=$(port_create A passthrough $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	vp A port-activate "$u" >/dev/null || fail "activate"
	crash A link_delete:1=crash port-delete "$u"
	link_exists A "$ifname" || fail "the crash came before the delete, yet $ifname is gone"
	expect_eq "physdev MAC after the crash" "$(link_mac A eth1)" $M
	vp A port-delete "$u" >/dev/null || fail "repeated delete"
	link_exists A "$ifname" && fail "$ifname left behind"
	expect_eq "physdev MAC restored" "$(link_mac A eth1)" "$orig"
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

test_crash_in_bulk_delete_reconcile() {
	topo A
	for i in 1 2 3 4; do port_create A vepa 52:54:00:dd:01:0$i >/dev/null || exit 1; done
	for i in 1 2 3; do port_create A br 52:54:00:dd:02:0$i >/dev/null || exit 1; done
	# Bridge ports are released first: the crash hits their group delete,
	# the direct ports' devices are still untouched. Every port's delete was
	# journaled before anything changed: reconcile finishes all of them.
	crash A link_delete_group:1=crash port-delete --owner vm1
	expect_eq "macvtaps after the crash" "$(count_kind A macvtap)" 4
	vp A reconcile >/dev/null || fail "reconcile"
	expect_eq "vnet taps after reconcile" "$(links A | jq '[.[] | select(.ifname | startswith("vnet"))] | length')" 0
	expect_eq "macvtaps after reconcile" "$(count_kind A macvtap)" 0
	expect_eq "ports after reconcile" "$(vpj A port-list | jq length)" 0
	expect_eq "group markers left" "$(links A | jq '[.[] | select(.ifname | startswith("vpgrp"))] | length')" 0
}

# A delete killed before its release began: the port is refused to a
# VM manager that would activate it again, and a repeated delete works.
test_crash_in_delete_refuses_activate() {
	local u
	topo A
	u=$(port_create A vepa $M) || exit 1
	crash A store_commit:1=crash-after port-delete "$u"
	vp A port-activate "$u" >/dev/null 2>&1 && fail "a port being deleted was activated"
	expect_eq "macvtaps" "$(count_kind A macvtap)" 1
	vp A port-delete "$u" >/dev/null || fail "repeated delete"
	expect_eq "macvtaps after the repeated delete" "$(count_kind A macvtap)" 0
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

test_concurrent_creates() {
	local pids=() i
	topo A
	for i in 1 2 3 4 5 6; do
		vp A port-create vepa --mac 52:54:00:dd:03:0$i --owner vm$i --prepare >/dev/null 2>&1 & pids+=($!)
		vp A port-create br --mac 52:54:00:dd:04:0$i --owner vm$i --prepare >/dev/null 2>&1 & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a concurrent port-create failed"; done
	expect_eq "macvtaps" "$(count_kind A macvtap)" 6
	expect_eq "taps" "$(count_kind A tun)" 6
	expect_eq "distinct names in the store" "$(vpj A port-list | jq '[.[].ifname] | unique | length')" 12
	for n in $(vpj A port-list | jq -r '.[] | "\(.ifname)=\(.ifindex)"'); do
		expect_eq "ifindex of ${n%=*}" "$(link A "${n%=*}" | jq .ifindex)" "${n#*=}"
	done
}

test_bulk_delete_owner() {
	local u keep
	topo A
	for i in 1 2 3 4 5 6; do port_create A vepa 52:54:00:dd:05:0$i >/dev/null || exit 1; done
	for i in 1 2 3; do
		u=$(port_create A brlv 52:54:00:dd:06:0$i) || exit 1
		vp A port-activate "$u" >/dev/null || fail "activate"
	done
	keep=$(vpj A port-create vepa --mac 52:54:00:dd:07:01 --owner other --prepare | jq -r .ifname)
	vp A port-delete --owner vm1 >/dev/null || fail "port-delete --owner"
	expect_eq "macvtaps left" "$(count_kind A macvtap)" 1
	link_exists A "$keep" || fail "another owner's $keep deleted"
	expect_eq "taps left" "$(count_kind A tun)" 0
	expect_eq "FDB entries left" "$(bridge -n "$(ns A)" -j fdb show | jq '[.[] | select(.mac | startswith("52:54:00:dd:06"))] | length')" 0
	expect_eq "ports left" "$(vpj A port-list | jq length)" 1
	vp A net-destroy vepa >/dev/null || fail "net-destroy"
	expect_eq "macvtaps after net-destroy" "$(count_kind A macvtap)" 0
	expect_eq "ports after net-destroy" "$(vpj A port-list | jq length)" 0
}
