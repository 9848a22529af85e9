# Isolated and open networks: vport makes their bridge at net-start (name,
# STP, forward delay, MTU, MAC, addresses from the XML) and deletes it at
# net-destroy; <port isolated='yes'> makes the tap an isolated bridge port.
# Everything is read back with ip/bridge -j; frames go through real taps.

ISO="<network><name>iso</name><bridge stp='on' delay='3'/><mtu size='9000'/><dns enable='no'/><ip address='192.0.2.1' netmask='255.255.255.0'/></network>"
OPEN="<network><name>opn</name><forward mode='open'/><bridge name='vpopen0' stp='off'/><mac address='52:54:00:0a:0b:0c'/><dns enable='no'/><ip address='198.51.100.1' prefix='25'/><ip family='ipv6' address='2001:db8:5::1' prefix='64'/><port isolated='yes'/></network>"

net_xml() { # net_xml HOST XML: define (not start) from text
	local f
	f=$(mktemp)
	echo "$2" >"$f"
	vp "$1" net-define "$f" >/dev/null || fail "net-define: $2"
	rm -f "$f"
}
bridge_of() { vp "$1" net-dumpxml "$2" | sed -n "s/.*<bridge name=\"\([^\"]*\)\".*/\1/p"; }
addrs() { ip -n "$(ns "$1")" -j addr show dev "$2" | jq -c '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"]'; }
brport() { bridge -n "$(ns "$1")" -j -d link show dev "$2" | jq -c '.[0] | {master, isolated}'; }
link_gone() { ! link_exists "$1" "$2" || fail "$3"; } # link_gone HOST DEV MESSAGE

count_kind() { links "$1" | jq --arg k "$2" '[.[] | select(.linkinfo.info_kind == $k)] | length'; }

# tap_frames HOST FROM TO...: one frame written into tap FROM (as a guest
# would send it); prints, for each TO, how many of our frames its guest side
# read. All taps are opened (carrier on) before the frame goes out.
tap_frames() {
	local h=$1
	shift
	ip netns exec "$(ns "$h")" "$PYTHON" - "$@" <<'PY'
import fcntl, os, select, struct, sys, time
src, dsts = sys.argv[1], sys.argv[2:]
def open_tap(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', name.encode(), 0x0002 | 0x1000))  # TUNSETIFF IFF_TAP|IFF_NO_PI
    return fd
fds = {n: open_tap(n) for n in [src] + dsts}
time.sleep(1.2)  # carrier reaches the bridge through linkwatch
mac = b'\x02\x00\x00\xaa\x00\x01'
frame = b'\xff' * 6 + mac + b'\x88\xb5' + b'vport-isolated'.ljust(46, b'\0')
os.write(fds[src], frame)
counts = {n: 0 for n in dsts}
end = time.time() + 1.0
while time.time() < end:
    r, _, _ = select.select([fds[n] for n in dsts], [], [], 0.1)
    for n in dsts:
        if fds[n] in r:
            try:
                f = os.read(fds[n], 2048)
            except BlockingIOError:
                continue
            if f[6:12] == mac and f[12:14] == b'\x88\xb5':
                counts[n] += 1
print(' '.join(str(counts[n]) for n in dsts))
PY
}

test_own_bridge_isolated_network() {
	local br link
	topo A
	net_xml A "$ISO"
	br=$(bridge_of A iso)
	expect_eq "bridge name chosen at define" "$br" virbr0
	link_gone A "$br" "$br exists before net-start"
	vp A net-start iso >/dev/null || fail "net-start iso"
	link=$(link A "$br")
	expect_eq "kind" "$(echo "$link" | jq -r .linkinfo.info_kind)" bridge
	expect_eq "stp" "$(echo "$link" | jq -r .linkinfo.info_data.stp_state)" 1
	expect_eq "forward delay (centiseconds)" "$(echo "$link" | jq -r .linkinfo.info_data.forward_delay)" 300
	expect_eq "mtu" "$(echo "$link" | jq -r .mtu)" 9000
	expect_eq "MAC from the definition" "$(echo "$link" | jq -r .address)" \
		"$(vp A net-dumpxml iso | sed -n 's/.*<mac address="\([^"]*\)".*/\1/p')"
	expect_eq "up" "$(link_up A "$br")" true
	expect_eq "addresses" "$(addrs A "$br")" '["192.0.2.1/24"]'
	expect_eq "IPv6 off on a bridge without an IPv6 address" \
		"$(ip netns exec "$(ns A)" cat /proc/sys/net/ipv6/conf/"$br"/disable_ipv6)" 1
	u=$(port_create A iso 52:54:00:e0:00:01) || exit 1
	expect_eq "port plug" "$(vp A port-dumpxml "$u" | grep -o '<plug[^>]*>')" "<plug type=\"network\" bridge=\"$br\"/>"
	ifname=$(port_field A "$u" ifname)
	expect_eq "tap MTU follows the bridge" "$(link A "$ifname" | jq -r .mtu)" 9000
	expect_eq "tap on the bridge, not isolated" "$(brport A "$ifname")" "{\"master\":\"$br\",\"isolated\":false}"
	expect_eq "bridge MTU kept with a port" "$(link A "$br" | jq -r .mtu)" 9000
	vp A net-destroy iso --force >/dev/null || fail "net-destroy"
	link_gone A "$br" "$br left behind"
	link_gone A "$ifname" "$ifname left behind"
	expect_eq "network inactive" "$(vpj A net-list | jq -r '.[] | select(.name=="iso") | .active')" false
	vp A net-start iso >/dev/null || fail "net-start again"
	link_exists A "$br" || fail "$br not made again"
	vp A net-destroy iso >/dev/null || fail "net-destroy again"
}

test_own_bridge_open_isolated_ports() {
	local u1 u2 u3 t1 t2 t3 link
	topo A
	net_xml A "$OPEN"
	vp A net-start opn >/dev/null || fail "net-start opn"
	link=$(link A vpopen0)
	expect_eq "stp off" "$(echo "$link" | jq -r .linkinfo.info_data.stp_state)" 0
	expect_eq "MAC" "$(echo "$link" | jq -r .address)" 52:54:00:0a:0b:0c
	expect_eq "addresses" "$(addrs A vpopen0)" '["198.51.100.1/25","2001:db8:5::1/64"]'
	expect_eq "no router advertisements from guests" \
		"$(ip netns exec "$(ns A)" cat /proc/sys/net/ipv6/conf/vpopen0/accept_ra)" 0
	# the network isolates its ports; a port may say no
	u1=$(port_create A opn 52:54:00:e1:00:01) || exit 1
	u2=$(port_create A opn 52:54:00:e1:00:02) || exit 1
	f=$(mktemp)
	cat >"$f" <<-X
		<networkport><uuid>6c1d0f2e-3b4a-4c5d-8e6f-7a8b9c0d1e23</uuid><owner><name>vm3</name><uuid>2b7c7e4e-6b2f-4b55-9a11-0c1c2e3f4a53</uuid></owner>
		<mac address='52:54:00:e1:00:03'/><port isolated='no'/></networkport>
	X
	u3=$(vpj A port-create opn --xml "$f" --prepare | jq -r .uuid) || fail "port-create --xml"
	rm -f "$f"
	[ -n "$u3" ] && [ "$u3" != null ] || fail "no uuid for the non-isolated port"
	for u in $u1 $u2 $u3; do vp A port-activate "$u" >/dev/null || fail "activate $u"; done
	t1=$(port_field A "$u1" ifname) t2=$(port_field A "$u2" ifname) t3=$(port_field A "$u3" ifname)
	expect_eq "port 1 isolated" "$(brport A "$t1")" '{"master":"vpopen0","isolated":true}'
	expect_eq "port 2 isolated" "$(brport A "$t2")" '{"master":"vpopen0","isolated":true}'
	expect_eq "port 3 not isolated" "$(brport A "$t3")" '{"master":"vpopen0","isolated":false}'
	expect_eq "dump keeps isolated" "$(vp A port-dumpxml "$u1" | grep -c '<port isolated="yes"/>')" 1
	expect_eq "dump keeps isolated='no'" "$(vp A port-dumpxml "$u3" | grep -c '<port isolated="no"/>')" 1
	expect_eq "network dump keeps isolated" "$(vp A net-dumpxml opn | grep -c '<port isolated="yes"/>')" 1
	expect_eq "frames isolated -> isolated, isolated -> open" "$(tap_frames A "$t1" "$t2" "$t3")" "0 1"
	expect_eq "frames open -> both isolated" "$(tap_frames A "$t3" "$t1" "$t2")" "1 1"
	vp A net-destroy opn --force >/dev/null || fail "net-destroy --force"
	for t in vpopen0 "$t1" "$t2" "$t3"; do link_gone A "$t" "$t left behind"; done
	expect_eq "ports left" "$(vpj A port-list | jq length)" 0
	expect_eq "taps left" "$(count_kind A tun)" 0
}

# libvirt's domain layer: isolation only for a tap in a bridge.
test_isolated_port_refused_on_macvtap() {
	local f out
	topo A
	f=$(mktemp)
	cat >"$f" <<-X
		<networkport><uuid>6c1d0f2e-3b4a-4c5d-8e6f-7a8b9c0d1e24</uuid><owner><name>vm1</name><uuid>2b7c7e4e-6b2f-4b55-9a11-0c1c2e3f4a51</uuid></owner>
		<mac address='52:54:00:e2:00:01'/><port isolated='yes'/></networkport>
	X
	out=$(vp A port-create vepa --xml "$f" --prepare 2>&1) && fail "prepare of an isolated macvtap port succeeded"
	echo "$out" | grep -q "<port isolated='yes'>: only for a tap in a bridge" || fail "message: $out"
	expect_eq "macvtaps" "$(count_kind A macvtap)" 0
	rm -f "$f"
}

test_own_bridge_foreign_name_refused() {
	local out before
	topo A
	ip -n "$(ns A)" link add vpfor0 type bridge || fail "ip link add"
	before=$(link A vpfor0)
	net_xml A "<network><name>f</name><bridge name='vpfor0'/><dns enable='no'/><ip address='192.0.2.1' prefix='24'/></network>"
	out=$(vp A net-start f 2>&1) && fail "net-start on a foreign device succeeded"
	echo "$out" | grep -q "a device named 'vpfor0' already exists" || fail "message: $out"
	expect_eq "foreign bridge untouched" "$(link A vpfor0)" "$before"
	expect_eq "network inactive" "$(vpj A net-list | jq -r '.[] | select(.name=="f") | .active')" false
	expect_eq "foreign bridge has no address" "$(addrs A vpfor0)" '[]'
	# a name another network already uses is refused at define
	net_xml A "<network><name>g</name><bridge name='vpg0'/></network>"
	f=$(mktemp)
	echo "<network><name>h</name><bridge name='vpg0'/></network>" >"$f"
	out=$(vp A net-define "$f" 2>&1) && fail "second network on one bridge name defined"
	echo "$out" | grep -q "already used by network 'g'" || fail "message: $out"
	rm -f "$f"
}

# A failure half-way leaves nothing: an address the kernel refuses.
test_own_bridge_failed_start_leaves_nothing() {
	local out
	topo A
	# two <ip> with the same address: the second RTM_NEWADDR fails (EEXIST)
	net_xml A "<network><name>d</name><bridge name='vpdup0'/><dns enable='no'/><ip address='192.0.2.1' prefix='24'/><ip address='192.0.2.1' prefix='24'/></network>"
	out=$(vp A net-start d 2>&1) && fail "net-start with a duplicate address succeeded"
	echo "$out" | grep -q "vpdup0" || fail "message: $out"
	link_gone A vpdup0 "vpdup0 left behind"
	expect_eq "network inactive" "$(vpj A net-list | jq -r '.[] | select(.name=="d") | .active')" false
}

crash() { # crash HOST SPEC ARGS...: the CLI must die with the injected exit 99
	local h=$1 spec=$2 rc
	shift 2
	"$VPORT" --help 2>&1 | grep -q VPORT_FAULT || skip "$VPORT is built without -Dfault_injection=true"
	VPORT_FAULT=$spec vp "$h" "$@" >/dev/null 2>&1
	rc=$?
	expect_eq "exit status with VPORT_FAULT=$spec" "$rc" 99
}

# Killed right after the bridge was made, before its ifindex was recorded:
# recognised by the journaled name and the MAC it was made with.
test_own_bridge_crash_after_create_reconcile() {
	topo A
	net_xml A "$ISO"
	crash A bridge_create:1=crash-after net-start iso
	link_exists A virbr0 || fail "the crash came after the create, yet virbr0 is missing"
	vp A reconcile >/dev/null || fail "reconcile"
	link_gone A virbr0 "virbr0 left after reconcile"
	vp A net-start iso >/dev/null || fail "net-start after reconcile"
	vp A net-destroy iso >/dev/null || fail "net-destroy"
	link_gone A virbr0 "virbr0 left"
}

# Killed after the addresses, before the record that makes the network
# active: a second net-start clears the leftover bridge first.
test_own_bridge_crash_before_record_restart() {
	topo A
	net_xml A "$ISO"
	crash A link_set_up:1=crash-after net-start iso
	link_exists A virbr0 || fail "virbr0 missing after the crash"
	expect_eq "network inactive after the crash" "$(vpj A net-list | jq -r '.[] | select(.name=="iso") | .active')" false
	vp A net-start iso >/dev/null || fail "net-start after the crash"
	expect_eq "one bridge" "$(count_kind A bridge)" 2 # br0 of the topology and virbr0
	vp A net-destroy iso >/dev/null || fail "net-destroy"
	link_gone A virbr0 "virbr0 left"
}

# Killed in net-destroy before the bridge was deleted: reconcile deletes it
# and the network ends inactive.
test_own_bridge_crash_in_destroy_reconcile() {
	topo A
	net_xml A "$ISO"
	vp A net-start iso >/dev/null || fail "net-start"
	crash A link_delete:1=crash net-destroy iso
	link_exists A virbr0 || fail "virbr0 gone although the crash came before the delete"
	vp A reconcile >/dev/null || fail "reconcile"
	link_gone A virbr0 "virbr0 left after reconcile"
	expect_eq "network inactive" "$(vpj A net-list | jq -r '.[] | select(.name=="iso") | .active')" false
}

# Killed half-way through net-start, then undefined: the record of the
# half-made bridge does not pin the definition, and the bridge goes with it.
test_own_bridge_crash_then_undefine() {
	topo A
	net_xml A "$ISO"
	crash A addr_add:1=crash-after net-start iso
	link_exists A virbr0 || fail "virbr0 missing after the crash"
	vp A net-undefine iso >/dev/null || fail "net-undefine after the crash"
	link_gone A virbr0 "virbr0 left after undefine"
	expect_eq "networks named iso" "$(vpj A net-list | jq '[.[] | select(.name=="iso")] | length')" 0
}
