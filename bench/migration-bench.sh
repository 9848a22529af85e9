#!/usr/bin/env bash
# A real live migration's packet loss (not a test: it asserts nothing), with
# vport's order (the destination port activated right before `cont`) and
# with the FDB entry added at create, as libvirt did before seed 002's change.
# Run as root, with no other QEMU running (TCG is CPU-bound):
#   bench/migration-bench.sh [ROUNDS [MODE...]]    default 3 rounds of bridge
# Each round is tests/migration/run; its RESULT lines are summed here.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
shift
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(bridge)
out=$(mktemp)
for _ in $(seq "$rounds"); do
	for fdb in 0 1; do
		MIG_FDB_AT_CREATE=$fdb "$top/tests/migration/run" "${modes[@]}" | grep '^RESULT' >>"$out"
	done
done
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       k = v["mode"] " fdb_at_create=" v["fdb_at_create"]
       n[k]++; sent[k] += v["sent"]; lost[k] += v["lost"]; down[k] += v["downtime_ms"]
       bs[k] += v["before_src"]; bd[k] += v["before_dst"]; if (v["rtt_max_ms"] > rtt[k]) rtt[k] = v["rtt_max_ms"]
       if (v["lost"] > max[k]) max[k] = v["lost"] }
     END { for (k in n) printf "%-28s rounds %d  before the switchover (1 s): %d frames reached the running source guest;  unanswered %d of %d pings (max %d a round), longest round trip %.0f ms;  downtime %.0f ms mean\n",
                                k, n[k], bs[k], lost[k], sent[k], max[k], rtt[k], down[k] / n[k] }' "$out" | sort
rm -f "$out"
