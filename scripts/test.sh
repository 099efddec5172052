#!/usr/bin/env bash
# Every test: lint, the Odoo tests of the addons on a fresh database, and the
# black-box suite in tests/ against a real server. Last line: "N passed, N failed".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
bash "$here/scripts/setup.sh"
exec "$MPH_VENV/bin/python" "$here/scripts/run_tests.py" "$@"
