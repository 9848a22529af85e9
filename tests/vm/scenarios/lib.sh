# Helpers for VM scenarios (POSIX sh; sourced). The guest runs each scenario with
# `dash -e` on a PF (eth0, up) with 2 freshly created VFs and an empty
# $VPORT_STATE_DIR. `ip` is iproute2's (busybox ip cannot show VF attributes).
#
# Exit codes: 0 pass, 77 skip (with "# skip: reason"), anything else fails.

PF=${PF:-eth0}
PF_SYS=/sys/class/net/$PF/device

note() { echo "# $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "# skip: $*"; exit 77; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	echo "ok: $1 = '$3'"
}

# assert_ne WHAT UNWANTED ACTUAL
assert_ne() {
	[ "$2" != "$3" ] || fail "$1: expected anything but '$2'"
	echo "ok: $1 = '$3' (not '$2')"
}

# assert_match WHAT EXTENDED-REGEX TEXT (case-insensitive)
assert_match() {
	printf '%s\n' "$3" | grep -qiE -- "$2" || fail "$1: /$2/ not found in: $3"
	echo "ok: $1 matches /$2/"
}

# run CMD...: runs a command that may fail; sets $out (stdout+stderr) and $rc.
# run CMD...: $out = stdout and stderr (for messages), $stdout = stdout only
# (what --json output is parsed from: notes and errors go to stderr), $rc.
run() {
	echo "\$ $*"
	if "$@" >/tmp/run.stdout 2>/tmp/run.stderr; then rc=0; else rc=$?; fi
	stdout=$(cat /tmp/run.stdout)
	out=$(cat /tmp/run.stderr /tmp/run.stdout)
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/  | /'
	echo "  (exit $rc)"
}

# vport is what this tier tests: a guest without it fails, never skips
need_vport() {
	command -v vport >/dev/null 2>&1 || fail "vport CLI not on PATH: nothing to test"
}

need_jq() {
	command -v jq >/dev/null 2>&1 || skip "jq not in the guest image"
}

# vf_table: one line per VF of $PF, from iproute2's view of IFLA_VFINFO_LIST:
#   INDEX MAC VLAN SPOOFCHK TRUST      e.g. "0 52:54:00:00:00:01 42 on off"
vf_table() {
	ip -d link show dev "$PF" | awk '
		$1 == "vf" && $3 == "link/ether" {
			vlan = 0; sp = "?"; tr = "?"
			if (match($0, /vlan [0-9]+/)) vlan = substr($0, RSTART + 5, RLENGTH - 5)
			if (match($0, /spoof checking (on|off)/)) sp = substr($0, RSTART + 15, RLENGTH - 15)
			if (match($0, /trust (on|off)/)) tr = substr($0, RSTART + 6, RLENGTH - 6)
			print $2, tolower($4), vlan, sp, tr
		}'
}

# vf_field INDEX mac|vlan|spoofchk|trust
vf_field() {
	vf_table | awk -v i="$1" -v f="$2" '
		BEGIN { col["mac"] = 2; col["vlan"] = 3; col["spoofchk"] = 4; col["trust"] = 5 }
		$1 == i { print $(col[f]) }'
}

vf_count() { cat "$PF_SYS/sriov_numvfs"; }

# vf_pci INDEX: the VF's PCI address (from the PF's virtfnN link)
vf_pci() { basename "$(readlink "$PF_SYS/virtfn$1")"; }

# pci_driver PCI: bound driver name, or "none"
pci_driver() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

# pci_netdev PCI: the VF's netdev name, or nothing
pci_netdev() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -n1; }

# netdev_mac NAME
netdev_mac() { tr 'A-F' 'a-f' <"/sys/class/net/$1/address"; }

# wait_netdev PCI [SECONDS]: waits until the VF has a netdev again (after a rebind)
wait_netdev() {
	n=$(( ${2:-10} * 10 ))
	while [ "$n" -gt 0 ]; do
		[ -n "$(pci_netdev "$1")" ] && return 0
		usleep 100000
		n=$((n - 1))
	done
	return 1
}

# sriov_snapshot: the PF's VF table plus each VF's PCI address and driver; two
# snapshots are equal when everything a port may change has been restored.
sriov_snapshot() {
	vf_table
	i=0
	while [ "$i" -lt "$(vf_count)" ]; do
		p=$(vf_pci "$i")
		echo "vf $i pci $p driver $(pci_driver "$p")"
		i=$((i + 1))
	done
}

# assert_snapshot WHAT BEFORE AFTER: like assert_eq, printing both tables on failure
assert_snapshot() {
	if [ "$2" != "$3" ]; then
		printf 'FAIL: %s: the VF state differs\n--- expected\n%s\n--- actual\n%s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	echo "ok: $1 (VF table and drivers identical)"
}

# is_unicast_mac MAC: non-zero and the group bit clear
is_unicast_mac() {
	case $1 in
	00:00:00:00:00:00 | "") return 1 ;;
	esac
	first=$(printf '%d' "0x${1%%:*}")
	[ $((first & 1)) = 0 ]
}

# hostdev_network NAME MANAGED(yes|no) FILE: writes a hostdev network on $PF
hostdev_network() {
	cat >"$3" <<EOF
<network>
  <name>$1</name>
  <forward mode='hostdev' managed='$2'>
    <pf dev='$PF'/>
  </forward>
</network>
EOF
}

# define_and_start NAME MANAGED: defines and starts a hostdev network with vport
define_and_start() {
	hostdev_network "$1" "$2" "/tmp/$1.xml"
	run vport net-define "/tmp/$1.xml"
	assert_eq "vport net-define $1 exit status" 0 "$rc"
	run vport net-start "$1"
	assert_eq "vport net-start $1 exit status" 0 "$rc"
}

# port_uuid JSON: the uuid from `vport --json port-create` output
port_uuid() {
	printf '%s\n' "$1" | jq -r '.uuid // .port.uuid // empty' 2>/dev/null
}

# vf_with_mac MAC: index of the VF whose admin MAC is MAC, or nothing
vf_with_mac() { vf_table | awk -v m="$1" '$2 == m { print $1; exit }'; }

# fresh_sriov: recreates the VFs (new random MACs) and empties $VPORT_STATE_DIR,
# as the guest does before every scenario.
fresh_sriov() {
	ip link set "$PF" up
	echo 0 >"$PF_SYS/sriov_numvfs"
	echo 2 >"$PF_SYS/sriov_numvfs"
	for i in 0 1; do
		wait_netdev "$(vf_pci "$i")" 30 || fail "VF $i has no netdev after recreating the VFs"
	done
	rm -rf "${VPORT_STATE_DIR:?}"
	mkdir -p "$VPORT_STATE_DIR"
}
