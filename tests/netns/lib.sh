# Helpers for the lifecycle tests (sourced by tests/netns/run).
#
# A test runs in a subshell with throwaway namespaces: one per "host"
# (A, B) and a wire namespace W standing for the switch/peer. Every host
# has:  eth0 (veth, peer W:<host>0)  pool device of the direct networks
#       eth1 (veth, peer W:<host>1)  pool device of the passthrough network
#       br0 with port eth2 (veth, peer W:<host>2)  bridge of bridge networks
# W bridges all peers into wire0, as a switch between the hosts would.
# IPv6 is off everywhere, so packet counters only move for our frames.
# Kernel state is always read back with ip/bridge -j and jq, never
# through vport.

# Debian's interpreter (installed with meson), not whatever python3 comes
# first on PATH: the packet-socket helpers need nothing but its stdlib.
PYTHON=${PYTHON:-/usr/bin/python3}

NS_PREFIX="vpt$$"
NAMESPACES=()
STATE_DIRS=()

fail() { echo "    FAIL: $*" >&2; exit 1; }
skip() { echo "    SKIP: $*" >&2; exit 77; }
expect_eq() { # expect_eq WHAT ACTUAL EXPECTED
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

ns() { echo "$NS_PREFIX-$1"; }

ns_new() { # ns_new NAME
	ip netns add "$(ns "$1")" || fail "ip netns add $(ns "$1")"
	NAMESPACES+=("$(ns "$1")")
	ip netns exec "$(ns "$1")" sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1' 2>/dev/null
	ip -n "$(ns "$1")" link set lo up
}

cleanup_all() {
	local n d
	for n in "${NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null; done
	for d in "${STATE_DIRS[@]}"; do rm -rf "$d"; done
}

host_new() { # host_new H: namespace, state dir, devices, networks
	local h=$1 w i d
	w=$(ns W)
	ns_new "$h"
	d=$(mktemp -d /tmp/vport-netns-XXXXXX)
	STATE_DIRS+=("$d")
	eval "STATE_$h=$d"
	for i in 0 1 2; do
		ip -n "$(ns "$h")" link add eth$i type veth peer name "${h}$i" netns "$w" || fail "veth eth$i"
		ip -n "$w" link set "${h}$i" master wire0 up
	done
	ip -n "$(ns "$h")" link set eth0 up
	ip -n "$(ns "$h")" link set eth1 up
	ip -n "$(ns "$h")" link add br0 type bridge
	ip -n "$(ns "$h")" link set eth2 master br0 up
	ip -n "$(ns "$h")" link set br0 up
	net_add "$h" vepa "<forward mode='vepa'><interface dev='eth0'/></forward>"
	net_add "$h" bridgemode "<forward mode='bridge'><interface dev='eth0'/></forward>"
	net_add "$h" private "<forward mode='private'><interface dev='eth0'/></forward>"
	net_add "$h" passthrough "<forward mode='passthrough'><interface dev='eth1'/></forward>"
	net_add "$h" br "<forward mode='bridge'/><bridge name='br0'/>"
	net_add "$h" brlv "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/>"
}

topo() { # topo HOST...: the wire namespace and the hosts
	ns_new W
	ip -n "$(ns W)" link add wire0 type bridge
	ip -n "$(ns W)" link set wire0 up
	local h
	for h in "$@"; do host_new "$h"; done
}

vp() { # vp HOST ARGS...: the vport CLI on that host
	local h=$1 d
	shift
	d=$(eval echo "\$STATE_$h")
	VPORT_STATE_DIR=$d ip netns exec "$(ns "$h")" "$VPORT" "$@"
}

vpj() { local h=$1; shift; vp "$h" --json "$@"; }

net_add() { # net_add HOST NAME FORWARD-XML
	local f
	f=$(mktemp)
	echo "<network><name>$2</name>$3</network>" >"$f"
	vp "$1" net-define "$f" >/dev/null || fail "net-define $2"
	vp "$1" net-start "$2" >/dev/null || fail "net-start $2"
	rm -f "$f"
}

# port_create HOST NET MAC [more vport args]: prints the uuid
port_create() {
	local h=$1 net=$2 mac=$3 out
	shift 3
	out=$(vpj "$h" port-create "$net" --mac "$mac" --owner vm1 --prepare "$@") || fail "port-create $net $mac: $out"
	echo "$out" | jq -r .uuid
}

port_field() { vpj "$1" port-dumpxml "$2" >/dev/null; vpj "$1" port-list | jq -r ".[] | select(.uuid==\"$2\") | .$3"; }

links() { ip -n "$(ns "$1")" -j -d link show; }
link() { ip -n "$(ns "$1")" -j -d link show dev "$2" 2>/dev/null | jq -c '.[0]'; }
link_exists() { ip -n "$(ns "$1")" link show dev "$2" >/dev/null 2>&1; }
link_up() { link "$1" "$2" | jq -r '(.flags | index("UP")) != null'; }
link_mac() { link "$1" "$2" | jq -r .address; }

# Links of host H that carry MAC and are administratively up: the MAC on the wire.
mac_up_count() {
	links "$1" | jq --arg m "$2" '[.[] | select(.address == $m and (.flags | index("UP")))] | length'
}
# FDB entries for MAC on host H's bridges.
fdb_count() {
	bridge -n "$(ns "$1")" -j fdb show | jq --arg m "$2" '[.[] | select(.mac == $m and .master != null)] | length'
}
# frames_through HOST MAC DEV PEER: send one test frame with source MAC
# through DEV (see send_frame) and print how many such frames (our
# ethertype, our source MAC) the wire namespace's PEER device received,
# counted by a packet socket there: other traffic never counts.
frames_through() {
	local out
	out=$(mktemp)
	ip netns exec "$(ns W)" "$PYTHON" - "$4" "$2" >"$out" <<'PY' &
import socket, sys, time
dev, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
# ETH_P_ALL: a bridge port's rx_handler takes frames before per-protocol sockets see them
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((dev, 0))
s.settimeout(0.1)
print('ready', flush=True)
n, end = 0, time.time() + 2.5
while time.time() < end:
    try:
        f, addr = s.recvfrom(2048)
    except socket.timeout:
        continue
    if addr[2] != socket.PACKET_OUTGOING and f[6:12] == mac and f[12:14] == b'\x88\xb5':
        n += 1
print(n)
PY
	local pid=$! i
	for i in $(seq 50); do grep -q ready "$out" && break; sleep 0.05; done
	send_frame "$1" "$2" "$3" 2>/dev/null
	wait $pid
	tail -1 "$out"
	rm -f "$out"
}

# send_frame HOST MAC DEV: one broadcast frame with source MAC out of a
# macvtap (DEV = /dev/tapN, with a zeroed virtio-net header, as QEMU would
# write it) or a tap (DEV = name, opened through /dev/net/tun). Exit
# status: 0 written, 1 refused by the kernel.
send_frame() {
	ip netns exec "$(ns "$1")" "$PYTHON" - "$2" "$3" <<'PY'
import fcntl, os, stat, struct, sys, tempfile, time
mac, dev = bytes.fromhex(sys.argv[1].replace(':', '')), sys.argv[2]
frame = b'\xff' * 6 + mac + b'\x88\xb5' + b'vport-netns-test'.ljust(46, b'\0')
try:
    if dev.startswith('/dev/'):
        # /dev is shared by all namespaces but /dev/tapN is named after an
        # ifindex, which is not: another namespace's macvtap (or one still
        # being torn down) may own /dev/tapN right now. Open our macvtap's
        # character device by its numbers instead, from this namespace's
        # /sys (ip netns exec mounts it), through a private node.
        ifindex = dev[len('/dev/tap'):]
        names = [n for n in os.listdir('/sys/class/net')
                 if open('/sys/class/net/%s/ifindex' % n).read().strip() == ifindex]
        if not names:
            raise OSError('no link with ifindex %s' % ifindex)
        sysdir = '/sys/class/net/%s' % names[0]
        major, minor = open('%s/macvtap/tap%s/dev' % (sysdir, ifindex)).read().strip().split(':')
        # Its operstate follows the lower device through linkwatch,
        # asynchronously: a frame written before it reads "up" is dropped.
        for _ in range(60):
            if open(sysdir + '/operstate').read().strip() == 'up':
                break
            time.sleep(0.05)
        tmp = tempfile.mkdtemp()
        node = tmp + '/tap'
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(int(major), int(minor)))
        fd = os.open(node, os.O_RDWR)
        os.unlink(node)
        os.rmdir(tmp)
        os.write(fd, b'\0' * 10 + frame)
    else:
        fd = os.open('/dev/net/tun', os.O_RDWR)
        fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', dev.encode(), 0x0002 | 0x1000))  # TUNSETIFF, IFF_TAP|IFF_NO_PI
        # Attaching turns the carrier on, but the bridge only hears of it
        # through linkwatch, which may take up to a second.
        time.sleep(1.2)
        os.write(fd, frame)
except OSError as e:
    print('send_frame: %s' % e, file=sys.stderr)
    sys.exit(1)
PY
}
