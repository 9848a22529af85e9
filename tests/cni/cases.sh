# The conformance cases: every function test_* runs on its own (tests/cni/run).

VERSIONS="0.3.1 0.4.0 1.0.0 1.1.0"

test_version() {
	setup
	local v
	for v in $VERSIONS; do
		cni VERSION "" "" "" "{\"cniVersion\":\"$v\"}"
		expect_ok "VERSION $v"
		expect_eq "VERSION $v cniVersion" "$(jq -r .cniVersion <<<"$OUT")" "$v"
		expect_eq "VERSION supportedVersions" "$(jq -c .supportedVersions <<<"$OUT")" '["0.3.1","0.4.0","1.0.0","1.1.0"]'
	done
	cni VERSION "" "" "" ""
	expect_ok "VERSION without stdin"
	expect_eq "VERSION default" "$(jq -r .cniVersion <<<"$OUT")" "1.1.0"
}

# ADD, CHECK, DEL, DEL on the bridge network in every version: the result
# shape of the version, the container side (name, MAC, address, route, up),
# the host side (veth on br0, learning and flood off, the static FDB
# entry), CHECK, and after DEL (twice) the host exactly as before.
test_bridge_every_version() {
	setup
	local v c before cfg res mac hostif addr
	before=$(host_state)
	for v in $VERSIONS; do
		container "c${v//./}"; c=$(cpath "c${v//./}")
		cfg=$(conf "$v" br)
		cni ADD cid$$ eth0 "$c" "$cfg"
		expect_ok "ADD $v"
		res=$OUT
		expect_eq "ADD $v cniVersion" "$(jq -r .cniVersion <<<"$res")" "$v"
		expect_eq "ADD $v interface 1" "$(jq -r '.interfaces[1] | .name + " " + .sandbox' <<<"$res")" "eth0 $c"
		expect_eq "ADD $v ip on interface 1" "$(jq -r '.ips[0].interface' <<<"$res")" 1
		addr=$(jq -r '.ips[0].address' <<<"$res")
		[[ "$addr" == 10.77.0.*/24 ]] || fail "ADD $v address $addr not from the IPAM range"
		case $v in
		0.*) expect_eq "ADD $v ips[].version" "$(jq -r '.ips[0].version' <<<"$res")" 4 ;;
		*) expect_eq "ADD $v no ips[].version" "$(jq -r '.ips[0] | has("version")' <<<"$res")" false ;;
		esac
		mac=$(jq -r '.interfaces[1].mac' <<<"$res")
		hostif=$(jq -r '.interfaces[0].name' <<<"$res")
		expect_eq "container eth0 MAC" "$(ip -n "$(ns "c${v//./}")" -j link show eth0 | jq -r '.[0].address')" "$mac"
		expect_eq "container eth0 up" "$(ip -n "$(ns "c${v//./}")" -j link show eth0 | jq -r '.[0].flags | index("UP") != null')" true
		expect_eq "container address" "$(cjq "c${v//./}" '.[] | select(.ifname=="eth0") | .addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')" "$addr"
		expect_eq "container default route" "$(ip -n "$(ns "c${v//./}")" -j route show default | jq -r '.[0].gateway + " " + .[0].dev')" "10.77.0.1 eth0"
		expect_eq "host end on br0" "$(ip -n "$(ns H)" -j -d link show "$hostif" | jq -r '.[0] | .master + " " + .linkinfo.info_kind')" "br0 veth"
		expect_eq "host end learning/flood" "$(ip -n "$(ns H)" -j -d link show "$hostif" | jq -r '.[0].linkinfo.info_slave_data | "\(.learning) \(.flood)"')" "false false"
		expect_eq "FDB entry" "$(hx bridge -j fdb show dev "$hostif" | jq -r --arg m "$mac" '[.[] | select(.mac==$m) | .state] | join(",")')" static
		expect_eq "vport port-list shows it" "$(hx "$VPORT" port-list --json | jq -r '.[0] | .owner.name + " " + .container_ifname + " " + .netns')" "cid$$ eth0 $c"
		if [ "$v" != 0.3.1 ]; then
			cni CHECK cid$$ eth0 "$c" "$(with_prev "$cfg" "$res")"
			expect_ok "CHECK $v"
		fi
		cni DEL cid$$ eth0 "$c" "$(with_prev "$cfg" "$res")"
		expect_ok "DEL $v"
		expect_eq "DEL $v: container interface gone" "$(ip -n "$(ns "c${v//./}")" -j link show | jq '[.[] | select(.ifname=="eth0")] | length')" 0
		expect_eq "DEL $v: host as before" "$(host_state)" "$before"
		expect_eq "DEL $v: no port" "$(ports)" 0
		expect_eq "DEL $v: IPAM released" "$(ipam_leases)" 0
		cni DEL cid$$ eth0 "$c" "$(with_prev "$cfg" "$res")"
		expect_ok "DEL $v twice"
	done
}

# The direct network: a macvlan (bridge mode) made in the container; two
# containers reach each other through it; DEL removes it.
test_direct_macvlan_traffic() {
	setup
	local c1 c2 before r1 r2
	before=$(host_state)
	container c1; c1=$(cpath c1)
	container c2; c2=$(cpath c2)
	cni ADD cid1 net1 "$c1" "$(conf 1.1.0 dir)"
	expect_ok "ADD c1"
	r1=$OUT
	cni ADD cid2 net1 "$c2" "$(conf 1.1.0 dir)"
	expect_ok "ADD c2"
	r2=$OUT
	expect_eq "c1 macvlan" "$(ip -n "$(ns c1)" -j -d link show net1 | jq -r '.[0].linkinfo | .info_kind + " " + .info_data.mode')" "macvlan bridge"
	expect_eq "one interface in the result" "$(jq '.interfaces | length' <<<"$r1")" 1
	ip netns exec "$(ns c1)" busybox ping -c1 -W2 "$(jq -r '.ips[0].address | split("/")[0]' <<<"$r2")" >/dev/null ||
		fail "c1 cannot ping c2 over the macvlans"
	cni CHECK cid1 net1 "$c1" "$(with_prev "$(conf 1.1.0 dir)" "$r1")"
	expect_ok "CHECK c1"
	cni DEL cid1 net1 "$c1" "$(conf 1.1.0 dir)"
	expect_ok "DEL c1"
	cni DEL cid2 net1 "$c2" "$(conf 1.1.0 dir)"
	expect_ok "DEL c2"
	expect_eq "c1 net1 gone" "$(ip -n "$(ns c1)" -j link show | jq '[.[] | select(.ifname=="net1")] | length')" 0
	expect_eq "host as before" "$(host_state)" "$before"
	expect_eq "no ports" "$(ports)" 0
}

# Two containers' macvlans with one MAC on one lower device: the kernel
# refuses the second one that MAC (EADDRINUSE), whichever namespace holds
# the first, which the host's namespace cannot show. The ADD fails, saying
# so, and leaves no macvlan in c2, no port, the host as it was. eth0's
# own MAC is refused likewise.
test_direct_macvlan_duplicate_mac() {
	setup
	local c1 c2 before lm
	container c1; c1=$(cpath c1)
	container c2; c2=$(cpath c2)
	cni ADD cid1 net1 "$c1" "$(conf 1.1.0 dir '"mac":"52:54:00:cc:00:01"')"
	expect_ok "ADD c1"
	before=$(host_state)
	cni ADD cid2 net1 "$c2" "$(conf 1.1.0 dir '"mac":"52:54:00:cc:00:01"')"
	expect_error "ADD c2 with c1's MAC" 999 "MAC 52:54:00:cc:00:01 is in use on eth0"
	expect_eq "c2 net1" "$(ip -n "$(ns c2)" -j link show | jq '[.[] | select(.ifname=="net1")] | length')" 0
	expect_eq "ports" "$(ports)" 1
	expect_eq "host as before" "$(host_state)" "$before"
	lm=$(ip -n "$(ns H)" -j link show eth0 | jq -r '.[0].address')
	cni ADD cid2 net1 "$c2" "$(conf 1.1.0 dir "\"mac\":\"$lm\"")"
	expect_error "ADD c2 with eth0's MAC" 999 "$lm is the MAC of eth0 itself"
	expect_eq "c2 net1" "$(ip -n "$(ns c2)" -j link show | jq '[.[] | select(.ifname=="net1")] | length')" 0
	expect_eq "host as before" "$(host_state)" "$before"
	cni ADD cid2 net1 "$c2" "$(conf 1.1.0 dir '"mac":"52:54:00:cc:00:02"')"
	expect_ok "ADD c2 with its own MAC"
	expect_eq "c2 net1 MAC" "$(ip -n "$(ns c2)" -j link show net1 | jq -r '.[0].address')" 52:54:00:cc:00:02
}

# A passthrough network takes no container port: its macvlan would be the
# lower device itself (the kernel gives a passthru macvlan eth0's MAC, not
# the guest's, and setting its MAC in the container sets eth0's; see
# plug-direct.c). The ADD is refused naming the network, before anything is
# made: eth0's MAC and state as they were, no interface in the container,
# no port, no lease; DEL and reconcile then find nothing to do.
test_direct_passthrough_refused() {
	setup
	local c cfg before
	net_add pt "<forward mode='passthrough'><interface dev='eth0'/></forward>"
	container c1; c=$(cpath c1)
	before=$(host_state)
	cfg=$(conf 1.1.0 pt '"mac":"52:54:00:dd:00:01"')
	cni ADD cid1 net1 "$c" "$cfg"
	expect_error "ADD on a passthrough network" 7 "network 'pt': a container port cannot take a passthrough device"
	expect_eq "c1 has no net1" "$(ip -n "$(ns c1)" -j link show | jq '[.[] | select(.ifname != "lo")] | length')" 0
	expect_eq "host as before (eth0's MAC among it)" "$(host_state)" "$before"
	expect_eq "no port" "$(ports)" 0
	expect_eq "no IPAM lease" "$(ipam_leases)" 0
	cni DEL cid1 net1 "$c" "$cfg"
	expect_ok "DEL after the refused ADD"
	expect_eq "reconcile: nothing repaired" "$(hx "$VPORT" --json reconcile | jq -c '.repaired')" "[]"
	expect_eq "host as before after DEL" "$(host_state)" "$before"
}

# Two containers on the bridge exchange traffic through br0.
test_bridge_traffic() {
	setup
	local c1 c2 r2
	container c1; c1=$(cpath c1)
	container c2; c2=$(cpath c2)
	cni ADD cid1 eth0 "$c1" "$(conf 1.0.0 br)"
	expect_ok "ADD c1"
	cni ADD cid2 eth0 "$c2" "$(conf 1.0.0 br)"
	expect_ok "ADD c2"
	r2=$OUT
	ip netns exec "$(ns c1)" busybox ping -c1 -W2 "$(jq -r '.ips[0].address | split("/")[0]' <<<"$r2")" >/dev/null ||
		fail "c1 cannot ping c2 across br0"
}

# Chained after another plugin (the reference macvlan plugin on another
# interface): its interfaces and IPs come first, ours are appended with
# the right interface index; DEL with that prevResult removes only ours.
test_chained_prev_result() {
	setup
	local c prev cfg res
	container c1; c=$(cpath c1)
	cfg=$(jq -c '{cniVersion, name, type: "macvlan", master: "eth0", mode: "bridge", ipam: (.ipam | .ranges = [[{subnet: "10.79.0.0/24"}]])}' <<<"$(conf 1.0.0 dir)")
	CNI_BIN=/usr/lib/cni/macvlan cni ADD cid1 ref0 "$c" "$cfg"
	expect_ok "reference macvlan ADD"
	prev=$OUT
	cni ADD cid1 eth0 "$c" "$(with_prev "$(conf 1.0.0 br)" "$prev")"
	expect_ok "ADD chained"
	res=$OUT
	expect_eq "interfaces" "$(jq -r '[.interfaces[].name] | join(",")' <<<"$res" | sed 's/vnet[0-9]*/vnet/')" "ref0,vnet,eth0"
	expect_eq "ips" "$(jq -r '[.ips[] | "\(.address)@\(.interface)"] | join(",")' <<<"$res")" "10.79.0.2/24@0,10.77.0.2/24@2"
	cni CHECK cid1 eth0 "$c" "$(with_prev "$(conf 1.0.0 br)" "$res")"
	expect_ok "CHECK chained"
	cni DEL cid1 eth0 "$c" "$(with_prev "$(conf 1.0.0 br)" "$res")"
	expect_ok "DEL chained"
	expect_eq "the other plugin's interface stays" "$(ip -n "$(ns c1)" -j link show | jq -r '[.[].ifname] | sort | join(",")')" "lo,ref0"
}

# Malformed configurations: the spec's code, a message naming the field,
# and nothing changed (no port, no device, no IPAM lease).
test_malformed_config() {
	setup
	local c before
	container c1; c=$(cpath c1)
	before=$(host_state)
	cni ADD cid1 eth0 "$c" '{"cniVersion": "1.0.0", "name": '
	expect_error "truncated JSON" 6
	cni ADD cid1 eth0 "$c" '[1,2]'
	expect_error "not an object" 6
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br) trailing"
	expect_error "text after the document" 6 "text after"
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c 'del(.network)')"
	expect_error "no network" 7 '"network"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c '.network = 3')"
	expect_error "network not a string" 7 '"network"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 nosuch)"
	expect_error "undefined network" 7 "nosuch"
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br '"vlan":"x"')"
	expect_error "vlan" 7 '"vlan"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br '"vlan":5000')"
	expect_error "vlan range" 7 '"vlan"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br '"mac":"zz:00"')"
	expect_error "mac" 7 '"mac"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br '"stateDir":"relative"')"
	expect_error "stateDir" 7 '"stateDir"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c '.ipam.type = "no-such-ipam"')"
	expect_error "IPAM plugin missing" 7 "no-such-ipam"
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c '.ipam.type = "../bin/sh"')"
	expect_error "IPAM type with a path" 7 '"ipam.type"'
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c '.runtimeConfig = {mac: "nope"}')"
	expect_error "runtimeConfig.mac" 7 "runtimeConfig.mac"
	cni ADD cid1 eth0 "$c" "$(conf 0.2.0 br)"
	expect_error "cniVersion 0.2.0" 1 "0.2.0"
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br | jq -c 'del(.cniVersion)')"
	expect_error "no cniVersion" 7 '"cniVersion"'
	cni CHECK cid1 eth0 "$c" "$(conf 0.3.1 br)"
	expect_error "CHECK in 0.3.1" 1 "CHECK"
	cni GC "" "" "" "$(conf 1.0.0 br | jq -c '. + {"cni.dev/valid-attachments": []}')"
	expect_error "GC in 1.0.0" 1 "GC"
	cni STATUS "" "" "" "$(conf 1.0.0 br)"
	expect_error "STATUS in 1.0.0" 1 "STATUS"
	cni CHECK cid1 eth0 "$c" "$(conf 1.1.0 br)"
	expect_error "CHECK without prevResult" 7 "prevResult"
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br '"vlan":7')"
	expect_error "vlan on a Linux bridge" 7 "vlan"
	expect_eq "host unchanged" "$(host_state)" "$before"
	expect_eq "no ports" "$(ports)" 0
	expect_eq "no IPAM lease" "$(ipam_leases)" 0
	expect_eq "container untouched" "$(ip -n "$(ns c1)" -j link show | jq -r '[.[].ifname] | join(",")')" lo
}

# Missing or invalid environment variables: code 4 naming them.
test_missing_env() {
	setup
	local c
	container c1; c=$(cpath c1)
	OUT=$(conf 1.0.0 br | ip netns exec "$(ns H)" env -i "$CNI_PLUGIN")
	RC=$?
	expect_error "no CNI_COMMAND" 4 CNI_COMMAND
	cni BOGUS cid1 eth0 "$c" "$(conf 1.0.0 br)"
	expect_error "unknown CNI_COMMAND" 4 BOGUS
	cni ADD "" eth0 "$c" "$(conf 1.0.0 br)"
	expect_error "ADD without CNI_CONTAINERID" 4 CNI_CONTAINERID
	cni ADD cid1 "" "$c" "$(conf 1.0.0 br)"
	expect_error "ADD without CNI_IFNAME" 4 CNI_IFNAME
	cni ADD cid1 eth0 "" "$(conf 1.0.0 br)"
	expect_error "ADD without CNI_NETNS" 4 CNI_NETNS
	cni DEL "" eth0 "" "$(conf 1.0.0 br)"
	expect_error "DEL without CNI_CONTAINERID" 4 CNI_CONTAINERID
	cni ADD 'bad/id' eth0 "$c" "$(conf 1.0.0 br)"
	expect_error "invalid CNI_CONTAINERID" 4 CNI_CONTAINERID
	cni ADD cid1 'eth0/x' "$c" "$(conf 1.0.0 br)"
	expect_error "invalid CNI_IFNAME" 4 CNI_IFNAME
	cni ADD cid1 waytoolonginterfacename "$c" "$(conf 1.0.0 br)"
	expect_error "too long CNI_IFNAME" 4 CNI_IFNAME
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br)" CNI_ARGS="FOO=1"
	expect_error "unknown CNI_ARGS key" 4 FOO
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br)" CNI_ARGS="IgnoreUnknown=1;MAC=nope"
	expect_error "bad MAC= in CNI_ARGS" 4 MAC
	# the plugin has no fault wrapper: a spec meant for it would never fire
	cni ADD cid1 eth0 "$c" "$(conf 1.0.0 br)" VPORT_FAULT=link_set_up:1=EIO
	expect_error "VPORT_FAULT given to vport-cni" 4 "VPORT_FAULT 'link_set_up:1=EIO'"
	cni ADD cid1 eth0 /run/netns/nosuch-$$ "$(conf 1.0.0 br)"
	expect_error "ADD into a namespace that does not exist" 3 "nosuch-$$"
	expect_eq "no ports" "$(ports)" 0
	expect_eq "no IPAM lease (released after the failed ADD)" "$(ipam_leases)" 0
}

# ADD of an attachment that exists (the same container and interface) is
# refused and changes nothing: the first keeps its port, its interface and
# its address, and CHECK still finds it as ADD left it. vport-cni runs the
# IPAM plugin while it checks: the failed ADD must not release the lease.
test_add_twice() {
	setup
	local c cfg res addr
	container c1; c=$(cpath c1)
	for net in br dir; do
		cfg=$(conf 1.1.0 "$net")
		cni ADD cid1 eth0 "$c" "$cfg"
		expect_ok "ADD $net"
		res=$OUT
		addr=$(jq -r '.ips[0].address' <<<"$res")
		cni ADD cid1 eth0 "$c" "$cfg"
		expect_error "ADD $net twice" 999 "already exists"
		expect_eq "$net: one port" "$(ports)" 1
		expect_eq "$net: one IPAM lease" "$(ipam_leases)" 1
		expect_eq "$net: the address stays" "$(cjq c1 '.[] | select(.ifname=="eth0") | .addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')" "$addr"
		cni CHECK cid1 eth0 "$c" "$(with_prev "$cfg" "$res")"
		expect_ok "CHECK $net after the second ADD"
		cni DEL cid1 eth0 "$c" "$(with_prev "$cfg" "$res")"
		expect_ok "DEL $net"
		expect_eq "$net: no port" "$(ports)" 0
		expect_eq "$net: no IPAM lease" "$(ipam_leases)" 0
	done
}

# The IPAM plugin fails (its range is used up) while vport-cni makes the
# port alongside it: the ADD reports the plugin's error and undoes the
# port; the container gets no interface and the first attachment is
# untouched.
test_ipam_failure_undoes_port() {
	setup
	local c1 c2 before cfg net sub
	container c1; c1=$(cpath c1)
	container c2; c2=$(cpath c2)
	for net in br dir; do
		sub=10.79.0.0/30
		[ "$net" = dir ] && sub=10.79.1.0/30
		# a /30 with its gateway holds one address
		cfg=$(conf 1.1.0 "$net" | jq -c --arg s "$sub" '.ipam.ranges = [[{subnet: $s}]]')
		cni ADD cid1 eth0 "$c1" "$cfg"
		expect_ok "ADD $net: the range's one address"
		before=$(host_state)
		cni ADD cid2 eth0 "$c2" "$cfg"
		[ "$RC" != 0 ] || fail "ADD $net with the range used up succeeded: $OUT"
		grep -q "IPAM plugin host-local" <<<"$(jq -r .msg <<<"$OUT")" || fail "$net: not the IPAM plugin's error: $OUT"
		expect_eq "$net: the first port only" "$(ports)" 1
		expect_eq "$net: host as before the failed ADD" "$(host_state)" "$before"
		expect_eq "$net: no interface in c2" "$(ip -n "$(ns c2)" -j link show | jq -r '[.[].ifname] | join(",")')" lo
		expect_eq "$net: one IPAM lease" "$(ipam_leases)" 1
		cni DEL cid1 eth0 "$c1" "$cfg"
		expect_ok "DEL $net"
		expect_eq "$net: no port" "$(ports)" 0
	done
}

# DEL after the container's namespace is gone: the veth and the macvlan
# went with it; DEL still removes the port and the IPAM lease, and again.
test_del_after_netns_gone() {
	setup
	local c before
	before=$(host_state)
	container c1; c=$(cpath c1)
	cni ADD cid1 eth0 "$c" "$(conf 1.1.0 br)"
	expect_ok "ADD bridge"
	cni ADD cid1 net1 "$c" "$(conf 1.1.0 dir)"
	expect_ok "ADD direct"
	ip netns del "$(ns c1)"
	cni DEL cid1 eth0 "$c" "$(conf 1.1.0 br)"
	expect_ok "DEL bridge after the namespace is gone"
	cni DEL cid1 net1 "" "$(conf 1.1.0 dir)"
	expect_ok "DEL direct without CNI_NETNS"
	cni DEL cid1 net1 "" "$(conf 1.1.0 dir)"
	expect_ok "DEL direct twice"
	expect_eq "host as before" "$(host_state)" "$before"
	expect_eq "no ports" "$(ports)" 0
	expect_eq "no IPAM lease" "$(ipam_leases)" 0
}

# A failed ADD (the interface name is taken in the container) leaves
# nothing: no port, no host device, the IPAM lease released.
test_add_failure_rolls_back() {
	setup
	local c before
	before=$(host_state)
	container c1; c=$(cpath c1)
	ip -n "$(ns c1)" link add eth0 type veth peer name eth0x
	cni ADD cid1 eth0 "$c" "$(conf 1.1.0 br)"
	[ "$RC" != 0 ] || fail "ADD over an existing eth0 succeeded"
	grep -q "eth0" <<<"$(jq -r .msg <<<"$OUT")" || fail "message does not name eth0: $OUT"
	cni ADD cid1 eth0 "$c" "$(conf 1.1.0 dir)"
	[ "$RC" != 0 ] || fail "direct ADD over an existing eth0 succeeded"
	expect_eq "host as before" "$(host_state)" "$before"
	expect_eq "no ports" "$(ports)" 0
	expect_eq "no IPAM lease" "$(ipam_leases)" 0
	expect_eq "the container's own eth0 kept" "$(ip -n "$(ns c1)" -j -d link show eth0 | jq -r '.[0].linkinfo.info_kind')" veth
	cni ADD cid1 eth1 "$c" "$(conf 1.1.0 br)"
	expect_ok "ADD eth1"
	cni ADD cid1 eth1 "$c" "$(conf 1.1.0 br)"
	[ "$RC" != 0 ] || fail "a second ADD of one attachment succeeded"
	expect_eq "one port" "$(ports)" 1
}

# MAC sources: runtimeConfig.mac over CNI_ARGS MAC= over the config's mac.
test_mac_sources() {
	setup
	local c
	container c1; c=$(cpath c1)
	cni ADD cid1 a "$c" "$(conf 1.1.0 br '"mac":"02:00:00:00:00:01"')"
	expect_ok "config mac"
	cni ADD cid1 b "$c" "$(conf 1.1.0 br '"mac":"02:00:00:00:00:01"')" CNI_ARGS="IgnoreUnknown=1;MAC=02:00:00:00:00:02;K8S_POD_NAME=x"
	expect_ok "CNI_ARGS MAC="
	cni ADD cid1 c "$c" "$(conf 1.1.0 br '"mac":"02:00:00:00:00:01","runtimeConfig":{"mac":"02:00:00:00:00:03"}')" CNI_ARGS="IgnoreUnknown=1;MAC=02:00:00:00:00:02"
	expect_ok "runtimeConfig.mac"
	expect_eq "MACs" "$(ip -n "$(ns c1)" -j link show | jq -r '[.[] | select(.ifname != "lo") | .ifname + "=" + .address] | sort | join(",")')" \
		"a=02:00:00:00:00:01,b=02:00:00:00:00:02,c=02:00:00:00:00:03"
	cni ADD cid1 d "$c" "$(conf 1.1.0 br)" CNI_ARGS="IgnoreUnknown=1;IP=10.77.0.99"
	expect_ok "CNI_ARGS IP="
	expect_eq "IP= reaches IPAM" "$(jq -r '.ips[0].address' <<<"$OUT")" "10.77.0.99/24"
}

# CHECK notices what changed behind the plugin's back.
test_check_detects_changes() {
	setup
	local c cfg res
	container c1; c=$(cpath c1)
	cfg=$(conf 1.1.0 br)
	cni ADD cid1 eth0 "$c" "$cfg"
	expect_ok ADD
	res=$OUT
	cfg=$(with_prev "$cfg" "$res")
	cni CHECK cid1 eth0 "$c" "$cfg"
	expect_ok "CHECK as made"
	ip -n "$(ns c1)" addr flush dev eth0
	cni CHECK cid1 eth0 "$c" "$cfg"
	[ "$RC" != 0 ] || fail "CHECK passed without the address"
	grep -q "10.77.0.2/24" <<<"$OUT" || fail "CHECK does not name the address: $OUT"
	ip -n "$(ns c1)" addr add 10.77.0.2/24 dev eth0
	ip -n "$(ns c1)" link set eth0 address 02:11:11:11:11:11
	cni CHECK cid1 eth0 "$c" "$cfg"
	[ "$RC" != 0 ] || fail "CHECK passed with another MAC"
	ip -n "$(ns c1)" link set eth0 address "$(jq -r '.interfaces[1].mac' <<<"$res")"
	ip -n "$(ns H)" link set "$(jq -r '.interfaces[0].name' <<<"$res")" nomaster
	cni CHECK cid1 eth0 "$c" "$cfg"
	[ "$RC" != 0 ] || fail "CHECK passed with the host end off the bridge"
	grep -q "br0" <<<"$OUT" || fail "CHECK does not name the bridge: $OUT"
	cni CHECK cid2 eth0 "$c" "$cfg"
	[ "$RC" != 0 ] || fail "CHECK of an attachment that does not exist passed"
}

# GC: only ports of containers not in cni.dev/valid-attachments go (with
# their IPAM leases); a VM's port on the same network stays.
test_gc() {
	setup
	local c gc
	container c1; c=$(cpath c1)
	cni ADD cid1 eth0 "$c" "$(conf 1.1.0 br)"
	expect_ok "ADD 1"
	container c2; cni ADD cid2 eth0 "$(cpath c2)" "$(conf 1.1.0 br)"
	expect_ok "ADD 2"
	container c3; cni ADD cid3 eth0 "$(cpath c3)" "$(conf 1.1.0 br)"
	expect_ok "ADD 3"
	hx "$VPORT" port-create br --owner vm1 --prepare >/dev/null || fail "VM port"
	cni GC "" "" "" "$(conf 1.1.0 br)"
	expect_error "GC without the list" 7 "cni.dev/valid-attachments"
	expect_eq "still 4 ports" "$(ports)" 4
	gc=$(conf 1.1.0 br | jq -c '. + {"cni.dev/valid-attachments": [{containerID: "cid2", ifname: "eth0"}, {containerID: "cid1", ifname: "other"}]}')
	cni GC "" "" "" "$gc"
	expect_ok "GC with one valid attachment"
	expect_eq "kept: cid2 and the VM" "$(hx "$VPORT" port-list --json | jq -r '[.[].owner.name] | sort | join(",")')" "cid2,vm1"
	expect_eq "c1 eth0 gone" "$(ip -n "$(ns c1)" -j link show | jq '[.[] | select(.ifname=="eth0")] | length')" 0
	expect_eq "one IPAM lease" "$(ipam_leases)" 1
	cni GC "" "" "" "$(conf 1.1.0 br | jq -c '. + {"cni.dev/valid-attachments": []}')"
	expect_ok "GC with no valid attachment"
	expect_eq "only the VM's port" "$(hx "$VPORT" port-list --json | jq -r '[.[].owner.name] | join(",")')" "vm1"
	expect_eq "no IPAM lease" "$(ipam_leases)" 0
	cni GC "" "" "" "$(conf 1.1.0 dir | jq -c '. + {"cni.dev/valid-attachments": []}')"
	expect_ok "GC of another network"
	expect_eq "the VM's port stays" "$(ports)" 1
}

# STATUS: 0 while the network is active, 50 naming it otherwise.
test_status() {
	setup
	cni STATUS "" "" "" "$(conf 1.1.0 br)"
	expect_ok "STATUS active"
	expect_eq "STATUS prints nothing" "$OUT" ""
	hx "$VPORT" net-destroy br >/dev/null || fail "net-destroy"
	cni STATUS "" "" "" "$(conf 1.1.0 br)"
	expect_error "STATUS inactive" 50 "br"
	cni STATUS "" "" "" "$(conf 1.1.0 nosuch)"
	expect_error "STATUS undefined" 50 "nosuch"
	container c1; cni ADD cid1 eth0 "$(cpath c1)" "$(conf 1.1.0 br)"
	expect_error "ADD on an inactive network" 11 "br"
}

# portgroup: the port takes the network's portgroup (a name the network
# does not have is ignored, as libvirt's networkAllocatePort does).
test_portgroup() {
	setup
	net_add pg "<forward mode='bridge'/><bridge name='br0'/><portgroup name='web'/><portgroup name='db'/>"
	local c
	container c1; c=$(cpath c1)
	cni ADD cid1 eth0 "$c" "$(conf 1.1.0 br | jq -c '.network = "pg" | .portgroup = "db"')"
	expect_ok "ADD with portgroup db"
	expect_eq "the port's portgroup" "$(hx "$VPORT" port-list --json | jq -r '.[0].portgroup')" db
	cni DEL cid1 eth0 "$c" "$(conf 1.1.0 br | jq -c '.network = "pg" | .portgroup = "db"')"
	expect_ok "DEL"
	expect_eq "no port" "$(ports)" 0
}
