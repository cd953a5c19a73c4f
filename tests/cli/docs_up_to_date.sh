#!/bin/sh
# docs/scenarios.md is generated from the option tables (make docs); it must be current.
set -eu
D=${DBSCALE:-./dbscale}
"$D" help --markdown | cmp -s - docs/scenarios.md || {
  echo "docs/scenarios.md is out of date: run 'make docs' and commit it"; exit 1; }
