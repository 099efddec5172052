#!/usr/bin/env bash
# Idempotent set-up of everything MPH on Odoo needs on this machine:
#   Odoo 18.0 source, a virtualenv with Odoo + its requirements + ours,
#   a PostgreSQL role, Debian chromium (tours, screenshots), wkhtmltopdf (PDF
#   reports) and faketime (the end-to-end test moves the server's clock).
# A second run only checks stamps and takes seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1; }
apt_updated=""
apt_install() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if is_root && have_apt; then
        if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
        say "installing Debian packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        return 1
    fi
}

# --- 1. Odoo 18.0 source ------------------------------------------------------
if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
    say "no Odoo source at $ODOO_SRC; downloading the official 18.0 source"
    mkdir -p "$ODOO_SRC"
    tmp="$(mktemp -d)"
    curl -fL --retry 3 -o "$tmp/odoo.tar.gz" "$ODOO_DOWNLOAD_URL" \
        || die "could not download Odoo 18.0 from $ODOO_DOWNLOAD_URL. Put an Odoo 18.0 source tree at $ODOO_SRC (or set ODOO_SRC) and run again."
    tar -xzf "$tmp/odoo.tar.gz" -C "$ODOO_SRC" --strip-components=1
    rm -rf "$tmp"
fi
grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
    || die "$ODOO_SRC does not hold Odoo 18.0 (odoo/release.py says otherwise)"

# --- 2. Debian packages: chromium (tours), faketime, wkhtmltopdf (PDF), libpq --
apt_install chromium || say "WARNING: Debian 'chromium' is missing and cannot be installed here (not root or no apt); browser tours will be skipped. Install it with: apt-get install chromium"
apt_install faketime || say "WARNING: Debian 'faketime' (libfaketime) is missing and cannot be installed here; the end-to-end test that moves the server's clock will be skipped. Install it with: apt-get install faketime"
apt_install wkhtmltopdf || say "WARNING: 'wkhtmltopdf' is missing and cannot be installed here; PDF reports will render as HTML. Install it with: apt-get install wkhtmltopdf"
command -v pg_config >/dev/null 2>&1 || apt_install libpq-dev || die "pg_config not found: install libpq-dev (Debian) so psycopg2 can build"

# --- 3. PostgreSQL ------------------------------------------------------------
pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
if ! pg_up; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && is_root; then
        say "PostgreSQL not answering on $PGHOST:$PGPORT; starting the local cluster"
        for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start || true; done
    elif is_root && have_apt; then
        say "installing PostgreSQL"
        apt_install postgresql
        for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start || true; done
    fi
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
    pg_up || die "PostgreSQL is not reachable on $PGHOST:$PGPORT and could not be started here. Start a PostgreSQL server (or set PGHOST/PGPORT) and run again."
fi
# Odoo refuses to run as 'postgres': we use our own role with CREATEDB.
as_pg_admin() {
    if psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -Atqc "select 1" >/dev/null 2>&1; then
        psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -Atqc "$1"
    elif is_root && command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- psql -p "$PGPORT" -d postgres -Atqc "$1"
    else
        return 1
    fi
}
if ! PGPASSWORD="$MPH_DB_PASSWORD" psql -h "$PGHOST" -p "$PGPORT" -U "$MPH_DB_USER" -d postgres -Atqc "select 1" >/dev/null 2>&1; then
    say "creating PostgreSQL role $MPH_DB_USER"
    as_pg_admin "CREATE ROLE \"$MPH_DB_USER\" LOGIN CREATEDB PASSWORD '$MPH_DB_PASSWORD'" \
        || die "cannot create the PostgreSQL role $MPH_DB_USER. Ask your DBA for: CREATE ROLE $MPH_DB_USER LOGIN CREATEDB PASSWORD '...'; then set MPH_DB_USER/MPH_DB_PASSWORD."
fi

# --- 4. virtualenv ---------------------------------------------------------------
stamp_src="$(cat "$ODOO_SRC/requirements.txt" "$here/requirements.txt" "$here/requirements-dev.txt"; echo "$ODOO_SRC")"
stamp="$(printf '%s' "$stamp_src" | sha256sum | cut -c1-16)"
if [ ! -f "$MPH_VENV/.mph-stamp" ] || [ "$(cat "$MPH_VENV/.mph-stamp")" != "$stamp" ]; then
    say "building the virtualenv at $MPH_VENV (a few minutes, once)"
    [ -x "$MPH_VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$MPH_VENV"
    pip() { "$MPH_VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }
    # cbor2 (pinned by Odoo) does not build with setuptools >= 81.
    constraints="$(mktemp)"; echo "setuptools<81" > "$constraints"
    # pip hands PIP_CONSTRAINT on to the isolated build environments too.
    export PIP_CONSTRAINT="$constraints"
    pip install "setuptools<81" wheel
    # python-ldap is only for auth_ldap, which we do not use; it needs extra C headers.
    reqs="$(mktemp)"; grep -v -i '^python-ldap' "$ODOO_SRC/requirements.txt" > "$reqs"
    pip install -r "$reqs"
    # editable_mode=compat: a plain editable install breaks `import odoo` once
    # OCA addon wheels (odoo.addons namespace) are installed.
    pip install --no-deps --no-build-isolation -e "$ODOO_SRC" --config-settings editable_mode=compat
    pip install -r "$here/requirements.txt" -r "$here/requirements-dev.txt"
    rm -f "$reqs" "$constraints"
    echo "$stamp" > "$MPH_VENV/.mph-stamp"
fi
"$MPH_VENV/bin/python" -c "import odoo, odoo.release; assert odoo.release.version_info[0] == 18" \
    || die "the virtualenv at $MPH_VENV cannot import Odoo 18; remove it and run again"

# --- 5. Odoo configuration file ------------------------------------------------------
mkdir -p "$MPH_STATE" "$(dirname "$MPH_CONF")"
cat > "$MPH_CONF.tmp" <<CONF
[options]
addons_path = $ODOO_SRC/addons,$here
data_dir = $here/.local/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $MPH_DB_USER
db_password = $MPH_DB_PASSWORD
admin_passwd = $MPH_MASTER_PASSWORD
http_interface = 127.0.0.1
http_port = $MPH_HTTP_PORT
list_db = False
without_demo = False
# The scheduled jobs of one database run in one go (Odoo's invoice sending renders 20 PDFs per
# batch, up to 10 batches); with the default limit (limit_time_real, 120 s) a slow machine
# restarts the whole server in the middle of them. Each batch commits on its own. (In the
# threaded server 0 would mean "as limit_time_real", hence a number.)
limit_time_real_cron = 3600
CONF
if ! cmp -s "$MPH_CONF.tmp" "$MPH_CONF" 2>/dev/null; then mv "$MPH_CONF.tmp" "$MPH_CONF"; else rm -f "$MPH_CONF.tmp"; fi
say "ready: Odoo $("$MPH_VENV/bin/python" -c 'import odoo.release as r; print(r.version)') in $MPH_VENV, config $MPH_CONF"
