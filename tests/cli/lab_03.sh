#!/bin/sh
# Lab 3, sharding: runs the lab as docs/labs/03-sharding.md says and asserts what the
# sheet teaches, from the CSVs. Closed forms: a request costs 0.55 ms of CPU in part 1
# (0.9 x 0.5 + 0.1 x 1) and 0.6 ms in part 2 (0.8 x 0.5 + 0.2 x 1); the zipf(0.99, 1M)
# shares are sums of its weights (keys below 250k: 0.8973; blocks 0, 4, 8, ... of 1000
# keys: 0.6092); the slowest of 8 exponential services of 0.5 ms has the CDF
# (1 - exp(-t / 0.5 ms))^8. Bounds are stated per check with the 95% CI the run printed
# (3 replications).
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/03-sharding.md

# Part 1: sharding functions and hot spots.
S=$tmp/out/03-sharding-strategies/summary.csv
T=$tmp/out/03-sharding-strategies/stations.csv
# uniform keys under hash: even (1.004 +- 0.007); each shard 20000 x 0.55 ms / 4 / 8 = 0.344
lab_check "uniform under hash: hot_shard_ratio near 1" "$(lab_get "$S" hot_shard_ratio variant=uniform)" "x < 1.02"
for i in 0 1 2 3; do
  lab_check "uniform: shard $i 34% busy" "$(lab_get "$T" utilisation variant=uniform station=shards.shard.$i)" \
    "x > 0.33 && x < 0.36"
done
# zipf unscrambled under hash: still nearly even (1.124 +- 0.008), above uniform's: the
# single hot keys (key 0 is 6.5% of all requests) stay whole on their shard
base=$(lab_get "$S" hot_shard_ratio variant=base)
lab_check "hash spreads a hot range: base hot_shard_ratio below 1.25" "$base" "x < 1.25"
lab_check "hash: hot keys still show (base above uniform)" \
  "$(awk -v a="$base" -v b="$(lab_get "$S" hot_shard_ratio variant=uniform)" 'BEGIN{print a-b}')" "x > 0.05"
lab_check "consistent hashing: near even too" "$(lab_get "$S" hot_shard_ratio variant=consistent)" "x < 1.35"
# range: keys below 250k take 89.73% of the requests: ratio 4 x 0.8973 = 3.589 (CI 0.004);
# shard 0 offered 17946/s, does 8 / 0.55 ms = 14545/s, refuses 3400/s x 27 s = 91800 a run
lab_check "range: hot_shard_ratio 4 x 0.8973" "$(lab_get "$S" hot_shard_ratio variant=range)" \
  "x > 0.99 * 3.589 && x < 1.01 * 3.589"
lab_check "range: shard 0 saturated" "$(lab_get "$T" utilisation variant=range station=shards.shard.0)" "x > 0.99"
lab_check "range: shard 0 does its capacity 14545/s" "$(lab_get "$T" throughput variant=range station=shards.shard.0)" \
  "x > 0.99 * 14545 && x < 1.01 * 14545"
lab_check "range: about 3400 requests/s refused" "$(lab_get "$S" rejected variant=range)" \
  "x > 0.95 * 3400 * 27 && x < 1.05 * 3400 * 27"
for i in 1 2 3; do
  lab_check "range: shard $i idles below 10%" "$(lab_get "$T" utilisation variant=range station=shards.shard.$i)" "x < 0.1"
done
for v in base consistent uniform directory directory-no-cache; do
  lab_check "$v: nothing refused" "$(lab_get "$S" rejected variant=$v)" "x == 0"
done
# directory: blocks b = 0, 4, 8, ... take 60.92% of the requests: ratio 2.437 (CI 0.007)
lab_check "directory: hot_shard_ratio 4 x 0.6092" "$(lab_get "$S" hot_shard_ratio variant=directory)" \
  "x > 0.98 * 2.437 && x < 1.02 * 2.437"
# the directory station: 10% of 20000/s looked up with the cache, all without; 0.2 ms on
# 8 servers: 0.05 and 0.50 busy (throughput CI 17/s and 71/s)
lab_check "directory: 2000 lookups/s" "$(lab_get "$T" throughput variant=directory station=shards.directory)" \
  "x > 0.97 * 2000 && x < 1.03 * 2000"
lab_check "directory-no-cache: 20000 lookups/s" \
  "$(lab_get "$T" throughput variant=directory-no-cache station=shards.directory)" "x > 0.98 * 20000 && x < 1.02 * 20000"
lab_check "directory-no-cache: the directory 50% busy" \
  "$(lab_get "$T" utilisation variant=directory-no-cache station=shards.directory)" "x > 0.48 && x < 0.52"
# without the cache 90% more requests pay a lookup of at least 0.2 ms (8 servers at 50%
# hardly queue): the mean latency grows by 0.9 x 0.2 = 0.18 ms (0.720 -> 0.902 ms)
lab_check "directory-no-cache is slower: mean latency + 0.18 ms" \
  "$(awk -v a="$(lab_get "$S" latency_mean_ms variant=directory-no-cache)" -v b="$(lab_get "$S" latency_mean_ms variant=directory)" 'BEGIN{print a-b}')" \
  "x > 0.16 && x < 0.21"
# hot key: key 0 alone is 25.8% of the requests: hashing cannot split it (1.549 +- 0.004)
lab_check "hot key survives hashing: hot_shard_ratio above 1.4" "$(lab_get "$S" hot_shard_ratio variant=hot-key)" "x > 1.4"
lab_check "hot key: its shard carries at least key 0's 25.8%" \
  "$(awk -F, -v OFS=, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]=="hot-key" && $c["station"]~/^shards\.shard\./ && $c["throughput"]>m{m=$c["throughput"]} END{print m}' "$T")" \
  "x > 0.258 * 20000"

# Part 2: the shard key.
S=$tmp/out/03-sharding-shard-key/summary.csv
T=$tmp/out/03-sharding-shard-key/stations.csv
L=$tmp/out/03-sharding-shard-key/latency.csv
# cores of work over the 8 shards: sum of utilisation x 8. base: 20000 x 0.6 ms = 12;
# order-id: 8000 reads x 0.5 + 8000 scans x 8 x 0.5 + 4000 writes x 1 ms = 40;
# cross-shard-writes: 12 + 800 transactions/s x 3 more writes of 1 ms = 14.4
cores() { awk -F, -v v="$2" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]==v && $c["kind"]=="node"{s+=$c["utilisation"]*8} END{print s}' "$1"; }
lab_check "base: 12 cores of work" "$(cores "$T" base)" "x > 0.97 * 12 && x < 1.03 * 12"
lab_check "order-id: scatter-gather makes it 40 cores" "$(cores "$T" order-id)" "x > 0.97 * 40 && x < 1.03 * 40"
lab_check "cross-shard-writes: 2PC makes it 14.4 cores" "$(cores "$T" cross-shard-writes)" \
  "x > 0.97 * 14.4 && x < 1.03 * 14.4"
for v in base order-id cross-shard-writes; do
  lab_check "$v: nothing refused" "$(lab_get "$S" rejected variant=$v)" "x == 0"
done
# scatter-gather (op = scan in order-id) against single-shard reads (op = read), same shards
lat() { awk -F, -v op="$2" -v what="$3" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
  $c["variant"]=="order-id" && $c["op"]==op {n+=$c["count"]; s+=$c["count"]*($c["bucket_low_ms"]+$c["bucket_high_ms"])/2
    if(p50=="" && $c["cdf"]>=0.5) p50=$c["bucket_high_ms"]
    t=$c["bucket_high_ms"]-0.2; b=t>0?(1-exp(-t/0.5))^8:0; if($c["cdf"]-b>ex) ex=$c["cdf"]-b}
  END{if(what=="mean")print s/n; else if(what=="p50")print p50; else print ex+0}' "$1"; }
scan_mean=$(lat "$L" scan mean)
read_mean=$(lat "$L" read mean)
# never faster than the slowest shard: a scatter-gather's latency is at least the largest
# of 8 exponential services of 0.5 ms plus the 0.2 ms merge, so its CDF lies below
# (1 - exp(-(t - 0.2 ms) / 0.5 ms))^8 everywhere (649419 samples: 0.003 allows 4 sigma)
lab_check "scatter-gather never beats the slowest of 8 shards (CDF excess)" "$(lat "$L" scan excess)" "x < 0.003"
lab_check "scatter-gather mean at least 0.5 ms x H(8) + 0.2 ms = 1.559 ms" "$scan_mean" "x > 1.559"
lab_check "scatter-gather reads slower than single-shard reads (mean ratio)" \
  "$(awk -v a="$scan_mean" -v b="$read_mean" 'BEGIN{print a/b}')" "x > 2"
lab_check "scatter-gather median over 3x the single-shard reads'" \
  "$(awk -v a="$(lat "$L" scan p50)" -v b="$(lat "$L" read p50)" 'BEGIN{print a/b}')" "x > 3"
# the shard key that matches the queries: base reads are single-shard, read p99 2.30 ms
lab_check "customer_id key: read p99 below 3 ms" "$(lab_get "$S" read_latency_p99_ms variant=base)" "x < 3"
# created-at: monotonic inserts all go to the last shard (7.21 +- 0.008 of 8)
lab_check "created-at: hot_shard_ratio near 8" "$(lab_get "$S" hot_shard_ratio variant=created-at)" "x > 7 && x <= 8"
lab_check "created-at: last shard saturated" "$(lab_get "$T" utilisation variant=created-at station=shards.shard.7)" "x > 0.99"
lab_check "created-at: requests refused" "$(lab_get "$S" rejected variant=created-at)" "x > 10000"
# shards 0-6 do 0.5 ms of CPU per request: reads only, no insert (a write costs 1 ms);
# 1974 requests/s x 81 s: the mean of 160k exponential services is within 0.3%
lab_check "created-at: shards 0-6 get no insert (0.5 ms of CPU per request)" \
  "$(awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} $c["variant"]=="created-at" && $c["station"]~/^shards\.shard\.[0-6]$/{u+=$c["utilisation"]*8; x+=$c["throughput"]} END{print u/x*1000}' "$T")" \
  "x > 0.49 && x < 0.51"
# cross-shard writes: reads untouched (2.30 ms), write p99 4.62 -> 6.21 ms (CI <= 0.1)
lab_check "cross-shard-writes: read p99 unchanged" \
  "$(awk -v a="$(lab_get "$S" read_latency_p99_ms variant=cross-shard-writes)" -v b="$(lab_get "$S" read_latency_p99_ms variant=base)" 'BEGIN{print a/b}')" \
  "x > 0.95 && x < 1.05"
lab_check "cross-shard-writes: write p99 up over 20%" \
  "$(awk -v a="$(lab_get "$S" write_latency_p99_ms variant=cross-shard-writes)" -v b="$(lab_get "$S" write_latency_p99_ms variant=base)" 'BEGIN{print a/b}')" \
  "x > 1.2"

# Part 3: geographic sharding. Mean latency = local service (0.55 ms) + the round trips
# the request makes; CI <= 0.85 ms (hash: a third of the requests each way).
R=$tmp/out/03-sharding-geo/regions.csv
T=$tmp/out/03-sharding-geo/stations.csv
for r in us-east eu-west ap-south; do
  lab_check "geo: $r users local (mean below 1 ms)" "$(lab_get "$R" latency_mean_ms variant=base region=$r)" "x < 1"
  lab_check "geo: $r users p99 below 5 ms" "$(lab_get "$R" latency_p99_ms variant=base region=$r)" "x < 5"
done
near() { lab_check "$1" "$2" "x > $3 - $4 && x < $3 + $4"; }
near "hash: us-east pays (0 + 80 + 190) / 3 ms" "$(lab_get "$R" latency_mean_ms variant=hash region=us-east)" 90.55 2
near "hash: eu-west pays (80 + 0 + 120) / 3 ms" "$(lab_get "$R" latency_mean_ms variant=hash region=eu-west)" 67.22 2
near "hash: ap-south pays (190 + 120 + 0) / 3 ms" "$(lab_get "$R" latency_mean_ms variant=hash region=ap-south)" 103.88 2
near "one-region: eu-west pays 80 ms" "$(lab_get "$R" latency_mean_ms variant=one-region region=eu-west)" 80.55 0.5
near "one-region: ap-south pays 190 ms" "$(lab_get "$R" latency_mean_ms variant=one-region region=ap-south)" 190.55 0.5
near "central-router: eu-west pays 2 x 80 ms" "$(lab_get "$R" latency_mean_ms variant=central-router region=eu-west)" 160.55 0.5
near "central-router: ap-south pays 2 x 190 ms" "$(lab_get "$R" latency_mean_ms variant=central-router region=ap-south)" 380.55 0.5
lab_check "central-router: us-east users local" "$(lab_get "$R" latency_mean_ms variant=central-router region=us-east)" "x < 1"
# distance, not capacity: every shard 3000 x 0.55 ms / 8 = 0.206 busy in every variant
for v in base hash one-region central-router; do
  for i in 0 1 2; do
    near "$v: shard $i 21% busy" "$(lab_get "$T" utilisation variant=$v station=shards.shard.$i)" 0.206 0.01
  done
done
lab_done
