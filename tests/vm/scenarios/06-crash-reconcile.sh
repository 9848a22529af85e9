# A port-create that dies half-way leaves a journal; `vport reconcile` restores
# the VF exactly (PF VF table and drivers as before the port-create).
#
# Fault injection: when the CLI documents VPORT_FAULT (OP[:N]=crash|crash-after,
# see src/libvport/core/fault.h) the crash is put at several points: before the
# first VF change (just after the snapshot), after the VF's MAC/VLAN were set, and
# (managed='yes') after the VF was bound to vfio-pci. The process must _exit(99).
# A build without the wrapper has no crash point (nothing reads any other
# variable), so the scenario skips there.
. "$(dirname "$0")/lib.sh"
need_vport

vport --help 2>&1 | grep -q VPORT_FAULT || skip "vport is built without -Dfault_injection=true: no crash point"
points="hn:VPORT_FAULT=vf_set:1=crash hn:VPORT_FAULT=vf_set:1=crash-after hm:VPORT_FAULT=pci_bind:1=crash-after"

for p in $points; do
	net=${p%%:*}
	fault=${p#*:}
	echo "--- crash point $fault (network $net)"
	fresh_sriov
	if [ "$net" = hm ]; then managed=yes; else managed=no; fi
	define_and_start "$net" "$managed"
	before=$(sriov_snapshot)

	run env "$fault" vport port-create "$net" --mac 52:54:00:00:00:61 --vlan 61 --prepare
	assert_eq "port-create with $fault exit status (the process must die there)" 99 "$rc"
	crashed=$(sriov_snapshot)
	printf '%s\n' "$crashed" | sed 's/^/  after the crash: /'
	case $fault in
	*=crash-after)
		# Otherwise reconcile would have nothing to undo and could not fail.
		assert_ne "VF state right after the crash ($fault changed something)" "$before" "$crashed" ;;
	esac

	run vport reconcile
	assert_eq "vport reconcile exit status after $fault" 0 "$rc"
	for i in 0 1; do
		wait_netdev "$(vf_pci "$i")" 10 || fail "VF $i has no netdev after reconcile"
	done
	assert_snapshot "VF state after reconcile ($fault)" "$before" "$(sriov_snapshot)"
done
