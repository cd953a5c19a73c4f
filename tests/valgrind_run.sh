#!/bin/sh
# make valgrind, second half: one whole scenario run (jobs 1 and 2) and a check under valgrind.
set -eu
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
$vg "$bin" run tests/data/cli/small.ini --quiet --no-plots --jobs 1 -o "$tmp/a"
$vg --trace-children=yes "$bin" run tests/data/cli/small.ini --quiet --no-plots --jobs 2 -o "$tmp/b"
code=0
$vg "$bin" check tests/data/cli/bad.ini >/dev/null 2>&1 || code=$?
[ "$code" -eq 65 ] || { echo "check of a bad file: exit $code under valgrind (65 expected)"; exit 1; }
$vg "$bin" check scenarios/quickstart.ini >/dev/null
echo "valgrind: clean"
