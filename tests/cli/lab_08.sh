#!/bin/sh
# Lab 8, the scaling decision framework: runs the lab as docs/labs/08-decision-framework.md
# says (its `./dbscale run` lines through lab_run_sheet, its `./dbscale advise` lines here)
# and asserts what the sheet teaches, from the CSVs. Closed forms where the settings give
# one: CPU per request 0.795 x 2 ms + 0.2 x 4 ms + 0.005 x (2 ms + rows x 100 ns), the
# week of the indexed report 4M x 7/365 = 76712 rows, a primary of c cores completes at
# most c / 4 ms writes a second, the contention factor at N connections
# 1 + 0.003 (N - 1) + 0.0001 N (N - 1). Capacities (max_load, last_pass_load) come from
# capacity.csv; their ratios are bounded from the closed forms with the margin stated.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
SHEET=docs/labs/08-decision-framework.md
lab_run_sheet "$SHEET"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

# ---- Part 1: the ladder ------------------------------------------------------------
S=$tmp/out/08-decision-framework-ladder/summary.csv
T=$tmp/out/08-decision-framework-ladder/stations.csv
C=$tmp/out/08-decision-framework-ladder/capacity.csv
M=$tmp/out/08-decision-framework-ladder/station_metrics.csv

# Every rung raises the capacity over the one before (by at least 20%: the smallest
# step, pool over optimise, is 1265 / 1000), except partition, which changes nothing.
prev=
for v in base optimise pool cache replicas scale-up shard; do
  cur=$(lab_get "$C" max_load variant=$v)
  if [ -n "$prev" ]; then
    lab_check "$v raises max_load over the rung before ($(printf %.0f "$prev")/s)" "$(ratio "$cur" "$prev")" "x > 1.2"
  fi
  prev=$cur
done
lab_check "partition: max_load unchanged from scale-up" \
  "$(ratio "$(lab_get "$C" max_load variant=partition)" "$(lab_get "$C" max_load variant=scale-up)")" \
  "x > 0.99 && x < 1.01"
# The primary is the bottleneck on every rung (what fills it changes).
for v in base optimise pool cache replicas scale-up partition; do
  lab_check "$v: db.primary saturates first" "$(lab_get "$C" first_saturated_station variant=$v)" 'x == "db.primary"'
done
lab_check "shard: a shard's primary saturates first" "$(lab_get "$C" first_saturated_station variant=shard)" \
  'x ~ /^shards\.shard\.[01]\.primary$/'

# base: the unindexed report reads all 4M rows (402 ms of CPU, 46% of the 4.4 ms per
# request); the node meets the SLO today (250/s) and refuses requests from 750/s
# (1851 +- 1317 a run).
lab_check "base: a report reads the whole table" \
  "$(lab_get "$M" value variant=base app.rate=2000 station=db.primary metric=scan_rows_mean)" "x == 4000000"
lab_check "base: p99 under 20 ms today (250/s)" "$(lab_get "$S" latency_p99_ms variant=base app.rate=250)" "x < 20"
lab_check "base: nothing refused today (250/s)" "$(lab_get "$S" rejected variant=base app.rate=250)" "x == 0"
lab_check "base: refuses requests at 750/s" "$(lab_get "$S" rejected variant=base app.rate=750)" "x > 100"

# optimise: the index makes a report read its week, 76712 rows (the mean is a little
# lower: windows are cut at the newest hour; CI 2.3%). Passes at 1000/s; at 1500/s the
# connection spiral: 100 connections, throughput below what it did at 1000/s (736 +- 27).
lab_check "optimise: a report reads a week of rows" \
  "$(lab_get "$M" value variant=optimise app.rate=2000 station=db.primary metric=scan_rows_mean)" \
  "x > 0.95 * 76712 && x < 1.01 * 76712"
lab_check "optimise: meets p99 < 20 ms at 1000/s" "$(lab_get "$S" latency_p99_ms variant=optimise app.rate=1000)" "x < 20"
lab_check "optimise: nothing refused at 1000/s" "$(lab_get "$S" rejected variant=optimise app.rate=1000)" "x == 0"
lab_check "optimise: 100 connections at 1500/s" \
  "$(lab_get "$M" value variant=optimise app.rate=1500 station=db.primary metric=conn_peak)" "x == 100"
lab_check "optimise: throughput at 1500/s falls below 1000/s" "$(lab_get "$S" throughput variant=optimise app.rate=1500)" \
  "x < 1000"
lab_check "optimise: refuses requests at 1500/s" "$(lab_get "$S" rejected variant=optimise app.rate=1500)" "x > 1000"

# pool: 8 server connections, nothing refused at any load, and the node holds its
# capacity 4 cores / (2.4384 ms x f(8) = 1.0266) = 1598/s (CI +- 9; 3%) wherever the
# pooler queues the excess.
lab_check "pool: 8 server connections at 1500/s" \
  "$(lab_get "$M" value variant=pool app.rate=1500 station=pool metric=server_conn_peak)" "x == 8"
lab_check "pool: the node sees 8 connections at 1500/s" \
  "$(lab_get "$M" value variant=pool app.rate=1500 station=db.primary metric=conn_peak)" "x == 8"
lab_check "pool: nothing refused at any load (the most in a row)" \
  "$(awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["variant"]=="pool" && $c["rejected"]+0>m{m=$c["rejected"]+0} END{print m+0}' "$S")" "x == 0"
for r in 2000 4000 8000 16000; do
  lab_check "pool: the node holds its capacity at $r/s" "$(lab_get "$S" throughput variant=pool app.rate=$r)" \
    "x > 0.97 * 1598 && x < 1.03 * 1598"
done

# cache: 10% of the keys (zipf 0.99) and write-through: 66-72% of lookups hit once warm
# (0.679 at 3000/s in the shipped run; Che's approximation for 10% of a zipf(0.99) key
# space is about 0.7).
lab_check "cache: about 70% of the reads hit at 3000/s" "$(lab_get "$S" cache_hit_ratio variant=cache app.rate=3000)" \
  "x > 0.6 && x < 0.8"

# replicas: below the knee the primary completes exactly the writes, 20% of the
# requests (CI 2%); at 8000/s it is saturated on writes alone: at most 4 cores / 4 ms
# = 1000/s, less the contention of up to 24 connections (909 in the run); the replicas
# are under half busy (0.32).
lab_check "replicas: the primary does only the writes at 3000/s" \
  "$(ratio "$(lab_get "$T" throughput variant=replicas app.rate=3000 station=db.primary)" \
    "$(lab_get "$S" throughput variant=replicas app.rate=3000)")" "x > 0.19 && x < 0.21"
lab_check "replicas: primary saturated at 8000/s" \
  "$(lab_get "$T" utilisation variant=replicas app.rate=8000 station=db.primary)" "x > 0.99"
lab_check "replicas: primary at its write ceiling at 8000/s" \
  "$(lab_get "$T" throughput variant=replicas app.rate=8000 station=db.primary)" "x > 850 && x <= 1000"
for n in 1 2; do
  lab_check "replicas: db.replica.$n under half busy at 8000/s" \
    "$(lab_get "$T" utilisation variant=replicas app.rate=8000 station=db.replica.$n)" "x < 0.5"
done

# scale-up doubles the write ceiling (8 cores / 4 ms): max_load x 2 (2.14 in the run:
# contention weighs less on the bigger box; bounds 1.8 to 2.6).
lab_check "scale-up: max_load about twice the replicas'" \
  "$(ratio "$(lab_get "$C" max_load variant=scale-up)" "$(lab_get "$C" max_load variant=replicas)")" "x > 1.8 && x < 2.6"

# partition: a week touches 1 or 2 monthly partitions (at most 1 + 7/30.4 = 1.23 on
# average), and reads the same rows as the index did without partitions.
lab_check "partition: a report touches 1-2 of the 12 partitions" \
  "$(lab_get "$M" value variant=partition app.rate=2000 station=db.replica.1 metric=scan_partitions_mean)" "x > 1 && x < 1.25"
lab_check "partition: a report reads the same rows as with the index alone" \
  "$(ratio "$(lab_get "$M" value variant=partition app.rate=2000 station=db.replica.1 metric=scan_rows_mean)" \
    "$(lab_get "$M" value variant=scale-up app.rate=2000 station=db.replica.1 metric=scan_rows_mean)")" "x > 0.99 && x < 1.01"

# shard: two primaries split the writes: together they complete the 1600 writes/s of
# 8000 requests/s (3%), neither more than 60% of them (hash over zipf keys: 53% in the
# run); max_load 1.5 to 2.1 times scale-up's (1.72 in the run: two 8-core primaries).
w0=$(lab_get "$T" throughput variant=shard app.rate=8000 station=shards.shard.0.primary)
w1=$(lab_get "$T" throughput variant=shard app.rate=8000 station=shards.shard.1.primary)
lab_check "shard: the two primaries complete the writes of 8000/s" "$(awk -v a="$w0" -v b="$w1" 'BEGIN{print a + b}')" \
  "x > 0.97 * 1600 && x < 1.03 * 1600"
lab_check "shard: each primary takes about half of them" "$(awk -v a="$w0" -v b="$w1" 'BEGIN{print (a > b ? a : b) / (a + b)}')" \
  "x < 0.6"
lab_check "shard: max_load 1.5-2.1 times scale-up's" \
  "$(ratio "$(lab_get "$C" max_load variant=shard)" "$(lab_get "$C" max_load variant=scale-up)")" "x > 1.5 && x < 2.1"

# The first rung meeting the plans: 5000/s needs scale-up (replicas fail), 10000/s
# needs shard (partition fails).
lab_check "5000/s: replicas miss p99 < 20 ms" "$(lab_get "$S" latency_p99_ms variant=replicas app.rate=5000)" "x > 20"
lab_check "5000/s: scale-up meets p99 < 20 ms" "$(lab_get "$S" latency_p99_ms variant=scale-up app.rate=5000)" "x < 20"
lab_check "10000/s: partition misses p99 < 20 ms" "$(lab_get "$S" latency_p99_ms variant=partition app.rate=10000)" "x > 20"
lab_check "10000/s: shard meets p99 < 20 ms" "$(lab_get "$S" latency_p99_ms variant=shard app.rate=10000)" "x < 20"
for v in scale-up shard; do
  for r in 5000 10000; do
    [ $v = scale-up ] && [ $r = 10000 ] && continue
    lab_check "$r/s: $v refuses nothing" "$(lab_get "$S" rejected variant=$v app.rate=$r)" "x == 0"
  done
done

# Cost: the database nodes in use (stations.csv rows of kind node with throughput):
# 1 up to cache, 3 with replicas, 6 with 2 shards.
for vn in base:1 optimise:1 pool:1 cache:1 replicas:3 scale-up:3 partition:3 shard:6; do
  v=${vn%:*}; n=${vn#*:}
  lab_check "$v: $n database nodes" \
    "$(awk -F, -v v="$v" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["variant"]==v && $c["app.rate"]==8000 && $c["kind"]=="node" && $c["throughput"]>0{k++} END{print k+0}' "$T")" \
    "x == $n"
done

# ---- Part 2: the write wall --------------------------------------------------------
S=$tmp/out/08-decision-framework-writes/summary.csv
T=$tmp/out/08-decision-framework-writes/stations.csv
C=$tmp/out/08-decision-framework-writes/capacity.csv
base=$(lab_get "$C" max_load variant=base)
# More replicas: no gain (3151 and 3005 against 3301: at most +5%), the primary is
# saturated and completes at most 4 cores / 4 ms = 1000 writes/s.
for v in replicas-4 replicas-8; do
  lab_check "$v: no more capacity than 2 replicas" "$(ratio "$(lab_get "$C" max_load variant=$v)" "$base")" "x < 1.05"
done
for v in base replicas-4 replicas-8; do
  lab_check "$v: primary saturated at 12000/s" "$(lab_get "$T" utilisation variant=$v app.rate=12000 station=db.primary)" "x > 0.99"
  lab_check "$v: primary at most 1000 writes/s" "$(lab_get "$T" throughput variant=$v app.rate=12000 station=db.primary)" "x <= 1000"
  lab_check "$v: db.replica.1 under half busy at 12000/s" \
    "$(lab_get "$T" utilisation variant=$v app.rate=12000 station=db.replica.1)" "x < 0.5"
done
# A bigger primary moves the wall (x2 raw for 8 cores: 2.42 in the run, bound 1.8);
# 16 cores move it further, until the 4-core replicas saturate first.
lab_check "primary-8: max_load about twice base's" "$(ratio "$(lab_get "$C" max_load variant=primary-8)" "$base")" "x > 1.8"
lab_check "primary-16: more than primary-8" \
  "$(ratio "$(lab_get "$C" max_load variant=primary-16)" "$(lab_get "$C" max_load variant=primary-8)")" "x > 1.1"
lab_check "primary-16: a replica saturates first" "$(lab_get "$C" first_saturated_station variant=primary-16)" \
  'x ~ /^db\.replica\.[12]$/'
# Shards of the same 4-core database: capacity grows with the shards (x 1.83 and 4.24 in
# the run; bounds 1.5 and 3.5), past the 16-core primary.
lab_check "shards-2: max_load over 1.5 x base's" "$(ratio "$(lab_get "$C" max_load variant=shards-2)" "$base")" "x > 1.5"
lab_check "shards-4: max_load over 3.5 x base's" "$(ratio "$(lab_get "$C" max_load variant=shards-4)" "$base")" "x > 3.5"
lab_check "shards-4: more than primary-16" \
  "$(ratio "$(lab_get "$C" max_load variant=shards-4)" "$(lab_get "$C" max_load variant=primary-16)")" "x > 1.2"

# ---- Part 3: dbscale advise, as the sheet runs it ----------------------------------
awk '/^## /{steps = ($0 ~ /^## Steps/)} steps && /^\.\/dbscale advise /' "$SHEET" > "$tmp/advise"
[ "$(wc -l < "$tmp/advise")" -eq 2 ] || { echo "expected 2 './dbscale advise' lines in the sheet's Steps"; exit 1; }
i=0
while IFS= read -r cmd; do
  i=$((i + 1))
  cmd=$(printf '%s\n' "$cmd" | sed "s|^\./dbscale |\"\$D\" |; s| -o out/| -o \"\$tmp\"/out/|")
  rc=0
  eval "$cmd" > "$tmp/advise.$i" 2>"$tmp/stderr" || rc=$?
  echo "$rc" > "$tmp/advise.$i.rc"
done < "$tmp/advise"
# As built: advise's ladder has no 'optimise' rung, so only brute force passes: 4 shards
# (each scanning a quarter of the table) of 16-core nodes, against 6 nodes with the index.
lab_check "advise, as built: a configuration passes (exit 0)" "$(cat "$tmp/advise.1.rc")" "x == 0"
R1=$tmp/out/lab8-advise-as-built/recommended.ini
lab_check "advise, as built: 4 shards" "$(awk -F' *= *' '$1=="shards"{print $2}' "$R1")" "x == 4"
lab_check "advise, as built: costs at least twice the indexed answer (cost >= 12)" \
  "$(sed -n 's/.*1\. .*: cost \([0-9.]*\),.*/\1/p' "$tmp/advise.1" | head -n 1)" "x >= 12"
# With the index: the rung of part 1 at 5000/s, 2 replicas and 8-core nodes.
lab_check "advise, indexed: a configuration passes (exit 0)" "$(cat "$tmp/advise.2.rc")" "x == 0"
R=$tmp/out/lab8-advise-indexed/recommended.ini
lab_check "advise, indexed: recommends 2 replicas" "$(awk -F' *= *' '$1=="replicas"{print $2}' "$R")" "x == 2"
lab_check "advise, indexed: recommends 8-core primary" "$(awk -F' *= *' '$1=="primary.cores"{print $2}' "$R")" "x == 8"
lab_done
