#!/usr/bin/env bash
# A vport built with -Dmacvtap=disabled: it builds, its unit tests pass, and
# the built `vport` refuses every network that needs a macvtap (vepa,
# private, passthrough, and mode='bridge' without <bridge name>: that one is
# a macvtap in bridge mode) with a message naming the cause, while hostdev
# and bridge-with-name networks still define. Networks are only defined,
# never started, in a throwaway state directory: nothing on the host changes.
#   tests/build/macvtap-disabled.sh [BUILDDIR]   (default: build-macvtap-disabled/ in the tree)
# Ends with "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build-macvtap-disabled}
passed=0 failed=0

pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

if [ -d "$dir/meson-private" ]; then
	meson setup --reconfigure "$dir" "$top" -Dmacvtap=disabled -Dfault_injection=true >"$dir.setup.log" 2>&1
else
	meson setup "$dir" "$top" -Dmacvtap=disabled -Dfault_injection=true >"$dir.setup.log" 2>&1
fi || { cat "$dir.setup.log"; fail "meson setup -Dmacvtap=disabled"; finish; }
rm -f "$dir.setup.log"
if grep -q '^#define WITH_MACVTAP 0' "$dir/config.h"; then
	pass "config.h: WITH_MACVTAP 0"
else
	fail "config.h: WITH_MACVTAP is not 0"
fi
if ninja -C "$dir" >"$dir/ninja.log" 2>&1; then
	pass "build"
else
	tail -30 "$dir/ninja.log"
	fail "build"
	finish
fi
# Unit tests over the fakes must skip, not fail, what needs macvtap.
if meson test -C "$dir" --suite unit --num-processes 2 --print-errorlogs >"$dir/unit.log" 2>&1; then
	pass "unit tests ($(awk '/^Ok:/ {print $2}' "$dir/unit.log") ok, $(awk '/^Skipped:/ {print $2}' "$dir/unit.log") skipped)"
else
	tail -40 "$dir/unit.log"
	fail "unit tests"
fi

state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export VPORT_STATE_DIR=$state
vport=$dir/src/vport/vport

define() { # define NAME FORWARD...: run net-define, output in $out
	local f=$state/$1.xml
	echo "<network><name>$1</name>$2</network>" >"$f"
	out=$("$vport" net-define "$f" 2>&1)
}

refused() { # refused NAME FORWARD
	if define "$1" "$2"; then
		fail "$1: defined, but needs macvtap"
	elif [[ "$out" == *"without macvtap support"* && "$out" == *"network '$1'"* ]]; then
		pass "$1 refused: $out"
	else
		fail "$1 refused without a clear message: $out"
	fi
}

accepted() { # accepted NAME FORWARD
	if define "$1" "$2"; then
		pass "$1 defined"
	else
		fail "$1: $out"
	fi
}

refused vepa "<forward mode='vepa'><interface dev='eth0'/></forward>"
refused private "<forward mode='private'><interface dev='eth0'/></forward>"
refused passthrough "<forward mode='passthrough'><interface dev='eth1'/></forward>"
refused bridgemode "<forward mode='bridge'><interface dev='eth0'/></forward>"
accepted hostdev "<forward mode='hostdev' managed='yes'><pf dev='eth3'/></forward>"
accepted br "<forward mode='bridge'/><bridge name='br0'/>"
accepted brlv "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/>"

names=$("$vport" --json net-list 2>&1 | jq -r '[.[].name] | sort | join(" ")')
if [ "$names" = "br brlv hostdev" ]; then
	pass "net-list shows exactly the accepted networks"
else
	fail "net-list shows '$names', want 'br brlv hostdev'"
fi
finish
