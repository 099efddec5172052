"""Check the migration scripts of every addon against the project's convention.

    <addon>/migrations/<version>/{pre,post,end}-<what>.py   each with def migrate(cr, version)

<version> is a full version of the addon, 18.0.x.y.z, never above the manifest's version (a
script whose version is above it would never run; Odoo runs a script when the installed
version < script version <= manifest version). Odoo silently skips a folder name or a file
name it does not understand, so those are errors here. Prints one line per problem and exits
1 when there is any.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERIES = "18.0"
VERSION_RE = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
SCRIPT_RE = re.compile(r"^(pre|post|end)-[a-z0-9_]+\.py$")


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def has_migrate(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "migrate":
            names = [arg.arg for arg in node.args.posonlyargs + node.args.args]
            return names in (["cr", "version"], ["cr", "_version"], ["_cr", "version"], ["_cr", "_version"])
    return False


def check_addon(addon_dir):
    """The problems of one addon's migrations folder, as readable lines."""
    addon_dir = Path(addon_dir)
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))
    current = manifest.get("version", "")
    problems = []
    if not VERSION_RE.match(current):
        problems.append(f"{addon_dir.name}: manifest version {current!r} is not {SERIES}.x.y.z")
        return problems
    if (addon_dir / "upgrades").exists():
        problems.append(f"{addon_dir.name}: use migrations/, not upgrades/")
    folder = addon_dir / "migrations"
    if not folder.exists():
        return problems
    for entry in sorted(folder.iterdir()):
        where = f"{addon_dir.name}/migrations/{entry.name}"
        if entry.name == "__pycache__":
            continue
        if not entry.is_dir() or not VERSION_RE.match(entry.name):
            problems.append(f"{where}: not a folder named {SERIES}.x.y.z")
            continue
        if version_key(entry.name) > version_key(current):
            problems.append(f"{where}: above the manifest version {current}; bump the manifest's version")
        scripts = [p for p in sorted(entry.iterdir()) if p.name != "__pycache__"]
        if not scripts:
            problems.append(f"{where}: empty")
        for script in scripts:
            if not SCRIPT_RE.match(script.name):
                problems.append(f"{where}/{script.name}: name is not pre-*.py, post-*.py or end-*.py")
            elif not has_migrate(script):
                problems.append(f"{where}/{script.name}: has no top-level def migrate(cr, version)")
    return problems


def main(root=ROOT):
    problems = []
    for manifest in sorted(Path(root).glob("*/__manifest__.py")):
        problems.extend(check_addon(manifest.parent))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
