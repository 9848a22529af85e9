# The agent restarts: pairs persist, the joined VF is adopted, traffic is
# never interrupted (the redirects work without the agent).
t_08_restart_keeps_pairs() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	flow_start
	agent_stop
	sleep 0.3
	agent_start
	wait_for path_is vf
	check "the pair survived the restart" [ "$(field vf)" = vf0 ]
	check "one redirect on syn0, not two" [ "$(g tc filter show dev syn0 egress | grep -c mirred)" = 1 ]
	sleep 0.3
	flow_stop
	check "0 lost across the restart" [ "$(lost)" = 0 ]
	g ip link del vf0
	wait_for path_is synthetic
	check "the adopted VF's removal still switches back" state_is no-vf
	# the VF went while the agent was down
	plug_vf
	wait_for path_is vf
	agent_stop
	g ip link del vf0
	agent_start
	wait_for state_is no-vf
	check "a VF gone while the agent was down: redirect removed at start" [ -z "$(g tc filter show dev syn0 egress)" ]
}

# --vf-pci: the VF is known by its PCI address (a fake sysfs tree), not its MAC.
t_09_vf_pci() {
	local root=$work/sys
	mkdir -p "$root/bus/pci/devices/0000:00:05.0" "$root/class/net/vfp0"
	ln -s ../../../bus/pci/devices/0000:00:05.0 "$root/class/net/vfp0/device"
	ip netns exec "$G" env VPORT_SYSFS_ROOT="$root" "$fo" run --socket "$sock" --state-dir "$work/state" >>"$work/agent.log" 2>&1 &
	agent_pid=$!
	wait_for [ -S "$sock" ]
	fo add syn0 --vf-pci 0000:00:05.0
	ip -n "$G" link add vfo0 address $MAC type veth peer name vfq netns "$H" # the MAC alone is not enough
	sleep 0.3
	check "a device with the MAC but another PCI address does not join" state_is no-vf
	ip -n "$G" link add vfp0 address 02:fa:11:00:00:99 type veth peer name vfp netns "$H"
	h ip link set vfp master br0; h ip link set vfp up
	wait_for path_is vf
	check "the device at the PCI address joins" [ "$(field vf)" = vfp0 ]
}

# The command line: bad input named, nothing changed.
t_10_cli() {
	local out rc
	rc=0; out=$(fo add 'bad/name' 2>&1) || rc=$?
	check "bad name: exit 2" [ $rc = 2 ]
	check "bad name named" grep -q "bad" <<<"$out"
	rc=0; out=$(g "$fo" --socket "$work/none" list 2>&1) || rc=$?
	check "no agent: exit 1" [ $rc = 1 ]
	check "no agent: said so" grep -q "is 'vport-failover run' running" <<<"$out"
	agent_start
	fo add syn0 >/dev/null
	rc=0; out=$(fo add syn0 2>&1) || rc=$?
	check "duplicate refused" [ $rc = 1 ]
	check "duplicate named" grep -q "syn0: already a pair" <<<"$out"
	rc=0; out=$(fo detach nope0 2>&1) || rc=$?
	check "unknown pair refused" [ $rc = 1 ]
	check "unknown pair named" grep -q "nope0: no such pair" <<<"$out"
	rc=0; out=$(fo add syn1 --vf-pci zz 2>&1) || rc=$?
	check "bad PCI address: exit 2" [ $rc = 2 ]
	check "bad PCI address named" grep -q "'zz': not a PCI address" <<<"$out"
	rc=0; out=$(fo list --vf-pci 0000:00:01.0 2>&1) || rc=$?
	check "an option the verb does not take: exit 2" [ $rc = 2 ]
	check "one pair after the refusals" [ "$(fo list --json | jq length)" = 1 ]
	rc=0; out=$(g "$fo" run --socket "$sock" --state-dir "$work/state2" 2>&1) || rc=$?
	check "a second agent on the socket refused" [ $rc = 1 ]
	check "a second agent named" grep -q "already listening" <<<"$out"
	fo remove syn0
	check "removed" [ "$(fo list --json | jq length)" = 0 ]
	check "removal persisted" [ "$(jq '.pairs | length' "$work/state/pairs.json")" = 0 ]
}
