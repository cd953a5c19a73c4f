#!/bin/sh
# Lab 6, global distribution: runs the lab as docs/labs/06-global-distribution.md says
# and asserts what the sheet teaches, from the CSVs. The bounds come from the round-trip
# matrix of the scenario files (us-east - eu-west 80 ms, us-east - ap-south 190 ms,
# eu-west - ap-south 120 ms) and the service times: a local read's p99 is that of
# exp(0.5 ms), 0.5 ms x ln 100 = 2.30 ms (the nodes are 5-15% busy: almost no waiting),
# a local write's 4.6 ms (exp(1 ms)); a remote request adds its round trips. Latency
# percentiles come from histograms with about 1% relative error, hence the factor 1.01 on
# upper bounds; lower bounds at a round trip are exact (no request can beat the network).
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/06-global-distribution.md

rtt() { # round trip between the users' region and the us-east primary
  case $1 in us-east) echo 0 ;; eu-west) echo 80 ;; ap-south) echo 190 ;; esac
}
# local read p99: 2.30 ms, the run's CI <= 0.11 ms over all variants and regions
local_read="x > 2.0 && x < 2.7"
# local write p99: 4.6 ms, the run's CI <= 0.76 ms (3 replications of 200 writes/s)
local_write="x > 3.5 && x < 6.5"

# Part 1: one primary in us-east, a replica in every region, read_from = nearest.
R=$tmp/out/06-global-distribution-replicas/regions.csv
S=$tmp/out/06-global-distribution-replicas/summary.csv
M=$tmp/out/06-global-distribution-replicas/station_metrics.csv
for g in us-east eu-west ap-south; do
  t=$(rtt $g)
  lab_check "base: $g reads are local (read p99 = exp(0.5 ms)'s; round trip to the primary $t ms)" \
    "$(lab_get "$R" read_latency_p99_ms variant=base region=$g)" "$local_read"
  lab_check "base: $g median request (a read) under 1 ms" "$(lab_get "$R" latency_p50_ms variant=base region=$g)" "x < 1"
  # a write pays the round trip to the primary plus the local write
  lab_check "base: $g writes pay the round trip to us-east ($t ms)" \
    "$(lab_get "$R" write_latency_p99_ms variant=base region=$g)" "x >= $t + 3.5 * 0.99 && x <= 1.01 * ($t + 6.5)"
  # primary-reads: the median read pays the round trip too
  lab_check "primary-reads: $g median read pays the round trip to us-east ($t ms)" \
    "$(lab_get "$R" latency_p50_ms variant=primary-reads region=$g)" "x >= $t && x <= 1.01 * $t + 1"
  lab_check "$g: nothing fails" "$(lab_get "$R" failed variant=base region=$g)" "x == 0"
done
# semi-sync(1): the nearest replica (eu-west, 80 ms from the primary) confirms every
# write; sync: the farthest (ap-south, 190 ms). 2 ms more for the 1 ms WAL link both ways.
for g in us-east eu-west ap-south; do
  t=$(rtt $g)
  lab_check "semi-sync: $g writes pay $t + 80 ms" "$(lab_get "$R" write_latency_p99_ms variant=semi-sync region=$g)" \
    "x >= $t + 80 + 2 && x <= 1.01 * ($t + 80 + 2 + 6.5)"
  lab_check "sync: $g writes pay $t + 190 ms" "$(lab_get "$R" write_latency_p99_ms variant=sync region=$g)" \
    "x >= $t + 190 + 2 && x <= 1.01 * ($t + 190 + 2 + 6.5)"
  lab_check "sync: $g reads stay local" "$(lab_get "$R" read_latency_p99_ms variant=sync region=$g)" "$local_read"
done
# Lag = one-way delay from us-east + 1 ms link + apply (0.1 ms at 3% busy); CI <= 0.005 ms
lab_check "eu-west replica lags 40 + 1 + 0.1 ms" "$(lab_get "$M" value variant=base station=db.replica.1 metric=lag_mean_ms)" \
  "x > 41.0 && x < 41.25"
lab_check "ap-south replica lags 95 + 1 + 0.1 ms" "$(lab_get "$M" value variant=base station=db.replica.2 metric=lag_mean_ms)" \
  "x > 96.0 && x < 96.25"
lab_check "base: some local reads are stale" "$(lab_get "$S" stale_read_ratio variant=base)" "x > 0.02"

# Part 2: geo-sharding. Every request stays in its region; the global primary's remote
# writes pay the round trip; a global report waits for the farthest shard.
R=$tmp/out/06-global-distribution-geo-sharding/regions.csv
S=$tmp/out/06-global-distribution-geo-sharding/summary.csv
T=$tmp/out/06-global-distribution-geo-sharding/stations.csv
for g in us-east eu-west ap-south; do
  t=$(rtt $g)
  lab_check "geo: $g writes are local" "$(lab_get "$R" write_latency_p99_ms variant=base region=$g)" "$local_write"
  lab_check "geo: $g reads are local" "$(lab_get "$R" read_latency_p99_ms variant=base region=$g)" "$local_read"
  lab_check "global-primary: $g writes pay the round trip to us-east ($t ms)" \
    "$(lab_get "$R" write_latency_p99_ms variant=global-primary region=$g)" "x >= $t + 3.5 * 0.99 && x <= 1.01 * ($t + 6.5)"
  lab_check "global-query: $g writes stay local" "$(lab_get "$R" write_latency_p99_ms variant=global-query region=$g)" "$local_write"
done
# global-query: the read p99 falls among the 2% scatter-gathers: the farthest shard's
# round trip (us-east 190, eu-west 120, ap-south 190) plus a 10 ms scan (CI 1.4 ms)
for gf in us-east:190 eu-west:120 ap-south:190; do
  g=${gf%:*}; f=${gf#*:}
  lab_check "global-query: $g reports wait for the farthest shard ($f ms)" \
    "$(lab_get "$R" read_latency_p99_ms variant=global-query region=$g)" "x >= $f && x <= 1.01 * $f + 15"
done
# Writes per primary: 1000/s x 20% per region (CI <= 6.5/s); 4 cores at 1 ms per write.
for i in 0 1 2; do
  lab_check "geo: shard $i's primary takes its region's 200 writes/s" \
    "$(lab_get "$T" throughput variant=base station=router.shard.$i.primary)" "x > 190 && x < 210"
done
lab_check "global-primary: one primary takes all 600 writes/s" \
  "$(lab_get "$T" throughput variant=global-primary station=router.shard.0.primary)" "x > 585 && x < 615"
lab_check "global-primary: its utilisation 600 x 1 ms / 4" \
  "$(lab_get "$T" utilisation variant=global-primary station=router.shard.0.primary)" "x > 0.14 && x < 0.16"
lab_check "global-primary: at least 10 times the stale reads of geo shards" \
  "$(awk -v a="$(lab_get "$S" stale_read_ratio variant=global-primary)" -v b="$(lab_get "$S" stale_read_ratio variant=base)" 'BEGIN{print (b > 0 ? a / b : 1e9)}')" \
  "x >= 10"

# Part 3: us-east and ap-south cut from 10 s to 20 s.
R=$tmp/out/06-global-distribution-partition/regions.csv
M=$tmp/out/06-global-distribution-partition/station_metrics.csv
TS=$tmp/out/06-global-distribution-partition/timeseries.csv
# 100 writes/s x 10 s = 1000 a run (Poisson: sd 32 a run, the run's CI 51) plus the
# writes in flight at the cut (about 100/s x 0.1 s)
lab_check "partition: about 1000 ap-south writes fail a run" "$(lab_get "$R" failed variant=base region=ap-south)" \
  "x > 950 && x < 1070"
lab_check "partition: ap-south reads go on, locally" "$(lab_get "$R" read_latency_p99_ms variant=base region=ap-south)" "$local_read"
for g in us-east eu-west; do
  lab_check "partition: $g sees no failure" "$(lab_get "$R" failed variant=base region=$g)" "x == 0"
done
lab_check "partition: ap-south's WAL link breaks once" \
  "$(lab_get "$M" value variant=base station=router.shard.0.replica.3 metric=wal_disconnects)" "x == 1"
# the first record after the cut reaches ap-south at 20 s + 95 ms at the earliest, and
# the replica reconnects within replica.reconnect = 1 s of the heal
lab_check "partition: ap-south lag reaches the 10 s of the cut" \
  "$(lab_get "$M" value variant=base station=router.shard.0.replica.3 metric=lag_max_ms)" "x >= 10095 && x < 11200"
lab_check "partition: eu-west's replica is unaffected" \
  "$(lab_get "$M" value variant=base station=router.shard.0.replica.2 metric=lag_max_ms)" "x < 45"
# On the timeline: the lag at t is t - 9.905 s (the last record that got through was
# committed 95 ms before the cut) during the cut; before and after it, the one-way 95 ms
# plus the 1 ms link and the apply (under 150 ms).
lab_check "timeline: lag 95 ms before the cut" "$(lab_get "$TS" lag_ms_router.shard.0.replica.3 variant=base t_s=9)" "x < 150"
lab_check "timeline: lag 5.1 s at 15 s" "$(lab_get "$TS" lag_ms_router.shard.0.replica.3 variant=base t_s=15)" "x > 5090 && x < 5200"
lab_check "timeline: lag drained by 22 s" "$(lab_get "$TS" lag_ms_router.shard.0.replica.3 variant=base t_s=22)" "x < 150"
for g in us-east eu-west ap-south; do
  lab_check "geo-sharded: $g sees no failure" "$(lab_get "$R" failed variant=geo-sharded region=$g)" "x == 0"
done
for i in 0 1 2; do
  lab_check "geo-sharded: shard $i's replica keeps its link" \
    "$(lab_get "$M" value variant=geo-sharded station=router.shard.$i.replica.1 metric=lag_max_ms)" "x < 10"
done
lab_done
