#!/usr/bin/env bash
# Install every build, test and VM-tier dependency of vport from Debian packages.
# Idempotent; safe to run again. Needs root.
#   scripts/setup-deps.sh          build, demo, unit and netns test dependencies
#   scripts/setup-deps.sh --vm     also every other test tier: libvirt for the comparison
#                                  tier, QEMU >= 8 (bookworm-backports), busybox-static,
#                                  cpio for the VM tier
set -euo pipefail

want_vm=0
[ "${1:-}" = "--vm" ] && want_vm=1

pkgs=(
	build-essential pkg-config meson ninja-build clang-format
	libnl-3-dev libnl-route-3-dev libxml2-dev libsqlite3-dev sqlite3
	libjson-c-dev libsystemd-dev libcmocka-dev
	iproute2 kmod util-linux procps jq libxml2-utils python3
)
vm_pkgs=(busybox-static cpio gzip xz-utils libvirt-daemon libvirt-clients iptables)

export DEBIAN_FRONTEND=noninteractive

have_all() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
	done
}

# Enable bookworm-backports by reusing the URIs of the machine's own Debian
# source (never hard-code a registry host here).
enable_backports() {
	local src=/etc/apt/sources.list.d/debian.sources out=/etc/apt/sources.list.d/vport-backports.sources uri
	[ -f "$out" ] && return 0
	uri=$(awk '/^URIs:/ {print $2; exit}' "$src" 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || { echo "setup-deps: cannot find the Debian archive URI in apt sources" >&2; return 1; }
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$out"
	updated=0
}

qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
	local v
	v=$(qemu-system-x86_64 --version | awk 'NR==1 {print $4}')
	[ "${v%%.*}" -ge 8 ] 2>/dev/null
}

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	# Third-party sources on the machine may be unreachable; Debian's must work.
	apt-get update -q >/dev/null 2>&1 || apt-get update -q || true
	updated=1
}

all=("${pkgs[@]}")
[ "$want_vm" = 1 ] && all+=("${vm_pkgs[@]}")
if ! have_all "${all[@]}"; then
	apt_update
	apt-get install -y -q --no-install-recommends "${all[@]}"
fi

if [ "$want_vm" = 1 ] && ! qemu_ok; then
	enable_backports
	apt_update
	apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-x86 qemu-system-data
fi
echo "setup-deps: ok"
