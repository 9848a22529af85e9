# Devices with the synthetic's MAC that are no VF: a VLAN on it, a bridge,
# a tap, a device in another namespace. None joins; a real one still does.
t_07_never_join() {
	local vlan=1
	# Some kernels (this machine's) have no 802.1Q module: the unit test
	# (test-failover) covers the VLAN rule then.
	g ip link add link syn0 name syn0.10 type vlan id 10 2>/dev/null || vlan=0
	g ip link add brx address $MAC type bridge
	g ip tuntap add dev tap9 mode tap
	g ip link set tap9 address $MAC
	ip -n "$X" link add vfx address $MAC type veth peer name vfy
	[ $vlan = 0 ] || g ip link set syn0.10 up
	g ip link set brx up; g ip link set tap9 up
	agent_start
	fo add syn0
	ip -n "$X" link set vfx up
	g ip link set brx down; g ip link set brx up
	sleep 0.5
	check "nothing joined" state_is no-vf
	[ $vlan = 0 ] || check "vlan logged" grep -q "syn0.10 .* never joins: vlan" "$work/agent.log"
	check "bridge logged" grep -q "brx .* never joins: bridge" "$work/agent.log"
	check "tap logged" grep -q "tap9 .* never joins: tun" "$work/agent.log"
	check "other namespace never seen" not grep -q vfx "$work/agent.log"
	check "no redirect installed" [ -z "$(g tc filter show dev syn0 egress)" ]
	plug_vf
	wait_for path_is vf
	check "the real VF joins" [ "$(field vf)" = vf0 ]
}
