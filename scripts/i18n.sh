#!/usr/bin/env bash
# Re-export every addon's .pot from the code, merge it into nl.po and list
# what still needs a Dutch translation (exit 1 if anything does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
bash "$here/scripts/setup.sh" >/dev/null
db="mph_i18n_$$"
export PGPASSWORD="$MPH_DB_PASSWORD"
trap 'dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" "$db"' EXIT
addons="$(cd "$here" && ls -d mph_*/ | tr -d / | paste -sd,)"
"$here/scripts/odoo" -d "$db" -i "$addons" --without-demo=all --stop-after-init --logfile "$here/.local/$db.log"
status=0
for addon in ${addons//,/ }; do
    pot="$here/$addon/i18n/$addon.pot"
    "$here/scripts/odoo" -d "$db" --i18n-export="$pot" --modules="$addon" --stop-after-init --logfile "$here/.local/$db.log"
    msgmerge --quiet --no-fuzzy-matching --no-wrap -U --backup=none "$here/$addon/i18n/nl.po" "$pot"
    msgattrib --no-obsolete --no-wrap -o "$here/$addon/i18n/nl.po" "$here/$addon/i18n/nl.po"
    "$MPH_VENV/bin/python" "$here/scripts/po_fill.py" "$here/$addon/i18n/nl.po" || status=1
done
exit $status
