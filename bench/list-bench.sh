#!/bin/bash
# list-bench.sh [NPORTS [ROUNDS]] (root): list-bench in a network namespace
# of its own with the bridge lbbr0, then the CLI's port-list (text and
# --json) over the same state, median of 5. Asserts nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VPORT_BUILD_DIR:-$top/build}
n=${1:-4096} rounds=${2:-15}
ninja -C "$build" bench/list-bench src/vport/vport >/dev/null
ns=vport-lb-$$ dir=$(mktemp -d /tmp/vport-lb.XXXXXX)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$dir"' EXIT
ip netns add "$ns"
ip -n "$ns" link add lbbr0 type bridge
ip netns exec "$ns" "$build/bench/list-bench" "$dir" "$n" "$rounds"
cli() {
        local t=() s e
        for _ in 1 2 3 4 5; do
                s=$(date +%s%N)
                ip netns exec "$ns" "$build/src/vport/vport" --state-dir "$dir" "$@" port-list >/dev/null
                e=$(date +%s%N)
                t+=($(((e - s) / 1000000)))
        done
        printf '%s\n' "${t[@]}" | sort -n | sed -n 3p
}
echo "  CLI port-list: $(cli) ms; port-list --json: $(cli --json) ms (median of 5)"
