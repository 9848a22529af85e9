#!/usr/bin/env bash
# vport demo: install dependencies, build, then walk ports through their whole
# lifecycle in a throwaway network namespace (nothing on the host changes):
#   - a bridge network (macTableManager='libvirt': FDB entry only while active)
#   - a macvtap (vepa) network over a pool of two veth uplinks
#   - an isolated network: vport makes its bridge (name, STP, MAC, address)
#     and its <port isolated='yes'/> taps exchange no frames with each other
#   - a hostdev network over a fake SR-IOV card (a fake sysfs tree): VF pool
#     allocation and exhaustion; real VFs are exercised by tests/vm/run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "scripts/demo.sh: run as root" >&2; exit 1; }

scripts/setup-deps.sh
if [ -d build ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build >/dev/null
vport="$top/build/src/vport/vport"

# Re-run inside a fresh network namespace with its own state directory.
if [ -z "${VPORT_DEMO_INSIDE:-}" ]; then
	work=$(mktemp -d /tmp/vport-demo.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	VPORT_DEMO_INSIDE=1 VPORT_STATE_DIR="$work/state" VPORT_DEMO_WORK="$work" \
		unshare --net --mount --propagation private "$0" "$@"
	exit $?
fi

work=$VPORT_DEMO_WORK
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
mount -t sysfs sysfs /sys # this namespace's own view of class/net
ip link set lo up

step "Host side: a bridge and two uplinks (veth pairs) in a throwaway namespace"
ip link add br0 type bridge && ip link set br0 up
ip link add uplink0 type veth peer name peer0
ip link add uplink1 type veth peer name peer1
for i in uplink0 uplink1 peer0 peer1; do ip link set "$i" up; done
ip -br link

cat >"$work/bridge.xml" <<'XML'
<network>
  <name>lan</name>
  <forward mode='bridge'/>
  <bridge name='br0' macTableManager='libvirt'/>
</network>
XML
cat >"$work/vepa.xml" <<'XML'
<network>
  <name>uplinks</name>
  <forward mode='vepa'>
    <interface dev='uplink0'/>
    <interface dev='uplink1'/>
  </forward>
</network>
XML

step "Define and start the networks"
run "$vport" net-define "$work/bridge.xml"
run "$vport" net-define "$work/vepa.xml"
run "$vport" net-start lan
run "$vport" net-start uplinks
run "$vport" net-list

step "Bridge port: prepare (tap made, down, no FDB entry yet)"
echo "\$ vport --json port-create lan --mac 52:54:00:de:00:01 --owner vm0 --prepare"
out=$("$vport" --json port-create lan --mac 52:54:00:de:00:01 --owner vm0 --prepare)
echo "$out"
bport=$(echo "$out" | jq -r .uuid) tap=$(echo "$out" | jq -r .ifname)
ip -br link show "$tap"
echo "FDB entries for the guest MAC: $(bridge fdb show br br0 | grep -c 52:54:00:de:00:01 || true)"

step "Activate (guest CPUs about to run): tap up, static FDB entry"
run "$vport" port-activate "$bport"
ip -br link show "$tap"
bridge fdb show br br0 | grep 52:54:00:de:00:01

step "Deactivate (guest paused / migrated away): FDB entry gone"
run "$vport" port-deactivate "$bport"
echo "FDB entries for the guest MAC: $(bridge fdb show br br0 | grep -c 52:54:00:de:00:01 || true)"

step "macvtap ports spread over the uplink pool (least used first)"
# (not `tee /dev/stderr`: with the output redirected to a file, tee opens
# that file again and truncates it, losing the log so far)
show_uuid() { local out; out=$("$@") || return 1; echo "$out" >&2; echo "$out" | jq -r .uuid; }
p1=$(show_uuid "$vport" --json port-create uplinks --owner vm1 --prepare)
p2=$(show_uuid "$vport" --json port-create uplinks --owner vm2 --prepare)
run "$vport" port-activate "$p1"
ip -br -d link show type macvtap
run "$vport" net-info uplinks

step "Tear down all ports of vm1 at once, then vm2's"
run "$vport" port-delete --owner vm1
run "$vport" port-delete "$p2"
run "$vport" port-list
ip -br link show type macvtap | grep . || echo "(no macvtap left)"

step "An isolated network: vport makes its bridge at net-start, deletes it at net-destroy"
cat >"$work/isolated.xml" <<'XML'
<network>
  <name>lab</name>
  <bridge stp='off'/>
  <dns enable='no'/>
  <ip address='192.0.2.1' prefix='24'/>
  <port isolated='yes'/>
</network>
XML
run "$vport" net-define "$work/isolated.xml"
echo "(the bridge name and MAC were chosen at define, as libvirt does)"
run "$vport" net-dumpxml lab
run "$vport" net-start lab
ip -br -d addr show dev virbr0
show_uuid "$vport" --json port-create lab --owner vm4 --prepare >/dev/null
show_uuid "$vport" --json port-create lab --owner vm5 --prepare >/dev/null
echo "bridge ports (isolated ports exchange no frames with each other):"
bridge -d link show master virbr0 | grep -o '^[0-9]*: [^:]*\|isolated [a-z]*'
run "$vport" net-destroy lab --force
ip link show virbr0 >/dev/null 2>&1 && { echo "virbr0 left behind" >&2; exit 1; }
echo "(virbr0 and its taps are gone)"

step "hostdev network over a fake SR-IOV card (fake sysfs tree)"
fake="$work/sysfs"
pcidir="$fake/devices/pci0000:00/0000:00:03.0"
mkdir -p "$fake/bus/pci/devices" "$fake/class/net" "$fake/bus/pci/drivers/igb" "$fake/bus/pci/drivers/igbvf"
addpci() { mkdir -p "$pcidir/$1"; echo 0x020000 >"$pcidir/$1/class"; ln -s "$pcidir/$1" "$fake/bus/pci/devices/$1"; ln -s "$fake/bus/pci/drivers/$2" "$pcidir/$1/driver"; }
addnet() { mkdir -p "$pcidir/$1/net/$2"; ln -s "$pcidir/$1" "$pcidir/$1/net/$2/device"; ln -s "$pcidir/$1/net/$2" "$fake/class/net/$2"; }
addpci 0000:06:00.0 igb && addnet 0000:06:00.0 eth9
for i in 0 1; do
	addpci "0000:06:10.$((i * 2))" igbvf
	ln -s "$pcidir/0000:06:00.0" "$pcidir/0000:06:10.$((i * 2))/physfn"
	ln -s "$pcidir/0000:06:10.$((i * 2))" "$pcidir/0000:06:00.0/virtfn$i"
done
cat >"$work/hostdev.xml" <<'XML'
<network>
  <name>vfs</name>
  <forward mode='hostdev' managed='yes'>
    <pf dev='eth9'/>
  </forward>
</network>
XML
export VPORT_SYSFS_ROOT=$fake
run "$vport" net-define "$work/hostdev.xml"
run "$vport" net-start vfs
run "$vport" --json port-create vfs --mac 52:54:00:aa:00:01 --vlan 42 --owner vm3
run "$vport" --json port-create vfs --mac 52:54:00:aa:00:02 --owner vm3
echo "A third port on a 2-VF pool:"
if "$vport" port-create vfs --owner vm3; then echo "unexpected success" >&2; exit 1; fi
run "$vport" net-info vfs
run "$vport" net-destroy vfs
unset VPORT_SYSFS_ROOT

step "Clean up"
run "$vport" port-delete "$bport"
run "$vport" net-destroy lan
run "$vport" net-destroy uplinks
echo
echo "demo: ok"
