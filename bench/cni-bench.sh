#!/usr/bin/env bash
# vport-cni against Debian's reference plugins, in one run, on the same
# host namespace and the same host-local IPAM (not a test: it asserts
# nothing). Run as root:
#   bench/cni-bench.sh [N [M]]    N ADD+DEL pairs per plugin (default 40),
#                                 M `podman run --rm ... true` per network (default 8, 0: none)
#   CNI_PLUGIN=path               the plugin (default build/src/cni/vport-cni)
# Prints medians and the ratios vport-cni / reference for:
#   bridge:  vport-cni on a bridge network (veth, FDB entry) vs `bridge`
#   macvlan: vport-cni on a direct network (macvlan, bridge mode) vs `macvlan`
# Every round alternates the order of the two, so neither always follows
# the other's RCU grace periods.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${1:-40}
M=${2:-8}
CNI_PLUGIN=${CNI_PLUGIN:-$top/build/src/cni/vport-cni}
VPORT=${VPORT:-$top/build/src/vport/vport}
P=vcnib$$
T=$(mktemp -d /tmp/vport-cni-bench-XXXXXX)

cleanup() {
	[ -z "${PM_READY:-}" ] || pm rmi -a -f >/dev/null 2>&1 || true
	for n in H C; do ip netns del "$P-$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

ip netns add "$P-H"
ip netns add "$P-C"
H() { nsenter --net="/run/netns/$P-H" "$@"; }
H ip link set lo up
H ip link add br0 type bridge
H ip link add upl0 type veth peer name upl0p
H ip link set upl0 master br0 up
H ip link set upl0p up
H ip link set br0 up
H ip link add eth0 type veth peer name eth0p
H ip link set eth0 up
H ip link set eth0p up
mkdir -p "$T/state" "$T/ipam" "$T/bin" "$T/net.d" "$T/R/bin" "$T/tmp"
chmod 700 "$T/state" # vport would tighten it, with a note on every run
echo "<network><name>br</name><forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/></network>" >"$T/br.xml"
echo "<network><name>dir</name><forward mode='bridge'><interface dev='eth0'/></forward></network>" >"$T/dir.xml"
for n in br dir; do
	H env VPORT_STATE_DIR="$T/state" "$VPORT" net-define "$T/$n.xml" >/dev/null
	H env VPORT_STATE_DIR="$T/state" "$VPORT" net-start "$n" >/dev/null
done

ipam() { printf '"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s"}]]}' "$T/ipam" "$1"; }
conf_vbr='{"cniVersion":"1.0.0","name":"vbr","type":"vport-cni","network":"br","stateDir":"'$T/state'",'$(ipam 10.90.1.0/24)'}'
conf_rbr='{"cniVersion":"1.0.0","name":"rbr","type":"bridge","bridge":"br0",'$(ipam 10.90.2.0/24)'}'
conf_vdir='{"cniVersion":"1.0.0","name":"vdir","type":"vport-cni","network":"dir","stateDir":"'$T/state'",'$(ipam 10.90.3.0/24)'}'
conf_rmv='{"cniVersion":"1.0.0","name":"rmv","type":"macvlan","master":"eth0","mode":"bridge",'$(ipam 10.90.4.0/24)'}'
ln -s "$CNI_PLUGIN" "$T/bin/vport-cni"
export CNI_PATH=$T/bin:/usr/lib/cni

# One ADD+DEL of plugin TYPE with CONF; prints the microseconds taken by
# both, by the ADD and by the DEL.
adddel() { # adddel TYPE CONF ROUND
	local bin=/usr/lib/cni/$1 t0 t1 t2
	[ "$1" = vport-cni ] && bin=$CNI_PLUGIN
	t0=$EPOCHREALTIME
	printf '%s' "$2" | CNI_COMMAND=ADD CNI_CONTAINERID="b$3" CNI_NETNS="/run/netns/$P-C" CNI_IFNAME=eth0 "$bin" >/dev/null
	t1=$EPOCHREALTIME
	printf '%s' "$2" | CNI_COMMAND=DEL CNI_CONTAINERID="b$3" CNI_NETNS="/run/netns/$P-C" CNI_IFNAME=eth0 "$bin" >/dev/null
	t2=$EPOCHREALTIME
	echo "$((${t2/./} - ${t0/./})):$((${t1/./} - ${t0/./})):$((${t2/./} - ${t1/./}))"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }

declare -A times
pair() { # pair NAME-A TYPE-A CONF-A NAME-B TYPE-B CONF-B
	local i
	for ((i = 0; i < N; i++)); do
		if ((i % 2)); then
			times[$1]+="$(H bash -c "$(declare -f adddel); CNI_PLUGIN=$CNI_PLUGIN P=$P; adddel $2 '$3' $i") "
			times[$4]+="$(H bash -c "$(declare -f adddel); CNI_PLUGIN=$CNI_PLUGIN P=$P; adddel $5 '$6' $i") "
		else
			times[$4]+="$(H bash -c "$(declare -f adddel); CNI_PLUGIN=$CNI_PLUGIN P=$P; adddel $5 '$6' $i") "
			times[$1]+="$(H bash -c "$(declare -f adddel); CNI_PLUGIN=$CNI_PLUGIN P=$P; adddel $2 '$3' $i") "
		fi
	done
}

if ((N > 0)); then
	pair vbr vport-cni "$conf_vbr" rbr bridge "$conf_rbr"
	pair vdir vport-cni "$conf_vdir" rmv macvlan "$conf_rmv"
	med() { tr ' ' '\n' <<<"${times[$1]}" | grep . | cut -d: -f"${2:-1}" | median; }

	echo "ADD+DEL of one attachment, median of $N (same run, same host namespace, host-local IPAM):"
	printf '  %-8s vport-cni %s   reference %s   vport-cni/reference %s\n' \
		bridge "$(ms "$(med vbr)")" "$(ms "$(med rbr)")" "$(ratio "$(med vbr)" "$(med rbr)")"
	printf '  %-8s vport-cni %s   reference %s   vport-cni/reference %s\n' \
		macvlan "$(ms "$(med vdir)")" "$(ms "$(med rmv)")" "$(ratio "$(med vdir)" "$(med rmv)")"
	echo "  each verb (medians): ADD / DEL"
	printf '  %-8s vport-cni %s / %s   reference %s / %s\n' bridge \
		"$(ms "$(med vbr 2)")" "$(ms "$(med vbr 3)")" "$(ms "$(med rbr 2)")" "$(ms "$(med rbr 3)")"
	printf '  %-8s vport-cni %s / %s   reference %s / %s\n' macvlan \
		"$(ms "$(med vdir 2)")" "$(ms "$(med vdir 3)")" "$(ms "$(med rmv 2)")" "$(ms "$(med rmv 3)")"
fi

[ "$M" -gt 0 ] && command -v podman >/dev/null || exit 0
# podman run --rm ... true on each network: storage and configuration private
# (tests/cni/podman.sh explains each line).
cat >"$T/containers.conf" <<EOF2
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$T/bin", "/usr/lib/cni"]
network_config_dir = "$T/net.d"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/events.log"
tmp_dir = "$T/tmp"
EOF2
for c in vbr rbr vdir rmv; do
	v=conf_$c
	jq -c --arg n "$c$$" '{cniVersion, name: $n, plugins: [del(.cniVersion, .name)]}' <<<"${!v}" >"$T/net.d/$c.conflist"
done
pm() {
	H env CONTAINERS_CONF="$T/containers.conf" podman --root "$T/root" --runroot "$T/runroot" \
		--storage-driver vfs --network-config-dir "$T/net.d" "$@"
}
cp /bin/busybox "$T/R/bin/"
ln -s busybox "$T/R/bin/true"
tar -C "$T/R" -c . | pm import - localhost/vport-cni-bench:1 >/dev/null 2>&1
PM_READY=1
declare -A prun
for ((i = 0; i < M; i++)); do
	for c in vbr rbr vdir rmv; do
		t0=$EPOCHREALTIME
		pm run --rm --network "$c$$" localhost/vport-cni-bench:1 true
		t1=$EPOCHREALTIME
		prun[$c]+="$((${t1/./} - ${t0/./})) "
	done
done
pmed() { tr ' ' '\n' <<<"${prun[$1]}" | grep . | median; }
echo "podman run --rm ... true, median of $M:"
printf '  %-8s vport-cni %s   reference %s   vport-cni/reference %s\n' \
	bridge "$(ms "$(pmed vbr)")" "$(ms "$(pmed rbr)")" "$(ratio "$(pmed vbr)" "$(pmed rbr)")"
printf '  %-8s vport-cni %s   reference %s   vport-cni/reference %s\n' \
	macvlan "$(ms "$(pmed vdir)")" "$(ms "$(pmed rmv)")" "$(ratio "$(pmed vdir)" "$(pmed rmv)")"
