#!/bin/sh
# make bench: one line per figure, "bench NAME key=value ...", for scripts to read.
# Usage: bench/run.sh BUILD_DIR
set -eu
build=$1
"$build/bench/hold"
"$build/bench/mm1"
