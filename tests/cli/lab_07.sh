#!/bin/sh
# Lab 7, read replicas and replication lag: runs the lab as docs/labs/07-replicas-and-lag.md
# says and asserts what the sheet teaches, from the CSVs. Bounds come from closed forms
# (round-robin shares, the M/M/1 apply queue, the fluid backlog of a saturated apply
# worker, the round trips sync and semi-sync wait for) compared within the CI the run
# printed, or from the settings (link delays, outage length); each check says which.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/07-replicas-and-lag.md

# Part 1: replicas take reads off the primary; lag is a queue.
S=$tmp/out/07-replicas-and-lag/summary.csv
T=$tmp/out/07-replicas-and-lag/stations.csv
# No replica: 8.8 cores of work on 8: the server does its capacity 8 / 1.1 ms and refuses
# the rest (throughput CI 38/s, 0.5%).
lab_check "0 replicas: the primary does its capacity 8 / 1.1 ms" "$(lab_get "$S" throughput variant=base db.replicas=0)" \
  "x > 0.99 * 8 / 0.0011 && x < 1.01 * 8 / 0.0011"
lab_check "0 replicas: requests refused" "$(lab_get "$S" rejected variant=base db.replicas=0)" "x > 10000"
# Round-robin over primary + r replicas: the primary keeps 1 / (r + 1) of the 7200 reads/s
# plus the 800 writes/s (2 ms): utilisation (7.2 / (r + 1) + 1.6) / 8 = 0.65, 0.50
# (CI <= 0.007).
lab_check "1 replica: primary 65% busy" "$(lab_get "$T" utilisation variant=base db.replicas=1 station=db.primary)" \
  "x > 0.63 && x < 0.67"
lab_check "2 replicas: primary 50% busy" "$(lab_get "$T" utilisation variant=base db.replicas=2 station=db.primary)" \
  "x > 0.48 && x < 0.52"
# The replicas' share of the reads: (replica 1 + replica 2) / (primary - writes + replicas),
# the writes being what an apply queue applies; round-robin over 3 servers gives 2/3, the
# issue's bar is 60%.
share=$(awk -v p="$(lab_get "$T" throughput variant=base db.replicas=2 station=db.primary)" \
  -v w="$(lab_get "$T" throughput variant=base db.replicas=2 station=db.replica.1.apply)" \
  -v a="$(lab_get "$T" throughput variant=base db.replicas=2 station=db.replica.1)" \
  -v b="$(lab_get "$T" throughput variant=base db.replicas=2 station=db.replica.2)" \
  'BEGIN { print (a + b) / (p - w + a + b) }')
lab_check "2 replicas take at least 60% of the reads off the primary (2/3)" "$share" "x >= 0.6 && x > 0.98 * 2/3 && x < 1.02 * 2/3"
for r in 1 2; do
  lab_check "base, $r replicas: nothing refused" "$(lab_get "$S" rejected variant=base db.replicas=$r)" "x == 0"
  # Lag = link + M/M/1 sojourn = 1 + 0.5 / (1 - 800 x 0.0005) ms = 1.8333 ms, within the
  # run's own 95% CI (+- 0.018 and +- 0.040 ms).
  lab_check "base, $r replicas: mean lag = 1 + 0.5 / 0.6 ms within its CI" \
    "$(awk -v m="$(lab_get "$S" lag_mean_ms variant=base db.replicas=$r)" -v ci="$(lab_get "$S" lag_mean_ms_ci variant=base db.replicas=$r)" \
      'BEGIN { d = m - (1 + 0.5 / 0.6); print (d < 0 ? -d : d) - ci }')" "x <= 0"
  lab_check "base, $r replicas: apply queue 40% busy" \
    "$(lab_get "$T" utilisation variant=base db.replicas=$r station=db.replica.1.apply)" "x > 0.38 && x < 0.42"
  v=$(lab_get "$S" saturated_stations variant=base db.replicas=$r) # set -e: the row must exist
  lab_check "base, $r replicas: nothing saturated" "$v" 'x == ""'
  # A read of key k (zipf(0.99, 1M): share p_k) is stale when k was written within the lag
  # L: sum p_k (1 - exp(-800/s x p_k x L)) = 1.0% with the run's L; a varying lag gives at
  # most that (Jensen): within [0.9 x estimate, estimate + the run's CI].
  est=$(awk -v L="$(lab_get "$S" lag_mean_ms variant=base db.replicas=$r)" 'BEGIN {
    for (k = 1; k <= 1000000; k++) t += k ^ -0.99
    for (k = 1; k <= 1000000; k++) { q = k ^ -0.99 / t; e += q * (1 - exp(-800 * q * L / 1000)) }
    print e }')
  lab_check "base, $r replicas: stale share = sum p_k (1 - exp(-800 p_k lag)) = $est" \
    "$(lab_get "$S" stale_read_ratio variant=base db.replicas=$r)" \
    "x > 0.9 * $est && x <= $est + $(lab_get "$S" stale_read_ratio_ci variant=base db.replicas=$r)"
  # write-heavy: 2400 records/s x 0.5 ms = 1.2 > 1 worker: every apply queue is saturated
  # and does its capacity 1 / 0.5 ms = 2000/s (CI <= 2/s).
  i=1
  while [ "$i" -le "$r" ]; do
    lab_check "write-heavy, $r replicas: db.replica.$i.apply saturated" \
      "$(lab_get "$T" saturated variant=write-heavy db.replicas=$r station=db.replica.$i.apply)" 'x == "yes"'
    lab_check "write-heavy, $r replicas: db.replica.$i.apply applies 2000/s" \
      "$(lab_get "$T" throughput variant=write-heavy db.replicas=$r station=db.replica.$i.apply)" "x > 1980 && x < 2020"
    i=$((i + 1))
  done
  lab_check "write-heavy, $r replicas: the apply queues are flagged in summary.csv" \
    "$(lab_get "$S" saturated_stations variant=write-heavy db.replicas=$r | tr ' ' '\n' | grep -c '^db\.replica\.[0-9]*\.apply$')" "x == $r"
  # A record applied at t was committed at 2000 t / 2400: lag t / 6, 5 s at t = 30 s
  # (lag_max, CI <= 0.45 s) and 16.5 / 6 = 2.75 s on average over 3-30 s (CI <= 0.28 s).
  lab_check "write-heavy, $r replicas: largest lag 30 s / 6 = 5 s" "$(lab_get "$S" lag_max_ms variant=write-heavy db.replicas=$r)" \
    "x > 4500 && x < 5500"
  lab_check "write-heavy, $r replicas: mean lag 16.5 s / 6 = 2.75 s" "$(lab_get "$S" lag_mean_ms variant=write-heavy db.replicas=$r)" \
    "x > 2475 && x < 3025"
  lab_check "write-heavy, $r replicas: a large share of stale reads" "$(lab_get "$S" stale_read_ratio variant=write-heavy db.replicas=$r)" \
    "x > 0.3"
done

# Part 2: what a write waits for. A round trip is two draws of uniform(0.8, 1.2) ms: mean
# 2 ms; the faster of two averages 2 - 0.4 x 7/15 / 2 = 1.9067 ms, the slower 2.0933 ms
# (7/15: mean absolute deviation of a sum of 4 uniforms on [0, 1]). The differences must
# lie within the two runs' CIs added (about 0.02 ms).
S=$tmp/out/07-replicas-and-lag-modes/summary.csv
wmean() { lab_get "$S" write_latency_mean_ms variant="$1"; }
wci() { lab_get "$S" write_latency_mean_ms_ci variant="$1"; }
lab_check "async: a write waits for its 1 ms commit only" "$(wmean base)" "x > 0.98 && x < 1.02"
lab_check "semi-sync: + the faster of two round trips (1.9067 ms)" \
  "$(awk -v a="$(wmean semi-sync)" -v b="$(wmean base)" -v c="$(wci semi-sync)" -v d="$(wci base)" \
    'BEGIN { e = a - b - 1.9067; print (e < 0 ? -e : e) - c - d }')" "x <= 0"
lab_check "sync: + the slower of two round trips (2.0933 ms)" \
  "$(awk -v a="$(wmean sync)" -v b="$(wmean base)" -v c="$(wci sync)" -v d="$(wci base)" \
    'BEGIN { e = a - b - 2.0933; print (e < 0 ? -e : e) - c - d }')" "x <= 0"
lab_check "sync exceeds async by at least the mean round trip (2 ms)" \
  "$(awk -v a="$(wmean sync)" -v b="$(wmean base)" 'BEGIN { print a - b }')" "x >= 2"
lab_check "semi-sync lies between async and sync" "$(wmean semi-sync)" "x > $(wmean base) + 1.6 && x < $(wmean sync)"
lab_check "sync-apply waits longer than sync" "$(wmean sync-apply)" "x > $(wmean sync) + $(wci sync) + $(wci sync-apply)"
lab_check "sync-far: 1 ms + a 40 ms round trip" "$(wmean sync-far)" "x > 0.99 * 41 && x < 1.01 * 41"
lab_check "sync-far fails the write SLO (p99 < 10 ms)" "$(lab_get "$S" write_latency_p99_ms variant=sync-far)" "x > 10"
lab_check "sync meets the write SLO" "$(lab_get "$S" write_latency_p99_ms variant=sync)" "x < 10"
base_read=$(lab_get "$S" read_latency_mean_ms variant=base)
base_lag=$(lab_get "$S" lag_mean_ms variant=base)
for v in semi-sync sync sync-apply; do
  lab_check "$v: reads unchanged" "$(lab_get "$S" read_latency_mean_ms variant=$v)" "x == $base_read"
  lab_check "$v: lag unchanged" "$(lab_get "$S" lag_mean_ms variant=$v)" "x == $base_lag"
done

# Part 3: consistency policies. Own stale reads: some with eventual (0.34% +- 0.08%),
# exactly 0 with both read-your-writes policies. Costs: primary throughput against the
# base's 1195/s (CI <= 51/s).
S=$tmp/out/07-replicas-and-lag-consistency/summary.csv
T=$tmp/out/07-replicas-and-lag-consistency/stations.csv
prim() { lab_get "$T" throughput variant="$1" station=db.primary; }
lab_check "eventual: stale reads" "$(lab_get "$S" stale_read_ratio variant=base)" "x > 0.03"
lab_check "eventual: some reads miss the reader's own write" "$(lab_get "$S" stale_own_read_ratio variant=base)" "x > 0"
# Estimate: a read of key k (zipf(0.99, 2000): share p_k) is stale when the key was written
# within the lag L: 1 - exp(-1200/s x p_k x L), L = the run's lag_mean_ms; summed over the
# keys, 6.7%. The lag varies, so by Jensen the true share is at most that: within
# [0.9 x estimate, estimate + the run's CI].
est=$(awk -v L="$(lab_get "$S" lag_mean_ms variant=base)" 'BEGIN {
  for (k = 1; k <= 2000; k++) { w[k] = k ^ -0.99; t += w[k] }
  for (k = 1; k <= 2000; k++) { q = w[k] / t; e += q * (1 - exp(-1200 * q * L / 1000)) }
  print e }')
lab_check "eventual: stale share = sum p_k (1 - exp(-1200 p_k lag)) = $est" "$(lab_get "$S" stale_read_ratio variant=base)" \
  "x > 0.9 * $est && x <= $est + $(lab_get "$S" stale_read_ratio_ci variant=base)"
# The newest missed write is the reader's own with probability 1 / 20 users (CI 0.00084).
lab_check "eventual: own stale reads = stale / 20 users" \
  "$(awk -v o="$(lab_get "$S" stale_own_read_ratio variant=base)" -v s="$(lab_get "$S" stale_read_ratio variant=base)" 'BEGIN { d = o - s / 20; print d < 0 ? -d : d }')" \
  "x <= $(lab_get "$S" stale_own_read_ratio_ci variant=base)"
for v in ryw-window ryw-lsn; do
  lab_check "$v: no read misses the reader's own write" "$(lab_get "$S" stale_own_read_ratio variant=$v)" "x == 0"
  lab_check "$v: other users' writes can still be missed" "$(lab_get "$S" stale_read_ratio variant=$v)" "x > 0"
done
lab_check "ryw-window: the primary serves over twice its base load" "$(prim ryw-window)" "x > 2 * $(prim base)"
# Each of the 20 users writes 4000 x 0.3 / 20 = 60 times a second (Poisson): a read finds
# no write of its user in the last 20 ms with probability exp(-60 x 0.02) = 0.301, and
# only those go to the replicas: 2800 x 0.301 = 843 reads/s (CI 3.4/s each replica).
lab_check "ryw-window: replicas serve 2800 x exp(-1.2) = 843 reads/s" \
  "$(awk -v a="$(lab_get "$T" throughput variant=ryw-window station=db.replica.1)" -v b="$(lab_get "$T" throughput variant=ryw-window station=db.replica.2)" 'BEGIN { print a + b }')" \
  "x > 0.97 * 2800 * exp(-1.2) && x < 1.03 * 2800 * exp(-1.2)"
lab_check "ryw-lsn: the replicas still serve most reads (of 2800/s)" \
  "$(awk -v a="$(lab_get "$T" throughput variant=ryw-lsn station=db.replica.1)" -v b="$(lab_get "$T" throughput variant=ryw-lsn station=db.replica.2)" 'BEGIN { print a + b }')" \
  "x > 0.5 * 2800"
lab_check "ryw-lsn costs the primary less than ryw-window" "$(prim ryw-lsn)" "x < $(prim ryw-window)"
# bounded(1ms): a replica serves only while the oldest write it has not applied is at most
# 1 ms old, so every stale read it serves missed a write at most 1 ms old: the mean age is
# at most 1 ms, where eventual's is above it; stale reads remain.
lab_check "eventual: stale reads missed writes 1.4 ms old on average (over the bound)" \
  "$(lab_get "$S" stale_age_mean_ms variant=base)" "x > 1"
lab_check "bounded(1ms): stale reads missed writes under 1 ms old" "$(lab_get "$S" stale_age_mean_ms variant=bounded)" \
  "x > 0 && x <= 1"
lab_check "bounded(1ms): fewer stale reads, but some" "$(lab_get "$S" stale_read_ratio variant=bounded)" \
  "x > 0 && x < $(lab_get "$S" stale_read_ratio variant=base)"
lab_check "bounded(1ms): most reads go to the primary" "$(prim bounded)" "x > 1200 + 0.5 * 2800"
# The bound itself: the largest lag a replica had when it was given a read (a maximum per
# run, so its mean over the runs is at most 1 ms only if the policy held); eventual hands
# reads to replicas whatever their lag.
M=$tmp/out/07-replicas-and-lag-consistency/station_metrics.csv
lab_check "bounded(1ms): no read served by a replica lagging more than 1 ms" \
  "$(lab_get "$M" value variant=bounded station=db metric=replica_read_lag_max_ms)" "x > 0 && x <= 1"
lab_check "eventual: reads served by replicas lagging more than 1 ms" \
  "$(lab_get "$M" value variant=base station=db metric=replica_read_lag_max_ms)" "x > 1"
# primary-only: no replica read at all, so the ratio is empty (0 of 0) or 0.
# (An assignment, so that set -e stops the test if the row is missing.)
v=$(lab_get "$S" stale_read_ratio variant=primary-only)
lab_check "primary-only: no stale read" "$v" "x + 0 == 0"
lab_check "primary-only: the replicas serve nothing" "$(lab_get "$T" throughput variant=primary-only station=db.replica.1)" "x == 0"

# Part 4: failover. Async loses the writes of the last link delay: between 900/s x 5 ms
# and 900/s x 15 ms on average (4.5 to 13.5), and some in every replication; semi-sync and
# sync lose none in any. The 5 s outage fails the writes: 900/s x 5 s = 4500 (Poisson:
# +- 1.5% a replication; CI <= 60).
S=$tmp/out/07-replicas-and-lag-failover/summary.csv
R=$tmp/out/07-replicas-and-lag-failover/replications.csv
lab_check "async: lost writes between 900/s x 5 ms and x 15 ms" "$(lab_get "$S" lost_writes variant=base)" "x >= 4.5 && x <= 13.5"
for n in 0 1 2 3 4; do
  lab_check "async, replication $n: writes lost" "$(lab_get "$R" lost_writes variant=base replication=$n)" "x > 0"
  for v in semi-sync sync; do
    lab_check "$v, replication $n: no write lost" "$(lab_get "$R" lost_writes variant=$v replication=$n)" "x == 0"
  done
done
for v in base semi-sync sync; do
  lab_check "$v: the 5 s outage fails about 4500 writes" "$(lab_get "$S" rejected variant=$v)" "x > 0.96 * 4500 && x < 1.04 * 4500"
done
lab_check "semi-sync writes pay a 10-30 ms round trip (p99 over 20 ms)" "$(lab_get "$S" write_latency_p99_ms variant=semi-sync)" \
  "x > 20 && x > 4 * $(lab_get "$S" write_latency_p99_ms variant=base)"
lab_done
