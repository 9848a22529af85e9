#!/usr/bin/env bash
# One direct (macvtap) port-create --prepare per CLI process, as a VM
# manager calls it, against `ip link add ... type macvtap` doing the same
# kernel work, interleaved port by port in one run. Not a test: it asserts
# nothing. Root; a throwaway network namespace.
#   bench/cli-direct.sh [N]          N ports per mode (default 200)
#   VPORT=path  VPORTD=path          default build/src/vport/vport, build/src/vportd/vportd
#   VPORT_BASE=path [VPORTD_BASE=path]  another build, timed in the same
#                                    loop (its own state directory), e.g. an
#                                    older commit's, for a before/after ratio
# Three modes, each against its own interleaved `ip` figures:
#   alone     no other process has the state file open (each CLI process is
#             the first connection: SQLite rebuilds the log's index, -shm)
#   vportd-up the same CLI command while vportd runs on the same state file
#             (its open connection keeps the log's index for everybody)
#   connect   `vport --connect` (the request done by vportd)
# Two `ip` references: `ip link add ... address M type macvtap` (one
# process; the kernel does not check the MAC against the lower device's
# macvlans there), and "ip add+set": the kernel requests a direct prepare
# makes, a macvtap made with another MAC and then `ip link set address M`
# (RTM_SETLINK, where the kernel refuses a MAC already in use: two
# processes, as `ip` needs two for a bridge port's tap and master).
# What is timed is the one process of each (fork, exec, its work, exit):
# the MAC is computed before the clock starts, and the clock is read
# without a subshell (${EPOCHREALTIME}).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${1:-200}
VPORT=${VPORT:-$top/build/src/vport/vport}
VPORTD=${VPORTD:-$top/build/src/vportd/vportd}
VPORT_BASE=${VPORT_BASE:-}
VPORTD_BASE=${VPORTD_BASE:-$(dirname "${VPORT_BASE:-/nonexistent/x}")/../vportd/vportd}
NS=vpclid$$
ST=$(mktemp -d /tmp/vport-clid-XXXXXX)
DPIDS=()
cleanup() {
	for p in "${DPIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	ip netns del $NS 2>/dev/null
	rm -rf "$ST"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "cli-direct.sh: needs root"; exit 1; }
[ -x "$VPORT" ] || { echo "cli-direct.sh: $VPORT missing (ninja -C build)"; exit 1; }
[ -z "$VPORT_BASE" ] || [ -x "$VPORT_BASE" ] || { echo "cli-direct.sh: VPORT_BASE $VPORT_BASE missing"; exit 1; }

ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add eth0 type veth peer name peer0
ip -n $NS link set eth0 up
echo "<network><name>vepa</name><forward mode='vepa'><interface dev='eth0'/></forward></network>" >"$ST/net.xml"
define() { # define BINARY STATEDIR
	VPORT_STATE_DIR=$2 ip netns exec $NS "$1" net-define "$ST/net.xml" >/dev/null &&
		VPORT_STATE_DIR=$2 ip netns exec $NS "$1" net-start vepa >/dev/null
}
define "$VPORT" "$ST/state" || exit 1
[ -z "$VPORT_BASE" ] || define "$VPORT_BASE" "$ST/base-state" || exit 1

echo "== cli-direct.sh: $N ports per mode; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$VPORT_BASE" ] || echo "   base: $VPORT_BASE"
run_mode() { # run_mode NAME [CLI-OPTION [BASE-CLI-OPTION]]: N ports interleaved with ip; prints the medians and ratios
	local name=$1 opt=${2:-} bopt=${3:-}
	ip netns exec $NS env VPORT="$VPORT" VPORT_BASE="$VPORT_BASE" N="$N" NAME="$name" OPT="$opt" BOPT="$bopt" \
		T="$ST" bash -s <<'EOF2'
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mac() { printf '52:%02x:%02x:%02x:%02x:%02x' "$1" ${#NAME} $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)); }
one() { # one vport|base: one port-create --prepare, timed into $T/WHICH-$NAME
	local bin=$VPORT dir=$T/state opt=$OPT m
	if [ "$1" = base ]; then
		[ -n "$VPORT_BASE" ] || return 0
		bin=$VPORT_BASE dir=$T/base-state opt=$BOPT
	fi
	m=$(mac $((${#1} + 6)))
	t0=${EPOCHREALTIME/./}
	# shellcheck disable=SC2086 # opt is empty or one word
	VPORT_STATE_DIR=$dir "$bin" $opt port-create vepa --mac "$m" --owner "$NAME$((i / 4))" --prepare >/dev/null ||
		{ echo "$1 port $i failed"; exit 1; }
	echo $((${EPOCHREALTIME/./} - t0)) >>"$T/$1-$NAME"
}
for ((i = 0; i < N; i++)); do
	m=$(mac 9)
	t0=${EPOCHREALTIME/./}
	ip link add link eth0 name ipmvt address "$m" type macvtap mode vepa
	echo $((${EPOCHREALTIME/./} - t0)) >>"$T/ip-$NAME"
	ip link del ipmvt
	m=$(mac 8) s=$(mac 6)
	t0=${EPOCHREALTIME/./}
	ip link add link eth0 name ipmvt address "$s" type macvtap mode vepa
	ip link set dev ipmvt address "$m"
	echo $((${EPOCHREALTIME/./} - t0)) >>"$T/ip2-$NAME"
	ip link del ipmvt
	# vport and the base build alternate which goes first: what runs right
	# after an `ip link del` waits for its RCU work more often.
	if ((i % 2)) && [ -n "$VPORT_BASE" ]; then one base; one vport; else one vport; one base; fi
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}'; }
v=$(med <"$T/vport-$NAME") p=$(med <"$T/ip-$NAME") p2=$(med <"$T/ip2-$NAME")
printf '%-10s vport %5d us   ip %5d us   vport/ip %s   ip add+set %5d us   vport/(add+set) %s\n' \
	"$NAME" "$v" "$p" "$(ratio "$v" "$p")" "$p2" "$(ratio "$v" "$p2")"
if [ -n "$VPORT_BASE" ]; then
	b=$(med <"$T/base-$NAME")
	printf '%-10s base  %5d us   base/ip %s   base/(add+set) %s   vport/base %s\n' \
		"" "$b" "$(ratio "$b" "$p")" "$(ratio "$b" "$p2")" "$(ratio "$v" "$b")"
fi
EOF2
}
start_vportd() { # start_vportd BINARY STATEDIR SOCKET
	VPORT_STATE_DIR=$2 ip netns exec $NS "$1" --socket "$3" >/dev/null 2>&1 &
	DPIDS+=($!)
	for _ in $(seq 100); do [ -S "$3" ] && return 0; sleep 0.05; done
	echo "cli-direct.sh: $1 did not make $3"
	return 1
}
run_mode alone
if [ -x "$VPORTD" ] && { [ -z "$VPORT_BASE" ] || [ -x "$VPORTD_BASE" ]; }; then
	start_vportd "$VPORTD" "$ST/state" "$ST/sock" || exit 1
	[ -z "$VPORT_BASE" ] || start_vportd "$VPORTD_BASE" "$ST/base-state" "$ST/base-sock" || exit 1
	run_mode vportd-up
	run_mode connect "--connect=$ST/sock" "--connect=$ST/base-sock"
else
	echo "vportd not built (or VPORTD_BASE missing): the vportd-up and connect modes are left out"
fi
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
