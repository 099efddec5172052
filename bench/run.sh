#!/usr/bin/env bash
# Run the benchmarks on a throw-away database and print their figures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
bash "$here/scripts/setup.sh"
db="mph_bench_$$"
export PGPASSWORD="$MPH_DB_PASSWORD"
trap 'dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" "$db"' EXIT
addons="$(cd "$here" && ls -d mph_*/ | tr -d / | paste -sd,)"
"$here/scripts/odoo" -d "$db" -i "$addons" --without-demo=all --stop-after-init --logfile "$here/.local/$db.log"
for bench in "$here"/bench/bench_*.py; do
    echo "== $(basename "$bench")"
    "$here/scripts/odoo" shell -d "$db" --no-http --log-level=warn < "$bench"
done
