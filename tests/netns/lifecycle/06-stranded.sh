# No port is ever stranded (issue 7): the device a port depends on is
# deleted behind vport's back (its own tap / macvtap, the macvtap's lower
# device, the tap's bridge, also the bridge vport made for an isolated
# network) while the port is prepared or active; then
# deactivate + delete, delete, net-destroy --force or reconcile + delete
# succeed, a note names what was gone, and the host ends as before the
# port existed (ip -j -d link and bridge -j fdb, less what the admin
# deleted) with no port, journal entry or held device left. And reconcile
# reports each kind of drift without changing anything.

# Links as a comparable list: what vport may change or leave behind.
links_norm() {
	links "$1" | jq -c '[.[] | {ifindex, ifname, address, mtu, master: (.master // null),
		up: ((.flags | index("UP")) != null), kind: (.linkinfo.info_kind // null)}] | sort_by(.ifindex)'
}
fdb_norm() { # entries the bridge learned from traffic come and go: only static and permanent ones
	bridge -n "$(ns "$1")" -j fdb show | jq -c '[.[] | select((.state // "") != "") | {ifname, mac, master: (.master // null), state: (.state // null),
		flags: (.flags // [])}] | sort_by(.ifname, .mac, .master)'
}

# expect_like_before WHAT BEFORE-LINKS BEFORE-FDB TAMPERED-LINKS: the links
# and FDB entries of before whose devices survived the tampering, with a
# master that was deleted dropped (the kernel released its ports).
expect_like_before() {
	local what=$1 before=$2 fdb_before=$3 tampered=$4 want got
	want=$(jq -c --argjson t "$tampered" '[($t | map(.ifname)) as $alive | .[] | select(.ifname as $n | $alive | index($n))
		| if (.master != null and (.master as $m | $alive | index($m) | not)) then .master = null else . end]' <<<"$before")
	got=$(links_norm A)
	expect_eq "$what: links" "$got" "$want"
	want=$(jq -c --argjson t "$tampered" '[($t | map(.ifname)) as $alive | .[] | select(.ifname as $n | $alive | index($n))
		| select(.master == null or (.master as $m | $alive | index($m)))]' <<<"$fdb_before")
	expect_eq "$what: FDB" "$(fdb_norm A)" "$want"
}

# stranded_case NET STATE(prepared|active) WHAT(own|dep) FINISH
stranded_case() {
	local net=$1 state=$2 what=$3 finish=$4 dep u ifname before fdb_before tampered out err
	case $net in
	br | brlv) dep=br0 ;;
	iso) dep=vbr9 ;;
	passthrough) dep=eth1 ;;
	*) dep=eth0 ;;
	esac
	topo A
	# an isolated network: vport makes its bridge at net-start
	[ "$net" = iso ] && net_add A iso "<bridge name='vbr9'/>"
	before=$(links_norm A)
	fdb_before=$(fdb_norm A)
	u=$(port_create A "$net" $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	[ "$state" = active ] && { vp A port-activate "$u" >/dev/null || fail "activate"; }
	if [ "$what" = own ]; then
		ip -n "$(ns A)" link del "$ifname" || fail "ip link del $ifname"
	else
		ip -n "$(ns A)" link del "$dep" || fail "ip link del $dep"
	fi
	tampered=$(links_norm A)
	err=$(mktemp)
	case $finish in
	deactivate-delete)
		vp A port-deactivate "$u" >/dev/null 2>>"$err" || fail "$net $state $what: deactivate: $(cat "$err")"
		vp A port-delete "$u" >/dev/null 2>>"$err" || fail "$net $state $what: delete: $(cat "$err")"
		;;
	delete)
		if [ "$state" = prepared ]; then
			vp A port-activate "$u" >/dev/null 2>&1 && fail "$net: activate with its device gone succeeded"
			expect_eq "$net: state after a refused activate" "$(port_field A "$u" state)" prepared
		fi
		vp A port-delete "$u" >/dev/null 2>>"$err" || fail "$net $state $what: delete: $(cat "$err")"
		;;
	net-destroy)
		out=$(vpj A net-destroy "$net" --force 2>>"$err") || fail "$net $state $what: net-destroy: $(cat "$err")"
		expect_eq "$net: torn down" "$(jq -c '[.ports[] | {uuid, owner: .owner.name, state}]' <<<"$out")" \
			"[{\"uuid\":\"$u\",\"owner\":\"vm1\",\"state\":\"$state\"}]"
		;;
	reconcile-delete)
		out=$(vpj A reconcile 2>>"$err") || fail "$net $state $what: reconcile: $(cat "$err")"
		expect_eq "$net: repaired" "$(jq -c .repaired <<<"$out")" "[]"
		expect_eq "$net: drift for the port" "$(jq -r --arg u "$u" '[.drift[] | select(.port == $u) | .kind] | unique | join(",")' <<<"$out")" \
			device-missing
		# the network's own bridge gone: reported as the network's, with no port
		case $what-$net in
		dep-br | dep-brlv | dep-iso)
			expect_eq "$net: drift for the network's bridge" \
				"$(jq -c --arg n "$net" '[.drift[] | select(.kind == "network-device-missing" and .network == $n) | {network, device, port: (.port // null)}]' <<<"$out")" \
				"[{\"network\":\"$net\",\"device\":\"$dep\",\"port\":null}]"
			;;
		*) expect_eq "$net: no network drift" "$(jq '[.drift[] | select(.kind == "network-device-missing")] | length' <<<"$out")" 0 ;;
		esac
		expect_eq "$net: reconcile changed nothing" "$(links_norm A)" "$tampered"
		vp A port-delete "$u" >/dev/null 2>>"$err" || fail "$net $state $what: delete: $(cat "$err")"
		;;
	esac
	grep -q "already gone\|no longer on a bridge" "$err" || fail "$net $state $what $finish: no note names what was gone: $(cat "$err")"
	rm -f "$err"
	# net-destroy also removes the bridge vport made for an isolated network
	[ "$net$finish" = isonet-destroy ] && tampered=$(jq -c 'map(select(.ifname != "vbr9"))' <<<"$tampered")
	expect_like_before "$net $state $what $finish" "$before" "$fdb_before" "$tampered"
	expect_eq "$net: ports left" "$(vpj A port-list | jq length)" 0
	[ "$finish" = net-destroy ] || expect_eq "$net: devices held" "$(vpj A net-info "$net" | jq '[.devices[]? | select(.connections > 0)] | length')" 0
	cleanup_all
	NAMESPACES=() STATE_DIRS=()
}

M=52:54:00:ee:00:01
FINISHES=(deactivate-delete delete net-destroy reconcile-delete)

# Every finishing verb once per plug type over the four (state, what) pairs.
stranded_net() {
	local net=$1 i=0 state what
	for state in prepared active; do
		for what in own dep; do
			stranded_case "$net" "$state" "$what" "${FINISHES[i]}"
			i=$((i + 1))
		done
	done
}

test_stranded_vepa() { stranded_net vepa; }
test_stranded_bridgemode() { stranded_net bridgemode; }
test_stranded_private() { stranded_net private; }
test_stranded_passthrough() { stranded_net passthrough; }
test_stranded_bridge() { stranded_net br; }
test_stranded_bridge_libvirt() { stranded_net brlv; }
test_stranded_isolated() { stranded_net iso; }

# Each kind of tampering is reported by reconcile (text and --json), which
# exits 0 and changes nothing.
test_drift_reported() {
	local ulv ubr umv upt mvt out before
	topo A
	ulv=$(port_create A brlv $M) || exit 1
	vp A port-activate "$ulv" >/dev/null || fail "activate"
	ubr=$(port_create A br 52:54:00:ee:00:02) || exit 1
	umv=$(port_create A vepa 52:54:00:ee:00:03) || exit 1
	upt=$(port_create A passthrough 52:54:00:ee:00:04) || exit 1
	expect_eq "drift before tampering" "$(vpj A reconcile | jq -c .drift)" "[]"

	bridge -n "$(ns A)" fdb del $M dev "$(port_field A "$ulv" ifname)" master || fail "fdb del"
	ip -n "$(ns A)" link set "$(port_field A "$ubr" ifname)" nomaster
	mvt=$(port_field A "$umv" ifname)
	ip -n "$(ns A)" link del "$mvt"
	ip -n "$(ns A)" link set eth1 address 02:00:00:00:ee:ee
	ip -n "$(ns A)" tuntap add vnet42 mode tap
	ip -n "$(ns A)" link set vnet42 address fe:00:00:00:00:42
	# vnet42 looks like vport's tap (name, MAC prefix) but is foreign (libvirt's QEMU driver makes the
	# same); vnet43 is in a creation group (0x76800043), what a tap vport made carries until its
	# ifindex is journaled, and no port or journal entry holds it: only vnet43 is vport's orphan
	ip -n "$(ns A)" tuntap add vnet43 mode tap
	ip -n "$(ns A)" link set vnet43 group 0x76800043
	before=$(links_norm A)
	out=$(vpj A reconcile) || fail "reconcile"
	expect_eq "fdb-missing" "$(jq -r --arg u "$ulv" '[.drift[] | select(.port == $u) | .kind] | join(",")' <<<"$out")" fdb-missing
	expect_eq "device-detached" "$(jq -r --arg u "$ubr" '[.drift[] | select(.port == $u) | .kind] | join(",")' <<<"$out")" device-detached
	expect_eq "device-missing" "$(jq -r --arg u "$umv" '[.drift[] | select(.port == $u) | .kind] | join(",")' <<<"$out")" device-missing
	expect_eq "mac-changed" "$(jq -r --arg u "$upt" '[.drift[] | select(.port == $u) | .kind] | unique | join(",")' <<<"$out")" mac-changed
	expect_eq "orphan-device" "$(jq -r '[.drift[] | select(.kind == "orphan-device") | .device] | join(",")' <<<"$out")" vnet43
	expect_eq "reconcile changed nothing" "$(links_norm A)" "$before"
	expect_eq "FDB still without the entry" "$(fdb_count A $M)" 0
	out=$(vp A reconcile) || fail "reconcile (text)"
	for k in fdb-missing device-detached device-missing mac-changed orphan-device; do
		grep -q "^  $k: " <<<"$out" || fail "text report lacks $k: $out"
	done
	grep -q "reported only, nothing changed" <<<"$out" || fail "text report does not say it changed nothing"
}

# net-destroy without --force refuses a network with an active port,
# names it, and changes nothing; --force tears it down and names it.
test_net_destroy_active_needs_force() {
	local u before err
	topo A
	u=$(port_create A brlv $M) || exit 1
	vp A port-activate "$u" >/dev/null || fail "activate"
	before=$(links_norm A)
	err=$(vp A net-destroy brlv 2>&1) && fail "net-destroy of a network with an active port succeeded"
	grep -q "$u (owner vm1)" <<<"$err" || fail "refusal does not name the port: $err"
	expect_eq "links after the refusal" "$(links_norm A)" "$before"
	expect_eq "ports after the refusal" "$(vpj A port-list | jq length)" 1
	expect_eq "network after the refusal" "$(vpj A net-list | jq -r '.[] | select(.name == "brlv") | .active')" true
	out=$(vp A net-destroy brlv --force) || fail "net-destroy --force"
	grep -q "$u  owner vm1 (.*), was active" <<<"$out" || fail "net-destroy does not name the port: $out"
	expect_eq "FDB entries" "$(fdb_count A $M)" 0
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

# The port's tap was deleted and someone else's tap took its name (with
# the same 0xFE MAC): deactivate and delete finish, the newcomer is never
# touched (vport addresses its devices by ifindex), and a note says so.
test_foreign_device_took_the_name() {
	local u ifname foreign_idx out
	topo A
	u=$(port_create A brlv $M) || exit 1
	vp A port-activate "$u" >/dev/null || fail "activate"
	ifname=$(port_field A "$u" ifname)
	ip -n "$(ns A)" link del "$ifname"
	ip -n "$(ns A)" tuntap add "$ifname" mode tap
	ip -n "$(ns A)" link set "$ifname" address fe:54:00:ee:00:01 master br0 up
	foreign_idx=$(link A "$ifname" | jq .ifindex)
	out=$(vp A port-delete "$u" 2>&1) || fail "delete: $out"
	grep -q "is not the device vport made.*left alone" <<<"$out" || fail "no note about the foreign device: $out"
	expect_eq "foreign $ifname still there" "$(link A "$ifname" | jq .ifindex)" "$foreign_idx"
	expect_eq "foreign $ifname still up" "$(link_up A "$ifname")" true
	expect_eq "foreign $ifname still on br0" "$(link A "$ifname" | jq -r .master)" br0
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}
