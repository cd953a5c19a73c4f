#!/bin/sh
# --max-memory: a scenario whose key-state outgrows the ceiling fails with a clear error
# (exit 65), not a crash, and leaves no output; bad values are usage errors.
set -u
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$D" run tests/data/cli/small.ini --max-memory 64MB --quiet --no-plots -o "$tmp/probe" 2>"$tmp/probe.err"
if grep -q "not enforced in this build" "$tmp/probe.err"; then echo "skipped: sanitizer build"; exit 0; fi
code=0
"$D" run bench/keystate.ini --max-memory 64MB --jobs 1 --quiet --no-plots -o "$tmp/out" 2>"$tmp/err" || code=$?
[ "$code" -eq 65 ] || { echo "expected 65, got $code"; cat "$tmp/err"; exit 1; }
grep -q "out of memory" "$tmp/err" && grep -q -- "--max-memory" "$tmp/err" || { cat "$tmp/err"; exit 1; }
[ ! -e "$tmp/out" ] || { echo "output left behind"; exit 1; }
code=0; "$D" run bench/keystate.ini --max-memory 1KB -o "$tmp/x" 2>/dev/null || code=$?
[ "$code" -eq 64 ]
