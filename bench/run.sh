#!/usr/bin/env bash
# Run the benchmarks (all, or those named) on a throw-away database and print their figures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
bash "$here/scripts/setup.sh"
db="${MPH_BENCH_DB:-mph_bench_$$}"
export PGPASSWORD="$MPH_DB_PASSWORD"
trap 'dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" "$db"' EXIT
addons="$(cd "$here" && ls -d mph_*/ | tr -d / | paste -sd,)"
"$here/scripts/odoo" -d "$db" -i "$addons" --without-demo=all --stop-after-init --logfile "$here/.local/$db.log"
# Optional arguments: the benchmarks to run by name (bench/bench_<name>.py), e.g.
#   bash bench/run.sh invoicing
if [ $# -gt 0 ]; then
    benches=()
    for name in "$@"; do
        file="$here/bench/bench_${name#bench_}"
        file="${file%.py}.py"
        [ -f "$file" ] || { echo "no benchmark $file" >&2; exit 2; }
        benches+=("$file")
    done
else
    benches=("$here"/bench/bench_*.py)
fi
for bench in "${benches[@]}"; do
    echo "== $(basename "$bench")"
    # bench/ on the path: the benchmarks share bench/benchlib.py.
    PYTHONPATH="$here/bench${PYTHONPATH:+:$PYTHONPATH}" "$here/scripts/odoo" shell -d "$db" --no-http --log-level=warn < "$bench"
done
