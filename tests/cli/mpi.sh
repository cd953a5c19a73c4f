#!/bin/sh
# The MPI build (make MPI=1) under `mpirun -np 2` writes the same outputs, byte for byte,
# as a one-process run. Skipped (and said so) when OpenMPI is not installed; .ci/run
# installs it, so CI covers this path.
set -eu
D=${DBSCALE:-./dbscale}
if ! command -v mpirun >/dev/null 2>&1 || ! command -v mpicc >/dev/null 2>&1; then
  echo "skipped: mpirun/mpicc not installed (apt-get install openmpi-bin libopenmpi-dev)"
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s MPI=1 >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpirun -np 2 build-mpi/dbscale run tests/data/cli/small.ini --quiet --no-plots -o "$tmp/mpi" </dev/null
"$D" run tests/data/cli/small.ini --quiet --no-plots -o "$tmp/one"
n=0
for f in "$tmp"/one/*; do cmp "$f" "$tmp/mpi/$(basename "$f")"; n=$((n + 1)); done
[ "$n" -ge 6 ]
