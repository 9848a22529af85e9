# podman with its CNI backend running a busybox container on vport
# networks (sourced by tests/cni/run; every function test_* runs on its
# own). Everything podman keeps is private to the test: storage (--root,
# --runroot, vfs), configuration (CONTAINERS_CONF naming a containers.conf
# in the test's directory, networks in a private --network-config-dir),
# and it runs in the namespace H (nsenter --net: `ip netns exec` would
# remount /sys and hide the cgroup mounts runc needs). The image is built
# locally from busybox-static: no registry is involved.
#
# Topology: H has br0 (the "br" network, uplink upl0) and eth0 (lower
# device of the "dir" network, bridge mode); their veth peers sit in the
# peer namespace W with 10.88.5.1 and 10.88.6.1, which the containers ping.

podman_setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	command -v runc >/dev/null || skip "runc is not installed"
	file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || skip "busybox-static is not installed"
	setup
	PT=$(mktemp -d /tmp/vport-podman-XXXXXX)
	TMPDIRS+=("$PT")
	ns_new W
	ip -n "$(ns H)" link set upl0p netns "$(ns W)"
	ip -n "$(ns H)" link set eth0p netns "$(ns W)"
	ip -n "$(ns W)" addr add 10.88.5.1/24 dev upl0p
	ip -n "$(ns W)" addr add 10.88.6.1/24 dev eth0p
	ip -n "$(ns W)" link set upl0p up
	ip -n "$(ns W)" link set eth0p up
	mkdir -p "$PT/bin" "$PT/net.d" "$PT/R/bin" "$PT/tmp"
	ln -s "$CNI_PLUGIN" "$PT/bin/vport-cni"
	cat >"$PT/containers.conf" <<-EOF2
		# tests/cni/podman.sh: every line is needed on these machines
		# (../shared/notes/podman-cni.md): the CNI backend, runc, cgroupfs,
		# ulimits that need no CAP_SYS_RESOURCE.
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["$PT/bin", "/usr/lib/cni"]
		network_config_dir = "$PT/net.d"
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PT/events.log"
		tmp_dir = "$PT/tmp"
	EOF2
	# Names of our own: libcni caches results as NAME-CONTAINERID-IFNAME.
	VBR=vbr$$
	VDIR=vdir$$
	conflist $VBR br 10.88.5
	conflist $VDIR dir 10.88.6
	cp /bin/busybox "$PT/R/bin/"
	local a
	for a in sh ip ping sleep true cat; do ln -s busybox "$PT/R/bin/$a"; done
	tar -C "$PT/R" -c . | pm import - localhost/vport-cni-test:1 >/dev/null 2>&1 || fail "podman import"
	NETNS_BEFORE=$(ls /run/netns | grep "^netns-" | sort)
}

conflist() { # conflist NAME VPORT-NETWORK SUBNET-PREFIX
	cat >"$PT/net.d/$1.conflist" <<-EOF2
		{"cniVersion": "1.0.0", "name": "$1", "plugins": [{"type": "vport-cni", "network": "$2",
		 "stateDir": "$STATE", "ipam": {"type": "host-local", "dataDir": "$IPAMDIR",
		 "ranges": [[{"subnet": "$3.0/24", "rangeStart": "$3.10", "rangeEnd": "$3.50", "gateway": "$3.1"}]]}}]}
	EOF2
}

pm() {
	nsenter --net="/run/netns/$(ns H)" env CONTAINERS_CONF="$PT/containers.conf" \
		podman --root "$PT/root" --runroot "$PT/runroot" --storage-driver vfs --network-config-dir "$PT/net.d" "$@"
}

podman_cleanup() {
	[ -n "${PT:-}" ] || return 0
	pm rm -a -f >/dev/null 2>&1
	pm rmi -a -f >/dev/null 2>&1
}

# One container on NET: its interface and address, a ping to the peer,
# then `podman rm` and the host exactly as before.
podman_run_on() { # podman_run_on NETWORK SUBNET-PREFIX MAC
	local net=$1 sub=$2 mac=$3 before id addr
	before=$(host_state)
	id=$(pm run -d --network "$net" --mac-address "$mac" --cap-add NET_RAW localhost/vport-cni-test:1 sleep 600) ||
		fail "podman run on $net"
	addr=$(pm exec "$id" ip -o -4 addr show eth0 | awk '{print $4}')
	[[ "$addr" == $sub.*/24 ]] || fail "container on $net: eth0 address '$addr' not from $sub.0/24"
	expect_eq "container on $net: MAC (--mac-address through CNI_ARGS)" \
		"$(pm exec "$id" cat /sys/class/net/eth0/address)" "$mac"
	pm exec "$id" ping -c1 -W2 "$sub.1" >/dev/null || fail "container on $net cannot ping the peer $sub.1"
	expect_eq "vport port-list shows the container" \
		"$(hx "$VPORT" port-list --json | jq -r '.[0] | .network + " " + .container_ifname + " " + (.owner.name | length | tostring)')" \
		"$(hx "$VPORT" net-info "$(jq -r '.plugins[0].network' "$PT/net.d/$net.conflist")" --json | jq -r .name) eth0 64"
	pm rm -f -t 0 "$id" >/dev/null || fail "podman rm on $net"
	expect_eq "after podman rm on $net: host as before" "$(host_state)" "$before"
	expect_eq "after podman rm on $net: no port" "$(ports)" 0
	expect_eq "after podman rm on $net: no IPAM lease" "$(ipam_leases)" 0
	expect_eq "after podman rm: no podman namespace left" "$(ls /run/netns | grep "^netns-" | sort)" "$NETNS_BEFORE"
	expect_eq "after podman rm: nothing of ours in libcni's cache" \
		"$(find /var/lib/cni -name "$net-*" 2>/dev/null)" ""
}

test_podman_bridge() {
	podman_setup
	podman_run_on "$VBR" 10.88.5 02:42:0a:58:05:0b
}

test_podman_direct() {
	podman_setup
	podman_run_on "$VDIR" 10.88.6 02:42:0a:58:06:0c
}

# `podman run --rm` end to end, as the benchmark runs it.
test_podman_run_rm() {
	podman_setup
	local before
	before=$(host_state)
	pm run --rm --network "$VBR" localhost/vport-cni-test:1 true || fail "podman run --rm on the bridge network"
	pm run --rm --network "$VDIR" localhost/vport-cni-test:1 true || fail "podman run --rm on the direct network"
	expect_eq "host as before" "$(host_state)" "$before"
	expect_eq "no port" "$(ports)" 0
}
