#!/usr/bin/env bash
# The CLI against state files it must not use (damaged pages, truncated,
# empty, from a newer vport): every verb exits 1 with a message naming the
# file, and the file is left exactly as it was. Verbs that only read create
# no state; a state file readable by others is tightened, with a note.
#   tests/cli/state-file.sh path/to/vport
set -uo pipefail
VPORT=${1:?usage: state-file.sh path/to/vport}
work=$(mktemp -d /tmp/vport-state-file-XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 (the CLI) is missing"; exit 77; }

U=6a1f3c2e-5b4d-4e6f-8a7b-9c0d1e2f3a4b
cat >"$work/net.xml" <<'XML'
<network><name>n1</name><uuid>6f5c9d2a-1b3e-4c7d-9e8f-0a1b2c3d4e5f</uuid>
<forward mode='bridge'/><bridge name='vpsf0'/></network>
XML
VERBS=(
	"net-define $work/net.xml" "net-undefine n1" "net-start n1" "net-destroy n1" "net-autostart n1"
	"net-list" "net-dumpxml n1" "net-info n1" "port-create n1" "port-prepare $U" "port-activate $U"
	"port-deactivate $U" "port-delete $U" "port-delete --owner vm1" "port-list" "port-dumpxml $U"
	"reconcile" "vf-list lo"
)

vport() { "$VPORT" --state-dir "$dir" "$@"; }

new_store() { # new_store NAME: a state directory holding network n1
	dir=$work/$1
	db=$dir/vport.db
	vport net-define "$work/net.xml" >/dev/null || fail "$1: net-define on a new store"
}

# The file and its log (kept between commands): bytes, size and mtime. An
# empty log is none (SQLite makes one when it reads a WAL database).
fingerprint() {
	local f
	for f in "$db" "$db-wal"; do
		[ -s "$f" ] || { echo "$f empty"; continue; }
		sha256sum "$f" | cut -d' ' -f1
		stat -c '%s %y' "$f"
	done
}

# damage_page TABLE: 0xff over the cell pointers of the table's root page.
damage_page() {
	local page size
	page=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_schema WHERE name = '$1'")
	size=$(sqlite3 "$db" "PRAGMA page_size")
	head -c 64 /dev/zero | tr '\0' '\377' |
		dd of="$db" bs=1 seek=$(((page - 1) * size + 8)) conv=notrunc status=none
}

every_verb_refuses() { # every_verb_refuses CASE WORDS
	local before verb out
	before=$(fingerprint)
	for verb in "${VERBS[@]}"; do
		# shellcheck disable=SC2086 # the verb's words
		out=$(vport $verb 2>&1 >/dev/null)
		[ $? = 1 ] || fail "$1: '$verb' did not exit 1"
		case $out in *"$db"*"$2"*) ;; *) fail "$1: '$verb' said: $out" ;; esac
		case $out in *SELECT* | *INSERT* | *UPDATE* | *DELETE\ FROM* | *PRAGMA*) fail "$1: '$verb' shows SQL: $out" ;; esac
		[ "$(fingerprint)" = "$before" ] || fail "$1: '$verb' changed $db"
	done
}

new_store damaged
damage_page networks
every_verb_refuses damaged "is damaged"

new_store truncated
truncate -s 8192 "$db"
every_verb_refuses truncated "is damaged"

new_store empty
truncate -s 0 "$db"
every_verb_refuses empty "empty (0 bytes)"

new_store newer
sqlite3 "$db" "PRAGMA user_version = 99"
every_verb_refuses newer "schema version 99"

# Verbs that only read create nothing, and see no networks.
dir=$work/none/state
for verb in "net-list" "net-dumpxml n1" "net-info n1" "port-list" "port-dumpxml $U"; do
	# shellcheck disable=SC2086
	vport $verb >/dev/null 2>&1
	[ -e "$work/none" ] && fail "'$verb' created $work/none"
done
[ "$(vport --json net-list | tr -d ' \n')" = "[]" ] ||
	fail "net-list of a missing store is not empty"

# Readable by others: tightened, with a note.
new_store modes
chmod 0644 "$db"
chmod 0755 "$dir"
out=$(vport net-list 2>&1 >/dev/null) || fail "modes: net-list failed: $out"
case $out in *"note:"*"$db"*"0600"*) ;; *) fail "modes: no note on tightening: $out" ;; esac
[ "$(stat -c %a "$db")" = 600 ] || fail "modes: $db is $(stat -c %a "$db")"
[ "$(stat -c %a "$dir")" = 700 ] || fail "modes: $dir is $(stat -c %a "$dir")"

[ "$failed" = 0 ] || { echo "$failed failure(s)"; exit 1; }
echo "ok"
