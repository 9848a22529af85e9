# The XML fidelity corpus, sourced by tests/compat/run (scenario "corpus").
#
# Every corpus/net/*.xml goes through both libvirt and vport:
#   define    both accept or both refuse (or vport refuses as the file's
#             "vport-refuses" line says, naming what it does not manage)
#   lossless  libvirt(vport(x)) = libvirt(x): vport's net-dumpxml, defined in
#             libvirt, gives libvirt's own dump of x again (vport dropped nothing)
#   reads     libvirt(vport(libvirt(x))) = libvirt(x): vport defines libvirt's
#             dump, and drops nothing of it either
#   start     both start or both refuse
# Every corpus/port/*.xml (its network named by a "network:" line) goes
# through both after its network is defined and started on both:
#   create    both accept or both refuse
#   same      libvirt's net-port-dumpxml = vport's port-dumpxml (less <runtime>)
#   reclaim   libvirt's dump fed to vport port-create --reclaim, and vport's
#             dump fed to libvirt (virNetworkPortCreateXML with RECLAIM,
#             lv-port-reclaim): each dumps the same document back
# Documents compare by xmlcanon (attribute order, whitespace, number bases of
# PCI addresses do not count); a UUID or MAC that each side generates for
# itself (the input has none) is masked.
#
# Header lines of a corpus file (XML comments before the root element):
#   <!-- origin: ... -->                    where the document comes from
#   <!-- vport-refuses: STEP: TEXT -->      libvirt accepts, vport refuses at STEP
#                                           (define, create) with TEXT in its message
#   <!-- network: NAME -->                  (ports) corpus/net/NAME.xml
# corpus/pending lists "FILE#CHECK reason" mismatches waiting for work in
# progress, corpus/differences those that stay (README.md explains each):
# reported as "pend" or "diff", not failed.
#
# vport runs in a network namespace of its own (vpc), with the same links, so
# the bridges that libvirt and vport each create for an isolated or open
# network never meet.
# shellcheck shell=bash disable=SC2154

corpus_dir=$here/corpus
vpns=$work/vport-netns
declare -A corpus_listed=()
corpus_pended=0

vpc() { timeout 20 nsenter --net="$vpns" "$vport_bin" "$@"; }

# The links the corpus names, in both namespaces.
corpus_links() { # corpus_links [nsenter prefix...]
	local n
	"$@" ip link set lo up || return 1
	for n in eth0 eth1 eth2 eth3 eth4 eth5 eth10 eth11; do
		"$@" ip link add "$n" type veth peer name "$n-p" || return 1
		"$@" ip link set "$n" up
	done
	"$@" ip link add br0 type bridge && "$@" ip link set br0 up
}

corpus_setup() {
	local id reason kind
	touch "$vpns" && unshare --net="$vpns" true || return 1
	corpus_links nsenter --net="$vpns" || return 1
	for n in eth0 eth1 eth2 eth3 eth4 eth5 eth10 eth11; do
		ip link show "$n" >/dev/null 2>&1 && continue
		ip link add "$n" type veth peer name "$n-p" && ip link set "$n" up || return 1
	done
	fake_vfs 0000:03:00.1 0000:03:00.2 0000:03:00.3 0000:03:00.4 0000:11:10.1
	for kind in pending differences; do
		while read -r id reason; do
			[ -n "$id" ] && [ "${id#\#}" = "$id" ] && corpus_listed[$id]="$kind: $reason"
		done <"$corpus_dir/$kind"
	done
	return 0
}

# header FILE KEY: the value of the file's "<!-- KEY: value -->" line.
header() { sed -n "s/^<!-- $2: \(.*\) -->\$/\1/p" "$1" | head -n1; }

# check ID TEXT LIBVIRT VPORT: one corpus check, pending-aware.
check() {
	local id=$1 what=$2
	local listed=${corpus_listed[$id]:-}
	if [ "$3" = "$4" ]; then
		report OK "$what: $3${listed:+ (corpus/${listed%%:*} lists $id)}"
	elif [ -n "$listed" ]; then
		corpus_pended=$((corpus_pended + 1))
		printf '%s %s: libvirt [%s] vport [%s] (%s)\n' "$([ "${listed%%:*}" = pending ] && echo pend || echo diff)" \
			"$what" "$3" "$4" "${listed#*: }"
	else
		report FAIL "$what: libvirt [$3] vport [$4]"
	fi
}

# same_doc ID TEXT A B [MASK...]: two documents equal under xmlcanon.
same_doc() {
	local id=$1 what=$2 a=$3 b=$4 d
	shift 4
	if d=$(diff <("$here/xmlcanon" "$a" "$@" 2>&1) <("$here/xmlcanon" "$b" "$@" 2>&1)); then
		check "$id" "$what" same same
	else
		check "$id" "$what" same "$(printf '%s' "$d" | grep '^[<>]' | tr '\n' ' ' | head -c 300)"
	fi
}

# outcome RC ERRFILE STEP EXPECT: "ok", "refused", or for a documented vport
# refusal whose message holds the expected text, "ok (vport refuses: TEXT)".
vp_outcome() {
	local rc=$1 errf=$2 step=$3 expect=$4
	if [ "$rc" = 0 ]; then
		echo ok
	elif [ -n "$expect" ] && [ "${expect%%: *}" = "$step" ] && grep -qF -- "${expect#*: }" "$errf"; then
		echo "refused as documented"
	else
		echo "refused: $(errline "$errf")"
	fi
}
lv_outcome() { if [ "$1" = 0 ]; then echo ok; else echo "refused: $(errline "$2")"; fi; }
# What libvirt's answer must be for vport's to count as the same.
lv_expected() { # lv_expected LV_OUTCOME STEP EXPECT
	if [ "$1" = ok ] && [ -n "$3" ] && [ "${3%%: *}" = "$2" ]; then echo "refused as documented"; else echo "${1%%:*}"; fi
}

# net_masks FILE: masks for what each side fills in when the input has none.
net_masks() {
	grep -q '<uuid>' "$1" || echo network/uuid
	grep -q '<mac ' "$1" || echo network/mac@address
	grep -q "<bridge[^>]*name=" "$1" || echo network/bridge@name
}

corpus_net() { # corpus_net FILE
	local f=$1 id name expect lr vr lo vo masks w=$work/c
	id=$(basename "$f" .xml)
	name=$(xmllint --xpath 'string(/network/name)' "$f")
	expect=$(header "$f" vport-refuses)
	mapfile -t masks < <(net_masks "$f")
	lv net-define "$f" >/dev/null 2>"$w.lv.err"
	lr=$?
	vpc net-define "$f" >/dev/null 2>"$w.vp.err"
	vr=$?
	lo=$(lv_outcome $lr "$w.lv.err")
	vo=$(vp_outcome $vr "$w.vp.err" define "$expect")
	check "$id#define" "corpus $id: define" "$(lv_expected "$lo" define "$expect")" "${vo%%:*}"
	[ "${lo%%:*}" != "${vo%%:*}" ] && [ "$lr" != 0 ] && echo "     libvirt: $lo"
	[ "${vo%%:*}" = refused ] && [ "$lr" = 0 ] && echo "     vport: $vo"
	if [ $lr = 0 ] && [ $vr = 0 ]; then
		corpus_net_dumps "$id" "$name" "${masks[@]}"
		lv net-start "$name" >/dev/null 2>"$w.lv.err"
		lr=$?
		vpc net-start "$name" >/dev/null 2>"$w.vp.err"
		vr=$?
		check "$id#start" "corpus $id: start" "$(lv_outcome $lr "$w.lv.err" | cut -d: -f1)" \
			"$(lv_outcome $vr "$w.vp.err" | cut -d: -f1)"
		[ $lr = $vr ] || echo "     libvirt: $(lv_outcome $lr "$w.lv.err")  vport: $(lv_outcome $vr "$w.vp.err")"
	fi
	corpus_net_end "$name"
}

corpus_net_end() {
	lv net-destroy "$1" >/dev/null 2>&1
	lv net-undefine "$1" >/dev/null 2>&1
	vpc net-destroy --force "$1" >/dev/null 2>&1 || vpc net-destroy "$1" >/dev/null 2>&1
	vpc net-undefine "$1" >/dev/null 2>&1
}

# Both sides hold the definition of FILE as NAME (inactive).
corpus_net_dumps() { # corpus_net_dumps ID NAME MASK...
	local id=$1 name=$2 w=$work/c
	shift 2
	lv net-dumpxml --inactive "$name" >"$w.l1.xml"
	vpc net-dumpxml "$name" >"$w.v1.xml"
	# lossless: libvirt(vport(x)) = libvirt(x)
	lv net-undefine "$name" >/dev/null
	if lv net-define "$w.v1.xml" >/dev/null 2>"$w.lv.err"; then
		lv net-dumpxml --inactive "$name" >"$w.l2.xml"
		same_doc "$id#lossless" "corpus $id: libvirt(vport(x)) = libvirt(x)" "$w.l1.xml" "$w.l2.xml" "$@"
	else
		check "$id#lossless" "corpus $id: libvirt defines vport's dump" ok "refused: $(errline "$w.lv.err")"
		lv net-define "$w.l1.xml" >/dev/null
	fi
	# reads: vport takes libvirt's dump, and loses nothing of it
	vpc net-undefine "$name" >/dev/null
	if vpc net-define "$w.l1.xml" >/dev/null 2>"$w.vp.err"; then
		vpc net-dumpxml "$name" >"$w.v2.xml"
		lv net-undefine "$name" >/dev/null
		lv net-define "$w.v2.xml" >/dev/null 2>"$w.lv.err"
		lv net-dumpxml --inactive "$name" >"$w.l3.xml" 2>/dev/null
		same_doc "$id#reads" "corpus $id: libvirt(vport(libvirt(x))) = libvirt(x)" "$w.l1.xml" "$w.l3.xml"
	else
		check "$id#reads" "corpus $id: vport defines libvirt's dump" ok "refused: $(errline "$w.vp.err")"
		vpc net-define "$work/c.v1.xml" >/dev/null
	fi
}

# port_masks FILE: generated virtualport ids are each side's own.
port_masks() {
	grep -q 'instanceid=' "$1" || echo networkport/virtualport/parameters@instanceid
	grep -q 'interfaceid=' "$1" || echo networkport/virtualport/parameters@interfaceid
}

corpus_port() { # corpus_port FILE
	local f=$1 id net nf name uuid expect lr vr lo vo masks w=$work/c
	id=port-$(basename "$f" .xml)
	net=$(header "$f" network)
	nf=$corpus_dir/net/$net.xml
	name=$(xmllint --xpath 'string(/network/name)' "$nf")
	uuid=$(xmllint --xpath 'string(/networkport/uuid)' "$f")
	expect=$(header "$f" vport-refuses)
	mapfile -t masks < <(port_masks "$f")
	if ! { lv net-define "$nf" && lv net-start "$name" && vpc net-define "$nf" && vpc net-start "$name"; } \
		>/dev/null 2>"$w.err"; then
		check "$id#network" "corpus $id: network $net" ok "refused: $(errline "$w.err")"
		corpus_net_end "$name"
		return
	fi
	lv net-port-create "$name" "$f" >/dev/null 2>"$w.lv.err"
	lr=$?
	vpc port-create "$name" --xml "$f" >/dev/null 2>"$w.vp.err"
	vr=$?
	lo=$(lv_outcome $lr "$w.lv.err")
	vo=$(vp_outcome $vr "$w.vp.err" create "$expect")
	check "$id#create" "corpus $id: create on $net" "$(lv_expected "$lo" create "$expect")" "${vo%%:*}"
	[ "${lo%%:*}" != "${vo%%:*}" ] && echo "     libvirt: $lo  vport: $vo"
	if [ $lr = 0 ] && [ $vr = 0 ]; then
		corpus_port_dumps "$id" "$name" "$uuid" "${masks[@]}"
	fi
	lv net-port-delete "$name" "$uuid" >/dev/null 2>&1
	vpc port-delete "$uuid" >/dev/null 2>&1
	corpus_net_end "$name"
}

corpus_port_dumps() { # corpus_port_dumps ID NET UUID MASK...
	local id=$1 name=$2 uuid=$3 w=$work/c
	shift 3
	lv net-port-dumpxml "$name" "$uuid" >"$w.pl.xml"
	vpc port-dumpxml "$uuid" | grep -v 'urn:vport:runtime:1' >"$w.pv.xml"
	same_doc "$id#same" "corpus $id: libvirt's dump = vport's dump" "$w.pl.xml" "$w.pv.xml" "$@"
	lv net-port-delete "$name" "$uuid" >/dev/null
	vpc port-delete "$uuid" >/dev/null
	# vport reads what libvirt writes
	if vpc port-create "$name" --reclaim --xml "$w.pl.xml" >/dev/null 2>"$w.vp.err"; then
		vpc port-dumpxml "$uuid" >"$w.pv2.xml"
		same_doc "$id#reclaim-vport" "corpus $id: vport reclaims libvirt's dump unchanged" "$w.pl.xml" "$w.pv2.xml"
	else
		check "$id#reclaim-vport" "corpus $id: vport reclaims libvirt's dump" ok "refused: $(errline "$w.vp.err")"
	fi
	# libvirt reads what vport writes
	if "$here/lv-port-reclaim" "$name" "$w.pv.xml" >/dev/null 2>"$w.lv.err"; then
		lv net-port-dumpxml "$name" "$uuid" >"$w.pl2.xml"
		same_doc "$id#reclaim-libvirt" "corpus $id: libvirt reclaims vport's dump unchanged" "$w.pv.xml" "$w.pl2.xml"
	else
		check "$id#reclaim-libvirt" "corpus $id: libvirt reclaims vport's dump" ok "refused: $(errline "$w.lv.err")"
	fi
}

scenario_corpus() {
	local f
	begin corpus
	corpus_setup || { report FAIL "corpus: cannot set up vport's network namespace"; return; }
	for f in "$corpus_dir"/net/*.xml; do corpus_net "$f"; done
	for f in "$corpus_dir"/port/*.xml; do corpus_port "$f"; done
	[ "$corpus_pended" = 0 ] || say "$corpus_pended corpus check(s) listed in tests/compat/corpus/{pending,differences}"
}
