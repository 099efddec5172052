"""Run inside `odoo shell` (stdin) by tests/test_upgrade.py; not a pytest module.

MPH_PROBE_MODE=edit      change, as the users who would, everything a user can change in what
                         our addons install (settings, crons, mail templates, seasons, lesson
                         types, the policy text, group membership...), then snapshot;
MPH_PROBE_MODE=snapshot  only snapshot.
The snapshot (JSON in MPH_PROBE_OUT) holds, per language, every stored value of every record of
every mph model and of every record our data files (ir.model.data) made, plus the record counts.
"""

import json
import os
from datetime import date, datetime

from lxml import etree
from markupsafe import Markup

from odoo import Command
from odoo.modules.module import get_manifest, get_module_path

OUR_MODULES = ("mph_school", "mph_newsletter", "mph_portal")
# Models whose records are code, not settings: an upgrade is meant to rewrite
# them from the XML (views, menus, actions, access rights, record rules, groups).
CODE_OWNED = {
    "ir.actions.act_window",
    "ir.actions.act_window.view",
    "ir.actions.act_url",
    "ir.actions.client",
    "ir.actions.report",
    "ir.actions.server",
    "ir.asset",
    "ir.model",
    "ir.model.access",
    "ir.model.constraint",
    "ir.model.fields",
    "ir.model.fields.selection",
    "ir.model.inherit",
    "ir.model.relation",
    "ir.module.category",
    "ir.rule",
    "ir.ui.menu",
    "ir.ui.view",
    "res.groups",
    "website.page",
}
# Of a group only its members are a user's setting.
CODE_OWNED_USER_FIELDS = {"res.groups": ["users"]}
# Records our data, demo functions and users make outside mph models: an upgrade must not add
# or remove any of them either.
COUNTED = [
    "res.partner",
    "res.users",
    "mailing.list",
    "mailing.contact",
    "mailing.subscription",
    "mail.template",
    "ir.cron",
    "ir.config_parameter",
    "product.product",
    "account.move",
    "website.menu",
    "mail.activity.type",
]
# Values that nobody edits and that Odoo itself keeps up to date.
SKIP_FIELDS = {"write_date", "write_uid", "__last_update", "message_main_attachment_id"}
EDITED = " (edited)"


def env_of(login):
    return env(user=env["res.users"].search([("login", "=", login)], limit=1).id)  # noqa: F821


def plain(record, name):
    field = record._fields[name]
    value = record[name]
    if field.type in ("many2one", "one2many", "many2many"):
        return sorted(value.ids)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def stored_fields(model):
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.type != "binary" and name not in SKIP_FIELDS
    ]


def our_models(env):
    return sorted(
        name
        for name, model in env.registry.items()
        if name.startswith("mph.") and not model._abstract and not model._transient and model._auto
    )


def xmlids(env):
    return env["ir.model.data"].search([("module", "in", OUR_MODULES)], order="module, name")


def foreign_records(env):
    """Records of other modules that our data files write to (e.g. website.default_website)."""
    found = set()
    for module in OUR_MODULES:
        path = get_module_path(module)
        manifest = get_manifest(module)
        for name in manifest.get("data", []) + manifest.get("demo", []):
            if not name.endswith(".xml"):
                continue
            for node in etree.parse(os.path.join(path, name)).iter("record"):
                xmlid = node.get("id", "")
                if "." in xmlid and xmlid.split(".")[0] not in OUR_MODULES:
                    found.add((xmlid, node.get("model")))
    return sorted(found)


def snapshot(env):
    env = env(context=dict(env.context, active_test=False))
    langs = [code for code, _name in env["res.lang"].get_installed()]
    result = {"counts": {}, "xmlids": {}, "values": {}, "langs": langs}
    for name in our_models(env) + COUNTED:
        result["counts"][name] = env[name].search_count([])
    for data in xmlids(env):
        result["xmlids"][f"{data.module}.{data.name}"] = [data.model, data.res_id, data.noupdate]
    for lang in langs:
        lenv = env(context=dict(env.context, lang=lang))
        values = result["values"][lang] = {}
        for name in our_models(lenv):
            model = lenv[name]
            fields = stored_fields(model)
            for record in model.search([], order="id"):
                values[f"{name},{record.id}"] = {f: plain(record, f) for f in fields}
        for data in xmlids(lenv):
            if data.model.startswith("mph.") and data.model in our_models(lenv):
                continue  # already above
            record = lenv[data.model].browse(data.res_id).exists()
            key = f"{data.model},{data.res_id}"
            if not record:
                values[key] = "missing"
                continue
            fields = CODE_OWNED_USER_FIELDS.get(data.model)
            if fields is None:
                if data.model in CODE_OWNED:
                    continue
                fields = stored_fields(record)
            values[key] = {f: plain(record, f) for f in fields}
        for xmlid, _model in foreign_records(lenv):
            record = lenv.ref(xmlid)
            values[xmlid] = {f: plain(record, f) for f in stored_fields(record)}
        # Settings (res.config.settings reads them from ir.config_parameter and elsewhere).
        settings = lenv(user=lenv.ref("base.user_admin").id)["res.config.settings"].create({})
        values["settings"] = {name: plain(settings, name) for name in our_settings_fields(settings)}
    params = env["ir.config_parameter"].search([("key", "=like", "mph\\_%")])
    result["params"] = {param.key: param.value for param in params}
    return result


def our_settings_fields(settings):
    return sorted(
        name
        for name, field in settings._fields.items()
        if name.startswith("mph_") and getattr(field, "config_parameter", None)
    )


# ----------------------------------------------------------------------------
# What a user changes
# ----------------------------------------------------------------------------


def edit_cron(cron):
    cron.write(
        {"interval_number": cron.interval_number + 1, "active": not cron.active, "nextcall": "2031-02-03 04:05:06"}
    )


def edit_template(template):
    for lang, text in (("en_US", "Edited"), ("nl_NL", "Bewerkt")):
        template.with_context(lang=lang).write(
            {"subject": f"{text}: {template.subject}", "body_html": f"<p>{text} by the school.</p>"}
        )


def edit_param(param):
    value = param.value or ""
    param.value = str(int(value) + 7) if value.isdigit() else value + "-edited"


def edit_name(record):
    for lang in ("en_US", "nl_NL"):
        localized = record.with_context(lang=lang)
        localized.name = f"{localized.name}{EDITED} {lang}"


def edit_sequence(sequence):
    sequence.write({"prefix": "PR/%(year)s/", "padding": sequence.padding + 1})


def edit_activity_type(activity):
    edit_name(activity)
    activity.write({"summary": "Edited summary", "delay_count": activity.delay_count + 2})


def edit_policy(policy):
    policy.with_env(env_of("coordinator")).write(
        {"body": "<p>Edited policy text.</p>", "change_summary": "Edited by the coordinator."}
    )


def edit_lesson_type(lesson_type):
    lesson_type.with_env(env_of("coordinator")).write(
        {"capacity": lesson_type.capacity + 1, "description": "Edited by the coordinator.", "duration": 45}
    )


def edit_teacher(teacher):
    teacher.with_env(env_of("coordinator")).write({"phone": "030 123 45 67", "max_students": teacher.max_students + 1})


def edit_room(room):
    room.with_env(env_of("coordinator")).write({"capacity": room.capacity + 1, "location": "Edited location"})


def edit_user(user):
    user.write({"signature": Markup("<p>Edited signature</p>"), "tz": "Europe/Amsterdam"})


def edit_product(product):
    edit_name(product)
    product.list_price = 99.5


def edit_website(website):
    website.cookies_bar = not website.cookies_bar


def edit_company(company):
    company.write({"phone": "030 765 43 21", "email": "edited@example.com"})


def edit_bank_account(bank):
    bank.acc_holder_name = f"{bank.acc_holder_name}{EDITED}"


def edit_menu(menu):
    edit_name(menu)
    menu.sequence += 5


def edit_contact(contact):
    contact.name = contact.name + EDITED


# One edit per model our data files create records of; a data file that
# creates a record of another model makes the test fail until its edit is here.
EDITS = {
    "ir.cron": edit_cron,
    "mail.template": edit_template,
    "ir.config_parameter": edit_param,
    "ir.sequence": edit_sequence,
    "mail.activity.type": edit_activity_type,
    "mph.privacy.policy": edit_policy,
    "mph.lesson.type": edit_lesson_type,
    "mph.teacher": edit_teacher,
    "mph.room": edit_room,
    "mph.room.tag": edit_contact,
    "res.users": edit_user,
    "product.product": edit_product,
    "product.template": edit_product,
    "website": edit_website,
    "res.company": edit_company,
    "res.partner.bank": edit_bank_account,
    "website.menu": edit_menu,
    "mailing.list": edit_name,
    "discuss.channel": edit_name,
    "mailing.contact": edit_contact,
    "res.partner": edit_contact,
}


def edit(env):
    """Change everything; return the models it cannot edit and the snapshot keys it edited."""
    admin_env = env_of("admin")
    problems = []
    edited = []
    targets = [(f"{data.module}.{data.name}", data.model) for data in xmlids(env)] + foreign_records(env)
    for xmlid, model in targets:
        if model in CODE_OWNED:
            continue
        editor = EDITS.get(model)
        if editor is None:
            problems.append(f"{xmlid} ({model})")
            continue
        record = env.ref(xmlid)
        editor(admin_env[model].browse(record.id))
        edited.append(xmlid if xmlid.split(".")[0] not in OUR_MODULES else f"{model},{record.id}")
    # Settings, as the administrator saves them in Settings.
    settings = admin_env["res.config.settings"].create({})
    values = {}
    for name in our_settings_fields(settings):
        field, value = settings._fields[name], settings[name]
        if field.type == "integer":
            values[name] = (value or 0) + 3
        elif field.type == "many2one":
            values[name] = admin_env[field.comodel_name].search([("id", "!=", value.id)], limit=1).id
        elif field.type == "char":
            values[name] = f"{value or ''}edited-{name}"
        else:
            values[name] = not value
    values["mph_mailchimp_api_key_new"] = "0123456789abcdef-us21"
    admin_env["res.config.settings"].create(values).execute()
    # A school year: the coordinator renames it, finance sets its contribution.
    season = env["mph.season"].search([], order="date_start desc", limit=1)
    season.with_env(env_of("coordinator")).name = season.name + EDITED
    season.with_env(env_of("financien")).write({"contribution_amount": 321.5, "invoice_per_family": False})
    edited.append(f"mph.season,{season.id}")
    # The administrator gives up the coordinator's access to personal data.
    admin = env.ref("base.user_admin")
    coordinator = env.ref("mph_school.group_coordinator")
    admin_env["res.users"].browse(admin.id).write({"groups_id": [Command.unlink(coordinator.id)]})
    edited.append(f"res.groups,{coordinator.id}")
    env.flush_all()
    return problems, edited


mode = os.environ["MPH_PROBE_MODE"]
result = {}
if mode == "edit":
    before = snapshot(env)  # noqa: F821
    result["unknown_models"], edited_keys = edit(env)  # noqa: F821
    result["updatable"] = [
        f"{data.module}.{data.name} ({data.model})"
        for data in xmlids(env)  # noqa: F821
        if not data.noupdate and data.model not in CODE_OWNED
    ]
    env.cr.commit()  # noqa: F821
result.update(snapshot(env))  # noqa: F821
if mode == "edit":
    # Every edit must show in the snapshot, else the upgrade check would prove nothing about it.
    result["not_edited"] = [
        key
        for key in edited_keys + ["settings"]
        if all(before["values"][lang].get(key) == result["values"][lang].get(key) for lang in result["langs"])
    ] + [
        f"settings/{name}"
        for name, value in before["values"][result["langs"][0]]["settings"].items()
        if result["values"][result["langs"][0]]["settings"][name] == value
    ]
env.cr.rollback()  # noqa: F821  (the snapshot's throw-away settings record)
with open(os.environ["MPH_PROBE_OUT"], "w", encoding="utf-8") as out:
    json.dump(result, out, indent=1, sort_keys=True, default=str)
