#!/usr/bin/env bash
# Where the kernel's own cost of making a macvtap grows with the number of
# macvtaps already on its lower device: `ip link add ... type macvtap`
# alone (no vport), the first and the last 100 of NPORTS on one lower
# device timed, the next 100 after each under `perf record -g`, and the
# kernel functions whose self time grows, in microseconds per `ip link add`
# (under perf, which slows each a little). Not a
# test: it asserts nothing. Root, perf; a throwaway network namespace.
#   bench/macvtap-growth.sh [NPORTS]      default 4096
# Run it on a host with no other macvtaps: the glue directory walk in
# get_device_parent() counts the char devices of every namespace.
set -uo pipefail
N=${1:-4096}
NS=vpgrow$$
W=100
OUT=$(mktemp -d /tmp/vport-growth-XXXXXX)
trap 'ip netns del $NS 2>/dev/null; rm -rf "$OUT"' EXIT
[ "$(id -u)" = 0 ] || { echo "macvtap-growth.sh: needs root"; exit 1; }
command -v perf >/dev/null || { echo "macvtap-growth.sh: needs perf (linux-perf)"; exit 1; }
((N > 2 * W)) || { echo "macvtap-growth.sh: NPORTS must be over $((2 * W))"; exit 1; }

ip netns add $NS
ip -n $NS link add eth0 type veth peer name peer0
ip -n $NS link set eth0 up
echo "== macvtap-growth.sh: $N macvtaps on one lower device; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
	"macvtaps on the host before: $(find /sys/class/macvtap -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"

# make FROM TO: ip link add of macvtaps FROM..TO-1, each timed (µs) into $OUT/t-FROM
make() {
	for ((i = $1; i < $2; i++)); do
		m=$(printf '52:54:01:%02x:%02x:%02x' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))
		t0=${EPOCHREALTIME/./}
		ip -n "$NS" link add link eth0 name "mvt$i" address "$m" type macvtap mode vepa || exit 1
		echo $((${EPOCHREALTIME/./} - t0)) >>"$OUT/t-$1"
	done
}
export -f make
export NS OUT
window() { # window FROM: W macvtaps under perf, 20 kHz
	perf record -q -g -F 20000 -o "$OUT/$1.data" -- bash -c "make $1 $(($1 + W))" 2>/dev/null
}
make 0 $W
window $W
make $((2 * W)) $((N - 2 * W))
make $((N - 2 * W)) $((N - W))
window $((N - W))

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
first=$(median <"$OUT/t-0") last=$(median <"$OUT/t-$((N - 2 * W))")
printf 'ip link add, median of the first and the last %d timed: %d us, %d us: last/first %.2fx\n' "$W" "$first" "$last" \
	"$(awk -v a="$last" -v b="$first" 'BEGIN{print a/b}')"

# Self time of each kernel function in µs per `ip link add`: samples x 50 µs / W.
self_us() { # self_us FILE: "symbol us" lines
	perf report -i "$1" --comm ip --no-children --sort sym -q -g none -F overhead,sample,sym 2>/dev/null |
		awk -v w=$W '$3 == "[k]" {print $4, $2 * 50 / w}'
}
self_us "$OUT/$W.data" | LC_ALL=C sort >"$OUT/first.txt"
self_us "$OUT/$((N - W)).data" | LC_ALL=C sort >"$OUT/last.txt"
echo "kernel functions whose self time grew most (us per ip link add; first -> last):"
LC_ALL=C join -a 2 -e 0 -o 0,1.2,2.2 "$OUT/first.txt" "$OUT/last.txt" |
	awk '{printf "  %-36s %7.1f -> %7.1f us  (+%.1f)\n", $1, $2, $3, $3 - $2}' | sort -t+ -k2 -rn | head -6
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
