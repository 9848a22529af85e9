#!/usr/bin/env bash
# vport-failover's loss windows (not a test: it asserts nothing). Run as root:
#   bench/failover-bench.sh [BUILDDIR [ROUNDS [INTERVAL_MS]]]
# Each round: the tests/failover topology, a UDP echo flow from the peer to
# the guest every INTERVAL_MS (default 1), the VF joined; then either a
# planned removal (detach, then delete the VF) or an unplanned one (delete
# the VF under the agent). Reports lost answers and the longest gap between
# two answers (the loss window), median and max over ROUNDS (default 10).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
rounds=${2:-10}
interval=${3:-1}
fo=$build/src/failover/vport-failover
flow="/usr/bin/python3 $top/tests/failover/flow.py"
. "$top/tests/failover/lib.sh"

one_round() { # one_round planned|unplanned
	setup >/dev/null 2>&1 || return 1
	agent_start
	fo add syn0 >/dev/null
	plug_vf
	wait_for path_is vf
	flow_start "$interval" >/dev/null
	sleep 0.3
	[ "$1" = planned ] && fo detach syn0 >/dev/null
	g ip link del vf0
	sleep 0.5
	flow_stop >/dev/null
	awk '{print $6, $8}' "$work/flow.out"
	agent_stop
}

stats() { # stats LABEL < "lost gap" lines
	local label=$1 lines
	lines=$(cat)
	local n lm lx gm gx
	n=$(wc -l <<<"$lines")
	lm=$(cut -d' ' -f1 <<<"$lines" | sort -n | sed -n "$(((n + 1) / 2))p")
	lx=$(cut -d' ' -f1 <<<"$lines" | sort -n | tail -1)
	gm=$(cut -d' ' -f2 <<<"$lines" | sort -g | sed -n "$(((n + 1) / 2))p")
	gx=$(cut -d' ' -f2 <<<"$lines" | sort -g | tail -1)
	printf "%-10s rounds %d  lost answers: median %s max %s (one every %s ms)  longest gap: median %s ms, max %s ms\n" \
		"$label" "$n" "$lm" "$lx" "$interval" "$gm" "$gx"
}

for kind in planned unplanned; do
	for _ in $(seq "$rounds"); do one_round $kind; done | stats $kind
done
