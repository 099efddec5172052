"""The addons install as Python packages (odoo-addon-mph_school, odoo-addon-mph_newsletter, ...).

A new virtualenv gets Odoo 18.0 from $ODOO_SRC (editable, `editable_mode=compat`, as
scripts/setup.sh does) and then `pip install ./mph_school ./mph_newsletter ...` (every addon
of the repository) built by whool. Odoo then runs with an addons path of Odoo's own addons
only, so it can find our addons nowhere but in the installed packages (the `odoo.addons`
namespace in the new virtualenv's site-packages); `-u` of the session's demo database must
load every addon from there (code, data, demo data, Dutch translations) and leave them
installed at the version of their manifests.

Odoo's third-party libraries (psycopg2, lxml, ...) are not downloaded and built again: the
new virtualenv reads them from the project's virtualenv through one `.pth` line, which adds
that site-packages directory to sys.path without running its `.pth` files, so neither Odoo
nor anything installed there in editable mode comes along. The test checks that none of our
addons lies there and that they are found in the new virtualenv.
"""

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from conftest import ADDONS, ROOT, _dropdb, _filestore, _free_port, copy_db

ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-18.0"))


def manifest_version(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))["version"]


def run(cmd, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    env["PGPASSWORD"] = os.environ.get("MPH_DB_PASSWORD", "mph")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def psql(db, query):
    return run(
        [
            "psql",
            "-h",
            os.environ.get("PGHOST", "127.0.0.1"),
            "-p",
            os.environ.get("PGPORT", "5432"),
            "-U",
            os.environ.get("MPH_DB_USER", "mph"),
            "-d",
            db,
            "-Atc",
            query,
        ]
    )


def test_pip_install_into_a_new_environment(tmp_path, template_db):
    started = time.time()
    base_site = Path(sysconfig.get_paths()["purelib"])
    # The shared site-packages lends libraries only: none of our addons lies there.
    ours = sorted(base_site.glob("odoo/addons/mph_*"))
    assert not ours, f"{ours} were pip-installed into the project's virtualenv"
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (site / "mph_base_libraries.pth").write_text(f"{base_site}\n", encoding="utf-8")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q", "install", "--no-index", "--no-build-isolation"]
    # Before: no Odoo, no addon.
    run([python, "-c", "import importlib.util as u; assert u.find_spec('odoo') is None"])
    run([*pip, "--no-deps", "-e", str(ODOO_SRC), "--config-settings", "editable_mode=compat"])
    addons = ADDONS.split(",")
    run([*pip, *(f"./{addon}" for addon in addons)], cwd=ROOT)
    installed = time.time()

    # The addons are packages of the new virtualenv, found through the odoo.addons namespace.
    for addon in addons:
        origin, version = run(
            [
                python,
                "-c",
                "import importlib.metadata as m, importlib.util as u; "
                f"print(u.find_spec('odoo.addons.{addon}').origin); print(m.version('odoo-addon-{addon}'))",
            ],
            cwd=tmp_path,
        ).split()
        assert origin == str(site / "odoo" / "addons" / addon / "__init__.py")
        # whool adds .N (commits since the version was set) to the manifest's version.
        assert version.startswith(manifest_version(addon)), version
    # Every file the manifests name (data, demo, assets) and the translations are in the packages,
    # and every tracked file of the addon, since whool packs what git tracks.
    for addon in ADDONS.split(","):
        manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))
        tracked = run(["git", "ls-files"], cwd=ROOT / addon).split()
        assert "__manifest__.py" in tracked and "i18n/nl.po" in tracked
        expected = set(tracked) - {"pyproject.toml"}
        expected |= set(manifest.get("data", []) + manifest.get("demo", []))
        missing = sorted(f for f in expected if not (site / "odoo" / "addons" / addon / f).is_file())
        assert not missing, f"not in the {addon} package: {missing}"

    db = f"mph_pip_{os.getpid()}"
    # The session's install of the addons (demo data, Dutch), upgraded from the packages: Odoo
    # loads every module, data, demo and translation file of our addons from the new
    # virtualenv (an install from scratch would only add Odoo's own apps, minutes on 2 cores).
    copy_db(template_db["template"], db)
    if _filestore(db).is_dir():
        shutil.copytree(_filestore(db), tmp_path / "data" / "filestore" / db)
    log = ROOT / ".local" / f"{db}.log"
    config = tmp_path / "odoo.conf"
    config.write_text(
        "[options]\n"
        f"addons_path = {ODOO_SRC / 'addons'}\n"
        f"data_dir = {tmp_path / 'data'}\n"
        f"db_host = {os.environ.get('PGHOST', '127.0.0.1')}\n"
        f"db_port = {os.environ.get('PGPORT', '5432')}\n"
        f"db_user = {os.environ.get('MPH_DB_USER', 'mph')}\n"
        f"db_password = {os.environ.get('MPH_DB_PASSWORD', 'mph')}\n",
        encoding="utf-8",
    )
    try:
        run(
            [
                # `python -m odoo`: the `odoo` script that a setuptools<81 editable install
                # writes goes through pkg_resources, which cannot match zope.interface's
                # dist-info name and stops before Odoo starts.
                python,
                "-m",
                "odoo",
                "-c",
                str(config),
                "-d",
                db,
                "-u",
                ADDONS,
                "--stop-after-init",
                "--http-port",
                str(_free_port()),
                "--logfile",
                str(log),
            ],
            cwd=tmp_path,
        )
        rows = psql(
            db, "SELECT name, state, latest_version FROM ir_module_module WHERE name LIKE 'mph\\_%' ORDER BY name"
        )
    finally:
        _dropdb(db)
    text = log.read_text(errors="replace")
    assert " ERROR " not in text and " CRITICAL " not in text, f"errors while installing; see {log}"
    assert str(ROOT) not in text.replace(str(log), ""), f"Odoo read something from the repository; see {log}"
    for addon in ADDONS.split(","):
        assert f"translation file {site}/odoo/addons/{addon}/i18n/nl.po" in text, f"{addon} not loaded from {site}"
    assert rows.split() == [f"{addon}|installed|{manifest_version(addon)}" for addon in sorted(addons)]
    print(f"pip install test: venv and pip {installed - started:.0f}s, total {time.time() - started:.0f}s")
