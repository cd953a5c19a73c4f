#!/bin/sh
# Lab 1, scaling fundamentals: runs the lab as docs/labs/01-scaling-fundamentals.md says
# and asserts what the sheet teaches, from the CSVs. Capacities are closed forms: a node
# of c cores completes c / 1.1 ms requests/s (0.9 x 1 ms + 0.1 x 2 ms); bounds are 1%
# where the run's 95% CI half-width is at most 0.4% of the value (3 replications), and
# otherwise stated per check with the CI the run printed.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/01-scaling-fundamentals.md

# Part 1: scaling up. Saturated sizes do exactly their capacity (CI <= 25/s); 32 cores is
# the smallest size that refuses nothing and meets p99 < 20 ms (5.5 +- 0.05 ms).
S=$tmp/out/01-scaling-fundamentals-vertical/summary.csv
T=$tmp/out/01-scaling-fundamentals-vertical/stations.csv
for c in 4 8 16; do
  lab_check "$c cores do their capacity $c / 1.1 ms" "$(lab_get "$S" throughput db.primary.cores=$c)" \
    "x > 0.99 * $c / 0.0011 && x < 1.01 * $c / 0.0011"
  lab_check "$c cores refuse requests" "$(lab_get "$S" rejected db.primary.cores=$c)" "x > 10000"
  lab_check "$c cores are saturated" "$(lab_get "$T" utilisation db.primary.cores=$c station=db.primary)" "x > 0.99"
done
# 16 cores refuse 1 - 14545 / 20000 = 27% of 27 s x 20000/s (147859 +- 1347 a run)
lab_check "16 cores refuse about 27% of the requests" "$(lab_get "$S" rejected db.primary.cores=16)" \
  "x / (27 * 20000) > 0.25 && x / (27 * 20000) < 0.30"
for c in 32 64; do
  lab_check "$c cores serve all 20000/s" "$(lab_get "$S" throughput db.primary.cores=$c)" "x > 19800 && x < 20200"
  lab_check "$c cores refuse nothing" "$(lab_get "$S" rejected db.primary.cores=$c)" "x == 0"
  lab_check "$c cores meet p99 < 20 ms" "$(lab_get "$S" latency_p99_ms db.primary.cores=$c)" "x < 20"
  lab_check "$c cores: utilisation 22 / $c" "$(lab_get "$T" utilisation db.primary.cores=$c station=db.primary)" \
    "x > 0.98 * 22 / $c && x < 1.02 * 22 / $c"
done

# Part 2: scaling out. The primary keeps the writes: 2000/s x 2 ms / 8 cores = 0.5 busy
# whatever the replicas (CI <= 0.007); 3 replicas serve everything; with 40% writes the
# primary does 8 cores / 2 ms = 4000 writes/s and throughput stops at 12000 + 4000.
S=$tmp/out/01-scaling-fundamentals-horizontal/summary.csv
T=$tmp/out/01-scaling-fundamentals-horizontal/stations.csv
for r in 1 2 3 4; do
  lab_check "primary 50% busy with $r replicas" "$(lab_get "$T" utilisation variant=base db.replicas=$r station=db.primary)" \
    "x > 0.48 && x < 0.52"
done
lab_check "2 replicas are not enough" "$(lab_get "$S" rejected variant=base db.replicas=2)" "x > 10000"
lab_check "3 replicas serve all 20000/s" "$(lab_get "$S" throughput variant=base db.replicas=3)" "x > 19800 && x < 20200"
lab_check "3 replicas refuse nothing" "$(lab_get "$S" rejected variant=base db.replicas=3)" "x == 0"
lab_check "3 replicas meet p99 < 20 ms" "$(lab_get "$S" latency_p99_ms variant=base db.replicas=3)" "x < 20"
for r in 2 3 4; do
  lab_check "write-heavy stops at 16000/s with $r replicas" "$(lab_get "$S" throughput variant=write-heavy db.replicas=$r)" \
    "x > 15840 && x < 16160"
  lab_check "write-heavy primary saturated with $r replicas" \
    "$(lab_get "$T" utilisation variant=write-heavy db.replicas=$r station=db.primary)" "x > 0.99"
done

# Part 3: one signal per variant. Utilisation = rate x 1.1 ms / 8 (CI <= 0.014); hit
# ratio = memory / working set (CI <= 0.004); disk utilisation = misses/s x 1 ms / 3
# (CI <= 0.015); the bursts fill the 100 connections (peak 100 +- 0 in every run).
S=$tmp/out/01-scaling-fundamentals-signals/summary.csv
T=$tmp/out/01-scaling-fundamentals-signals/stations.csv
M=$tmp/out/01-scaling-fundamentals-signals/station_metrics.csv
lab_check "base: CPU 55%" "$(lab_get "$T" utilisation variant=base station=db)" "x > 0.52 && x < 0.58"
lab_check "cpu: CPU over 80%" "$(lab_get "$T" utilisation variant=cpu station=db)" "x > 0.82 && x < 0.88"
for v in base cpu connections; do
  lab_check "$v: every read hits memory" "$(lab_get "$M" value variant=$v metric=buffer_pool_hit_ratio)" "x == 1"
done
lab_check "memory: hit ratio 16/24" "$(lab_get "$M" value variant=memory metric=buffer_pool_hit_ratio)" \
  "x > 0.65 && x < 0.685"
lab_check "memory: disk 40% busy" "$(lab_get "$M" value variant=memory metric=disk_utilisation)" "x > 0.37 && x < 0.43"
lab_check "disk: hit ratio 16/64" "$(lab_get "$M" value variant=disk metric=buffer_pool_hit_ratio)" "x > 0.24 && x < 0.26"
lab_check "disk: disk 90% busy" "$(lab_get "$M" value variant=disk metric=disk_utilisation)" "x > 0.87 && x < 0.93"
lab_check "disk: p99 at least twice the base's" \
  "$(awk -v a="$(lab_get "$S" latency_p99_ms variant=disk)" -v b="$(lab_get "$S" latency_p99_ms variant=base)" 'BEGIN{print a/b}')" \
  "x > 2"
lab_check "connections: 100 connections at the peak" "$(lab_get "$M" value variant=connections metric=conn_peak)" "x == 100"
lab_check "connections: requests refused" "$(lab_get "$S" rejected variant=connections)" "x > 100"
lab_check "connections: average CPU still below 60%" "$(lab_get "$T" utilisation variant=connections station=db)" "x < 0.6"
for v in base cpu memory disk; do
  lab_check "$v: nothing refused" "$(lab_get "$S" rejected variant=$v)" "x == 0"
done
lab_done
