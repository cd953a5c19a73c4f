#!/bin/sh
# A variant changes only what it overrides: the resolved configurations printed by
# `dbscale check` for base and variant differ in exactly the overridden line.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$D" check tests/data/cli/small.ini > "$tmp/all"
awk '/^# .*variant base/{on=1;next} /^# /{on=0} on' "$tmp/all" > "$tmp/base"
awk '/^# .*variant slow/{on=1;next} /^# /{on=0} on' "$tmp/all" > "$tmp/slow"
[ -s "$tmp/base" ] && [ -s "$tmp/slow" ]
changed=$(diff "$tmp/base" "$tmp/slow" | grep -c '^>' || true)
[ "$changed" -eq 1 ] || { echo "expected one changed line, got $changed"; diff "$tmp/base" "$tmp/slow"; exit 1; }
diff "$tmp/base" "$tmp/slow" | grep '^>' | grep -q 'service'
