# Planned removal: detach moves the path back before the VF goes: 0 lost.
t_02_planned_detach() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	flow_start
	fo detach syn0
	check "path back on the synthetic device when detach returns" path_is synthetic
	check "state detached" state_is detached
	sleep 0.3
	g ip link del vf0
	sleep 0.3
	flow_stop
	check "0 lost through a planned detach and unplug" [ "$(lost)" = 0 ]
	# the detached VF left: the next one joins
	plug_vf vf1
	wait_for path_is vf
	check "a new VF joins after a detach" [ "$(field vf)" = vf1 ]
}
