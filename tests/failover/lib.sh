# Shared by tests/failover/run and bench/failover-bench.sh: the namespaces,
# the agent, the traffic. Expects top, fo and flow set; sets G H P X, work.
# shellcheck shell=bash
[ "$(id -u)" = 0 ] || { echo "tests/failover/run: needs root (namespaces)"; echo "0 passed, 0 failed, 1 skipped"; exit 77; }
[ -x "$fo" ] || { echo "tests/failover/run: $fo not built"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
[ -x /usr/bin/python3 ] || { echo "tests/failover/run: /usr/bin/python3 missing (the traffic generator)"; echo "0 passed, 0 failed, 1 skipped"; exit 77; }

id=$$
G=fog$id H=foh$id P=fop$id X=fox$id
MAC=02:fa:11:00:00:01
work=$(mktemp -d)
sock=$work/fo.sock
agent_pid=

g() { ip netns exec "$G" "$@"; }
h() { ip netns exec "$H" "$@"; }

cleanup_ns() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	agent_pid=
	for ns in "$G" "$H" "$P" "$X"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$ns" 2>/dev/null; done
	return 0
}
trap 'cleanup_ns; rm -rf "$work"' EXIT

setup() {
	cleanup_ns
	rm -rf "$work/state" "$work"/*.log "$work/stop" "$work/echo.ready"
	ip netns add "$G" && ip netns add "$H" && ip netns add "$P" && ip netns add "$X" || return 1
	h ip link add br0 type bridge
	h ip link set br0 up
	ip -n "$G" link add syn0 address $MAC type veth peer name synp netns "$H"
	ip -n "$P" link add eth0 type veth peer name hp netns "$H"
	for d in synp hp; do h ip link set $d master br0; h ip link set $d up; done
	g ip link set lo up
	g ip addr add 10.77.0.1/24 dev syn0
	g ip link set syn0 up
	ip -n "$P" addr add 10.77.0.2/24 dev eth0
	ip -n "$P" link set eth0 up
	ip -n "$P" link set lo up
	# The echo must be bound before the first datagram: one sent earlier
	# is answered with a port unreachable and counted lost (a slow Python
	# start on a loaded machine is not a loss of the data path).
	g sh -c "$flow echo 7777 $work/echo.ready >/dev/null 2>&1 &"
	wait_for test -e "$work/echo.ready"
}

# plug_vf [NAME]: the VF appears in the guest, its peer already forwarding
# on the host bridge (as a hot-plugged VF's switch side is ready).
plug_vf() {
	local name=${1:-vf0}
	h ip link add "$name" address $MAC type veth peer name vfp
	h ip link set vfp master br0
	h ip link set vfp up
	h ip link set "$name" netns "$G"
}

agent_start() {
	ip netns exec "$G" "$fo" run --socket "$sock" --state-dir "$work/state" >>"$work/agent.log" 2>&1 &
	agent_pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.05; done
	return 1
}
agent_stop() { kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=; }
fo() { g "$fo" --socket "$sock" "$@"; }
field() { fo list --json | jq -r ".[] | select(.synthetic == \"syn0\") | .$1"; }

# wait_for CMD...: until it succeeds (the agent reacts to events, not at once)
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1; }
vf_up() { g ip -j link show vf0 | jq -e '.[0].flags | index("UP")' >/dev/null; }
vf_down() { ! vf_up; }
path_is() { [ "$(field path)" = "$1" ]; }
state_is() { [ "$(field state)" = "$1" ]; }

# Packets the guest sent on each path, counted by the host-side ends.
rx() { h cat /sys/class/net/$1/statistics/rx_packets 2>/dev/null || echo 0; }

flow_start() { rm -f "$work/stop"; ip netns exec "$P" $flow send 10.77.0.1 7777 "${1:-2}" "$work/stop" >"$work/flow.out" & flow_pid=$!; sleep 0.5; }
flow_stop() { touch "$work/stop"; wait "$flow_pid"; cat "$work/flow.out"; }
lost() { awk '{print $6}' "$work/flow.out"; }

not() { ! "$@"; }
check() { # check WHAT CMD...
	local what=$1
	shift
	if "$@"; then return 0; fi
	echo "   FAIL: $what"
	return 1
}

