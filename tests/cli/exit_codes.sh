#!/bin/sh
# Exit codes: 0 ok, 64 usage, 65 bad scenario, 66 missing input, 73 cannot write output.
set -u
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { want=$1; shift; "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
  if [ "$got" -ne "$want" ]; then echo "expected exit $want, got $got: $*"; cat "$tmp/err"; fail=1; fi; }
expect 64 "$D"
expect 0  "$D" --version
expect 0  "$D" --help
expect 64 "$D" frobnicate
expect 64 "$D" run
expect 64 "$D" run --jobs 0 tests/data/cli/small.ini
expect 64 "$D" run --bogus tests/data/cli/small.ini
expect 66 "$D" run "$tmp/does-not-exist.ini"
expect 66 "$D" check "$tmp/does-not-exist.ini"
expect 65 "$D" run tests/data/cli/bad.ini -o "$tmp/bad"
[ -e "$tmp/bad" ] && { echo "a bad scenario left an output directory"; fail=1; }
expect 65 "$D" check tests/data/cli/bad.ini
expect 0  "$D" check tests/data/cli/small.ini
expect 0  "$D" help
expect 0  "$D" help server
expect 64 "$D" help sever
expect 73 "$D" run tests/data/cli/small.ini --quiet --no-plots -o /proc/dbscale-cannot-write
expect 66 "$D" plot "$tmp/no-such-dir"
exit $fail
