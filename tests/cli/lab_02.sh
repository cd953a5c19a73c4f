#!/bin/sh
# Lab 2, table partitioning: runs the lab as docs/labs/02-partitioning.md says and
# asserts what the sheet teaches, from the CSVs. The closed forms: a scan window of w
# (a share of the year) from a random hour touches on average k = 1 + w (P - 1) of the
# P range partitions (one more when it crosses a bound, probability w P; never past the
# newest one) and reads k / P of the 12M rows; with an index it reads the window's rows,
# 12M x w (1 - w / 2) on average (windows are cut at the end of the year). Bounds on means
# over scans are 3 binomial standard errors over the about 1100 scans of the 5
# replications (4 scans/s x 55 s x 5); other bounds are stated per check with the CI the
# run printed.
set -eu
D=${DBSCALE:-./dbscale}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. tests/cli/labs.inc
lab_run_sheet docs/labs/02-partitioning.md

# ratio A B: prints A / B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

# Part 1: pruning.
S=$tmp/out/02-partitioning-pruning/summary.csv
T=$tmp/out/02-partitioning-pruning/stations.csv
M=$tmp/out/02-partitioning-pruning/station_metrics.csv
L=$tmp/out/02-partitioning-pruning/latency.csv
# week on 12 months: k = 1 + (7/365) x 11 = 1.211; crossing probability 0.21, so the
# standard error over 1100 scans is sqrt(0.21 x 0.79 / 1100) = 0.0123 (run: CI 0.021)
k=$(lab_get "$M" value variant=base metric=scan_partitions_mean)
lab_check "base: a week touches 1 + w (P - 1) = 1.211 months" "$k" "x > 1.211 - 0.037 && x < 1.211 + 0.037"
lab_check "base: rows read = k months of 1M" \
  "$(ratio "$(lab_get "$M" value variant=base metric=scan_rows_mean)" "$k")" "x > 0.999e6 && x < 1.001e6"
lab_check "base: a scan reads k / P, about 10% of the full scan" \
  "$(ratio "$(lab_get "$M" value variant=base metric=scan_rows_mean)" 12e6)" \
  "x > (1.211 - 0.037) / 12 && x < (1.211 + 0.037) / 12"
# day on 12 months: k = 1 + (1/365) x 11 = 1.030; SE sqrt(0.03 x 0.97 / 1100) = 0.005
lab_check "daily: a day still reads a whole month (k = 1.030)" \
  "$(lab_get "$M" value variant=daily metric=scan_partitions_mean)" "x > 1.030 - 0.015 && x < 1.030 + 0.015"
lab_check "daily: about 1M rows a scan, 1/7 of the window, 85% of the rows" \
  "$(ratio "$(lab_get "$M" value variant=daily metric=scan_rows_mean)" "$(lab_get "$M" value variant=base metric=scan_rows_mean)")" \
  "x > 0.8 && x < 0.9"
for v in one-table hash-partitions; do
  lab_check "$v: every scan reads all 12M rows" "$(lab_get "$M" value variant=$v metric=scan_rows_mean)" "x == 12e6"
done
lab_check "hash-partitions: every scan touches all 12 partitions" \
  "$(lab_get "$M" value variant=hash-partitions metric=scan_partitions_mean)" "x == 12"
# 12M x (7/365) x (1 - 7/730) = 227931 rows; the run's CI is 1769 (0.8%): 2% bound
lab_check "indexed-one-table: reads only the week, 12M x w (1 - w/2)" \
  "$(lab_get "$M" value variant=indexed-one-table metric=scan_rows_mean)" "x > 0.98 * 227931 && x < 1.02 * 227931"

# The scans' latency (latency.csv pools the replications; bucket bounds in ms). A scan of
# m months costs m x 1M x 100 ns + exp(2 ms) + 20 us a month: 100 ms for one month, 200
# ms for two, 1200 ms for the whole table.
scan_q() { # scan_q VARIANT Q: upper bound of the bucket where the scans' CDF reaches Q
  awk -F, -v v="$1" -v q="$2" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
    $c["variant"]==v && $c["op"]=="scan" && $c["cdf"]>=q {print $c["bucket_high_ms"]+0; exit}' "$L"
}
scan_cdf() { # scan_cdf VARIANT MS: the scans' CDF at MS (last bucket ending at or below it)
  awk -F, -v v="$1" -v ms="$2" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
    $c["variant"]==v && $c["op"]=="scan" && $c["bucket_high_ms"]<=ms {f=$c["cdf"]+0} END{print f+0}' "$L"
}
lab_check "base: median scan reads one month (100-110 ms)" "$(scan_q base 0.5)" "x > 100 && x < 110"
lab_check "base: scan p99 reads two months (200-215 ms)" "$(scan_q base 0.99)" "x > 200 && x < 215"
# the share of two-month scans is the crossing probability (11/12) x 167/730 = 0.210
lab_check "base: 21% of the scans cross a month end" "$(awk -v f="$(scan_cdf base 150)" 'BEGIN{print 1 - f}')" \
  "x > 0.210 - 0.037 && x < 0.210 + 0.037"
for v in one-table hash-partitions; do
  lab_check "$v: scan p99 over 1.2 s (12M rows)" "$(scan_q $v 0.99)" "x > 1200"
  lab_check "$v: scan p99 at least 5 times base's" "$(ratio "$(scan_q $v 0.99)" "$(scan_q base 0.99)")" "x > 5"
done
lab_check "indexed-one-table: scan p99 under 40 ms (23 ms of rows)" "$(scan_q indexed-one-table 0.99)" "x > 23 && x < 40"

# The point reads. At 20% CPU nobody waits for a core: read p99 = p99 of exp(0.5 ms) =
# 0.5 ln 100 = 2.303 ms (CI 0.017). Without pruning, when 8 scans hold the 8 cores the
# reads queue behind them (read p99 138 +- 61 ms, 6728 +- 2495 refused per run).
for v in base daily indexed-one-table; do
  lab_check "$v: read p99 is the service time's, 0.5 ln 100 ms" "$(lab_get "$S" read_latency_p99_ms variant=$v)" \
    "x > 0.98 * 2.303 && x < 1.02 * 2.303"
  lab_check "$v: nothing refused" "$(lab_get "$S" rejected variant=$v)" "x == 0"
done
for v in one-table hash-partitions; do
  lab_check "$v: read p99 at least 10 times base's" \
    "$(ratio "$(lab_get "$S" read_latency_p99_ms variant=$v)" "$(lab_get "$S" read_latency_p99_ms variant=base)")" "x > 10"
  lab_check "$v: requests refused" "$(lab_get "$S" rejected variant=$v)" "x > 1000"
  # offered 2000/s x (0.898 x 0.5 + 0.1 x 1 + 0.002 x 1202) ms / 8 = 0.738, minus refusals
  lab_check "$v: CPU not saturated on average (0.6 to 0.76)" "$(lab_get "$T" utilisation variant=$v station=db)" \
    "x > 0.6 && x < 0.76"
done
# CPU: 2000/s x (0.549 ms + 0.002 x (2.02 ms + k x 100 ms)) / 8 = 0.199 (CI 0.006)
lab_check "base: CPU 20% busy" "$(lab_get "$T" utilisation variant=base station=db)" "x > 0.187 && x < 0.211"

# Part 2: retention. The delete + vacuum is 1M x (20 + 5) us = 25 core-seconds, 4 cores
# for 5 s + 1.25 s; the drop 5 ms. Both variants draw the same requests (identical until
# t = 20 s), so their utilisations differ by 25 / (8 cores x 55 s) = 0.057.
S=$tmp/out/02-partitioning-retention/summary.csv
T=$tmp/out/02-partitioning-retention/stations.csv
M=$tmp/out/02-partitioning-retention/station_metrics.csv
TS=$tmp/out/02-partitioning-retention/timeseries.csv
lab_check "delete + vacuum: 25 core-seconds" "$(lab_get "$M" value variant=base metric=maintenance_core_seconds)" \
  "x > 24.999 && x < 25.001"
lab_check "drop: 5 core-milliseconds" "$(lab_get "$M" value variant=drop-partition metric=maintenance_core_seconds)" \
  "x > 0.004999 && x < 0.005001"
lab_check "the delete adds 25 / (8 x 55) to the utilisation" \
  "$(awk -v a="$(lab_get "$T" utilisation variant=base station=db)" -v b="$(lab_get "$T" utilisation variant=drop-partition station=db)" 'BEGIN{print a - b}')" \
  "x > 0.050 && x < 0.064"
# second by second (means over the 3 replications)
ts() { # ts VARIANT EXPR: EXPR over the rows of VARIANT, with t, p99, maint
  awk -F, -v v="$1" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
    $c["variant"]==v {t=$c["t_s"]+0; p99=$c["latency_p99_ms"]+0; maint=$c["maint_db"]+0; '"$2"'}' "$TS"
}
lab_check "delete: 4 cores of maintenance at the peak" "$(ts base 'if (maint > m) m = maint} END {print m+0')" "x == 4"
lab_check "delete: maintenance visible for 6 to 8 one-second samples (6.25 s of work)" \
  "$(ts base 'if (maint > 0) n++} END {print n+0')" "x >= 6 && x <= 8"
before=$(ts base 'if (t < 20 && p99 > m) m = p99} END {print m+0')
lab_check "before t = 20 s the p99 of each second stays under 4 ms" "$before" "x < 4"
lab_check "delete: the p99 of some second after t = 20 s is over 5 times the worst before" \
  "$(ratio "$(ts base 'if (t >= 20 && t <= 28 && p99 > m) m = p99} END {print m+0')" "$before")" "x > 5"
lab_check "delete: back to normal after t = 30 s" "$(ts base 'if (t >= 30 && p99 > m) m = p99} END {print m+0')" \
  "x < 1.2 * $before"
lab_check "drop: no second after t = 20 s worse than the worst before" \
  "$(ts drop-partition 'if (t >= 20 && p99 > m) m = p99} END {print m+0')" "x <= $before"
lab_check "drop: nothing refused" "$(lab_get "$S" rejected variant=drop-partition)" "x == 0"
lab_check "delete: requests refused (965 +- 758 per run)" "$(lab_get "$S" rejected variant=base)" "x > 0"
lab_check "delete: run p99 at least twice the drop's (17.5 +- 7.3 ms)" \
  "$(ratio "$(lab_get "$S" latency_p99_ms variant=base)" "$(lab_get "$S" latency_p99_ms variant=drop-partition)")" "x > 2"
lab_done
