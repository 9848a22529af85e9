#!/bin/bash
# list-bench.sh [NPORTS [ROUNDS]] (root): list-bench in a network namespace
# of its own with the bridge lbbr0, then the CLI's port-list (text and
# --json) over the same state, median of 11, interleaved. With
# VPORT_BASE_BUILD=DIR (a build of an earlier commit, e.g. a git worktree's
# build/) that build's CLI runs interleaved with this one over the same
# state and the ratios are printed. Asserts nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VPORT_BUILD_DIR:-$top/build}
base=${VPORT_BASE_BUILD:-}
n=${1:-4096} rounds=${2:-15} runs=11
ninja -C "$build" bench/list-bench src/vport/vport >/dev/null
ns=vport-lb-$$ dir=$(mktemp -d /tmp/vport-lb.XXXXXX)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$dir"' EXIT
ip netns add "$ns"
ip -n "$ns" link add lbbr0 type bridge
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
ip netns exec "$ns" "$build/bench/list-bench" "$dir" "$n" "$rounds"

builds=("$build") names=(this)
[ -n "$base" ] && builds+=("$base") names+=(base)
declare -A ms
one() { # BUILD ARGS...: the ms of one port-list
	local b=$1 s e
	shift
	s=$(date +%s%N)
	ip netns exec "$ns" "$b/src/vport/vport" --state-dir "$dir" "$@" port-list >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000))
}
for r in $(seq "$runs"); do
	for k in "${!builds[@]}"; do # who goes first alternates
		i=$(((k + r) % ${#builds[@]}))
		ms[${names[$i]} text]+="$(one "${builds[$i]}") "
		ms[${names[$i]} json]+="$(one "${builds[$i]}" --json) "
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | sed -n "$((runs / 2 + 1))p"; }
for name in "${names[@]}"; do
	printf '  CLI (%s): port-list %.1f ms; port-list --json %.1f ms (median of %d)\n' "$name" \
		"$(median "${ms[$name text]}")e-3" "$(median "${ms[$name json]}")e-3" "$runs"
done
if [ -n "$base" ]; then
	for m in text json; do
		awk -v a="$(median "${ms[base $m]}")" -v b="$(median "${ms[this $m]}")" -v m="$m" \
			'BEGIN { printf "  ratio base/this, %s: %.1fx\n", m, a / b }'
	done
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
