#!/bin/sh
# Runs the check unit tests, then every command-line test in tests/cli/*.sh, and prints
# one closing line "N passed, N failed" over all of them.
# Usage: tests/run.sh TEST_BIN DBSCALE_BIN
set -u
test_bin=$1
dbscale_bin=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0

"$test_bin" 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
if [ -n "$line" ]; then
  passed=$(echo "$line" | cut -d' ' -f1)
  failed=$(echo "$line" | cut -d' ' -f3)
else
  echo "unit tests: no summary line (crash?)"
  failed=$((failed + 1))
fi

if [ -d tests/cli ]; then
  for t in tests/cli/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if out=$(DBSCALE="$dbscale_bin" sh "$t" 2>&1); then
      passed=$((passed + 1)); echo "cli $name: ok"
    else
      failed=$((failed + 1)); echo "cli $name: FAILED"; echo "$out" | tail -n 20 | sed 's/^/    /'
    fi
  done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
