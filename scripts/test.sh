#!/usr/bin/env bash
# Run every vport test: unit tests (plain and ASan+UBSan builds), the real-kernel
# tests in throwaway network namespaces, and the SR-IOV VM tier.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
#   scripts/test.sh            everything (installs what is missing first)
#   VPORT_SKIP_VM=1 ...        leave out the VM tier (it is never skipped in CI)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (namespaces, macvtap, VFIO)" >&2; exit 1; }
if [ -n "${CI:-}" ] && [ -n "${VPORT_SKIP_VM:-}" ]; then
	echo "scripts/test.sh: VPORT_SKIP_VM is not honoured in CI" >&2
	unset VPORT_SKIP_VM
fi

scripts/setup-deps.sh --vm || exit 1

passed=0 failed=0 skipped=0
tally() { # tally NAME RC PASSED FAILED SKIPPED
	passed=$((passed + $3)); failed=$((failed + $4)); skipped=$((skipped + $5))
	if [ "$2" != 0 ] && [ "$4" = 0 ]; then failed=$((failed + 1)); echo "== $1: exited $2"; fi
}

# meson test: count results from its own summary lines.
run_meson() { # run_meson NAME BUILDDIR [meson setup args...]
	local name=$1 dir=$2 log rc
	shift 2
	if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi || { tally "$name setup" 1 0 1 0; return; }
	ninja -C "$dir" || { tally "$name build" 1 0 1 0; return; }
	log=$(mktemp)
	meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	tally "$name" "$rc" \
		"$(awk '/^Ok:/ {print $2}' "$log" | tail -1 | grep . || echo 0)" \
		"$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $2} END {print s + 0}' "$log")" \
		"$(awk '/^Skipped:/ {print $2}' "$log" | tail -1 | grep . || echo 0)"
	rm -f "$log"
}

# A tier script that ends with "N passed, N failed[, N skipped]".
run_tier() { # run_tier NAME CMD...
	local name=$1 log rc line
	shift
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	tally "$name" "$rc" \
		"$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p' | grep . || echo 0)" \
		"$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p' | grep . || echo 0)" \
		"$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p' | grep . || echo 0)"
	rm -f "$log"
}

# A check that is one test however many files it looks at (its own
# "N passed" counts files, not tests).
run_check() { # run_check NAME CMD...
	local name=$1
	shift
	if "$@"; then tally "$name" 0 1 0 0; else tally "$name" 0 0 1 0; fi
}

echo "== formatting"
run_check format scripts/check-format.sh
echo "== unit + netns (build/)"
run_meson "build" build -Dfault_injection=true
echo "== unit + netns under ASan+UBSan (build-asan/)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_meson "build-asan" build-asan -Dfault_injection=true -Db_sanitize=address,undefined -Db_lundef=false
if [ -x tests/build/macvtap-disabled.sh ]; then
	echo "== build with -Dmacvtap=disabled"
	run_tier macvtap-disabled tests/build/macvtap-disabled.sh
fi
echo "== CLI tier"
run_tier cli tests/cli/run "$top/build/src/vport/vport"
if [ -x tests/daemon/run ] && [ -x build/src/vportd/vportd ]; then
	echo "== daemon tier (vportd through python3-varlink, --connect, units, fuzzer)"
	run_tier daemon tests/daemon/run "$top/build"
fi
echo "== installed library, header, pkg-config, example"
run_tier install tests/install/run "$top/build"
if [ -x tests/netns/run ]; then
	echo "== netns lifecycle tier"
	run_tier netns tests/netns/run
fi
echo "== vport-failover tier (transparent VF, seed 004)"
run_tier failover tests/failover/run "$top/build"
if [ -x tests/cni/run ]; then
	echo "== CNI tier (vport-cni driven as a runtime does; podman)"
	run_tier cni tests/cni/run
fi
if [ -x tests/compat/run ]; then
	echo "== libvirt comparison tier"
	VPORT_BUILD_DIR="$top/build" run_tier compat tests/compat/run
fi
if [ -x tests/migration/run ] && [ -z "${VPORT_SKIP_VM:-}" ]; then
	echo "== live migration tier (QEMU TCG, seed 002)"
	VPORT_BUILD_DIR="$top/build" run_tier migration tests/migration/run
fi
if [ -x tests/vm/run ] && [ -z "${VPORT_SKIP_VM:-}" ]; then
	echo "== VM tier"
	VPORT_BUILD_DIR="$top/build" run_tier vm tests/vm/run
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
