# bridge ports: a tap on br0 with the guest MAC's first byte set to 0xFE;
# with macTableManager='libvirt' no learning/flooding on the port and a
# static FDB entry only while active.

M=52:54:00:bb:00:01
T=fe:54:00:bb:00:01

bridge_cycle() { # bridge_cycle NET LIBVIRT(true|false)
	local net=$1 lv=$2 u ifname brport
	topo A
	u=$(port_create A "$net" $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	[[ "$ifname" == vnet* ]] || fail "ifname '$ifname'"
	expect_eq "ifindex" "$(link A "$ifname" | jq .ifindex)" "$(port_field A "$u" ifindex)"
	expect_eq "tap MAC" "$(link_mac A "$ifname")" $T
	expect_eq "master" "$(link A "$ifname" | jq -r .master)" br0
	expect_eq "tap up before activate" "$(link_up A "$ifname")" false
	expect_eq "up with the guest MAC before activate" "$(mac_up_count A $M)" 0
	expect_eq "FDB entries for the guest MAC before activate" "$(fdb_count A $M)" 0
	brport=$(bridge -n "$(ns A)" -j -d link show dev "$ifname" | jq -c '.[0] | {learning, flood}')
	if $lv; then
		expect_eq "brport flags" "$brport" '{"learning":false,"flood":false}'
	else
		expect_eq "brport flags" "$brport" '{"learning":true,"flood":true}'
	fi
	expect_eq "frames on the wire before activate" "$(frames_through A $M "$ifname" A2)" 0

	vp A port-activate "$u" >/dev/null || fail "activate"
	expect_eq "tap up" "$(link_up A "$ifname")" true
	if $lv; then
		expect_eq "static FDB entry" "$(bridge -n "$(ns A)" -j fdb show | jq -c --arg m $M '[.[] | select(.mac==$m) | {ifname, master, state}]')" \
			"[{\"ifname\":\"$ifname\",\"master\":\"br0\",\"state\":\"static\"}]"
		# A frame with the guest's MAC arriving on the uplink (a migrated
		# guest's announcement) must not move the entry off the tap: a moved
		# static entry outlives the deactivate that looks for it on the tap.
		ip netns exec "$(ns W)" "$PYTHON" - A2 $M <<'PY' || fail "send on W:A2"
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
mac = bytes.fromhex(sys.argv[2].replace(':', ''))
s.send(b'\xff' * 6 + mac + b'\x88\xb5' + b'vport-announce'.ljust(46, b'\0'))
PY
		expect_eq "FDB entry after the MAC arrived on the uplink" \
			"$(bridge -n "$(ns A)" -j fdb show | jq -c --arg m $M '[.[] | select(.mac==$m) | .ifname]')" "[\"$ifname\"]"
	else
		expect_eq "FDB entries (kernel learns them)" "$(fdb_count A $M)" 0
	fi
	expect_eq "frames through $ifname reaching the peer" "$(frames_through A $M "$ifname" A2)" 1

	vp A port-deactivate "$u" >/dev/null || fail "deactivate"
	expect_eq "tap up after deactivate" "$(link_up A "$ifname")" false
	$lv && expect_eq "FDB entries after deactivate" "$(fdb_count A $M)" 0
	expect_eq "frames on the wire after deactivate" "$(frames_through A $M "$ifname" A2)" 0
	expect_eq "physdev eth2 untouched" "$(link_up A eth2)" true

	vp A port-delete "$u" >/dev/null || fail "delete"
	link_exists A "$ifname" && fail "$ifname left behind"
	expect_eq "FDB entries after delete" "$(fdb_count A $M)" 0
	link_exists A br0 || fail "bridge deleted"
}

test_bridge_kernel() { bridge_cycle br false; }
test_bridge_libvirt() { bridge_cycle brlv true; }

# A bridge holds 1023 ports (port numbers are 10 bits, 0 is the bridge's
# own). br0 already has eth2; 1022 plain taps fill it. The next prepare
# says the bridge is full instead of the kernel's "Exchange full", and
# changes nothing: no tap left behind, a port created with --prepare not
# created, a port that was allocated still allocated.
test_bridge_full() {
	local i out u before after
	topo A
	for ((i = 0; i < 1022; i++)); do
		echo "tuntap add dev fill$i mode tap"
		echo "link set fill$i master br0"
	done | ip -n "$(ns A)" -batch - || fail "filling br0"
	expect_eq "ports on br0" "$(bridge -n "$(ns A)" -j link show | jq '[.[] | select(.master=="br0")] | length')" 1023
	before=$(links A | jq -c '[.[].ifname] | sort')

	out=$(vp A port-create br --mac $M --owner vm1 --prepare 2>&1) && fail "prepare on a full bridge succeeded"
	[[ "$out" == *"bridge br0 is full: 1023 ports"* ]] || fail "message: $out"
	[[ "$out" == *"Exchange full"* ]] && fail "raw kernel message: $out"
	expect_eq "ports after a refused port-create --prepare" "$(vpj A port-list | jq length)" 0

	u=$(vpj A port-create br --mac $M --owner vm1 | jq -r .uuid) || fail "port-create"
	out=$(vp A port-prepare "$u" 2>&1) && fail "port-prepare on a full bridge succeeded"
	[[ "$out" == *"bridge br0 is full: 1023 ports"* ]] || fail "message: $out"
	expect_eq "port state" "$(vpj A port-list | jq -r '.[0].state')" allocated
	after=$(links A | jq -c '[.[].ifname] | sort')
	expect_eq "links" "$after" "$before"
	vp A port-delete "$u" >/dev/null || fail "delete"
}
