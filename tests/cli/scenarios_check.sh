#!/bin/sh
# Every shipped scenario (examples, validation cases, labs) passes `dbscale check`, and
# every example opens with a comment block saying what it shows.
set -eu
D=${DBSCALE:-./dbscale}
n=0
for f in scenarios/*.ini scenarios/validation/*.ini scenarios/labs/*.ini; do
  [ -f "$f" ] || continue
  "$D" check "$f" >/dev/null || { echo "$f does not check"; exit 1; }
  n=$((n + 1))
done
for f in scenarios/*.ini; do
  c=$(awk '/^\[/{exit} /^#/{n++} END{print n+0}' "$f")
  [ "$c" -ge 4 ] || { echo "$f does not open with a comment block saying what it shows"; exit 1; }
done
[ "$n" -ge 10 ]
