#!/bin/sh
# dbscale validate: every validation scenario agrees with queueing theory.
set -eu
D=${DBSCALE:-./dbscale}
out=$("$D" validate)
echo "$out" | grep -q '^all passed'
[ "$(echo "$out" | grep -c ' pass$')" -ge 11 ]
