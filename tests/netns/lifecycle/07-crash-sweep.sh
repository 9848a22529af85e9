# The crash sweep: for each plug type, end the CLI after every change point
# of prepare, activate and delete in turn (VPORT_FAULT=change:K=crash-after:
# every kernel call that changes something and every store commit, counted
# in order), for K = 1, 2, ... until the step completes without reaching K.
# New kernel calls or commits are covered without touching this file.
# After each kill, `vport reconcile` must leave a port the store and the
# kernel agree on (see after_kill), and a delete then leaves the kernel
# exactly as it was before the port existed and no port holding the pool.
#
# Compared: `ip -j -d link` and `bridge -j fdb show` of the host, whole,
# with two kinds of field removed because they change on their own:
#   - operstate: the kernel's linkwatch sets it asynchronously (up to a
#     second after a device comes back up); the UP and LOWER_UP flags,
#     which are compared, say the same synchronously;
#   - qdisc: the kernel attaches a device's default qdisc the first time it
#     goes up ("noop" before) and keeps it when it goes down again; vport
#     never touches traffic control;
#   - every *_timer field (bridge and bridge-port STP and GC timers): they
#     count down by themselves;
#   - FDB entries br0 learned on eth2, its port to the wire: frames the
#     wire namespace's own bridge sends come and go whatever vport does
#     (vport's ports are never behind eth2).

# The host's kernel state, normalised as said above.
kernel_state() {
	{
		links "$1" | jq -S 'del(.[].operstate, .[].qdisc) | walk(if type == "object" then with_entries(select(.key | endswith("_timer") | not)) else . end)'
		bridge -n "$(ns "$1")" -j fdb show |
			jq -S 'map(select(.ifname != "eth2" or .state != "")) | sort_by(.ifname, .mac, (.vlan // 0))'
	} | jq -cS -s .
}

expect_kernel() { # expect_kernel HOST WHAT EXPECTED
	local now
	now=$(kernel_state "$1")
	if [ "$now" != "$3" ]; then
		diff <(echo "$3" | jq .) <(echo "$now" | jq .) | head -40 >&2
		fail "$2"
	fi
}

states() { vpj "$1" port-list | jq -r '[.[].state] | join(",")'; }

# after_kill HOST PHASE WHAT BASE PREPARED TARGET...: what `vport
# reconcile` (and the step a VM manager runs next) must make of a step
# killed half-way; TARGET is the port's uuid or --owner vm1.
#   prepare: the port is "allocated" and nothing of it is in the kernel, or
#            the kill came after the last commit and it is "prepared";
#   activate: the port may be either; port-deactivate then leaves the
#            kernel exactly as right after prepare (no device up, no FDB
#            entry: the guest MAC is off the wire); so does activating
#            again and deactivating;
#   delete: reconcile finishes it: no port, the kernel as before.
after_kill() {
	local h=$1 phase=$2 what=$3 base=$4 prepared=$5 out
	shift 5
	out=$(vp "$h" reconcile 2>&1) || fail "$what: reconcile: $out"
	case $phase in
	prepare)
		case $(states "$h") in
		allocated) expect_kernel "$h" "$what: an allocated port holds something in the kernel" "$base" ;;
		prepared) ;;
		*) fail "$what: after reconcile, ports are '$(states "$h")'" ;;
		esac ;;
	activate)
		out=$(vp "$h" port-deactivate "$@" 2>&1) || fail "$what: port-deactivate: $out"
		expect_kernel "$h" "$what: port-deactivate did not undo the activate" "$prepared"
		out=$(vp "$h" port-activate "$@" 2>&1) || fail "$what: activating again: $out"
		out=$(vp "$h" port-deactivate "$@" 2>&1) || fail "$what: port-deactivate: $out"
		expect_kernel "$h" "$what: activate + deactivate did not end as prepared" "$prepared" ;;
	delete)
		expect_eq "$what: ports left after reconcile" "$(states "$h")" "" ;;
	esac
	if [ -n "$(states "$h")" ]; then
		out=$(vp "$h" port-delete --owner vm1 2>&1) || fail "$what: port-delete: $out"
	fi
	expect_eq "$what: ports left" "$(vpj "$h" port-list | jq length)" 0
	expect_kernel "$h" "$what: the kernel is not as before the port existed" "$base"
}

# step HOST PHASE MAC NET TARGET...: run one lifecycle step (faults from
# the environment). prepare creates the port on NET.
step() {
	local h=$1 phase=$2 mac=$3 net=$4
	shift 4
	case $phase in
	prepare) vp "$h" port-create "$net" --mac "$mac" --owner vm1 --prepare ;;
	*) vp "$h" port-$phase "$@" ;;
	esac
}

# setup_for HOST PHASE MAC NET...: a fresh port on each NET, brought to
# where PHASE starts (nothing for prepare).
setup_for() {
	local h=$1 phase=$2 mac=$3 net i=0 u
	shift 3
	[ "$phase" = prepare ] && return 0
	for net in "$@"; do
		u=$(port_create "$h" "$net" "${mac%?}$i") || exit 1
		i=$((i + 1))
		if [ "$phase" = delete ]; then vp "$h" port-activate "$u" >/dev/null || fail "activate $net (setup)"; fi
	done
}

# sweep HOST MAC PHASES NET...: every change point of every phase; with
# more than one NET, activate and delete act on all ports (--owner).
sweep() {
	local h=$1 mac=$2 phases=$3 base prepared phase k rc total=0 target
	shift 3
	base=$(kernel_state "$h")
	for phase in $phases; do
		for ((k = 1; ; k++)); do
			setup_for "$h" $phase "$mac" "$@"
			target=$(vpj "$h" port-list | jq -r '.[0].uuid')
			[ $# -gt 1 ] && target="--owner vm1"
			prepared=$(kernel_state "$h")
			# shellcheck disable=SC2086 # target is one uuid or two words
			VPORT_FAULT=change:$k=crash-after step "$h" $phase "$mac" "$1" $target >/dev/null 2>&1
			rc=$?
			[ $rc = 0 ] && break
			[ $rc = 99 ] || fail "$* $phase, killed after change $k: exit $rc instead of the injected 99"
			# shellcheck disable=SC2086
			after_kill "$h" $phase "$* $phase, killed after change $k" "$base" "$prepared" $target
		done
		[ $k -gt 1 ] || fail "$* $phase: not a single change point was reached"
		total=$((total + k - 1))
		# The run that completed: delete what it left.
		[ -n "$(states "$h")" ] && { vp "$h" port-delete --owner vm1 >/dev/null || fail "$*: delete"; }
		expect_kernel "$h" "$* $phase, not killed: the kernel is not as before the port existed" "$base"
	done
	echo "    $*: $total kill points" >&2
}

sweep_on() { # sweep_on PHASES NET...
	"$VPORT" --help | grep -q VPORT_FAULT || skip "$VPORT is built without -Dfault_injection=true"
	topo A
	sweep A 52:54:00:ee:00:01 "$@"
}

test_crash_sweep_bridge() { sweep_on "prepare activate delete" br; }
test_crash_sweep_bridge_libvirt_fdb() { sweep_on "prepare activate delete" brlv; }
test_crash_sweep_vepa() { sweep_on "prepare activate delete" vepa; }
test_crash_sweep_macvtap_bridge() { sweep_on "prepare activate delete" bridgemode; }
test_crash_sweep_private() { sweep_on "prepare activate delete" private; }
test_crash_sweep_passthrough() { sweep_on "prepare activate delete" passthrough; }
# A VM's NICs together: one transaction for all activates, batched deletes
# (one group delete for the taps, one for the macvtaps).
test_crash_sweep_owner() { sweep_on "activate delete" brlv vepa br private; }

net_active() { vpj "$1" net-list | jq -r --arg n "$2" '.[] | select(.name == $n) | .active'; }

# repaired JSON NET: the kinds of reconcile's repairs of network NET.
repaired() { jq -c --arg n "$2" '[.repaired[] | select(.network == $n) | .kind]' <<<"$1"; }

# after_start_kill HOST NET WHAT BASE: reconcile alone settles a net-start
# killed at any point: the network is active (killed after its last
# commit: it takes a port) or the start is undone and listed; nothing
# drifted. Destroyed, the kernel is as before net-start.
after_start_kill() {
	local h=$1 n=$2 what=$3 base=$4 out u
	out=$(vpj "$h" reconcile 2>/dev/null) || fail "$what: reconcile: $(vp "$h" reconcile 2>&1)"
	expect_eq "$what: drift after reconcile" "$(jq -c .drift <<<"$out")" "[]"
	if [ "$(net_active "$h" "$n")" = true ]; then
		u=$(port_create "$h" "$n" 52:54:00:ee:00:0f) || exit 1
		out=$(vp "$h" port-delete "$u" 2>&1) || fail "$what: port-delete: $out"
		out=$(vp "$h" net-destroy "$n" 2>&1) || fail "$what: net-destroy: $out"
	else
		expect_eq "$what: reconcile's repairs" "$(repaired "$out" "$n")" '["undo-net-start"]'
	fi
	expect_eq "$what: ports left" "$(vpj "$h" port-list | jq length)" 0
	expect_kernel "$h" "$what: the kernel is not as before net-start" "$base"
}

# after_destroy_kill HOST NET WHAT BASE: reconcile alone finishes a
# net-destroy killed at any point (no second net-destroy): the network
# inactive, listed as repaired unless the kill came after the destroy's
# last commit; no port, nothing drifted, the kernel as before net-start.
# Started again, the network takes a port as a clean one does.
after_destroy_kill() {
	local h=$1 n=$2 what=$3 base=$4 was out u
	was=$(net_active "$h" "$n")
	out=$(vpj "$h" reconcile 2>/dev/null) || fail "$what: reconcile: $(vp "$h" reconcile 2>&1)"
	[ "$was" = true ] && expect_eq "$what: reconcile's repairs" "$(repaired "$out" "$n")" '["finish-net-destroy"]'
	expect_eq "$what: drift after reconcile" "$(jq -c .drift <<<"$out")" "[]"
	expect_eq "$what: network active after reconcile" "$(net_active "$h" "$n")" false
	expect_eq "$what: ports left" "$(vpj "$h" port-list | jq length)" 0
	expect_kernel "$h" "$what: the kernel is not as before net-start" "$base"
	out=$(vp "$h" net-start "$n" 2>&1) || fail "$what: net-start after reconcile: $out"
	u=$(port_create "$h" "$n" 52:54:00:ee:00:0f) || exit 1
	out=$(vp "$h" port-delete "$u" 2>&1) || fail "$what: port-delete: $out"
	out=$(vp "$h" net-destroy "$n" 2>&1) || fail "$what: net-destroy: $out"
}

# destroy_sweep HOST NET: net-destroy --force of NET with an active and a
# prepared port on it, killed after every change point, each kill
# reconciled. NET starts inactive. Prints the number of kill points.
destroy_sweep() {
	local h=$1 n=$2 base k rc u
	base=$(kernel_state "$h")
	for ((k = 1; ; k++)); do
		vp "$h" net-start "$n" >/dev/null || fail "$n: net-start (setup)"
		u=$(port_create "$h" "$n" 52:54:00:ee:00:09) || exit 1
		vp "$h" port-activate "$u" >/dev/null || fail "$n: activate (setup)"
		port_create "$h" "$n" 52:54:00:ee:00:0a >/dev/null || exit 1
		VPORT_FAULT=change:$k=crash-after vp "$h" net-destroy "$n" --force >/dev/null 2>&1
		rc=$?
		[ $rc = 0 ] && break
		[ $rc = 99 ] || fail "$n: net-destroy killed after change $k: exit $rc"
		after_destroy_kill "$h" "$n" "$n: net-destroy killed after change $k" "$base"
	done
	[ $k -gt 2 ] || fail "$n: net-destroy: no change point after its first commit was reached"
	expect_kernel "$h" "$n: net-destroy, not killed" "$base"
	echo $((k - 1))
}

# The bridge vport makes for an isolated network (with an address, so
# every kind of change net-start makes is a kill point), killed at start,
# and killed while destroying it with an active port on it.
test_crash_sweep_own_bridge() {
	local f base k rc total=0 points
	"$VPORT" --help | grep -q VPORT_FAULT || skip "$VPORT is built without -Dfault_injection=true"
	topo A
	f=$(mktemp)
	echo "<network><name>iso</name><bridge name='vbr7'/><mtu size='1400'/><ip address='192.168.177.1' prefix='24'/><dns enable='no'/></network>" >"$f"
	vp A net-define "$f" >/dev/null || fail "net-define"
	rm -f "$f"
	base=$(kernel_state A)
	for ((k = 1; ; k++)); do
		VPORT_FAULT=change:$k=crash-after vp A net-start iso >/dev/null 2>&1
		rc=$?
		[ $rc = 0 ] && break
		[ $rc = 99 ] || fail "net-start killed after change $k: exit $rc"
		after_start_kill A iso "net-start killed after change $k" "$base"
	done
	[ $k -gt 1 ] || fail "net-start: not a single change point was reached"
	total=$((k - 1))
	vp A net-destroy iso >/dev/null || fail "net-destroy"
	expect_kernel A "net-start, not killed" "$base"
	points=$(destroy_sweep A iso) || exit 1
	total=$((total + points))
	echo "    iso: $total kill points" >&2
}

# net-destroy of networks on devices vport does not make (a bridge-mode
# network's taps on br0, a vepa network's macvtaps on eth0): killed after
# every change point, reconcile alone finishes it. Its destroy entry once
# outlived reconcile here, leaving the network active and refusing ports.
test_crash_sweep_net_destroy() {
	local n points
	"$VPORT" --help | grep -q VPORT_FAULT || skip "$VPORT is built without -Dfault_injection=true"
	topo A
	for n in br vepa; do
		vp A net-destroy "$n" >/dev/null || fail "$n: net-destroy (setup)"
		points=$(destroy_sweep A "$n") || exit 1
		echo "    $n: $points kill points" >&2
	done
}
