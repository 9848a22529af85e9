#!/usr/bin/env bash
# Every C file must be as clang-format (with the repo's .clang-format) leaves
# it. Prints one line per file that is not, then "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
for f in $(git ls-files '*.c' '*.h'); do
	if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "not formatted: $f (run: clang-format -i $f)"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
