# A port-create that dies half-way (fault injection: VPORT_CRASH_AT makes the
# library _exit(99) at the named point) leaves a journal; `vport reconcile`
# restores the VF exactly.
. "$(dirname "$0")/lib.sh"
need_vport

define_and_start hn no
before=$(sriov_snapshot)

run env VPORT_CRASH_AT=after-snapshot vport port-create hn --mac 52:54:00:00:00:61 --prepare
assert_eq "port-create with VPORT_CRASH_AT=after-snapshot exit status (fault injected)" 99 "$rc"
vf_table | sed 's/^/  vf table after the crash: /'

run vport reconcile
assert_eq "vport reconcile exit status" 0 "$rc"
assert_snapshot "VF state after reconcile" "$before" "$(sriov_snapshot)"
