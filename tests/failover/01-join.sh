# The VF joins under continuous traffic: path moves, nothing lost, the VF
# is quiet (no IPv6, alias, MTU), the guest's address stays on syn0.
t_01_join() {
	agent_start
	g ip link set syn0 mtu 1400
	fo add syn0
	check "no VF yet" state_is no-vf
	flow_start
	local before_vf
	plug_vf
	wait_for path_is vf
	check "state vf-active" state_is vf-active
	sleep 0.5
	before_vf=$(rx vfp)
	sleep 0.5
	check "the VF's peer counts the guest's frames" [ "$(rx vfp)" -gt "$((before_vf + 50))" ]
	local syn_before; syn_before=$(rx synp); sleep 0.5
	check "the synthetic path is idle (<5 frames in 0.5 s)" [ "$(($(rx synp) - syn_before))" -lt 5 ]
	flow_stop
	check "0 lost through the join" [ "$(lost)" = 0 ]
	check "alias names the pair" [ "$(g cat /sys/class/net/vf0/ifalias)" = "vport-failover: VF of syn0" ]
	check "disable_ipv6 on the VF" [ "$(g cat /proc/sys/net/ipv6/conf/vf0/disable_ipv6)" = 1 ]
	check "no address on the VF" [ -z "$(g ip -j addr show dev vf0 | jq -r '.[0].addr_info[]?.local')" ]
	check "VF up" vf_up
	check "MTU aligned" [ "$(g cat /sys/class/net/vf0/mtu)" = 1400 ]
	check "list names the VF" [ "$(field vf)" = vf0 ]
}
