"""The migration-folder convention (scripts/check_migrations.py), both ways."""

import importlib.util

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("check_migrations", ROOT / "scripts" / "check_migrations.py")
check_migrations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_migrations)

GOOD_SCRIPT = "def migrate(cr, version):\n    cr.execute('SELECT 1')\n"


def make_addon(tmp_path, version="18.0.1.2.0", scripts=None):
    addon = tmp_path / "mph_example"
    addon.mkdir()
    (addon / "__manifest__.py").write_text(f"{{'name': 'Example', 'version': '{version}'}}\n", encoding="utf-8")
    for relative, text in (scripts or {}).items():
        path = addon / "migrations" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return addon


def test_the_repository_follows_the_convention():
    assert check_migrations.main(ROOT) == 0


def test_addons_without_migrations_pass(tmp_path):
    assert check_migrations.check_addon(make_addon(tmp_path)) == []


def test_scripts_up_to_the_manifest_version_pass(tmp_path):
    addon = make_addon(
        tmp_path,
        scripts={
            "18.0.1.1.0/pre-rename_column.py": GOOD_SCRIPT,
            "18.0.1.2.0/post-fill_new_field.py": GOOD_SCRIPT,
            "18.0.1.2.0/end-check_counts.py": "def migrate(_cr, _version):\n    pass\n",
        },
    )
    assert check_migrations.check_addon(addon) == []


@pytest.mark.parametrize(
    ("scripts", "expected"),
    [
        ({"18.0.1.3.0/post-x.py": GOOD_SCRIPT}, "above the manifest version"),
        ({"1.3/post-x.py": GOOD_SCRIPT}, "not a folder named 18.0.x.y.z"),
        ({"0.0.0/end-x.py": GOOD_SCRIPT}, "not a folder named 18.0.x.y.z"),
        ({"17.0.1.0.0/post-x.py": GOOD_SCRIPT}, "not a folder named 18.0.x.y.z"),
        ({"stray.py": GOOD_SCRIPT}, "not a folder named 18.0.x.y.z"),
        ({"18.0.1.1.0/post_x.py": GOOD_SCRIPT}, "name is not pre-*.py"),
        ({"18.0.1.1.0/migrate.py": GOOD_SCRIPT}, "name is not pre-*.py"),
        ({"18.0.1.1.0/post-x.py": "def upgrade(cr, version):\n    pass\n"}, "no top-level def migrate"),
        ({"18.0.1.1.0/post-x.py": "def migrate(env):\n    pass\n"}, "no top-level def migrate"),
    ],
)
def test_broken_layouts_fail(tmp_path, scripts, expected):
    problems = check_migrations.check_addon(make_addon(tmp_path, scripts=scripts))
    assert len(problems) == 1 and expected in problems[0], problems


def test_manifest_version_must_be_full(tmp_path):
    problems = check_migrations.check_addon(make_addon(tmp_path, version="1.0"))
    assert problems and "is not 18.0.x.y.z" in problems[0]


def test_main_reports_and_fails(tmp_path, capsys):
    make_addon(tmp_path, scripts={"18.0.9.0.0/post-x.py": GOOD_SCRIPT})
    assert check_migrations.main(tmp_path) == 1
    assert "mph_example/migrations/18.0.9.0.0: above the manifest version" in capsys.readouterr().out
