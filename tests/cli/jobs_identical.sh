#!/bin/sh
# --jobs 1 and --jobs 2 give byte-identical outputs (CSV files and report).
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$D" run tests/data/cli/small.ini --quiet --no-plots --jobs 1 -o "$tmp/j1"
"$D" run tests/data/cli/small.ini --quiet --no-plots --jobs 2 -o "$tmp/j2"
n=0
for f in "$tmp"/j1/*; do
  b=$(basename "$f")
  cmp "$f" "$tmp/j2/$b"
  n=$((n + 1))
done
[ "$n" -ge 6 ] || { echo "expected at least 6 output files, found $n"; exit 1; }
# 2 variants x 2 sweep points = 4 summary rows plus the header
[ "$(wc -l < "$tmp/j1/summary.csv")" -eq 5 ]
