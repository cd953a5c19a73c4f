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
# --jobs: 8 replications of every quickstart variant, one process vs two; the best of
# three runs each (a run the scheduler interrupts on a shared machine is not the best).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for n in 1 2; do
  best=""
  for try in 1 2 3; do
    t0=$(date +%s.%N)
    "$build/dbscale" run scenarios/quickstart.ini --set scenario.replications=8 --jobs "$n" \
      --quiet --no-plots -o "$tmp/j$n"
    t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { t = b - a; if (best == "" || t < best) best = t; print best }')
  done
  echo "bench jobs n=$n replications=8 seconds=$(awk -v t="$best" 'BEGIN { printf "%.2f", t }')"
  eval "best_$n=\$best"
done
same=yes
for f in "$tmp"/j1/*; do cmp -s "$f" "$tmp/j2/$(basename "$f")" || same=no; done
echo "bench jobs speedup=$(awk -v a="$best_1" -v b="$best_2" 'BEGIN { printf "%.2f", a / b }') outputs_identical=$same"
