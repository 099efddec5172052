# Shared settings for the scripts; every value can be overridden from the environment.
: "${ODOO_SRC:=/opt/odoo-18.0}"
: "${ODOO_DOWNLOAD_URL:=https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}"
: "${MPH_STATE:=${XDG_CACHE_HOME:-$HOME/.cache}/mph-odoo}"
: "${MPH_VENV:=$MPH_STATE/venv}"
: "${MPH_CONF:=$here/.local/odoo.conf}"
: "${MPH_DB:=mph}"
: "${MPH_DB_USER:=mph}"
: "${MPH_DB_PASSWORD:=mph}"
: "${MPH_MASTER_PASSWORD:=mph-admin-local}"
: "${MPH_HTTP_PORT:=8069}"
: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
export ODOO_SRC ODOO_DOWNLOAD_URL MPH_STATE MPH_VENV MPH_CONF MPH_DB MPH_DB_USER MPH_DB_PASSWORD MPH_MASTER_PASSWORD MPH_HTTP_PORT PGHOST PGPORT
