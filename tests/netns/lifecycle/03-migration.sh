# A simulated live migration between hosts A and B (two namespaces on one
# wire): the destination is prepared --incoming while the source runs; at
# no step may both have the guest MAC up (or in a bridge FDB).

M=52:54:00:cc:00:01

owns() { # 1 if host H has M up on a device (macvtap, passthrough physdev) or in a bridge FDB
	[ $(($(mac_up_count "$1" $M) + $(fdb_count "$1" $M))) -gt 0 ] && echo 1 || echo 0
}
on_wire() { echo $(($(owns A) + $(owns B))); } # how many hosts put M on the wire

migrate() { # migrate NET
	local net=$1 src dst
	topo A B
	src=$(port_create A "$net" $M) || exit 1
	vp A port-activate "$src" >/dev/null || fail "source activate"
	expect_eq "on the wire, source running" "$(on_wire)" 1
	expect_eq "source owns it" "$(owns A)" 1
	dst=$(port_create B "$net" $M --incoming) || exit 1
	expect_eq "on the wire, destination prepared" "$(on_wire)" 1
	expect_eq "destination has it before activate" "$(owns B)" 0
	vp A port-deactivate "$src" >/dev/null || fail "source deactivate"
	expect_eq "on the wire, source stopped" "$(on_wire)" 0
	vp B port-activate "$dst" >/dev/null || fail "destination activate"
	expect_eq "on the wire, destination running" "$(on_wire)" 1
	expect_eq "destination owns it" "$(owns B)" 1
	vp A port-delete "$src" >/dev/null || fail "source delete"
	expect_eq "on the wire, source deleted" "$(on_wire)" 1
	vp B port-delete "$dst" >/dev/null || fail "destination delete"
	expect_eq "on the wire at the end" "$(on_wire)" 0
}

test_migration_vepa() { migrate vepa; }
test_migration_passthrough() { migrate passthrough; }
test_migration_bridge_libvirt() { migrate brlv; }
