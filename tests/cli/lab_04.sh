#!/bin/sh
# Lab 4, caching: runs the lab as docs/labs/04-caching.md says and asserts what the sheet
# teaches, from the CSVs. The LRU hit ratios are checked against Che's approximation,
# computed by the sheet's own awk program (question 1); the other bounds are closed forms
# from the settings, with a margin stated per check from the 95% CI the run printed
# (3 replications).
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
SHEET=docs/labs/04-caching.md
lab_run_sheet $SHEET

# Part 1: hit ratio against size. Che's approximation for LRU (CI half-widths <= 0.003;
# the approximation itself is within 0.002 of an exact LRU here): 0.01. FIFO keeps hot
# keys less well: 0.034 to 0.046 below LRU at every size, so it fails the same bound.
sed -n "/^   awk -v s=0.9 -v n=20000 -v C=1000 '\$/,/^     }'\$/p" $SHEET | sed 's/^   //' > "$tmp/che.sh"
[ -s "$tmp/che.sh" ] || { echo "no Che program in $SHEET"; exit 1; }
che() { sed "s/C=1000/C=$1/" "$tmp/che.sh" | sh | sed 's/.*hit ratio //'; }
S=$tmp/out/04-caching-size/summary.csv
T=$tmp/out/04-caching-size/stations.csv
lab_check "no cache: no hits" "$(lab_get "$S" cache_hit_ratio variant=base cache.capacity=0)" "x == 0"
# 10000 reads/s x 1 ms / 12 cores = 0.8333 (CI 0.006)
u0=$(lab_get "$T" utilisation variant=base cache.capacity=0 station=db)
lab_check "no cache: database 83% busy" "$u0" "x > 0.82 && x < 0.85"
prev=0
for c in 500 1000 2000 5000 10000; do
  h=$(lab_get "$S" cache_hit_ratio variant=base cache.capacity=$c)
  lab_check "LRU $c keys: hit ratio = Che's $(che $c)" "$h" "x > $(che $c) - 0.01 && x < $(che $c) + 0.01"
  lab_check "LRU $c keys: hit ratio above the smaller cache's" "$h" "x > $prev"
  prev=$h
  # the database does the misses: utilisation (CI <= 0.006) and reads/s (CI <= 27/s, 2%)
  # fall by the factor 1 - hit ratio
  lab_check "LRU $c keys: database utilisation = no-cache x (1 - hit ratio)" \
    "$(lab_get "$T" utilisation variant=base cache.capacity=$c station=db)" \
    "x > $u0 * (1 - $h) - 0.015 && x < $u0 * (1 - $h) + 0.015"
  lab_check "LRU $c keys: database reads = 10000/s x (1 - hit ratio)" \
    "$(lab_get "$T" throughput variant=base cache.capacity=$c station=db)" \
    "x > 0.98 * 10000 * (1 - $h) && x < 1.02 * 10000 * (1 - $h)"
  lab_check "FIFO $c keys: more than 2 points below LRU" \
    "$(lab_get "$S" cache_hit_ratio variant=fifo cache.capacity=$c)" "x < $h - 0.02"
done
lab_check "half the keys catch 85% of the reads" "$prev" "x > 0.84 && x < 0.87"
# mean latency: a hit is the 0.2 ms lookup, a miss adds 1 ms of database read and a 0.2 ms
# fill; from 2k keys the database is at most 36% busy on 12 cores, nobody waits for a core
# (CI <= 0.008 ms, 1.5%)
for c in 2000 5000 10000; do
  h=$(lab_get "$S" cache_hit_ratio variant=base cache.capacity=$c)
  lab_check "LRU $c keys: mean latency 0.2 + (1 - hit ratio) x 1.2 ms" \
    "$(lab_get "$S" latency_mean_ms variant=base cache.capacity=$c)" \
    "x > 0.98 * (0.2 + (1 - $h) * 1.2) && x < 1.02 * (0.2 + (1 - $h) * 1.2)"
done
# Question 2: with uniform keys the hit ratio is C / N exactly (binomial noise < 0.003)
"$D" run scenarios/labs/04-caching-size.ini --set 'app.keys=uniform(20k)' --set scenario.replications=1 \
  --quiet --no-plots -o "$tmp/out/uniform" 2>"$tmp/stderr" || { cat "$tmp/stderr"; exit 1; }
for c in 2000 10000; do
  lab_check "uniform keys, $c keys: hit ratio $c / 20000" \
    "$(lab_get "$tmp/out/uniform/summary.csv" cache_hit_ratio variant=base cache.capacity=$c)" \
    "x > $c / 20000 - 0.005 && x < $c / 20000 + 0.005"
done

# Part 2: write patterns. Writes: 1 ms of primary (exp, 37500 writes: mean within 0.02 ms)
# plus a 0.2 ms delete or set; write-behind acknowledges after the 0.2 ms set (const).
S=$tmp/out/04-caching-patterns/summary.csv
T=$tmp/out/04-caching-patterns/stations.csv
for v in base write-through lease primary-reads primary-lease; do
  lab_check "$v: writes take 1.2 ms" "$(lab_get "$S" write_latency_mean_ms variant=$v)" "x > 1.15 && x < 1.25"
done
lab_check "write-behind: writes take the 0.2 ms set" "$(lab_get "$S" write_latency_mean_ms variant=write-behind)" \
  "x > 0.199 && x < 0.201"
# the primary does the 500 writes/s in every pattern (CI <= 13/s)
for v in base write-through write-behind; do
  lab_check "$v: primary does the 500 writes/s" "$(lab_get "$T" throughput variant=$v station=db.primary)" \
    "x > 480 && x < 520"
  # the replica does the misses: 4500 reads/s x (1 - hit ratio) (CI <= 35/s, 1.7%)
  lab_check "$v: replica does 4500 x (1 - hit ratio) reads/s" "$(lab_get "$T" throughput variant=$v station=db.replica.1)" \
    "x > 0.97 * 4500 * (1 - $(lab_get "$S" cache_hit_ratio variant=$v)) && x < 1.03 * 4500 * (1 - $(lab_get "$S" cache_hit_ratio variant=$v))"
  lab_check "$v: no cache crash, no lost write" "$(lab_get "$S" lost_writes variant=$v)" "x == 0"
done
# cache-aside deletes hot keys at every write: 0.545 +- 0.004 against 0.592 +- 0.002
ha=$(lab_get "$S" cache_hit_ratio variant=base)
lab_check "write-through hits 3+ points more than cache-aside" "$(lab_get "$S" cache_hit_ratio variant=write-through)" \
  "x > $ha + 0.03"
lab_check "write-behind hits as often as write-through" "$(lab_get "$S" cache_hit_ratio variant=write-behind)" \
  "x > $(lab_get "$S" cache_hit_ratio variant=write-through) - 0.005 && x < $(lab_get "$S" cache_hit_ratio variant=write-through) + 0.005"
# stale reads: cache-aside 1.7% +- 0.16%; leases alone 1.5% +- 0.1%; primary reads alone
# 0.30% +- 0.12%; both 0.08% +- 0.025%; write-through 0.05% +- 0.034%; write-behind ~0
sa=$(lab_get "$S" stale_read_ratio variant=base)
lab_check "cache-aside behind a lagging replica: over 1% stale reads" "$sa" "x > 0.01"
lab_check "leases alone do not fix replica lag (over half of aside's)" "$(lab_get "$S" stale_read_ratio variant=lease)" \
  "x > $sa / 2"
sp=$(lab_get "$S" stale_read_ratio variant=primary-reads)
lab_check "primary reads remove most stale fills (under a third)" "$sp" "x < $sa / 3 && x > 0"
lab_check "primary reads + leases: under a tenth of aside's, below primary reads" \
  "$(lab_get "$S" stale_read_ratio variant=primary-lease)" "x < $sa / 10 && x < $sp"
lab_check "write-through: under a tenth of aside's" "$(lab_get "$S" stale_read_ratio variant=write-through)" "x < $sa / 10"
lab_check "write-behind: under a hundredth of aside's" "$(lab_get "$S" stale_read_ratio variant=write-behind)" "x < $sa / 100"

# Part 3: the restart. Time series, one row per second (t_s = end of the second).
TS=$tmp/out/04-caching-failure/timeseries.csv
S=$tmp/out/04-caching-failure/summary.csv
R=$tmp/out/04-caching-failure/replications.csv
ts() { lab_get "$TS" "$1" variant="$2" t_s="$3"; }
# max (or min) of a column over variant v and t_s in [a, b]
tsmax() {
  awk -F, -v col="$1" -v v="$2" -v a="$3" -v b="$4" -v sgn="${5:-1}" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["variant"] == v && $h["t_s"] + 0 >= a && $h["t_s"] + 0 <= b {
      x = sgn * $h[col]; if (!n++ || x > m) m = x }
    END { print sgn * m }' "$TS"
}
for v in base write-behind; do
  # warm: the primary does 3200/s of its 6000/s; small queue, p99 about 4 ms
  lab_check "$v: warm cache, p99 under 10 ms (21-30 s)" "$(tsmax latency_p99_ms $v 21 30)" "x < 10"
  lab_check "$v: warm cache, primary queue under 20 (21-30 s)" "$(tsmax queue_db.primary $v 21 30)" "x < 20"
  for t in 31 32; do
    lab_check "$v: cache down at $t s, no hits" "$(ts hit_ratio_cache $v $t)" "x == 0"
    # everything goes to the primary: it completes its capacity, 6 cores / 1 ms (count
    # noise per second about 45/s over 3 runs)
    lab_check "$v: primary saturated at $t s: 6000/s" "$(ts throughput $v $t)" "x > 5760 && x < 6240"
  done
  # the queue grows by 8000 - 6000 = 2000/s for 2 s (noise about 100)
  lab_check "$v: primary queue about 4000 at 32 s" "$(ts queue_db.primary $v 32)" "x > 3500 && x < 4500"
  lab_check "$v: miss storm, p99 over 50 times the warm p99" "$(tsmax latency_p99_ms $v 31 40)" \
    "x > 50 * $(tsmax latency_p99_ms $v 21 30)"
  lab_check "$v: back to normal by 40 s (p99 under 10 ms, 40-60 s)" "$(tsmax latency_p99_ms $v 40 60)" "x < 10"
  lab_check "$v: hit ratio back at 45 s" "$(ts hit_ratio_cache $v 45)" "x > $(tsmax hit_ratio_cache $v 21 30 -1) - 0.03"
done
lab_check "base: the queue still grows after the restart (33 s above 32 s)" "$(ts queue_db.primary base 33)" \
  "x > $(ts queue_db.primary base 32)"
lab_check "flush-only: no storm (p99 under 20 ms, 21-60 s)" "$(tsmax latency_p99_ms flush-only 21 60)" "x < 20"
lab_check "flush-only: no storm (primary queue under 50)" "$(tsmax queue_db.primary flush-only 21 60)" "x < 50"
lab_check "flush-only: the cache is cold at 31 s" "$(ts hit_ratio_cache flush-only 31)" \
  "x < $(tsmax hit_ratio_cache flush-only 21 30 -1) - 0.1"
# lost writes: the write-behind queue at the crash, the writes since the last batch
# started: at most 800/s x (100 ms + about 10 ms of batch) = 88, plus Poisson noise (3 sd
# about 28): 120 a run. Cache-aside and a flush lose none.
for r in 0 1 2; do
  lab_check "write-behind run $r: the crash loses acknowledged writes" \
    "$(lab_get "$R" lost_writes variant=write-behind replication=$r)" "x > 0 && x <= 120"
done
for v in base flush-only; do
  lab_check "$v: no write lost" "$(lab_get "$S" lost_writes variant=$v)" "x == 0"
done
lab_done
