# VF flap: its carrier goes (host side down) and comes back.
t_04_vf_flap() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	h ip link set vfp down
	wait_for path_is synthetic
	check "state vf-standby while the VF has no carrier" state_is vf-standby
	local before; before=$(rx synp)
	flow_start
	sleep 0.3
	check "the synthetic path carries while the VF is down" [ "$(rx synp)" -gt "$((before + 50))" ]
	h ip link set vfp up
	wait_for path_is vf
	sleep 0.3
	flow_stop
	check "back on the VF" state_is vf-active
	check "switched 3 times (join, down, up)" [ "$(field switches)" = 3 ]
	check "0 lost when the VF comes back" [ "$(lost)" = 0 ]
}

# The VF's admin state follows the synthetic's.
t_05_synthetic_down_up() {
	agent_start
	fo add syn0
	plug_vf
	wait_for path_is vf
	g ip link set syn0 down
	wait_for vf_down
	check "VF set down with the synthetic" vf_down
	check "path synthetic while down" path_is synthetic
	g ip link set syn0 up
	wait_for path_is vf
	check "VF up again" vf_up
	flow_start 5
	sleep 0.5
	flow_stop
	check "traffic flows after down/up" [ "$(lost)" = 0 ]
}
