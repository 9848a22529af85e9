#!/usr/bin/env bash
# fuzz.sh BUILD_DIR WORK_DIR SECONDS: build src/vportd/fuzz-varlink.c with
# clang's libFuzzer and ASan (over the wire format and the method table of
# BUILD_DIR's sources) and run it for SECONDS from the seed corpus in
# tests/daemon/fuzz-corpus. Exit 0: no crash; 77: clang/libFuzzer missing;
# else the fuzzer's status (the crashing input is kept in WORK_DIR).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 work=$2 seconds=$3
command -v clang >/dev/null || exit 77
mkdir -p "$work/corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$work/probe.c"
clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null || exit 77
src=$top/src/vportd lib=$build/src/libvport
# the library archives come from BUILD_DIR (not instrumented); the daemon's
# wire and call code is compiled here with the fuzzer's coverage and ASan
# shellcheck disable=SC2046 # pkg-config prints several words
clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=gnu11 \
	-I"$build" -I"$top" -I"$top/include" -I"$top/src/libvport" -I"$top/src/varlink" $(pkg-config --cflags json-c libxml-2.0) \
	"$src/fuzz-varlink.c" "$top/src/varlink/varlink-wire.c" "$src/call.c" "$src/methods-network.c" "$src/methods-port.c" \
	"$src/methods-misc.c" "$src/degraded.c" "$build/src/vportd/io.vport.varlink.c" \
	"$lib/core/libvport-core.a" "$lib/conf/libvport-conf.a" "$lib/store/libvport-store.a" \
	"$lib/kernel/libvport-kernel.a" "$lib/base/libvport-base.a" \
	$(pkg-config --libs json-c libxml-2.0 sqlite3 libnl-route-3.0 libnl-3.0) -o "$work/fuzz-varlink" || exit 1
# the server is never linked in: calls that pass the checks stop before the library
cd "$work" || exit 1
"$work/fuzz-varlink" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
	-print_final_stats=1 "$work/corpus" "$top/tests/daemon/fuzz-corpus" 2>"$work/fuzz.log"
rc=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$work/fuzz.log" | sed 's/^/  fuzz: /'
[ "$rc" = 0 ] || tail -40 "$work/fuzz.log"
exit "$rc"
