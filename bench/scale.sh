#!/usr/bin/env bash
# A big host, with the CLI as a VM manager calls it (one process per port),
# in throwaway network namespaces. Not a test: it asserts nothing. Root.
#   bench/scale.sh [NPORTS [NFOREIGN]]   default 4096 macvtaps and 4092 bridge ports (a bridge
#                                        holds 1023), 3000 foreign taps
#   VPORT=path/to/vport                  default build/src/vport/vport
# 1. netlink cost of one prepare on a host with NFOREIGN foreign taps:
#    recvmsg calls, RTM_GETLINK dumps and fsync/fdatasync calls (strace) of
#    one bridge and one direct port-create --prepare; recvmsg calls and
#    dumps of port-delete --owner and net-destroy --force (4 bridge ports each);
#    then the same of a direct prepare with NFOREIGN up macvtaps on its lower
#    device, made and refused (the MAC held).
# 2. NPORTS bridge ports over four bridges (br0..br3; at most 4 x 1023)
#    and NPORTS macvtaps on one lower device (eth0): create+prepare time of the first and the
#    last 100 of each, against `ip` doing the same kernel work interleaved
#    port by port in the same windows; port-list (text, JSON) at the end; reconcile with
#    nothing to do; teardown of one owner (4 ports) and of a network (net-
#    destroy --force); the state file's size.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${1:-4096}
NFOREIGN=${2:-3000}
VPORT=${VPORT:-$top/build/src/vport/vport}
NS=vpscale$$
NSF=vpscalef$$
STATE=$(mktemp -d /tmp/vport-scale-XXXXXX)
STATEF=$(mktemp -d /tmp/vport-scalef-XXXXXX)
trap 'ip netns del $NS 2>/dev/null; ip netns del $NSF 2>/dev/null; rm -rf "$STATE" "$STATEF"' EXIT

[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root"; exit 1; }
[ -x "$VPORT" ] || { echo "scale.sh: $VPORT missing (ninja -C build)"; exit 1; }

in_ns() { ip netns exec "$1" "${@:2}"; }
mac_of() { printf '52:%02x:00:%02x:%02x:%02x' "$1" $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255)); }

# median and mean of the microsecond figures on stdin, in ms
stats() { sort -n | awk '{a[NR]=$1; s+=$1} END {printf "median %.2f ms, mean %.2f ms", a[int((NR+1)/2)]/1000, s/NR/1000}'; }
median_us() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

setup_host() { # setup_host NS STATEDIR: eth0 (veth) and br0..br3, networks on them
	local ns=$1 st=$2 f i
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name peer0
	ip -n "$ns" link set eth0 up
	for i in 0 1 2 3; do
		ip -n "$ns" link add br$i type bridge
		ip -n "$ns" link set br$i up
	done
	f=$(mktemp)
	for i in 0 1 2 3; do
		echo "<network><name>brnet$i</name><forward mode='bridge'/><bridge name='br$i'/></network>" >"$f"
		VPORT_STATE_DIR=$st in_ns "$ns" "$VPORT" net-define "$f" >/dev/null
		VPORT_STATE_DIR=$st in_ns "$ns" "$VPORT" net-start brnet$i >/dev/null
	done
	echo "<network><name>vepa</name><forward mode='vepa'><interface dev='eth0'/></forward></network>" >"$f"
	VPORT_STATE_DIR=$st in_ns "$ns" "$VPORT" net-define "$f" >/dev/null
	VPORT_STATE_DIR=$st in_ns "$ns" "$VPORT" net-start vepa >/dev/null
	rm -f "$f"
}

echo "== scale.sh: $((N > 4092 ? 4092 : N)) bridge ports + $N macvtaps, $NFOREIGN foreign taps; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. one prepare among NFOREIGN foreign taps ----
if [ "$NFOREIGN" -gt 0 ]; then
	setup_host "$NSF" "$STATEF"
	for ((i = 0; i < NFOREIGN; i++)); do echo "tuntap add dev ftap$i mode tap"; done | ip -n "$NSF" -batch -
	for kind in bridge direct; do
		net=brnet0
		[ $kind = direct ] && net=vepa
		out=$(mktemp)
		VPORT_STATE_DIR=$STATEF in_ns "$NSF" strace -f -qq -e trace=recvmsg,recvfrom,sendmsg,sendto,fsync,fdatasync -o "$out" \
			"$VPORT" port-create $net --mac "$(mac_of 1 $([ $kind = direct ] && echo 1 || echo 2))" --owner f --prepare >/dev/null
		recv=$(grep -cE '^[0-9]+ +recv(msg|from)\(' "$out")
		dumps=$(grep -E '^[0-9]+ +send(msg|to)\(' "$out" | grep 'RTM_GETLINK.*NLM_F_DUMP')
		echo "$kind port-create --prepare among $NFOREIGN foreign taps: $recv recvmsg," \
			"$(grep -c . <<<"$dumps") RTM_GETLINK dumps ($(grep -c INFO_KIND <<<"$dumps") of them filtered by kind)," \
			"$(grep -cE '^[0-9]+ +f(data)?sync\(' "$out") fsync/fdatasync"
		rm -f "$out"
	done
	# the batched deletes among the same foreign taps: 4 bridge ports of one owner, then a network's 4
	for i in 1 2 3 4; do
		VPORT_STATE_DIR=$STATEF in_ns "$NSF" "$VPORT" port-create brnet0 --owner fd --prepare >/dev/null
		VPORT_STATE_DIR=$STATEF in_ns "$NSF" "$VPORT" port-create brnet1 --owner fn$i --prepare >/dev/null
	done
	for what in "port-delete --owner fd" "net-destroy --force brnet1"; do
		out=$(mktemp)
		# shellcheck disable=SC2086 # what is split on purpose
		VPORT_STATE_DIR=$STATEF in_ns "$NSF" strace -f -qq -e trace=recvmsg,recvfrom,sendmsg,sendto -o "$out" \
			"$VPORT" $what >/dev/null
		echo "$what (4 bridge ports) among $NFOREIGN foreign taps: $(grep -cE '^[0-9]+ +recv(msg|from)\(' "$out") recvmsg," \
			"$(grep -E '^[0-9]+ +send(msg|to)\(' "$out" | grep -c 'RTM_GETLINK.*NLM_F_DUMP') RTM_GETLINK dumps"
		rm -f "$out"
	done
	# a direct prepare with NFOREIGN up macvtaps on its lower device (each on
	# eth0's unicast list), then one refused for a MAC one of them holds
	for ((i = 0; i < NFOREIGN; i++)); do
		echo "link add link eth0 name fmvt$i address $(mac_of 7 $i) type macvtap mode bridge"
		echo "link set fmvt$i up"
	done | ip -n "$NSF" -batch -
	for mac in "$(mac_of 1 3)" "$(mac_of 7 0)"; do
		out=$(mktemp)
		VPORT_STATE_DIR=$STATEF in_ns "$NSF" strace -f -qq -e trace=recvmsg,recvfrom,sendmsg,sendto -o "$out" \
			"$VPORT" port-create vepa --mac "$mac" --owner fm --prepare >/dev/null 2>&1
		echo "direct port-create --prepare ($([ "$mac" = "$(mac_of 1 3)" ] && echo made || echo "refused: MAC held")) with $NFOREIGN up macvtaps on eth0:" \
			"$(grep -cE '^[0-9]+ +recv(msg|from)\(' "$out") recvmsg," \
			"$(grep -E '^[0-9]+ +send(msg|to)\(' "$out" | grep -c 'RTM_GETNEIGH') RTM_GETNEIGH dumps," \
			"$(grep -E '^[0-9]+ +send(msg|to)\(' "$out" | grep -c 'RTM_GETLINK.*NLM_F_DUMP') RTM_GETLINK dumps"
		rm -f "$out"
	done
	ip netns del "$NSF"
fi

# ---- 2. the scale run ----
setup_host "$NS" "$STATE"
vp() { VPORT_STATE_DIR=$STATE in_ns "$NS" "$VPORT" "$@"; }
# One namespace entry for the whole loop: what is timed is the CLI process.
NB=$((N > 4092 ? 4092 : N))
export VPORT STATE N NB
in_ns "$NS" bash -s <<'EOF'
set -uo pipefail
mac_of() { printf '52:%02x:00:%02x:%02x:%02x' "$1" $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255)); }
stats() { sort -n | awk '{a[NR]=$1; s+=$1} END {printf "median %.2f ms, mean %.2f ms", a[int((NR+1)/2)]/1000, s/NR/1000}'; }
export VPORT_STATE_DIR=$STATE
T=/tmp/vport-scale-times.$$
mkdir -p $T

# The baseline: ip(8) doing the same kernel work at the same moment, in
# the same windows (the first and the last 100 ports), interleaved port by
# port: ip makes its device right before vport makes the port, on the same
# bridge (same port count: the kernel walks a bridge's ports at every
# add) or lower device, untimed deletes it, then vport runs. Load from
# elsewhere hits both alike, so ratios of one run mean something on a
# shared machine, which figures of separate rounds do not. "Growth beyond
# ip's" is (vport/ip last) / (vport/ip first): what vport adds to the
# kernel's own growth, with the load's swings cancelled. What is timed is
# the process alone: the MAC is computed before the clock starts and the
# clock is read without a subshell (until 2026-11-26 both were inside the
# timed span, ~0.6 ms more on both sides, which put the ratios nearer 1).
ip_bridge() { # ip_bridge I BRIDGE: a persistent tap with vnet header, a MAC, on the bridge
	local m t0
	m=$(mac_of 9 "$1")
	m=fe:${m:3}
	t0=${EPOCHREALTIME/./}
	ip tuntap add dev iptap mode tap vnet_hdr && ip link set iptap address "$m" master "$2"
	echo $((${EPOCHREALTIME/./} - t0))
	ip link del iptap
}
ip_direct() { # ip_direct I: a macvtap in vepa mode with a MAC on eth0
	local m t0
	m=$(mac_of 10 "$1")
	t0=${EPOCHREALTIME/./}
	ip link add link eth0 name ipmvt address "$m" type macvtap mode vepa
	echo $((${EPOCHREALTIME/./} - t0))
	ip link del ipmvt
}
window() { # window I COUNT: the window (first or last 100) port I falls in, or nothing
	if (($1 < 100)); then echo first; elif (($1 >= $2 - 100)); then echo last; fi
}

t_all=${EPOCHREALTIME/./}
for ((i = 0; i < NB; i++)); do
	w=$(window $i $NB)
	[ -n "$w" ] && ip_bridge $i br$((i % 4)) >>$T/ip-bridge-$w
	m=$(mac_of 1 $i)
	t0=${EPOCHREALTIME/./}
	"$VPORT" port-create brnet$((i % 4)) --mac "$m" --owner vm$((i / 4)) --prepare >/dev/null || { echo "bridge port $i failed"; exit 1; }
	[ -n "$w" ] && echo $((${EPOCHREALTIME/./} - t0)) >>$T/bridge-$w
done
echo "bridge: $NB ports in $(((${EPOCHREALTIME/./} - t_all) / 1000)) ms"
t_all=${EPOCHREALTIME/./}
for ((i = 0; i < N; i++)); do
	w=$(window $i $N)
	[ -n "$w" ] && ip_direct $i >>$T/ip-direct-$w
	m=$(mac_of 2 $i)
	t0=${EPOCHREALTIME/./}
	"$VPORT" port-create vepa --mac "$m" --owner mvm$((i / 4)) --prepare >/dev/null || { echo "direct port $i failed"; exit 1; }
	[ -n "$w" ] && echo $((${EPOCHREALTIME/./} - t0)) >>$T/direct-$w
done
echo "direct: $N ports in $(((${EPOCHREALTIME/./} - t_all) / 1000)) ms"

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for k in bridge direct; do
	echo "$k create+prepare, first 100: $(stats <$T/$k-first)"
	echo "$k create+prepare, last 100:  $(stats <$T/$k-last)"
	echo "ip $k same kernel work, first 100: $(stats <$T/ip-$k-first)"
	echo "ip $k same kernel work, last 100:  $(stats <$T/ip-$k-last)"
	vf=$(med <$T/$k-first) vl=$(med <$T/$k-last) if_=$(med <$T/ip-$k-first) il=$(med <$T/ip-$k-last)
	echo "$k ratios (medians): vport last/first $(awk -v a=$vl -v b=$vf 'BEGIN{printf "%.2f", a/b}')x," \
		"ip last/first $(awk -v a=$il -v b=$if_ 'BEGIN{printf "%.2f", a/b}')x," \
		"vport/ip first $(awk -v a=$vf -v b=$if_ 'BEGIN{printf "%.2f", a/b}')x, last $(awk -v a=$vl -v b=$il 'BEGIN{printf "%.2f", a/b}')x," \
		"vport's growth beyond ip's $(awk -v a=$vl -v b=$il -v c=$vf -v d=$if_ 'BEGIN{printf "%.2f", (a/b)/(c/d)}')x"
done
for what in "port-list" "--json port-list" "reconcile"; do
	for r in 1 2 3 4 5 6 7 8 9 10 11; do
		t0=${EPOCHREALTIME/./}
		"$VPORT" $what >/dev/null
		echo $((${EPOCHREALTIME/./} - t0))
	done >$T/x
	echo "$what at $((NB + N)) ports: $(stats <$T/x)"
done
echo "state file: $(stat -c %s "$STATE/vport.db") bytes ($(du -k "$STATE" | cut -f1) KiB in $STATE with WAL and last-good)"
for o in 0 1 2 3 4; do
	t0=${EPOCHREALTIME/./}
	"$VPORT" port-delete --owner vm$o >/dev/null
	echo $((${EPOCHREALTIME/./} - t0))
done >$T/x
echo "port-delete --owner (4 bridge ports): $(stats <$T/x)"
t0=${EPOCHREALTIME/./}
"$VPORT" net-destroy brnet0 --force >/dev/null
echo "net-destroy brnet0 --force ($((NB / 4 - 5)) ports): $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
t0=${EPOCHREALTIME/./}
"$VPORT" net-destroy vepa --force >/dev/null
echo "net-destroy vepa --force ($N macvtaps): $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
rm -rf $T
EOF
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
