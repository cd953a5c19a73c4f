#!/bin/sh
# make install honours DESTDIR and PREFIX: binary, man page, scenarios.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s install DESTDIR="$tmp" PREFIX=/opt/dbscale >/dev/null
[ -x "$tmp/opt/dbscale/bin/dbscale" ]
[ -f "$tmp/opt/dbscale/share/man/man1/dbscale.1" ]
[ -f "$tmp/opt/dbscale/share/dbscale/scenarios/quickstart.ini" ]
"$tmp/opt/dbscale/bin/dbscale" --version | grep -q '^dbscale '
