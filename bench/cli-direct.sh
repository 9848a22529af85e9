#!/usr/bin/env bash
# One direct (macvtap) port-create --prepare per CLI process, as a VM
# manager calls it, against `ip link add ... type macvtap` doing the same
# kernel work, interleaved port by port in one run. Not a test: it asserts
# nothing. Root; a throwaway network namespace.
#   bench/cli-direct.sh [N]          N ports per mode (default 200)
#   VPORT=path  VPORTD=path          default build/src/vport/vport, build/src/vportd/vportd
# Three modes, each against its own interleaved `ip` figures:
#   alone     no other process has the state file open (each CLI process is
#             the first connection: SQLite rebuilds the log's index, -shm)
#   vportd-up the same CLI command while vportd runs on the same state file
#             (its open connection keeps the log's index for everybody)
#   connect   `vport --connect` (the request done by vportd)
# What is timed is the one process of each (fork, exec, its work, exit):
# the MAC is computed before the clock starts, and the clock is read
# without a subshell (${EPOCHREALTIME}).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${1:-200}
VPORT=${VPORT:-$top/build/src/vport/vport}
VPORTD=${VPORTD:-$top/build/src/vportd/vportd}
NS=vpclid$$
ST=$(mktemp -d /tmp/vport-clid-XXXXXX)
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf "$ST"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "cli-direct.sh: needs root"; exit 1; }
[ -x "$VPORT" ] || { echo "cli-direct.sh: $VPORT missing (ninja -C build)"; exit 1; }

ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add eth0 type veth peer name peer0
ip -n $NS link set eth0 up
echo "<network><name>vepa</name><forward mode='vepa'><interface dev='eth0'/></forward></network>" >"$ST/net.xml"
export VPORT_STATE_DIR=$ST/state
ip netns exec $NS "$VPORT" net-define "$ST/net.xml" >/dev/null
ip netns exec $NS "$VPORT" net-start vepa >/dev/null

echo "== cli-direct.sh: $N ports per mode; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_mode() { # run_mode NAME [CLI-OPTION]: N ports interleaved with ip; prints the medians and ratio
	local name=$1 opt=${2:-}
	ip netns exec $NS env VPORT="$VPORT" N="$N" NAME="$name" OPT="$opt" T="$ST" bash -s <<'EOF'
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for ((i = 0; i < N; i++)); do
	m=$(printf '52:%02x:00:%02x:%02x:%02x' 9 $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))
	t0=${EPOCHREALTIME/./}
	ip link add link eth0 name ipmvt address "$m" type macvtap mode vepa
	echo $((${EPOCHREALTIME/./} - t0)) >>"$T/ip-$NAME"
	ip link del ipmvt
	m=$(printf '52:%02x:%02x:%02x:%02x:%02x' 10 ${#NAME} $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))
	t0=${EPOCHREALTIME/./}
	# shellcheck disable=SC2086 # OPT is empty or one word
	"$VPORT" $OPT port-create vepa --mac "$m" --owner "$NAME$((i / 4))" --prepare >/dev/null || { echo "port $i failed"; exit 1; }
	echo $((${EPOCHREALTIME/./} - t0)) >>"$T/vport-$NAME"
done
v=$(med <"$T/vport-$NAME") p=$(med <"$T/ip-$NAME")
printf '%-10s vport %5d us   ip %5d us   vport/ip %.2fx\n' "$NAME" "$v" "$p" "$(awk -v a="$v" -v b="$p" 'BEGIN{print a/b}')"
EOF
}
run_mode alone
if [ -x "$VPORTD" ]; then
	ip netns exec $NS "$VPORTD" --socket "$ST/sock" >/dev/null 2>&1 &
	DPID=$!
	for _ in $(seq 100); do [ -S "$ST/sock" ] && break; sleep 0.05; done
	run_mode vportd-up
	run_mode connect "--connect=$ST/sock"
else
	echo "vportd not built: the vportd-up and connect modes are left out"
fi
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
