#!/bin/sh
# A run that fails (here: the in-flight cap under overload) exits non-zero with a clear
# message and leaves no output directory, not even a temporary one.
set -u
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$D" run tests/data/cli/overload.ini --quiet --no-plots -o "$tmp/out" 2>"$tmp/err"
code=$?
[ "$code" -eq 65 ] || { echo "expected exit 65, got $code"; cat "$tmp/err"; exit 1; }
grep -q "requests in flight" "$tmp/err" || { echo "no in-flight message:"; cat "$tmp/err"; exit 1; }
[ -z "$(ls -A "$tmp" | grep -v '^err$')" ] || { echo "left behind:"; ls -la "$tmp"; exit 1; }
