"""Upgrade safety: `-u` of our addons keeps every record and every setting a user changed.

On a fresh database with the demo data, users change what our addons installed: every record
of ours that is data rather than code (crons, mail templates, parameters, sequences, the
policy, lesson types, teachers, users, ...), all our Settings, a season and a group
membership (tests/upgrade_probe.py). Then both addons are upgraded with `-u`. Every stored
value of every mph record and of every record our data files made, in every installed
language, every mph parameter and every record count must be exactly as the users left them.

MPH_UPGRADE_FROM=<git revision> installs that revision of the addons instead of the working
tree and then upgrades to the working tree, so migration scripts
(`<addon>/migrations/<version>/`) run too; what the newer revision adds (fields, records) is
then allowed, nothing may change or go.
"""

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import ADDONS, ODOO, ROOT, _dropdb, _free_port, copy_db

PROBE = Path(__file__).with_name("upgrade_probe.py")
LOGDIR = ROOT / ".local"


def run_odoo(args, log, addons_path=None, probe=None):
    cmd = [ODOO, *args, "--logfile", str(log)]
    if addons_path:
        cmd.append(f"--addons-path={addons_path}")
    env = dict(os.environ)
    stdin = subprocess.DEVNULL
    if probe:
        env.update(MPH_PROBE_MODE=probe[0], MPH_PROBE_OUT=str(probe[1]))
        stdin = PROBE.open("rb")
    try:
        proc = subprocess.run(cmd, stdin=stdin, env=env, check=False)
    finally:
        if probe:
            stdin.close()
    lines = log.read_text(errors="replace").splitlines()
    problems = [line for line in lines if " ERROR " in line or " CRITICAL " in line]
    assert proc.returncode == 0 and not problems, f"{' '.join(args[:3])} failed: {problems[:5]}; see {log}"
    if probe:
        return json.loads(Path(probe[1]).read_text(encoding="utf-8"))
    return None


def old_addons(revision, target):
    """The addons as they were at a git revision, for MPH_UPGRADE_FROM."""
    archive = subprocess.run(
        ["git", "archive", revision, *ADDONS.split(",")], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return f"{os.environ.get('ODOO_SRC', '/opt/odoo-18.0')}/addons,{target}"


def diff(before, after, path="", allow_new=False):
    """Every difference between two JSON trees, as readable lines; with allow_new, keys
    only in `after` (fields, records or models a newer revision adds) are no difference."""
    if isinstance(before, dict) and isinstance(after, dict):
        lines = []
        for key in sorted(set(before) | set(after)):
            if key not in after:
                lines.append(f"{path}/{key}: gone (was {str(before[key])[:120]})")
            elif key not in before:
                if not allow_new:
                    lines.append(f"{path}/{key}: new ({str(after[key])[:120]})")
            else:
                lines.extend(diff(before[key], after[key], f"{path}/{key}", allow_new))
        return lines
    if before != after:
        return [f"{path}: {str(before)[:160]!r} -> {str(after)[:160]!r}"]
    return []


def test_upgrade_keeps_user_changes(tmp_path, template_db):
    db = f"mph_upgrade_{os.getpid()}"
    port = str(_free_port())
    LOGDIR.mkdir(exist_ok=True)
    _dropdb(db)
    started = time.time()
    try:
        revision = os.environ.get("MPH_UPGRADE_FROM")
        install_path = old_addons(revision, tmp_path) if revision else None
        if revision:
            run_odoo(
                ["-d", db, "-i", ADDONS, "--load-language", "nl_NL", "--stop-after-init", "--http-port", port],
                LOGDIR / f"{db}-install.log",
                addons_path=install_path,
            )
        else:
            # The same code: the session's untouched install (demo data, Dutch) is that database.
            copy_db(template_db["template"], db)
        edited = run_odoo(
            ["shell", "-d", db, "--no-http"],
            LOGDIR / f"{db}-edit.log",
            addons_path=install_path,
            probe=("edit", tmp_path / "edited.json"),
        )
        # The probe must know how a user edits every kind of record our data files make.
        assert not edited["unknown_models"], (
            "our data files make records of models the upgrade test cannot edit yet; add an edit to EDITS "
            f"in tests/upgrade_probe.py (or the model to CODE_OWNED if it is code): {edited['unknown_models']}"
        )
        assert not edited["not_edited"], f"these edits did not take: {edited['not_edited']}"
        # Records that are data a user may change must come from noupdate="1" blocks.
        assert not edited[
            "updatable"
        ], f'data records an upgrade would overwrite; put them in noupdate="1": {edited["updatable"]}'
        run_odoo(
            ["-d", db, "-u", ADDONS, "--stop-after-init", "--http-port", port],
            LOGDIR / f"{db}-upgrade.log",
        )
        upgraded = run_odoo(
            ["shell", "-d", db, "--no-http"], LOGDIR / f"{db}-check.log", probe=("snapshot", tmp_path / "upgraded.json")
        )
    finally:
        _dropdb(db)
    print(f"upgrade test: {time.time() - started:.0f}s")
    edited.pop("unknown_models")
    edited.pop("updatable")
    edited.pop("not_edited")
    # Our data makes the same records, and the users' edits are all there (not vacuous).
    assert edited["counts"]["mph.student"] > 0 and all(edited["values"].values()), "the demo data is missing"
    assert edited["params"].get("mph_newsletter.mailchimp_api_key") == "0123456789abcdef-us21"
    differences = diff(edited, upgraded, allow_new=bool(revision))
    assert not differences, "the upgrade changed what users had set:\n" + "\n".join(differences[:60])


def test_diff_sees_every_kind_of_change():
    before = {"a": {"x": 1, "y": [1, 2]}, "b": "text"}
    assert diff(before, json.loads(json.dumps(before))) == []
    assert diff(before, {"a": {"x": 2, "y": [1, 2]}, "b": "text"}) == ["/a/x: '1' -> '2'"]
    assert diff(before, {"a": {"x": 1, "y": [1]}, "b": "text"}) == ["/a/y: '[1, 2]' -> '[1]'"]
    assert diff(before, {"a": {"x": 1, "y": [1, 2]}}) == ["/b: gone (was text)"]
    assert diff(before, dict(before, c=3)) == ["/c: new (3)"]
    assert diff(before, dict(before, c=3), allow_new=True) == []
    assert diff(before, {"a": {"x": 1, "y": [1, 2], "z": 0}, "b": "c"}, allow_new=True) == ["/b: 'text' -> 'c'"]


def test_old_addons_extracts_a_revision():
    with tempfile.TemporaryDirectory() as tmp:
        path = old_addons("HEAD", Path(tmp))
        assert path.endswith(tmp)
        for addon in ADDONS.split(","):
            assert (Path(tmp) / addon / "__manifest__.py").is_file()
