# Scenarios of the libvirt comparison tier, sourced by tests/compat/run.
# Each one defines a network on both sides and runs the same sequence of steps:
#   net NAME XML                    define + start (compared: both ok / both refuse)
#   create NET LABEL [group=G] [vlan=T] [vport=XML] [bw=KBPS] [mac=M]
#                                   one port; compared: ok/refused, then the <plug>,
#                                   effective <vlan> and <virtualport> type
#   delete NET LABEL                delete that port (compared: ok/refused)
#   net_end NAME                    tear down, not compared
#   skip_scenario REASON            the rest cannot run here (counted as skipped)
# Links ca0-ca2, cb0-cb1, cq0, cd0-cd1, cx0 (veth) and bridge br0 exist.
# Network and label arguments are fixed words, left unquoted for readability.
# shellcheck shell=bash disable=SC2154,SC2086,SC2034

scenarios=(vepa private bridge_macvtap passthrough qbh hostdev_managed hostdev_unmanaged
	bridge_libvirt bridge_kernel open isolated bridge_stp forward_dev forward_dev_passthrough
	portgroup_hostdev portgroup_unknown vlan virtualport_mismatch bandwidth_hostdev mac_reuse corpus)

# Mismatches the project has decided to keep, one "scenario#step reason" each
# (e.g. "cvlan#2 vport refuses what libvirt's domain layer refuses later"). A
# listed step prints "diff" instead of "FAIL" and does not fail the run. Empty:
# every difference from libvirt fails.
accepted_differences=()

# Shared pools: 7 ports over 3 devices spread least-used-first (first of equals
# wins); after deleting two ports of one device, the next two land on it.
spread_pool() { # spread_pool MODE NETNAME
	local mode=$1 n=$2 i
	begin "$n"
	net "$n" "<network><name>$n</name><forward mode='$mode'><interface dev='ca0'/><interface dev='ca1'/><interface dev='ca2'/></forward></network>"
	for i in 1 2 3 4 5 6 7; do create "$n" p$i; done
	delete "$n" p2
	delete "$n" p5
	create "$n" p8
	create "$n" p9
	create "$n" p10
	net_end "$n"
}
scenario_vepa() { spread_pool vepa cvepa; }
scenario_private() { spread_pool private cpriv; }
scenario_bridge_macvtap() { spread_pool bridge cbrmv; }

# Exclusive: a passthrough device serves one port at a time.
scenario_passthrough() {
	local n=cpass
	begin $n
	net $n "<network><name>$n</name><forward mode='passthrough'><interface dev='cb0'/><interface dev='cb1'/></forward></network>"
	create $n p1
	create $n p2
	create $n p3
	delete $n p1
	create $n p4
	create $n p5
	delete $n p2
	create $n p6
	net_end $n
}

# private + 802.1Qbh is exclusive; private without a virtualport shares.
scenario_qbh() {
	local n=cqbh qbh="<virtualport type='802.1Qbh'><parameters profileid='prof1'/></virtualport>"
	begin $n
	net $n "<network><name>$n</name><forward mode='private'><interface dev='cb0'/><interface dev='cb1'/></forward></network>"
	create $n p1 "vport=$qbh"
	create $n p2 "vport=$qbh"
	create $n p3 "vport=$qbh"
	delete $n p2
	create $n p4 "vport=$qbh"
	net_end $n
	n=cqbhnet
	begin $n
	net $n "<network><name>$n</name><forward mode='private'><interface dev='cb0'/><interface dev='cb1'/></forward><virtualport type='802.1Qbh'><parameters profileid='prof1'/></virtualport></network>"
	create $n p1
	create $n p2
	create $n p3
	delete $n p1
	create $n p4
	net_end $n
}

hostdev_pool() { # hostdev_pool NETNAME MANAGED
	local n=$1
	begin $n
	fake_vfs 0000:03:10.0 0000:03:10.2 0000:03:10.4
	net $n "<network><name>$n</name><forward mode='hostdev' managed='$2'><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x0'/><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'/><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x4'/></forward></network>"
	create $n p1
	create $n p2
	create $n p3
	create $n p4
	delete $n p2
	create $n p5
	delete $n p1
	delete $n p3
	create $n p6
	create $n p7
	create $n p8
	net_end $n
}
scenario_hostdev_managed() { hostdev_pool chdm yes; }
scenario_hostdev_unmanaged() { hostdev_pool chdu no; }

bridge_net() { # bridge_net NETNAME MTM
	local n=$1
	begin $n
	net $n "<network><name>$n</name><forward mode='bridge'/><bridge name='br0' macTableManager='$2'/></network>"
	create $n p1
	create $n p2
	delete $n p1
	create $n p3
	net_end $n
}
# libvirt's net-start of a macTableManager='libvirt' network writes 1 to the
# bridge's sysfs vlan_filtering. A kernel without CONFIG_BRIDGE_VLAN_FILTERING has
# no such file (libvirt then tries an ioctl that fails, so net-start fails); that
# is a kernel fact outside allocation, so the file is faked for the run (a tmpfs
# over the bridge's sysfs directory, in this private mount namespace only).
scenario_bridge_libvirt() {
	local d faked=""
	d=$(readlink -f /sys/class/net/br0)/bridge
	if [ ! -e "$d/vlan_filtering" ]; then
		if ! mount -t tmpfs compat-br0 "$d" || ! echo 0 >"$d/vlan_filtering"; then
			begin cbrl
			skip_scenario "no bridge VLAN filtering in this kernel and no way to fake it"
			return
		fi
		faked=1
	fi
	bridge_net cbrl libvirt
	[ -z "$faked" ] || umount "$d"
}
scenario_bridge_kernel() { bridge_net cbrk kernel; }

# libvirt and vport each make the bridge of an isolated or open network
# (name, MAC, addresses): vport runs in a network namespace of its own for
# these scenarios, so the two bridges never meet. libvirt wants an <ip> on an
# isolated network to start without firewalld trouble; <dns enable='no'/> and
# no <dhcp> keep dnsmasq out. Documentation ranges, inside throwaway namespaces.
own_bridge_ns=""
own_bridge_begin() { # own_bridge_begin NETNAME: vp runs in vport's own namespace
	begin "$1"
	own_bridge_ns=$work/vport-own-bridge-netns
	if [ ! -e "$own_bridge_ns" ]; then
		touch "$own_bridge_ns" && unshare --net="$own_bridge_ns" true &&
			nsenter --net="$own_bridge_ns" ip link set lo up || return 1
	fi
	own_bridge_saved_vp=$(declare -f vp)
	vp() { timeout 20 nsenter --net="$own_bridge_ns" "$vport_bin" "$@"; }
}
own_bridge_end() { net_end "$1"; eval "$own_bridge_saved_vp"; }
l3_net() { # l3_net NETNAME NETWORK-BODY
	local n=$1
	own_bridge_begin $n || { skip_scenario "no network namespace for vport"; return; }
	net $n "<network><name>$n</name>$2</network>"
	create $n p1
	create $n p2
	delete $n p1
	create $n p3
	own_bridge_end $n
}
scenario_open() { l3_net copen "<forward mode='open'/><bridge name='cvbr1'/><dns enable='no'/><ip address='192.0.2.1' prefix='24'/>"; }
# no <bridge name>: each side picks the first free virbrN (virbr0 here)
scenario_isolated() { l3_net ciso "<dns enable='no'/><ip address='198.51.100.1' prefix='24'/><port isolated='yes'/>"; }
# libvirt refuses stp and delay where it does not make the bridge
scenario_bridge_stp() {
	begin cbrstp
	net cbrstp "<network><name>cbrstp</name><forward mode='bridge'/><bridge name='br0' stp='on'/></network>"
	net_end cbrstp
	begin cbrdelay
	net cbrdelay "<network><name>cbrdelay</name><forward mode='bridge'/><bridge name='br0' delay='5'/></network>"
	net_end cbrdelay
}

# <forward dev='x'> without <interface> children: libvirt makes x the one-device pool.
scenario_forward_dev() {
	local n=cfdev
	begin $n
	net $n "<network><name>$n</name><forward mode='vepa' dev='cd0'/></network>"
	create $n p1
	create $n p2
	delete $n p1
	create $n p3
	net_end $n
}
scenario_forward_dev_passthrough() {
	local n=cfdevp
	begin $n
	net $n "<network><name>$n</name><forward mode='passthrough' dev='cd1'/></network>"
	create $n p1
	create $n p2
	delete $n p1
	create $n p3
	net_end $n
}

# Default portgroup's vlan applies to a port without <group>; a named one to its own.
scenario_portgroup_hostdev() {
	local n=cpg
	begin $n
	fake_vfs 0000:04:00.1 0000:04:00.2 0000:04:00.3
	net $n "<network><name>$n</name><forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x1'/><address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x2'/><address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x3'/></forward><portgroup name='dflt' default='yes'><vlan><tag id='42'/></vlan></portgroup><portgroup name='pg100'><vlan><tag id='100'/></vlan></portgroup></network>"
	create $n p1
	create $n p2 group=pg100
	create $n p3 vlan=7
	delete $n p1
	create $n p4 group=dflt
	net_end $n
}

scenario_portgroup_unknown() {
	local n=cpgu
	begin $n
	net $n "<network><name>$n</name><forward mode='vepa'><interface dev='cq0'/></forward><portgroup name='eng'/></network>"
	create $n p1 group=eng
	create $n p2 group=nosuch
	net_end $n
}

# A <vlan> on the port: libvirt's network driver copies it into the port whatever
# the forward mode; only passthrough, hostdev and openvswitch can apply one.
scenario_vlan() {
	local n
	for n in cvlan:vepa cvlanp:passthrough; do
		begin ${n%%:*}
		net ${n%%:*} "<network><name>${n%%:*}</name><forward mode='${n#*:}'><interface dev='cx0'/></forward></network>"
		create ${n%%:*} p1 vlan=10
		create ${n%%:*} p2
		net_end ${n%%:*}
	done
	n=cvlanb
	begin $n
	net $n "<network><name>$n</name><forward mode='bridge'/><bridge name='br0'/></network>"
	create $n p1 vlan=10
	net_end $n
}

# A virtualport type the forward mode cannot use is refused by both.
scenario_virtualport_mismatch() {
	local n=cvpm
	begin $n
	net $n "<network><name>$n</name><forward mode='vepa'><interface dev='cx0'/></forward></network>"
	create $n p1 "vport=<virtualport type='openvswitch'/>"
	create $n p2 "vport=<virtualport type='802.1Qbg'><parameters managerid='1' typeid='2' typeidversion='3' instanceid='c7bb5ab2-d42f-4690-89d6-f590eb199d0f'/></virtualport>"
	net_end $n
	n=cvpmb
	begin $n
	net $n "<network><name>$n</name><forward mode='bridge'/><bridge name='br0'/></network>"
	create $n p1 "vport=<virtualport type='802.1Qbh'><parameters profileid='x'/></virtualport>"
	net_end $n
}

# <bandwidth> on a hostdev port (no floor, the network has no QoS).
scenario_bandwidth_hostdev() {
	local n=cbwh
	begin $n
	fake_vfs 0000:05:00.1
	net $n "<network><name>$n</name><forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x1'/></forward></network>"
	create $n p1 bw=1000
	net_end $n
}

# The same MAC on two ports of one network.
scenario_mac_reuse() {
	local n=cmac
	begin $n
	net $n "<network><name>$n</name><forward mode='vepa'><interface dev='cx0'/></forward></network>"
	create $n p1 mac=52:54:00:aa:bb:01
	create $n p2 mac=52:54:00:aa:bb:01
	net_end $n
}
