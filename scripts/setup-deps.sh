#!/usr/bin/env bash
# Install every build, test and VM-tier dependency of vport from Debian packages.
# Idempotent; safe to run again, also while another apt runs (it waits for apt's
# lock, up to 10 minutes). Needs root.
#   scripts/setup-deps.sh          build, demo, unit and netns test dependencies
#   scripts/setup-deps.sh --vm     also every other test tier: libvirt 11 (bookworm-backports)
#                                  for the comparison tier, QEMU >= 8 (bookworm-backports),
#                                  busybox-static, cpio for the VM tier, lldpad for the
#                                  802.1Qbg tests (tests/netns/lifecycle/09-vdp.sh skips without it), podman,
#                                  containernetworking-plugins, runc for the CNI tier
set -euo pipefail

want_vm=0
[ "${1:-}" = "--vm" ] && want_vm=1

pkgs=(
	build-essential pkg-config meson ninja-build clang-format
	libnl-3-dev libnl-route-3-dev libxml2-dev libsqlite3-dev sqlite3
	libjson-c-dev libsystemd-dev libcmocka-dev
	iproute2 kmod util-linux procps jq libxml2-utils python3
	# the daemon tier: the independent varlink client (from bookworm-backports),
	# systemd-analyze and systemd-socket-activate, the libFuzzer toolchain
	python3-varlink systemd clang libclang-rt-14-dev
)
# The CNI tier (tests/cni): a real container engine with its CNI backend,
# the reference plugins (host-local IPAM, bridge/macvlan to compare with).
vm_pkgs=(busybox-static cpio gzip xz-utils iptables lldpad podman containernetworking-plugins runc)
# The comparison tier's judge: libvirt's network driver as of 11.3 (tests/compat/README.md).
libvirt_pkgs=(libvirt-daemon libvirt-clients libvirt-daemon-driver-network)
libvirt_major=11

export DEBIAN_FRONTEND=noninteractive
lock_wait=600

say() { printf 'setup-deps: %s\n' "$*" >&2; }

# apt with its lock waited for, not failed on: DPkg::Lock::Timeout covers the
# dpkg frontend lock; the lists lock of "apt-get update" is retried here too.
apt_run() {
	local start=$SECONDS err
	err=$(mktemp)
	while :; do
		if apt-get -o DPkg::Lock::Timeout="$lock_wait" "$@" 2>"$err"; then
			cat "$err" >&2
			rm -f "$err"
			return 0
		fi
		if grep -qiE 'could not get lock|unable to lock' "$err" && [ $((SECONDS - start)) -lt "$lock_wait" ]; then
			say "another apt holds the lock; waiting"
			sleep 5
			continue
		fi
		cat "$err" >&2
		rm -f "$err"
		return 1
	done
}

have_all() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
	done
}

own_backports=/etc/apt/sources.list.d/vport-backports.sources

# Files other than ours that already enable bookworm-backports (one-line .list
# entries or deb822 .sources stanzas; commented lines do not count).
other_backports_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		if [ ! -f "$f" ] || [ "$f" = "$own_backports" ]; then continue; fi
		grep -qE '^[[:space:]]*[^#[:space:]].*[[:space:]]bookworm-backports([[:space:]]|$)' "$f" && echo "$f"
	done
	return 0
}

# Enable bookworm-backports: reuse a source the machine already has (and drop
# ours if it duplicates one, apt warns about duplicate targets), otherwise add
# one with the URI of the machine's own Debian source (never hard-code a
# registry host here).
enable_backports() {
	local src=/etc/apt/sources.list.d/debian.sources uri
	if [ -n "$(other_backports_sources)" ]; then
		[ -f "$own_backports" ] && rm -f "$own_backports" && updated=0
		return 0
	fi
	[ -f "$own_backports" ] && return 0
	uri=$(awk '/^URIs:/ {print $2; exit}' "$src" 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || { say "cannot find the Debian archive URI in apt sources"; return 1; }
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$own_backports"
	updated=0
}

qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
	local v
	v=$(qemu-system-x86_64 --version | awk 'NR==1 {print $4}')
	[ "${v%%.*}" -ge 8 ] 2>/dev/null
}

# Every libvirt package installed and at the judge's major version.
libvirt_ok() {
	local p v
	have_all "${libvirt_pkgs[@]}" || return 1
	for p in "${libvirt_pkgs[@]}"; do
		v=$(dpkg-query -W -f='${Version}' "$p")
		[ "${v%%.*}" = "$libvirt_major" ] || return 1
	done
}

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	# Third-party sources on the machine may be unreachable; Debian's must work.
	apt_run update -q >/dev/null 2>&1 || apt_run update -q || true
	updated=1
}

all=("${pkgs[@]}")
[ "$want_vm" = 1 ] && all+=("${vm_pkgs[@]}")
if ! have_all "${all[@]}"; then
	# python3-varlink exists only in bookworm-backports: enable it first (a
	# package found only there installs from it without -t).
	enable_backports
	apt_update
	apt_run install -y -q --no-install-recommends "${all[@]}"
fi

if [ "$want_vm" = 1 ] && ! qemu_ok; then
	enable_backports
	apt_update
	apt_run install -y -q --no-install-recommends -t bookworm-backports qemu-system-x86 qemu-system-data
fi

if [ "$want_vm" = 1 ] && ! libvirt_ok; then
	enable_backports
	apt_update
	apt_run install -y -q --no-install-recommends -t bookworm-backports "${libvirt_pkgs[@]}"
	libvirt_ok || {
		say "libvirt ${libvirt_major}.x expected from bookworm-backports, have: $(dpkg-query -W -f='${Package} ${Version}  ' "${libvirt_pkgs[@]}" 2>/dev/null)"
		exit 1
	}
fi
echo "setup-deps: ok"
