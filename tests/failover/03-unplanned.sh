# Unplanned removal: the VF vanishes under traffic; the agent switches back
# on the netlink event and the flow carries on (the loss window is measured
# in bench/, never asserted here).
t_03_unplanned_delete() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	flow_start
	g ip link del vf0
	wait_for path_is synthetic
	check "state no-vf" state_is no-vf
	local before; before=$(rx synp)
	sleep 0.5
	check "the synthetic path carries the guest's frames again" [ "$(rx synp)" -gt "$((before + 50))" ]
	flow_stop
	check "the flow survived (answers after the removal)" [ "$(awk '{print $4}' "$work/flow.out")" -gt 300 ]
	check "no redirect left on syn0" [ -z "$(g tc filter show dev syn0 egress)" ]
}
