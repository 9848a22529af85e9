#!/bin/sh
# embed.sh SYMBOL INPUT: INPUT as a C string constant named SYMBOL (stdout).
set -eu
printf 'const char %s[] =\n' "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/        "/' -e 's/$/\\n"/' "$2"
printf '        ;\n'
