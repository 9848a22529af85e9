# Helpers for the CNI conformance tests (sourced by tests/cni/run).
#
# A test runs in a subshell with throwaway namespaces: H is the host the
# plugin runs on (vport's state in its own directory), with
#   br0 (uplink upl0) bridge of the "br" (macTableManager='libvirt') network
#   eth0 (veth)      lower device of the "dir" (macvlan bridge mode) network
# and containers C1, C2, ... whose namespaces the plugin is handed as
# /run/netns/NAME, as a runtime does. The plugin is driven exactly as a
# runtime drives it: CNI_* in the environment, the configuration on stdin,
# the result or error object on stdout. Kernel state is read back with
# ip/bridge -j and jq, never through vport.

NS_PREFIX="vcni$$"
NAMESPACES=()
TMPDIRS=()
CNI_PATH_DIRS=/usr/lib/cni

fail() { echo "    FAIL: $*" >&2; exit 1; }
skip() { echo "    SKIP: $*" >&2; exit 77; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }

ns() { echo "$NS_PREFIX-$1"; }

ns_new() {
	ip netns add "$(ns "$1")" || fail "ip netns add $(ns "$1")"
	NAMESPACES+=("$(ns "$1")")
	ip netns exec "$(ns "$1")" sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1' 2>/dev/null
	ip -n "$(ns "$1")" link set lo up
}

cleanup_all() {
	local n
	for n in "${NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "${TMPDIRS[@]}"
}

# The host H with its state, devices and the vport networks.
setup() {
	STATE=$(mktemp -d /tmp/vport-cni-XXXXXX)
	TMPDIRS+=("$STATE")
	IPAMDIR=$STATE/ipam
	ns_new H
	ip -n "$(ns H)" link add br0 type bridge
	ip -n "$(ns H)" link set br0 up
	# An uplink, as a host's bridge has: the bridge keeps its MAC and
	# carrier whatever container ports come and go.
	ip -n "$(ns H)" link add upl0 type veth peer name upl0p
	ip -n "$(ns H)" link set upl0 master br0 up
	ip -n "$(ns H)" link set upl0p up
	ip -n "$(ns H)" link add eth0 type veth peer name eth0p
	ip -n "$(ns H)" link set eth0 up
	ip -n "$(ns H)" link set eth0p up
	net_add br "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/>"
	net_add dir "<forward mode='bridge'><interface dev='eth0'/></forward>"
}

hx() { VPORT_STATE_DIR=$STATE ip netns exec "$(ns H)" "$@"; }

net_add() { # net_add NAME FORWARD-XML
	printf "<network><name>%s</name>%s</network>\n" "$1" "$2" >"$STATE/$1.xml"
	hx "$VPORT" net-define "$STATE/$1.xml" >/dev/null || fail "net-define $1"
	hx "$VPORT" net-start "$1" >/dev/null || fail "net-start $1"
}

# conf VERSION NETWORK [EXTRA-JSON-FIELDS]: a plugin configuration with
# host-local IPAM in the test's own data directory.
conf() {
	local v=$1 net=$2 extra=${3:-}
	local subnet=10.77.0.0/24
	[ "$net" = dir ] && subnet=10.78.0.0/24
	printf '{"cniVersion":"%s","name":"n-%s","type":"vport-cni","network":"%s","stateDir":"%s"%s,"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s","gateway":"%s"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' \
		"$v" "$net" "$net" "$STATE" "${extra:+,$extra}" "$IPAMDIR" "$subnet" "${subnet%0/24}1"
}

# cni VERB CONTAINERID IFNAME NETNS-PATH CONF [ENV...]: run the plugin in H;
# OUT is its stdout, RC its exit status.
cni() {
	local verb=$1 cid=$2 ifn=$3 netns=$4 cfg=$5
	shift 5
	OUT=$(printf '%s' "$cfg" | VPORT_STATE_DIR= ip netns exec "$(ns H)" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		CNI_COMMAND="$verb" ${cid:+CNI_CONTAINERID=$cid} ${ifn:+CNI_IFNAME=$ifn} ${netns:+CNI_NETNS=$netns} \
		CNI_PATH=$CNI_PATH_DIRS "$@" "${CNI_BIN:-$CNI_PLUGIN}")
	RC=$?
}

# The configuration a runtime sends with a verb after ADD: with prevResult.
with_prev() { # with_prev CONF RESULT
	jq -c --argjson r "$2" '. + {prevResult: $r}' <<<"$1"
}

expect_ok() { [ "$RC" = 0 ] || fail "$1: exit $RC, output $OUT"; }
expect_error() { # expect_error WHAT CODE MSG-SUBSTRING
	[ "$RC" != 0 ] || fail "$1: succeeded, expected error $2: $OUT"
	expect_eq "$1: code" "$(jq -r .code <<<"$OUT")" "$2"
	[ -z "${3:-}" ] || grep -qF -- "$3" <<<"$(jq -r .msg <<<"$OUT")" || fail "$1: message does not name '$3': $OUT"
}

container() { ns_new "$1"; }
cpath() { echo "/run/netns/$(ns "$1")"; }

# Everything of H a DEL must restore: links (without counters and
# timers), addresses, and the FDB entries someone set (learned ones come and
# go with traffic).
host_state() {
	ip -n "$(ns H)" -j -d link show | jq -S 'map(del(.stats64, .stats)) | walk(if type == "object" then with_entries(select(.key | endswith("_timer") | not)) else . end)'
	ip -n "$(ns H)" -j -d addr show | jq -S 'map({ifname, addr_info})'
	hx bridge -j fdb show | jq -S 'map(select(.state == "permanent" or .state == "static"))' 
}

ports() { hx "$VPORT" port-list --json | jq length; }
ipam_leases() { find "$IPAMDIR" -type f -name '10.*' 2>/dev/null | wc -l; }

# cjq NS FILTER: ip -j -d addr of the container, through jq.
cjq() { ip -n "$(ns "$1")" -j -d addr show | jq -r "$2"; }
