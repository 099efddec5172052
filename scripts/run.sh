#!/usr/bin/env bash
# The school's Odoo with Dutch demo data: set up, create the database once,
# start the server in the background on 127.0.0.1:$MPH_HTTP_PORT, print logins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
# The server's pid is kept per machine, not per checkout: whichever checkout
# runs next takes over the port.
mkdir -p "$MPH_STATE" "$here/.local"
pidfile="$MPH_STATE/odoo-$MPH_DB.pid"
rootfile="$MPH_STATE/odoo-$MPH_DB.root"
codefile="$MPH_STATE/odoo-$MPH_DB.code"
logfile="$here/.local/odoo-$MPH_DB.log"
url="http://127.0.0.1:$MPH_HTTP_PORT"

stop_server() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")"; sleep 2
        echo "[run] stopped the Odoo server (pid $(cat "$pidfile"))"
    fi
    rm -f "$pidfile" "$rootfile"
}
if [ "${1:-}" = "--stop" ]; then stop_server; exit 0; fi

bash "$here/scripts/setup.sh"

answering() { curl -fs -o /dev/null --max-time 5 "$url/web/login" 2>/dev/null; }
db_ready() {
    [ "$(PGPASSWORD="$MPH_DB_PASSWORD" psql -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" -d "$MPH_DB" -Atqc \
        "select state from ir_module_module where name = 'mph_school'" 2>/dev/null)" = "installed" ]
}

created=""
addons="$(cd "$here" && ls -d mph_*/ | tr -d / | paste -sd,)"
if ! db_ready; then
    created=1
    echo "[run] creating database '$MPH_DB' with $addons and Dutch demo data (a few minutes, once)"
    stop_server
    PGPASSWORD="$MPH_DB_PASSWORD" dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" "$MPH_DB"
    "$here/scripts/odoo" -d "$MPH_DB" -i "$addons" --load-language nl_NL --stop-after-init \
        --logfile "$logfile.install" || { tail -40 "$logfile.install"; exit 1; }
    # The administrator works in Dutch too.
    PGPASSWORD="$MPH_DB_PASSWORD" psql -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" -d "$MPH_DB" -qc \
        "UPDATE res_partner SET lang = 'nl_NL' WHERE id IN (SELECT partner_id FROM res_users WHERE login = 'admin')"
fi

# Code changed since the database was last installed or upgraded: upgrade it.
code="$(cd "$here" && find mph_* -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
if [ -z "$created" ] && [ "$(cat "$codefile" 2>/dev/null)" != "$code" ]; then
    echo "[run] the addons changed since the last run: upgrading database '$MPH_DB'"
    stop_server
    # Addons new in this checkout get installed, the others upgraded.
    "$here/scripts/odoo" -d "$MPH_DB" -i "$addons" -u "$addons" --stop-after-init --logfile "$logfile.upgrade" \
        || { tail -40 "$logfile.upgrade"; exit 1; }
fi
echo "$code" > "$codefile"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && [ "$(cat "$rootfile" 2>/dev/null)" != "$here" ]; then
    echo "[run] stopping the server started from $(cat "$rootfile" 2>/dev/null || echo 'another checkout')"
    stop_server
fi
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && answering; then
    echo "[run] Odoo is already running (pid $(cat "$pidfile"))"
else
    if answering; then
        echo "[run] ERROR: something else answers on $url; stop it or set MPH_HTTP_PORT" >&2; exit 1
    fi
    echo "[run] starting Odoo on $url (log: $logfile)"
    nohup "$here/scripts/odoo" -d "$MPH_DB" --db-filter "^$MPH_DB\$" --logfile "$logfile" >/dev/null 2>&1 &
    echo $! > "$pidfile"
    echo "$here" > "$rootfile"
    for _ in $(seq 1 90); do answering && break; sleep 1; done
    answering || { echo "[run] ERROR: Odoo did not answer on $url; see $logfile" >&2; tail -30 "$logfile" >&2; exit 1; }
fi
cat <<TXT

Het Muziekpakhuis draait op $url/web/login  (stoppen: bash scripts/run.sh --stop)
Logins (demo; wachtwoord = login):
  Lespraktijkcoördinator   coordinator
  Financieel administrator financien
  Artistiek manager        artistiek
  Directeur                directeur
  Docent (portaal)         docent.henk   (en docent.marieke, docent.pieter, ...)
  Vrijwilliger nieuwsbrief vrijwilliger
  Ouder op Mijn MPH        ouder         (twee of meer kinderen onder 16; $url/my/mph)
  Leerling op Mijn MPH     leerling      (16 jaar of ouder)
  Beheerder (technisch)    admin
TXT
