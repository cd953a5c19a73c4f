#!/bin/sh
# --part I/N slices merged with `dbscale merge` give byte-identical outputs to one run;
# a missing or duplicated slice is refused.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in 0 1 2; do "$D" run tests/data/cli/small.ini --quiet --part "$i/3" -o "$tmp/p$i"; done
"$D" merge "$tmp/p0" "$tmp/p1" "$tmp/p2" --quiet --no-plots -o "$tmp/merged"
"$D" run tests/data/cli/small.ini --quiet --no-plots -o "$tmp/whole"
for f in "$tmp"/whole/*; do cmp "$f" "$tmp/merged/$(basename "$f")"; done
code=0; "$D" merge "$tmp/p0" "$tmp/p2" --quiet -o "$tmp/m2" 2>"$tmp/err" || code=$?
[ "$code" -eq 65 ] && grep -q "part 1 of 3 is missing" "$tmp/err"
[ ! -e "$tmp/m2" ]
cp "$tmp/p0/part-0-of-3.bin" "$tmp/p1/"
code=0; "$D" merge "$tmp/p0" "$tmp/p1" "$tmp/p2" --quiet -o "$tmp/m3" 2>"$tmp/err" || code=$?
[ "$code" -eq 65 ] && grep -q "given twice" "$tmp/err"
code=0; "$D" run tests/data/cli/small.ini --part 3/3 -o "$tmp/x" 2>/dev/null || code=$?
[ "$code" -eq 64 ]
