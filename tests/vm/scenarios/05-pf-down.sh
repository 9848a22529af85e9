# With the PF down, igb accepts VF settings only with a warning and the VF cannot
# come up: port-create --prepare and vf-set-mac must fail with a message saying the
# PF is down, and leave the VF table unchanged.
. "$(dirname "$0")/lib.sh"
need_vport

define_and_start hn no
pci=$(vf_pci 0)
run ip link set "$PF" down
assert_eq "ip link set $PF down" 0 "$rc"
before=$(sriov_snapshot)

run vport port-create hn --mac 52:54:00:00:00:51 --prepare
assert_ne "port-create --prepare with $PF down exit status" 0 "$rc"
assert_match "port-create error names the PF" "$PF" "$out"
assert_match "port-create error says the PF is down" "down" "$out"
assert_snapshot "VF state after the failed port-create" "$before" "$(sriov_snapshot)"

run vport vf-set-mac "$pci" 52:54:00:00:00:52
assert_ne "vf-set-mac with $PF down exit status" 0 "$rc"
assert_match "vf-set-mac error names the PF" "$PF" "$out"
assert_match "vf-set-mac error says the PF is down" "down" "$out"
assert_snapshot "VF state after the failed vf-set-mac" "$before" "$(sriov_snapshot)"
ip link set "$PF" up
