# Hostile strings at the CLI's edge, and a stored row that no longer parses
# (written before names were checked, or damaged): refused before anything
# is made; still listed, and deleted with everything it holds.

M=52:54:00:ee:00:01

count_kind() { links "$1" | jq --arg k "$2" '[.[] | select(.linkinfo.info_kind == $k)] | length'; }

test_bad_names_refused() {
	local bad out f
	topo A
	for bad in $'vm\n1' $'vm\x01' $'vm\xff' $'vm\xc2\x85'; do
		out=$(vp A port-create vepa --mac $M --owner "$bad" --prepare 2>&1) && fail "owner $(printf %q "$bad") accepted"
		[[ "$out" == *"owner name"* ]] || fail "message does not name the owner: $out"
		out=$(vp A port-create vepa --mac $M --portgroup "$bad" --prepare 2>&1) && fail "portgroup $(printf %q "$bad") accepted"
		[[ "$out" == *"portgroup name"* ]] || fail "message does not name the portgroup: $out"
		[ "$(printf %s "$out" | wc -l)" = 0 ] || fail "message is not one line: $out"
	done
	f=$(mktemp)
	printf '<networkport><owner><name>vm&#10;1</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner><mac address="%s"/></networkport>' $M >"$f"
	out=$(vp A port-create vepa --xml "$f" --prepare 2>&1) && fail "owner with &#10; accepted"
	[[ "$out" == *"<owner><name>"* ]] || fail "message does not name <owner><name>: $out"
	printf '<networkport><owner><name>vm</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner><mac address="%s"/></networkport>\0<junk/>' $M >"$f"
	out=$(vp A port-create vepa --xml "$f" --prepare 2>&1) && fail "a file with a NUL byte accepted"
	[[ "$out" == *"NUL byte"* ]] || fail "message does not name the NUL byte: $out"
	# each file error names its own cause (a stale errno said "No such file or directory")
	truncate -s 17M "$f"
	out=$(vp A port-create vepa --xml "$f" 2>&1) && fail "a 17 MiB file accepted"
	[[ "$out" == *"larger than"* && "$out" != *"No such file"* ]] || fail "oversized file: $out"
	out=$(vp A net-define "$f" 2>&1) && fail "a 17 MiB network file accepted"
	[[ "$out" == *"larger than"* ]] || fail "oversized network file: $out"
	rm -f "$f"
	expect_eq "macvtaps" "$(count_kind A macvtap)" 0
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
}

test_damaged_row_deleted() {
	local u ifname orig out
	topo A
	orig=$(link_mac A eth1)
	u=$(port_create A passthrough $M) || exit 1
	ifname=$(port_field A "$u" ifname)
	vp A port-activate "$u" >/dev/null || fail "activate"
	# What an older vport stored for --owner $'vm\x01\nFAKE': unreadable XML,
	# and an owner column with a newline
	sqlite3 "$STATE_A/vport.db" "UPDATE ports SET xml = '<networkport><owner><name>vm' || char(1) || '</name></owner></networkport>', owner_name = 'vm' || char(10) || 'FAKE' WHERE uuid = '$u'" ||
		fail "sqlite3"
	out=$(vp A port-list 2>/dev/null) || fail "port-list fails on a damaged row"
	expect_eq "port-list lines (header + one row: the newline is escaped)" "$(printf '%s\n' "$out" | wc -l)" 2
	[[ "$out" == *'vm\nFAKE'* ]] || fail "owner not escaped: $out"
	[[ "$out" == *damaged* ]] || fail "port not listed as damaged: $out"
	out=$(vp A port-list 2>&1 >/dev/null)
	[[ "$out" == *"port $u: stored definition"*"it can only be deleted"* ]] || fail "no note on the damaged port: $out"
	vpj A port-list 2>/dev/null | jq -e '.[0].damaged | test("stored definition")' >/dev/null || fail "JSON has no 'damaged'"
	out=$(vp A port-dumpxml "$u" 2>&1) && fail "dumpxml of a damaged port succeeded"
	[[ "$out" == *"port-delete"* ]] || fail "dumpxml does not say what to do: $out"

	vp A port-delete "$u" >/dev/null || fail "delete of a damaged port"
	link_exists A "$ifname" && fail "$ifname left behind"
	expect_eq "macvtaps" "$(count_kind A macvtap)" 0
	expect_eq "physdev MAC restored" "$(link_mac A eth1)" "$orig"
	expect_eq "physdev up (it was)" "$(link_up A eth1)" true
	expect_eq "ports" "$(vpj A port-list | jq length)" 0
	expect_eq "journal entries" "$(sqlite3 "$STATE_A/vport.db" 'SELECT count(*) FROM journal')" 0
	expect_eq "pool device connections" "$(vpj A net-info passthrough | jq '.devices[0].connections')" 0
	# the exclusive pool device can be taken again
	u=$(port_create A passthrough $M) || exit 1
	vp A port-delete "$u" >/dev/null || fail "delete"
}
