"""Fill empty msgstr in a .po file from a JSON {msgid: msgstr} map and report
what is still untranslated. Usage: po_fill.py nl.po translations.json"""

import json
import sys

import polib


def main(po_path, json_path=None):
    po = polib.pofile(po_path)
    table = json.load(open(json_path, encoding="utf-8")) if json_path else {}
    missing = []
    for entry in po:
        if entry.msgid in table and (not entry.msgstr or "fuzzy" in entry.flags):
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        if not entry.msgstr or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    po.save(po_path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
