# direct (macvtap) ports: every mode through prepare, activate, deactivate,
# delete, with the kernel state and real frames checked after every step.

M=52:54:00:aa:00:01

# direct_cycle NET LOWER WIREPEER
direct_cycle() {
	local net=$1 lower=$2 peer=$3 u ifname ifindex tapdev lower_mac pt=false
	[ "$net" = passthrough ] && pt=true
	topo A
	lower_mac=$(link_mac A "$lower")
	u=$(port_create A "$net" $M) || exit 1

	# prepared: a macvtap on the lower device, down, with the guest MAC
	ifname=$(port_field A "$u" ifname)
	ifindex=$(port_field A "$u" ifindex)
	tapdev=$(port_field A "$u" tapdev)
	[[ "$ifname" == macvtap* ]] || fail "ifname '$ifname'"
	expect_eq "ifindex" "$(link A "$ifname" | jq .ifindex)" "$ifindex"
	expect_eq "tapdev" "$tapdev" "/dev/tap$ifindex"
	[ -c "$tapdev" ] || fail "$tapdev is not a character device"
	expect_eq "kind" "$(link A "$ifname" | jq -r .linkinfo.info_kind)" macvtap
	expect_eq "lower" "$(link A "$ifname" | jq -r .link)" "$lower"
	expect_eq "mode" "$(link A "$ifname" | jq -r .linkinfo.info_data.mode)" "$(echo "$net" | sed 's/bridgemode/bridge/;s/passthrough/passthru/')"
	expect_eq "macvtap MAC" "$(link_mac A "$ifname")" $M
	expect_eq "up with the guest MAC before activate" "$(mac_up_count A $M)" 0
	if $pt; then
		expect_eq "passthrough physdev MAC" "$(link_mac A "$lower")" $M
		expect_eq "passthrough physdev up before activate" "$(link_up A "$lower")" false
	fi
	expect_eq "frames on the wire before activate" "$(frames_through A $M "$tapdev" "$peer")" 0

	# active: lower and macvtap up, frames reach the peer
	vp A port-activate "$u" >/dev/null || fail "activate"
	expect_eq "macvtap up" "$(link_up A "$ifname")" true
	expect_eq "lower up" "$(link_up A "$lower")" true
	expect_eq "frames through $tapdev reaching $peer" "$(frames_through A $M "$tapdev" "$peer")" 1
	vp A port-activate "$u" >/dev/null || fail "activate again (must be a no-op)"

	# deactivated: macvtap down; the physdev only in passthrough mode
	vp A port-deactivate "$u" >/dev/null || fail "deactivate"
	expect_eq "up with the guest MAC after deactivate" "$(mac_up_count A $M)" 0
	expect_eq "macvtap up after deactivate" "$(link_up A "$ifname")" false
	expect_eq "physdev up after deactivate" "$(link_up A "$lower")" "$($pt && echo false || echo true)"
	expect_eq "frames on the wire after deactivate" "$(frames_through A $M "$tapdev" "$peer")" 0
	vp A port-deactivate "$u" >/dev/null || fail "deactivate again (must be a no-op)"

	# deleted: macvtap gone, passthrough physdev MAC restored
	vp A port-delete "$u" >/dev/null || fail "delete"
	link_exists A "$ifname" && fail "$ifname still exists after delete"
	expect_eq "physdev MAC after delete" "$(link_mac A "$lower")" "$lower_mac"
	link_exists A "$lower" || fail "physdev $lower deleted"
	expect_eq "ports left" "$(vpj A port-list | jq length)" 0
}

test_direct_vepa() { direct_cycle vepa eth0 A0; }
test_direct_bridge() { direct_cycle bridgemode eth0 A0; }
test_direct_private() { direct_cycle private eth0 A0; }
test_direct_passthrough() { direct_cycle passthrough eth1 A1; }

# Repeating prepare is a no-op; a physdev that is down comes up at activate.
test_direct_lower_down_comes_up() {
	topo A
	ip -n "$(ns A)" link set eth0 down
	u=$(port_create A vepa $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	vp A port-prepare "$u" >/dev/null || fail "prepare again"
	expect_eq "macvtaps after a repeated prepare" "$(links A | jq '[.[] | select(.linkinfo.info_kind=="macvtap")] | length')" 1
	expect_eq "lower still down after prepare" "$(link_up A eth0)" false
	vp A port-activate "$u" >/dev/null || fail "activate"
	expect_eq "lower up after activate" "$(link_up A eth0)" true
	vp A port-delete "$u" >/dev/null || fail "delete"
	link_exists A "$ifname" && fail "$ifname left behind"
	true
}

# Seed 003: an up macvtap with the same MAC on the same lower device.
test_direct_duplicate_mac_refused() {
	topo A
	ip -n "$(ns A)" link add foreign0 link eth0 address $M type macvtap mode vepa
	ip -n "$(ns A)" link set foreign0 up
	out=$(vp A port-create vepa --mac $M --owner vm1 --prepare 2>&1) && fail "port-create succeeded: $out"
	[[ "$out" == *foreign0* && "$out" == *eth0* ]] || fail "message does not name both devices: $out"
	expect_eq "foreign macvtap kept" "$(link_up A foreign0)" true
	expect_eq "macvtaps" "$(links A | jq '[.[] | select(.linkinfo.info_kind=="macvtap")] | length')" 1
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
	# Down, it is no obstacle (seed 003: only an up one is refused).
	ip -n "$(ns A)" link set foreign0 down
	u=$(port_create A vepa $M) || exit 1
	vp A port-delete "$u" >/dev/null || fail "delete"
	link_exists A foreign0 || fail "foreign macvtap deleted"
}

# host_view HOST: every link's name, MAC, flags and group, and eth0's
# unicast list: what a refused prepare must leave as it found it.
host_view() {
	links "$1" | jq -c '[.[] | {ifname, address, flags, group}] | sort_by(.ifname)'
	bridge -n "$(ns "$1")" -j fdb show dev eth0 self | jq -c 'sort_by(.mac)'
}

# The check is the kernel's: the macvtap is made down with a stand-in MAC
# and refused the guest MAC (EADDRINUSE, macvlan_addr_busy()). The refusal
# names the holder and leaves nothing: no macvtap, the port as it was, the
# state file and the lower device unchanged.
test_direct_duplicate_mac_leaves_nothing() {
	local u db view out
	topo A
	ip -n "$(ns A)" link add foreign0 link eth0 address $M type macvlan mode bridge
	ip -n "$(ns A)" link set foreign0 up
	u=$(vpj A port-create vepa --mac $M --owner vm1 | jq -r .uuid) || fail "port-create"
	db=$(sqlite3 "$STATE_A/vport.db" .dump)
	view=$(host_view A)
	out=$(vp A port-prepare "$u" 2>&1) && fail "port-prepare with a duplicate MAC succeeded"
	[[ "$out" == *"macvlan foreign0 on eth0 is up with MAC $M: refusing to create another"* ]] || fail "message: $out"
	expect_eq "port state" "$(vpj A port-list | jq -r '.[0].state')" allocated
	expect_eq "state file" "$(sqlite3 "$STATE_A/vport.db" .dump)" "$db"
	expect_eq "links, eth0's unicast list" "$(host_view A)" "$view"
	expect_eq "macvtaps" "$(links A | jq '[.[] | select(.linkinfo.info_kind=="macvtap")] | length')" 0
	# the same port comes up once the MAC is free
	ip -n "$(ns A)" link del foreign0
	vp A port-prepare "$u" >/dev/null || fail "port-prepare with the MAC free"
	expect_eq "macvtap MAC" "$(link_mac A "$(port_field A "$u" ifname)")" $M
	expect_eq "group" "$(link A "$(port_field A "$u" ifname)" | jq -r .group)" default
}

# A macvtap may not carry its lower device's own MAC (the kernel would
# refuse it at activate); in passthrough mode it always does.
test_direct_lower_own_mac_refused() {
	local lm view out u
	topo A
	lm=$(link_mac A eth0)
	view=$(host_view A)
	out=$(vp A port-create vepa --mac "$lm" --owner vm1 --prepare 2>&1) && fail "port-create succeeded: $out"
	[[ "$out" == *"$lm is the MAC of eth0 itself: refusing to create a macvtap with it"* ]] || fail "message: $out"
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
	expect_eq "links, eth0's unicast list" "$(host_view A)" "$view"
	u=$(port_create A passthrough "$(link_mac A eth1)") || exit 1
	vp A port-delete "$u" >/dev/null || fail "delete"
}

# vport never deletes a device it did not create: a foreign macvtap0 makes
# it pick macvtap1; a device recreated under the port's name is left alone.
test_direct_foreign_left_alone() {
	topo A
	ip -n "$(ns A)" link add macvtap0 link eth0 type macvtap mode vepa
	u=$(port_create A vepa $M) || exit 1
	expect_eq "name" "$(port_field A "$u" ifname)" macvtap1
	vp A port-delete "$u" >/dev/null || fail "delete"
	link_exists A macvtap0 || fail "foreign macvtap0 deleted"

	u=$(port_create A vepa $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	ip -n "$(ns A)" link del "$ifname"
	ip -n "$(ns A)" link add "$ifname" link eth0 address $M type macvtap mode vepa
	vp A port-delete "$u" >/dev/null || fail "delete with the device replaced"
	link_exists A "$ifname" || fail "a device vport did not create ($ifname, new ifindex) was deleted"
	true
}
