# 802.1Qbg against real lldpad (Debian's, ratified VDP: "vdp22"); see
# /work/shared/notes/lldpad-vdp.md. A station namespace runs vport and
# lldpad in the station role; a bridge namespace runs lldpad in the bridge
# role; a veth pair joins them. Each lldpad gets its own network namespace,
# a private /run (its pid file path is fixed) and /dev/shm (its
# single-instance guard), and a fresh copy of its configuration. vport is
# told the station's pid file through VPORT_LLDPAD_PIDFILE.
#
# The station's view is read with vdptool; the bridge has no query
# interface, so its -V7 log is the evidence (lines naming the VSI's UUID
# with vsi_mode 1 = pre-associate, 3 = associate).

LLDPADS=()

need_lldpad() {
	command -v lldpad >/dev/null && command -v vdptool >/dev/null && command -v lldptool >/dev/null ||
		skip "lldpad, vdptool, lldptool not installed (Debian package lldpad)"
}

vdp_cleanup() {
	local p
	for p in "${LLDPADS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LLDPADS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
	cleanup_all
}

lldpad_conf() { # lldpad_conf ROLE IF...: the per-interface EVB/VDP block, short timers
	local role=$1 cap=false tx=true ifc
	shift
	# bridge-off: a bridge that does not offer EVB (no TLV sent), so VDP never starts
	[ "$role" = bridge-off ] && role=bridge tx=false
	[ "$role" = bridge ] && cap=true
	echo "nearest_customer_bridge :"
	echo "{"
	for ifc in "$@"; do
		cat <<C
  $ifc : { adminStatus = 3; tlvid0080c20d : { enableTx = $tx; evbmode = "$role"; evbrrcap = $cap;
    evbrrreq = true; evbgpid = false; ecpretries = 3; ecprte = 8; vdprwd = 16; vdprka = ${VDP_RKA:-16}; }; };
C
	done
	echo "};"
}

# lldpad_start NAME HOST ROLE IF...: DIR_<NAME> holds run/, shm/, the config and the log
lldpad_start() {
	local name=$1 h=$2 role=$3 d
	shift 3
	d=$(mktemp -d /tmp/vport-lldpad-XXXXXX)
	STATE_DIRS+=("$d")
	eval "DIR_$name=$d"
	mkdir -p "$d/run" "$d/shm"
	lldpad_conf "$role" "$@" >"$d/lldpad.conf"
	ip netns exec "$(ns "$h")" unshare --mount --propagation private sh -c \
		"mount --bind $d/run /run && mount --bind $d/shm /dev/shm && exec stdbuf -oL lldpad -V7 -f $d/lldpad.conf" \
		>"$d/log" 2>&1 &
	LLDPADS+=($!)
	eval "PID_$name=$!"
}

lldpad_stop() { # lldpad_stop NAME: SIGTERM and wait (lldpad takes ~1.6 s)
	local p
	p=$(eval echo "\$PID_$1")
	kill "$p"
	while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
}

evb_wait() { # evb_wait HOST IF: until EVB is negotiated (requests fail before)
	local i
	for i in $(seq 60); do
		ip netns exec "$(ns "$1")" lldptool -t -i "$2" -g ncb -V evb 2>/dev/null | grep -q rrctr && return 0
		sleep 0.2
	done
	fail "EVB not negotiated on $1:$2"
}

# The station side: VSIs lldpad holds for UUID (any mode), as "mode" lines.
station_modes() { # station_modes HOST IF UUID
	local m
	for m in preassoc assoc; do
		ip netns exec "$(ns "$1")" vdptool -t -i "$2" -V assoc -c mode=$m 2>/dev/null |
			awk -v u="$3" '/mode =/ {m=$3} /uuid =/ && $3 == u {print m}'
	done
}

# The bridge side: "TIME IF MODE" for every VSI TLV with UUID the bridge
# processed (its log names the interface in the line before).
bridge_events() { # bridge_events NAME UUID
	awk -v u="$2" '/vdp22_station_info:/ { split($2, a, ":"); ifc = a[2] }
		/vsi_mode:/ && index($0, u) { split($4, m, /[:,]/); print $1, ifc, m[2] }' "$(eval echo "\$DIR_$1")/log"
}

# The first time the bridge processed MODE for UUID on IF (any IF if empty)
bridge_first() { # bridge_first NAME MODE UUID [IF]
	bridge_events "$1" "$3" | awk -v m="$2" -v i="${4:-}" '$3 == m && (i == "" || $2 == i) { print $1; exit }'
}

vdp_topo() { # vdp_topo [--bridge-off] STATION...: one bridge namespace B facing each station over its own veth
	local h i=0 ifs=() brrole=bridge
	[ "$1" = --bridge-off ] && brrole=bridge-off && shift
	ns_new B
	for h in "$@"; do
		ns_new "$h"
		ip -n "$(ns "$h")" link add eth0 type veth peer name "br$i" netns "$(ns B)"
		ip -n "$(ns "$h")" link set eth0 up
		ip -n "$(ns B)" link set "br$i" up
		ifs+=("br$i")
		eval "STATE_$h=$(mktemp -d /tmp/vport-netns-XXXXXX)"
		STATE_DIRS+=("$(eval echo "\$STATE_$h")")
		lldpad_start "$h" "$h" station eth0
		i=$((i + 1))
	done
	lldpad_start BR B $brrole "${ifs[@]}"
	for h in "$@"; do
		[ $brrole = bridge ] && evb_wait "$h" eth0
		net_add "$h" qbg "<forward mode='vepa'><interface dev='eth0'/></forward>
			<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047' typeidversion='2'/></virtualport>"
	done
}

vpv() { # vpv HOST ARGS...: vport on HOST talking to HOST's lldpad
	local h=$1
	shift
	VPORT_LLDPAD_PIDFILE=$(eval echo "\$DIR_$h")/run/lldpad.pid vp "$h" "$@"
}

instance_of() { # the port's VSI instance, from its stored XML
	vp "$1" port-dumpxml "$2" | sed -n 's/.*instanceid=.\([0-9a-f-]*\).*/\1/p'
}

macvtaps() { links "$1" | jq '[.[] | select(.linkinfo.info_kind == "macvtap")] | length'; }

test_vdp_associate() {
	need_lldpad
	trap vdp_cleanup EXIT
	vdp_topo S
	local port inst
	port=$(VPORT_LLDPAD_PIDFILE=$DIR_S/run/lldpad.pid port_create S qbg 52:54:00:bd:00:01) || exit 1
	inst=$(instance_of S "$port")
	[ -n "$inst" ] || fail "no instanceid generated and kept in the port's XML"
	expect_eq "station after prepare" "$(station_modes S eth0 "$inst")" assoc
	[ -n "$(bridge_first BR 3 "$inst")" ] || fail "the bridge never processed the ASSOCIATE of $inst"
	vpv S port-activate "$port" >/dev/null || fail "activate"
	expect_eq "station after activate" "$(station_modes S eth0 "$inst")" assoc
	vpv S port-delete "$port" >/dev/null || fail "delete"
	expect_eq "station after delete" "$(station_modes S eth0 "$inst")" ""
	expect_eq "macvtaps left" "$(macvtaps S)" 0

	# --incoming: PRE-ASSOCIATE at prepare, ASSOCIATE only at activate
	port=$(VPORT_LLDPAD_PIDFILE=$DIR_S/run/lldpad.pid port_create S qbg 52:54:00:bd:00:02 --incoming) || exit 1
	inst=$(instance_of S "$port")
	expect_eq "station after prepare --incoming" "$(station_modes S eth0 "$inst")" preassoc
	[ -n "$(bridge_first BR 1 "$inst")" ] || fail "the bridge never processed the PRE-ASSOCIATE"
	expect_eq "bridge saw an ASSOCIATE before activate" "$(bridge_first BR 3 "$inst")" ""
	vpv S port-activate "$port" >/dev/null || fail "activate after --incoming"
	expect_eq "station after activate" "$(station_modes S eth0 "$inst")" assoc
	[ -n "$(bridge_first BR 3 "$inst")" ] || fail "the bridge never processed the ASSOCIATE"
	vpv S port-delete "$port" >/dev/null || fail "delete"
	expect_eq "station after delete" "$(station_modes S eth0 "$inst")" ""
}

# lldpad not running, then running but not managing the uplink, then a
# switch that does not answer: prepare fails naming why, no macvtap, no port.
test_vdp_failures() {
	need_lldpad
	trap vdp_cleanup EXIT
	vdp_topo S
	local out
	lldpad_stop S
	out=$(vpv S port-create qbg --mac 52:54:00:bd:01:01 --owner vm1 --prepare 2>&1) &&
		fail "prepare succeeded without lldpad"
	echo "$out" | grep -q "lldpad is not running" || fail "lldpad stopped: $out"
	expect_eq "macvtaps after the failure" "$(macvtaps S)" 0
	expect_eq "ports after the failure" "$(vpj S port-list | jq length)" 0
	# a pid file naming a process that is no lldpad (ours, with no such netlink port)
	echo 1 >"$DIR_S/run/lldpad.pid"
	out=$(vpv S port-create qbg --mac 52:54:00:bd:01:02 --owner vm1 --prepare 2>&1) &&
		fail "prepare succeeded with a stale pid file"
	echo "$out" | grep -q "not running or not listening" || fail "stale pid file: $out"
	expect_eq "macvtaps after the failure" "$(macvtaps S)" 0

	# lldpad back; the bridge stops answering once EVB is negotiated: the request
	# is taken by lldpad and never answered, only vport's timeout ends it
	lldpad_start S S station eth0
	evb_wait S eth0
	kill -STOP "$PID_BR"
	out=$(VPORT_VSI_TIMEOUT_MS=1500 vpv S port-create qbg --mac 52:54:00:bd:01:03 --owner vm1 --prepare 2>&1) &&
		fail "prepare succeeded without an answer from the bridge"
	kill -CONT "$PID_BR"
	echo "$out" | grep -q "ASSOCIATE of instance .* on eth0: no answer within 1500 ms" || fail "no answer: $out"
	expect_eq "macvtaps after the timeout" "$(macvtaps S)" 0
	expect_eq "ports after the timeout" "$(vpj S port-list | jq length)" 0

	# vport killed right after the switch took the ASSOCIATE: the journal
	# entry written before the request lets reconcile disassociate
	local port inst
	VPORT_FAULT=vsi_request:1=crash-after vpv S port-create qbg --mac 52:54:00:bd:01:04 --owner vm1 --prepare \
		>/dev/null 2>&1 && fail "the injected crash did not happen"
	port=$(vpj S port-list | jq -r '.[0].uuid')
	inst=$(instance_of S "$port")
	expect_eq "station after the crash" "$(station_modes S eth0 "$inst")" assoc
	vpv S reconcile >/dev/null || fail "reconcile"
	expect_eq "station after reconcile" "$(station_modes S eth0 "$inst")" ""
	expect_eq "macvtaps after reconcile" "$(macvtaps S)" 0
	expect_eq "port after reconcile" "$(vpj S port-list | jq -r '.[0].state')" allocated
	vpv S port-delete "$port" >/dev/null || fail "delete after reconcile"
}

# The bridge does not offer EVB: lldpad refuses requests (EPROTONOSUPPORT,
# retried) until it settles on its own EVB defaults, then the bridge
# answers the request with a de-associate and lldpad ends the VSI: the
# prepare fails naming that, and leaves nothing.
test_vdp_bridge_disabled() {
	need_lldpad
	trap vdp_cleanup EXIT
	vdp_topo --bridge-off S
	local out i
	for i in $(seq 50); do [ -s "$DIR_S/run/lldpad.pid" ] && break; sleep 0.1; done
	sleep 1 # past the time EVB would take to come up (2-3 s after start with a bridge)
	out=$(VPORT_VSI_TIMEOUT_MS=1500 vpv S port-create qbg --mac 52:54:00:bd:05:01 --owner vm1 --prepare 2>&1) &&
		fail "prepare succeeded without EVB"
	echo "$out" | grep -q "ASSOCIATE of instance .* on eth0: lldpad ended the VSI" || fail "bridge without EVB: $out"
	expect_eq "macvtaps after the refusal" "$(macvtaps S)" 0
	expect_eq "ports after the refusal" "$(vpj S port-list | jq length)" 0
}

# A live migration's order between two stations facing one bridge lldpad:
# the bridge must see the destination's ASSOCIATE only after its activate.
test_vdp_migration() {
	need_lldpad
	trap vdp_cleanup EXIT
	vdp_topo SRC DST
	local src dst inst t_act t_assoc t_pre xml owner
	src=$(VPORT_LLDPAD_PIDFILE=$DIR_SRC/run/lldpad.pid port_create SRC qbg 52:54:00:bd:02:01) || exit 1
	vpv SRC port-activate "$src" >/dev/null || fail "source activate"
	inst=$(instance_of SRC "$src")
	# the destination's port is the same guest NIC: same MAC and VSI instance
	owner=$(vpj SRC port-list | jq -r '.[0].owner.uuid')
	xml="<networkport><uuid>$(cat /proc/sys/kernel/random/uuid)</uuid><owner><name>vm1</name><uuid>$owner</uuid></owner><mac address='52:54:00:bd:02:01'/><virtualport><parameters instanceid='$inst'/></virtualport></networkport>"
	echo "$xml" >"$STATE_DST/port.xml"
	echo "    $(date -u +%T.%N) destination: port-create --prepare --incoming"
	dst=$(vpv DST --json port-create qbg --xml "$STATE_DST/port.xml" --prepare --incoming | jq -r .uuid) ||
		fail "destination prepare"
	expect_eq "destination after prepare" "$(station_modes DST eth0 "$inst")" preassoc
	echo "    $(date -u +%T.%N) source: port-deactivate"
	vpv SRC port-deactivate "$src" >/dev/null || fail "source deactivate"
	t_act=$(date -u +%T.%N)
	echo "    $t_act destination: port-activate"
	vpv DST port-activate "$dst" >/dev/null || fail "destination activate"
	echo "    $(date -u +%T.%N) source: port-delete"
	vpv SRC port-delete "$src" >/dev/null || fail "source delete"
	expect_eq "source after delete" "$(station_modes SRC eth0 "$inst")" ""
	expect_eq "destination at the end" "$(station_modes DST eth0 "$inst")" assoc
	# the destination faces the bridge on br1, the source on br0
	echo "    bridge log, VSI $inst (1 pre-associate, 3 associate or keep-alive, 4 disassociate):"
	bridge_events BR "$inst" | uniq -f1 | sed 's/^/      /'
	t_pre=$(bridge_first BR 1 "$inst" br1)
	t_assoc=$(bridge_first BR 3 "$inst" br1)
	[ -n "$t_pre" ] && [[ "$t_pre" < "$t_act" ]] || fail "no PRE-ASSOCIATE from the destination before its activate"
	[ -n "$t_assoc" ] || fail "the bridge never saw the destination's ASSOCIATE"
	[[ "$t_assoc" > "$t_act" ]] || fail "the destination's ASSOCIATE ($t_assoc) came before its activate ($t_act)"
	vpv DST port-delete "$dst" >/dev/null || fail "destination delete"
}

# 802.1Qbh is the PF driver's (enic); a veth has no ndo_set_vf_port: the
# kernel refuses, vport names the device, and nothing stays changed.
test_qbh_unsupported() {
	ns_new Q
	STATE_Q=$(mktemp -d /tmp/vport-netns-XXXXXX)
	STATE_DIRS+=("$STATE_Q")
	ip -n "$(ns Q)" link add eth0 type veth peer name peer0
	ip -n "$(ns Q)" link set eth0 up
	local before out
	before=$(link Q eth0 | jq -c '{address, flags, mtu}')
	net_add Q qbh "<forward mode='vepa'><interface dev='eth0'/></forward>
		<virtualport type='802.1Qbh'><parameters profileid='finance'/></virtualport>"
	out=$(vp Q port-create qbh --mac 52:54:00:bd:04:01 --owner vm1 --prepare 2>&1) &&
		fail "802.1Qbh prepare succeeded on a veth"
	echo "$out" | grep -q "device eth0 does not support 802.1Qbh port profiles" || fail "message: $out"
	expect_eq "macvtaps after the failure" "$(macvtaps Q)" 0
	expect_eq "ports after the failure" "$(vpj Q port-list | jq length)" 0
	expect_eq "eth0 after the failure" "$(link Q eth0 | jq -c '{address, flags, mtu}')" "$before"
}

# lldpad tells the requester when the switch ends a VSI: the bridge is
# restarted without EVB on offer, so it answers the station's next
# keep-alive with a de-associate; lldpad ends the VSI and sends its
# unsolicited RTM_SETLINK to the socket the association came from. Then the
# bridge comes back as it was, and vport_vsi_events_process() (what vportd
# runs) associates the port again. (A bridge that merely stops answering
# makes lldpad end the VSI silently: no message.)
test_vdp_reassociate() {
	need_lldpad
	[ -x "${VSI_EVENTS:-}" ] || skip "tests/netns/vsi-events not built (VSI_EVENTS)"
	trap vdp_cleanup EXIT
	# keep-alives every 2^19 * 10 us = 5.2 s: time to swap the bridge in between
	VDP_RKA=19
	vdp_topo S
	local inst=5e7a1d0c-1111-4222-8333-444455557777 out go i
	out=$STATE_S/events.out go=$STATE_S/go
	VPORT_STATE_DIR=$STATE_S VPORT_LLDPAD_PIDFILE=$DIR_S/run/lldpad.pid ip netns exec "$(ns S)" \
		"$VSI_EVENTS" qbg 52:54:00:bd:06:01 $inst eth0 "$go" 25 >"$out" 2>&1 &
	local helper=$!
	for i in $(seq 100); do grep -q associated "$out" && break; sleep 0.1; done
	expect_eq "station after prepare" "$(station_modes S eth0 $inst)" assoc
	echo "    $(date -u +%T.%N) bridge restarted without EVB"
	lldpad_stop BR
	lldpad_start BR B bridge-off br0
	for i in $(seq 150); do grep -q event "$out" && break; sleep 0.1; done
	grep -q event "$out" || fail "lldpad sent no message: $(cat "$out")"
	echo "    $(date -u +%T.%N) lldpad reported the VSI ended"
	expect_eq "station after the de-associate" "$(station_modes S eth0 $inst)" ""
	lldpad_stop BR
	lldpad_start BR B bridge br0
	evb_wait S eth0
	touch "$go"
	for i in $(seq 150); do grep -q processed "$out" && break; sleep 0.1; done
	grep -q "reassociate .* ok" "$out" || fail "not re-associated: $(cat "$out")"
	echo "    $(date -u +%T.%N) re-associated"
	expect_eq "station after re-association" "$(station_modes S eth0 $inst)" assoc
	touch "$go.done"
	wait $helper || fail "vsi-events: $(cat "$out")"
}

# The same through vportd: a port made through the daemon (vport --connect)
# is associated from the daemon's socket; when the bridge de-associates it,
# the daemon hears lldpad and associates it again (retrying while the
# switch refuses, each failure a "port-reassociate-failed" event), and a
# "port-reassociated" event reaches a Monitor subscriber.
test_vdp_reassociate_daemon() {
	need_lldpad
	[ -x "${VPORTD:-}" ] || skip "vportd not built (VPORTD)"
	/usr/bin/python3 -c 'import varlink' 2>/dev/null || skip "python3-varlink missing"
	trap vdp_cleanup EXIT
	VDP_RKA=19
	vdp_topo S
	local sock=$STATE_S/vportd.sock mon=$STATE_S/monitor.out port i
	VPORT_STATE_DIR=$STATE_S VPORT_LLDPAD_PIDFILE=$DIR_S/run/lldpad.pid ip netns exec "$(ns S)" \
		"$VPORTD" --socket "$sock" 2>"$STATE_S/vportd.err" &
	local vportd=$!
	LLDPADS+=($vportd) # stopped with them
	for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	/usr/bin/python3 - "$sock" >"$mon" 2>&1 <<'PY' &
import json, sys, varlink
with varlink.Client(address="unix:" + sys.argv[1]).open("io.vport") as c:
    for m in c.Monitor(_more=True):
        print(json.dumps(m["event"]), flush=True)
        if m["event"]["kind"] == "port-reassociated":
            break
PY
	local monitor=$!
	for i in $(seq 100); do grep -q subscribed "$mon" && break; sleep 0.05; done
	port=$(ip netns exec "$(ns S)" "$VPORT" --connect="$sock" --json port-create qbg --mac 52:54:00:bd:07:01 \
		--owner vm1 --prepare | jq -r .uuid) || fail "port-create through vportd"
	local inst
	inst=$(instance_of S "$port")
	expect_eq "station after prepare through vportd" "$(station_modes S eth0 "$inst")" assoc
	echo "    $(date -u +%T.%N) bridge restarted without EVB"
	lldpad_stop BR
	lldpad_start BR B bridge-off br0
	# the daemon's first attempt, at once, is refused by that bridge
	for i in $(seq 150); do grep -q port-reassociate-failed "$mon" && break; sleep 0.1; done
	grep -q port-reassociate-failed "$mon" || fail "vportd did not react: $(cat "$mon")"
	# While the bridge is swapped back nothing may ask lldpad: a new VSI whose
	# request is never acknowledged stays in lldpad, ended but listed, and
	# refuses that instance (-ENODEV) until lldpad restarts. The daemon is
	# paused meanwhile; its retry runs when it continues.
	kill -STOP "$vportd"
	echo "    $(date -u +%T.%N) bridge restarted as it was"
	lldpad_stop BR
	lldpad_start BR B bridge br0
	evb_wait S eth0
	kill -CONT "$vportd"
	for i in $(seq 300); do grep -q '"port-reassociated"' "$mon" && break; sleep 0.1; done
	grep -q '"port-reassociated"' "$mon" || fail "no re-association event: $(cat "$mon")"
	jq -r 'select(.kind != "subscribed") | "      event \(.seq) \(.kind) \(.object.message // "")"' "$mon" | cut -c1-160
	expect_eq "event's port" "$(grep '"port-reassociated"' "$mon" | jq -r .object.uuid)" "$port"
	expect_eq "station after re-association" "$(station_modes S eth0 "$inst")" assoc
	wait $monitor
	ip netns exec "$(ns S)" "$VPORT" --connect="$sock" port-delete "$port" >/dev/null || fail "delete through vportd"
	expect_eq "station after delete" "$(station_modes S eth0 "$inst")" ""
}
