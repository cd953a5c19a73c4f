#!/bin/sh
# make bench: one line per figure, "bench NAME key=value ...", for scripts to read.
# Usage: bench/run.sh BUILD_DIR
set -eu
build=$1
"$build/bench/hold"
"$build/bench/mm1"
"$build/bench/scenario" scenarios/quickstart.ini quickstart 20000000
if [ -f bench/sharded.ini ]; then
  "$build/bench/scenario" bench/sharded.ini sharded 5000000
fi
"$build/bench/scenario" scenarios/quickstart.ini memory 100000000
# key-state at scale: about 1e7 distinct keys (target: within 1 GB)
"$build/bench/scenario" bench/keystate.ini keystate 10000000
# --jobs: 8 replications of every quickstart variant, one process vs two.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for n in 1 2; do
  t0=$(date +%s.%N)
  "$build/dbscale" run scenarios/quickstart.ini --set scenario.replications=8 --jobs "$n" \
    --quiet --no-plots -o "$tmp/j$n"
  t1=$(date +%s.%N)
  echo "bench jobs n=$n replications=8 seconds=$(awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.2f\", b - a }")"
done
for f in "$tmp"/j1/*; do cmp -s "$f" "$tmp/j2/$(basename "$f")" || echo "bench jobs outputs_identical=no ($(basename "$f"))"; done
