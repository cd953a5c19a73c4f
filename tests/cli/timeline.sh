#!/bin/sh
# [timeline]: lines sorted by time, variants replacing the base line of the same time and
# adding their own (shown by `dbscale check`); every kind of bad line reported with its
# file:line and exit 65.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$D" check tests/data/cli/timeline.ini > "$tmp/out"
awk '/variant base/{on=1} /variant v/{on=0} on && / = /' "$tmp/out" | grep -E '^  [0-9]' > "$tmp/base"
awk '/variant v/{on=1} on && / = /' "$tmp/out" | grep -E '^  [0-9]' > "$tmp/v"
cat > "$tmp/base.want" <<'W'
  5s = slow db.replica.1 4x
  5s = recover db.replica.2
  12s = crash db.primary
W
cat > "$tmp/v.want" <<'W'
  1s = add-replica db
  5s = slow db.replica.1 4x
  5s = recover db.replica.2
  12s = crash db.replica.1
W
sed 's/ *#.*//' "$tmp/base" | diff "$tmp/base.want" -
sed 's/ *#.*//' "$tmp/v" | diff "$tmp/v.want" -
code=0
"$D" check tests/data/scenarios/timeline_bad.ini >/dev/null 2>"$tmp/err" || code=$?
[ "$code" -eq 65 ]
diff tests/data/cli/timeline_bad.expected "$tmp/err"
