#!/bin/sh
# Install the Debian packages dbscale needs, only those missing.
# As root directly; otherwise through sudo. Non-interactive (works under CI=true).
set -eu
need="libgsl-dev libcsv-dev check pkg-config gnuplot-nox"
# DBSCALE_WITH_MPI=1 (set by .ci/run) adds OpenMPI for the optional `make MPI=1` build.
[ "${DBSCALE_WITH_MPI:-0}" = 1 ] && need="$need openmpi-bin libopenmpi-dev"
missing=""
for p in $need; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "deps: missing$missing and not root; install them with apt-get as root" >&2
  exit 1
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
