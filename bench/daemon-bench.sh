#!/usr/bin/env bash
# vportd against the CLI and libvirt, in one run (not a test: it asserts
# nothing). Run as root; it makes a private mount, network and pid
# namespace and runs libvirt's network driver privately there, as
# tests/compat/run does.
#   bench/daemon-bench.sh [BUILD_DIR [N [NLIVE]]]   (default build/, 200 rounds, 4096 live ports)
# (ninja -C BUILD_DIR bench/daemon-activate first for the activate figure)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
if [ -z "${VPORT_BENCH_INNER:-}" ]; then
	build=$(cd "${1:-$repo/build}" && pwd)
	work=$(mktemp -d /tmp/vportd-bench.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	VPORT_BENCH_INNER=1 VPORT_BENCH_WORK=$work VPORT_BENCH_BUILD=$build \
		unshare --mount --net --pid --fork --kill-child --mount-proc --propagation private \
		bash "${BASH_SOURCE[0]}" "$@"
	exit $?
fi
work=$VPORT_BENCH_WORK build=$VPORT_BENCH_BUILD
N=${2:-200} NLIVE=${3:-4096}
export VPORT_STATE_DIR=$work/vport-state

# libvirt's network driver alone, on private directories (tests/compat/run)
mkdir -p "$work"/{etc,lib/dnsmasq,lib/network,cache,log,drivers} "$VPORT_STATE_DIR"
mount -t tmpfs bench-run /run && mkdir -p /run/libvirt || exit 1
mount -t sysfs bench-sysfs /sys || exit 1 # this network namespace's devices (macvtap char devices)
for d in etc:/etc/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt; do
	mkdir -p "${d#*:}" && mount --bind "$work/${d%%:*}" "${d#*:}" || exit 1
done
so=$(find /usr/lib -path '*libvirt/connection-driver/libvirt_driver_network.so' 2>/dev/null | head -n1)
[ -n "$so" ] || { echo "libvirt's network driver is not installed" >&2; exit 77; }
ln -sf "$so" "$work/drivers/"
printf 'log_outputs="3:stderr"\n' >"$work/etc/libvirtd.conf"
LIBVIRT_DRIVER_DIR=$work/drivers libvirtd -f "$work/etc/libvirtd.conf" -p /run/libvirtd.pid >"$work/libvirtd.log" 2>&1 &
lv() { virsh -q -c network:///system "$@"; }
for _ in $(seq 100); do
	[ -S /run/libvirt/libvirt-sock ] && lv net-list --all >/dev/null 2>&1 && break
	sleep 0.1
done
ip link set lo up && ip link add br0 type bridge && ip link set br0 up
echo "<network><name>bn</name><forward mode='bridge'/><bridge name='br0'/></network>" >"$work/bn.xml"
lv net-define "$work/bn.xml" >/dev/null && lv net-start bn >/dev/null || { cat "$work/libvirtd.log" >&2; exit 1; }

sock=$work/vportd.socket
"$build/src/vportd/vportd" --socket "$sock" 2>"$work/vportd.log" &
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
"$build/src/vport/vport" --connect="$sock" net-define "$work/bn.xml" >/dev/null &&
	"$build/src/vport/vport" --connect="$sock" net-start bn >/dev/null || exit 1
echo "libvirt $(virsh -v), vport $("$build/src/vport/vport" --version 2>/dev/null | head -1), $(nproc) cores"
/usr/bin/python3 "$here/daemon-bench.py" "$sock" "$build/src/vport/vport" bn bn "$N" 0 || exit 1
ip link add eth0 type veth peer name eth1 && ip link set eth0 up && ip link set eth1 up
if [ -x "$build/bench/daemon-activate" ]; then
	"$build/bench/daemon-activate" "$sock" eth0 "${VPORT_BENCH_ROUNDS:-31}"
else
	echo "(activate of 8 ports: ninja -C $build bench/daemon-activate first)"
fi
/usr/bin/python3 "$here/daemon-bench.py" "$sock" "$build/src/vport/vport" bn bn 0 "$NLIVE"
