# The VFs exist, are bound to igbvf with netdevs and random unicast MACs; the PF's
# VF table, sysfs and (when built) `vport --json vf-list` agree. Recreating the
# VFs gives new random MACs: the problem seed 001 starts from.
. "$(dirname "$0")/lib.sh"

assert_eq "sriov_numvfs" 2 "$(vf_count)"
assert_eq "VF entries in the PF's VF table" 2 "$(vf_table | wc -l)"

macs=""
for i in 0 1; do
	pci=$(vf_pci "$i")
	assert_match "virtfn$i PCI address" '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' "$pci"
	assert_eq "VF $i physfn points back to the PF" \
		"$(readlink -f "$PF_SYS")" "$(readlink -f "/sys/bus/pci/devices/$pci/physfn")"
	assert_eq "VF $i driver" igbvf "$(pci_driver "$pci")"
	nd=$(pci_netdev "$pci")
	[ -n "$nd" ] || fail "VF $i ($pci) has no netdev"
	mac=$(netdev_mac "$nd")
	is_unicast_mac "$mac" || fail "VF $i netdev $nd MAC '$mac' is not a unicast address"
	echo "ok: VF $i $pci netdev $nd MAC $mac is unicast"
	admin=$(vf_field "$i" mac)
	# No admin MAC was set, so igb reports 00:00:00:00:00:00 and the VF driver
	# picked a random MAC itself; once an admin MAC is set both must agree.
	if [ "$admin" != 00:00:00:00:00:00 ]; then
		assert_eq "VF $i admin MAC in the PF table vs netdev $nd" "$mac" "$admin"
	else
		note "VF $i has no admin MAC (PF table shows 00:00:00:00:00:00)"
	fi
	assert_eq "VF $i vlan" 0 "$(vf_field "$i" vlan)"
	assert_eq "VF $i spoof checking" on "$(vf_field "$i" spoofchk)"
	assert_eq "VF $i trust" off "$(vf_field "$i" trust)"
	macs="$macs $mac"
done
set -- $macs
assert_ne "VF 1 MAC (distinct from VF 0)" "$1" "$2"

# Recreate the VFs: every creation brings new random MACs.
echo 0 >"$PF_SYS/sriov_numvfs"
echo 2 >"$PF_SYS/sriov_numvfs"
for i in 0 1; do
	wait_netdev "$(vf_pci "$i")" 30 || fail "VF $i has no netdev after recreating the VFs"
done
new0=$(netdev_mac "$(pci_netdev "$(vf_pci 0)")")
new1=$(netdev_mac "$(pci_netdev "$(vf_pci 1)")")
assert_ne "VF 0 MAC after recreating the VFs" "$1" "$new0"
assert_ne "VF 1 MAC after recreating the VFs" "$2" "$new1"

need_vport
need_jq
run vport --json vf-list "$PF"
assert_eq "vport --json vf-list $PF exit status" 0 "$rc"
json=$stdout
assert_eq "vf-list entries" 2 "$(printf '%s' "$json" | jq length)"
# Normalise a field to text: booleans as on/off, null as "null".
field() {
	printf '%s' "$json" | jq -r --argjson i "$1" \
		".[] | select(.vf == \$i) | .$2 | if type == \"boolean\" then (if . then \"on\" else \"off\" end) else tostring end"
}
for i in 0 1; do
	pci=$(vf_pci "$i")
	nd=$(pci_netdev "$pci")
	assert_eq "vf-list VF $i pci" "$pci" "$(field "$i" pci)"
	assert_eq "vf-list VF $i netdev" "$nd" "$(field "$i" netdev)"
	assert_eq "vf-list VF $i driver" igbvf "$(field "$i" driver)"
	admin=$(vf_field "$i" mac)
	got=$(field "$i" mac | tr 'A-F' 'a-f')
	if [ "$admin" = 00:00:00:00:00:00 ] && [ "$got" = null ]; then
		echo "ok: vf-list VF $i mac is null (no admin MAC)"
	else
		assert_eq "vf-list VF $i admin mac vs PF table" "$admin" "$got"
	fi
	vlan=$(field "$i" vlan)
	[ "$vlan" != null ] || vlan=0
	assert_eq "vf-list VF $i vlan vs PF table" "$(vf_field "$i" vlan)" "$vlan"
	assert_eq "vf-list VF $i spoofchk vs PF table" "$(vf_field "$i" spoofchk)" "$(field "$i" spoofchk)"
	assert_eq "vf-list VF $i trust vs PF table" "$(vf_field "$i" trust)" "$(field "$i" trust)"
	assert_eq "vf-list VF $i port" null "$(field "$i" port)"
done
