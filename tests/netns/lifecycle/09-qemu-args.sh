# port-qemu-args and port-exec (QEMU's command line for a VM's ports), and
# <teaming> kept on a port and checked against its plug type.

M=52:54:00:aa:09:01
OWNER_UUID=4f0c7c1e-0d7a-4d0e-9a55-6b1de0a0c901

# A checker run by port-exec: fd 3 must be the tap named $1 (TUNGETIFF), and
# the arguments port-qemu-args printed must follow the command's own.
FDCHECK='
import fcntl, sys
ifr = fcntl.ioctl(3, 0x800454d2, b"\0" * 40)
print(ifr[:16].rstrip(b"\0").decode(), " ".join(sys.argv[1:]))
'

test_qemu_args_tap() {
	local u tap out
	topo A
	u=$(port_create A br $M) || exit 1
	tap=$(port_field A "$u" ifname)
	expect_eq "args" "$(vp A port-qemu-args "$u")" \
		"-netdev tap,id=hostnet0,fd=3 -device virtio-net-pci,netdev=hostnet0,id=net0,mac=$M"
	expect_eq "--vhost" "$(vpj A port-qemu-args "$u" --vhost | jq -r '.[1]')" "tap,id=hostnet0,fd=3,vhost=on"
	out=$(vp A port-exec "$u" -- /usr/bin/python3 -c "$FDCHECK" -m 256) || fail "port-exec: $out"
	expect_eq "port-exec: fd 3 is the tap, the port's arguments follow the command's" "$out" \
		"$tap -m 256 -netdev tap,id=hostnet0,fd=3 -device virtio-net-pci,netdev=hostnet0,id=net0,mac=$M"
	# two ports: fds 3 and 4, in the order given
	local u2
	u2=$(port_create A br 52:54:00:aa:09:02) || exit 1
	out=$(vp A port-qemu-args "$u2" "$u")
	[[ "$out" == *"id=hostnet0,fd=3 "*"mac=52:54:00:aa:09:02 -netdev tap,id=hostnet1,fd=4 "*"id=net1,mac=$M" ]] ||
		fail "two ports: $out"
}

test_qemu_args_refused() {
	local u out
	topo A
	u=$(vpj A port-create br --mac $M --owner vm1 | jq -r .uuid)
	out=$(vp A port-qemu-args "$u" 2>&1) && fail "an allocated port has no tap yet"
	[[ "$out" == *"not prepared"* ]] || fail "not named: $out"
	out=$(vp A port-qemu-args 6f1c2f55-1111-4222-8333-944455556666 2>&1) && fail "unknown port"
	[[ "$out" == *6f1c2f55-1111-4222-8333-944455556666* ]] || fail "unknown port not named: $out"
	out=$(vp A port-exec "$u" 2>&1); expect_eq "port-exec without a command: exit 2" $? 2
	vp A port-prepare "$u" >/dev/null || fail prepare
	out=$(vp A port-exec "$u" -- /nonexistent/qemu 2>&1) && fail "a missing command"
	[[ "$out" == *"running '/nonexistent/qemu'"* ]] || fail "missing command not named: $out"
}

port_xml() { # port_xml MAC TEAMING-ELEMENT
	cat <<EOX
<networkport><uuid>$(cat /proc/sys/kernel/random/uuid)</uuid><owner><name>vm1</name><uuid>$OWNER_UUID</uuid></owner><mac address='$1'/>$2</networkport>
EOX
}

test_teaming() {
	local u x out
	topo A
	x=$(mktemp)
	port_xml $M "<teaming type='persistent'/>" >"$x"
	u=$(vpj A port-create br --xml "$x" --prepare | jq -r .uuid) || fail "persistent tap port"
	vp A port-dumpxml "$u" | grep -q "<teaming type=\"persistent\"/>" || fail "teaming not kept in the port XML"
	[[ "$(vp A port-qemu-args "$u")" == *"mac=$M,failover=on" ]] || fail "failover=on missing"
	# a transient port must be hostdev
	port_xml $M "<teaming type='transient' persistent='$u'/>" >"$x"
	out=$(vp A port-create br --xml "$x" 2>&1) && fail "a transient tap port was accepted"
	[[ "$out" == *"<teaming type='transient'>: must be a hostdev port"* ]] || fail "not named: $out"
	port_xml $M "<teaming type='transient'/>" >"$x"
	out=$(vp A port-create br --xml "$x" 2>&1) && fail "transient without persistent accepted"
	[[ "$out" == *"missing attribute 'persistent'"* ]] || fail "not named: $out"
	port_xml $M "<teaming type='sideways'/>" >"$x"
	out=$(vp A port-create br --xml "$x" 2>&1) && fail "unknown teaming type accepted"
	[[ "$out" == *"<teaming type='sideways'>: unknown type"* ]] || fail "not named: $out"
	expect_eq "only the persistent port exists" "$(vpj A port-list | jq length)" 1
	rm -f "$x"
}

test_teaming_persistent_macvtap() {
	local x u out
	topo A
	x=$(mktemp)
	port_xml $M "<teaming type='persistent'/>" >"$x"
	out=$(vpj A port-create vepa --xml "$x" --prepare 2>&1) || skip "no macvtap port here: $out"
	u=$(jq -r .uuid <<<"$out")
	[[ "$(vp A port-qemu-args "$u")" == "-netdev tap,id=hostnet0,fd=3 "*",failover=on" ]] || fail "macvtap args"
	out=$(vp A port-exec "$u" -- /usr/bin/python3 -c 'import os; os.fstat(3); print("fd3")') || fail "port-exec macvtap: $out"
	expect_eq "macvtap fd passed" "$out" fd3
	rm -f "$x"
}
