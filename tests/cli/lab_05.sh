#!/bin/sh
# Lab 5, connection scaling: runs the lab as docs/labs/05-connection-scaling.md says and
# asserts what the sheet teaches, from the CSVs. Closed forms: the mean CPU time is
# S = 0.8 x 1 ms + 0.2 x 2 ms = 1.2 ms, times the USL factor f(N) = 1 + 0.005 (N - 1) +
# 0.0001 N (N - 1). A pool of N <= 8 connections does N / (S f(N) + D) requests/s (D: the
# mean disk wait, 0 in memory, 0.8 x 0.5 x 2 ms = 0.8 ms disk-bound); N > 8 connections
# that keep the 8 cores busy (in memory always, disk-bound from 24 on) do 8 / (S f(N - 1))
# (a request takes its core the moment another leaves, with N - 1 connections open). The runs' 95% CI half-widths on the throughputs
# checked against closed forms are at most 2% of the value (3 replications; 1.4% in part
# 2), so those bounds are 3%; other bounds are stated per check.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/05-connection-scaling.md

f() { awk -v n="$1" 'BEGIN { print 1 + 0.005 * (n - 1) + 0.0001 * n * (n - 1) }'; }
near() { echo "x > 0.97 * $1 && x < 1.03 * $1"; }   # within 3% of a closed form

# Part 1: no pooler vs PgBouncer (pool_size 16, max_connections 100, 10 MB a connection).
S=$tmp/out/05-connection-scaling/summary.csv
M=$tmp/out/05-connection-scaling/station_metrics.csv
for n in 50 100 200; do
  # Not busy: nothing refused either way, the pooler's 20 us do not show in throughput
  # (both variants run with the same seeds; CI <= 2.5%: bound 2%).
  lab_check "base, $n users: nothing refused" "$(lab_get "$S" rejected variant=base app.population=$n)" "x == 0"
  lab_check "$n users: the pooler costs no throughput" \
    "$(awk -v a="$(lab_get "$S" throughput variant=pgbouncer app.population=$n)" \
           -v b="$(lab_get "$S" throughput variant=base app.population=$n)" 'BEGIN{print a/b}')" \
    "x > 0.98 && x < 1.02"
done
for n in 300 400 600 800 1200; do
  lab_check "base, $n users: the node at max_connections" \
    "$(lab_get "$M" value variant=base app.population=$n station=db metric=conn_peak)" "x == 100"
  lab_check "base, $n users: 100 x 10 MB of connection memory" \
    "$(lab_get "$M" value variant=base app.population=$n station=db metric=conn_memory_peak_mb)" "x == 1000"
  lab_check "base, $n users: requests refused" "$(lab_get "$S" rejected variant=base app.population=$n)" "x > 10000"
done
# Collapse: 100 connections on 8 cores do 8 / (1.2 ms x f(99)) = 2710/s (the node holds
# 99.1 to 99.9 connections on average from 400 users on).
x100=$(awk -v f="$(f 99)" 'BEGIN { print 8 / (0.0012 * f) }')
for n in 400 600 800 1200; do
  lab_check "base, $n users: throughput collapses to 8 / (S f(99))" \
    "$(lab_get "$S" throughput variant=base app.population=$n)" "$(near "$x100")"
done
x16=$(awk -v f="$(f 15)" 'BEGIN { print 8 / (0.0012 * f) }')   # 6111/s
for n in 50 100 200 300 400 600 800 1200; do
  lab_check "pgbouncer, $n users: nothing refused" "$(lab_get "$S" rejected variant=pgbouncer app.population=$n)" "x == 0"
  lab_check "pgbouncer, $n users: no client refused" \
    "$(lab_get "$M" value variant=pgbouncer app.population=$n station=pool metric=client_refused)" "x == 0"
  lab_check "pgbouncer, $n users: the node sees at most pool_size connections" \
    "$(lab_get "$M" value variant=pgbouncer app.population=$n station=db metric=conn_peak)" "x <= 16"
done
for n in 400 600 800 1200; do
  lab_check "pgbouncer, $n users: 16 connections, 160 MB" \
    "$(lab_get "$M" value variant=pgbouncer app.population=$n station=db metric=conn_memory_peak_mb)" "x == 160"
  lab_check "pgbouncer, $n users: throughput 8 / (S f(15))" \
    "$(lab_get "$S" throughput variant=pgbouncer app.population=$n)" "$(near "$x16")"
done
# Memory at 1200 users: 16 server connections plus 2 KB per client (961 clients: 1.9 MB)
# against 1000 MB without the pooler.
lab_check "1200 users: the pooler cuts connection memory by more than 80%" \
  "$(awk -v a="$(lab_get "$M" value variant=pgbouncer app.population=1200 station=db metric=conn_memory_peak_mb)" \
         -v p="$(lab_get "$M" value variant=pgbouncer app.population=1200 station=pool metric=client_conn_memory_peak_mb)" \
         -v b="$(lab_get "$M" value variant=base app.population=1200 station=db metric=conn_memory_peak_mb)" \
         'BEGIN{print (a + p) / b}')" "x < 0.2"
# The waiting moves to the pooler: Little's law, mean response = users / X - 50 ms (the
# mean's CI is 2.7 ms of 147; X's 1.1% moves users / X by 2.2 ms: bound 3%).
for n in 800 1200; do
  lab_check "pgbouncer, $n users: Little's law" \
    "$(lab_get "$S" latency_mean_ms variant=pgbouncer app.population=$n)" \
    "$(near "$(awk -v n="$n" -v x="$(lab_get "$S" throughput variant=pgbouncer app.population=$n)" 'BEGIN{print 1000 * (n / x - 0.05)}')")"
done
prev=0
for n in 400 600 800 1200; do
  p=$(lab_get "$S" latency_p99_ms variant=pgbouncer app.population=$n)
  lab_check "pgbouncer: p99 grows with the queue in the pooler ($n users)" "$p" "x > $prev"
  prev=$p
done
# The percentile trap: base refuses, so its served requests' p99 is capped (51 ms).
lab_check "800 users: base p99 below pgbouncer's (refused requests are not in it)" \
  "$(lab_get "$S" latency_p99_ms variant=base app.population=800)" \
  "x < $(lab_get "$S" latency_p99_ms variant=pgbouncer app.population=800)"

# Part 2: the pool-size sweep.
S=$tmp/out/05-connection-scaling-pool-size/summary.csv
T=$tmp/out/05-connection-scaling-pool-size/stations.csv
sizes="2 4 8 12 16 20 24 32 48 64 96"
cf() {   # closed-form throughput: cf VARIANT N
  awk -v n="$2" -v d="$([ "$1" = disk-bound ] && echo 0.0008 || echo 0)" \
      -v f="$(f "$2")" -v f1="$(f $(($2 - 1)))" \
      'BEGIN { if (n <= 8) print n / (0.0012 * f + d); else print 8 / (0.0012 * f1) }'
}
for n in 2 4 8; do
  lab_check "base, pool $n: N / (S f(N))" "$(lab_get "$S" throughput variant=base pool.pool_size=$n)" "$(near "$(cf base $n)")"
  lab_check "disk-bound, pool $n: N / (S f(N) + 0.8 ms)" \
    "$(lab_get "$S" throughput variant=disk-bound pool.pool_size=$n)" "$(near "$(cf disk-bound $n)")"
done
for n in 16 24 32 48 64 96; do
  lab_check "base, pool $n: 8 / (S f(N - 1))" "$(lab_get "$S" throughput variant=base pool.pool_size=$n)" "$(near "$(cf base $n)")"
done
for n in 24 32 48 64 96; do   # from 24 on the disk-bound cores are busy too (utilisation >= 0.9998)
  lab_check "disk-bound, pool $n: 8 / (S f(N - 1))" \
    "$(lab_get "$S" throughput variant=disk-bound pool.pool_size=$n)" "$(near "$(cf disk-bound $n)")"
done
# disk-bound, 8 connections: the cores are busy X x S f(8) / 8 = 0.61 (CI 0.004).
lab_check "disk-bound, pool 8: the CPU only 61% busy" \
  "$(lab_get "$T" utilisation variant=disk-bound pool.pool_size=8 station=db)" \
  "x > 0.58 && x < 0.64"
lab_check "disk-bound, pool 16: the CPU busy" \
  "$(lab_get "$T" utilisation variant=disk-bound pool.pool_size=16 station=db)" "x > 0.95"
# Rise, peak, fall: the best pool size is the core count (8; the closed form puts 12 2%
# below it, within the CI, so either may come out on top) in memory, and 16 or 20
# disk-bound; the lowest p99 is at the peak or its neighbour; both ends are far worse.
for v in base disk-bound; do
  best=$(awk -F, -v v="$v" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]==v && $c["throughput"]+0 > m {m = $c["throughput"]+0; n = $c["pool.pool_size"]} END{print n}' "$S")
  low=$(awk -F, -v v="$v" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]==v && (m == "" || $c["latency_p99_ms"]+0 < m) {m = $c["latency_p99_ms"]+0; n = $c["pool.pool_size"]} END{print n}' "$S")
  if [ "$v" = base ]; then near_peak="x == 8 || x == 12"; p99_near="x == 8 || x == 12 || x == 16"
  else near_peak="x == 16 || x == 20"; p99_near="x == 12 || x == 16 || x == 20 || x == 24"; fi
  lab_check "$v: throughput peaks at pool size" "$best" "$near_peak"
  lab_check "$v: p99 lowest near the peak, at pool size" "$low" "$p99_near"
  xb=$(lab_get "$S" throughput variant=$v pool.pool_size=$best)
  pb=$(lab_get "$S" latency_p99_ms variant=$v pool.pool_size=$best)
  prev=0
  for n in $sizes; do
    [ "$n" -ge "$best" ] && break
    x=$(lab_get "$S" throughput variant=$v pool.pool_size=$n)
    lab_check "$v: throughput rises (pool $n)" "$x" "x > $prev && x < $xb"
    prev=$x
  done
  prev=$xb
  for n in 24 32 48 64 96; do
    x=$(lab_get "$S" throughput variant=$v pool.pool_size=$n)
    lab_check "$v: throughput falls past the peak (pool $n)" "$x" "x < $prev"
    prev=$x
  done
  # f(95) / f(7 or 15): 96 connections do 44% (base) or 47% (disk-bound) of the peak
  lab_check "$v: 96 connections do less than half the peak" "$x" "x < 0.5 * $xb"
  for n in 2 96; do
    lab_check "$v: p99 at pool $n more than twice the peak's" \
      "$(lab_get "$S" latency_p99_ms variant=$v pool.pool_size=$n)" "x > 2 * $pb"
  done
done
# The rule of thumb, (2 x cores) + effective spindles: 16 in memory, up to 24 disk-bound;
# its closed forms give 95.4% and 95.5% of the peak (CI +-1.5% each: bound 92%).
peak() { awk -F, -v v="$1" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]==v && $c["throughput"]+0 > m {m = $c["throughput"]+0} END{print m}' "$S"; }
lab_check "base: the rule's 16 within 8% of the best" \
  "$(lab_get "$S" throughput variant=base pool.pool_size=16)" "x > 0.92 * $(peak base)"
lab_check "disk-bound: the rule's 24 within 8% of the best" \
  "$(lab_get "$S" throughput variant=disk-bound pool.pool_size=24)" "x > 0.92 * $(peak disk-bound)"
# 8 / (S f(8) + 0.8 ms) = 3905 against at least 8 / (S f(23)) = 5744 at the peak (the
# cores are busy from 24 on): 68% of it at most.
lab_check "disk-bound: the core count (8) is too small, 30% below the best" \
  "$(lab_get "$S" throughput variant=disk-bound pool.pool_size=8)" "x < 0.7 * $(peak disk-bound)"
lab_done
