# An address configured on the VF: traffic still passes, the setup is reported.
t_06_wrong_setup() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	g ip addr add 10.77.1.5/24 dev vf0
	g ip link set vf0 down; g ip link set vf0 up # an event for the agent to look again
	wait_for sh -c "[ -n \"\$(ip netns exec $G $fo --socket $sock list --json | jq -r '.[0].warning // empty')\" ]"
	check "list --json reports the address on the VF" fo list --json | jq -e '.[0].warning | test("vf0 has 1 address")' >/dev/null
	check "the agent logs it" grep -q "wrong setup: VF vf0" "$work/agent.log"
	flow_start 5
	sleep 0.5
	flow_stop
	check "traffic still passes" [ "$(lost)" = 0 ]
}
