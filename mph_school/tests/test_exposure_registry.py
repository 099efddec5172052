"""Registry-wide exposure test (issue 13, point 3).

Privacy by default means: no path to a pupil or guardian except through a role
that needs it. Instead of listing the paths we thought of, this test discovers
them: every model in the registry (Odoo's, ours, and whatever app is installed
later) with a relational field to ``res.partner``, ``mph.student`` or
``mph.enrollment`` (many2one, many2many, one2many, a ``res_model``/``res_id``
pair or a reference field), and the rows that are parts of such rows (a
many2one with ``ondelete='cascade'``, e.g. the tracking values of a message).
For every role it reads, as that role, every row that points at one of the
people of the fixture, through ``search_read``, ``read_group``,
``name_search`` and ``export_data``, renders every report of those models, and
searches the answers for the people's names, e-mail addresses and phone
numbers.

Every cell (role x model x field x operation) must come back empty or denied,
unless the one table ``ALLOW`` below says who may see whom there, and why.
The test fails with the list of every leaking cell.
"""

import base64
import fnmatch
import io
import json
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg2
from PIL import Image

from odoo import Command, fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

TARGETS = ("res.partner", "mph.student", "mph.enrollment")
OPS = ("search_read", "read_group", "name_search", "export_data")

# The people of the fixture. The surnames are canaries: they occur nowhere
# else, so finding one (or the e-mail or phone) in an answer means that
# person's data reached the reader.
PEOPLE = {
    "adult": {"name": "Sanne Kievitsbloem", "phone": "0611110001", "birthdate": "1990-04-12"},
    "minor": {"name": "Daan Pimpernel", "phone": "0611110002", "birthdate": "2016-09-01"},
    "guardian": {"name": "Esther Zonnedauw", "phone": "0611110003"},
    "other": {"name": "Lotte Boterbloem", "phone": "0611110004", "birthdate": "2001-02-03"},
    "waiting": {"name": "Bas Dotterbloem", "phone": "0611110005", "birthdate": "1995-05-05"},
    "archived": {"name": "Kees Klaproos", "phone": "0611110006", "birthdate": "1980-06-01"},
    "anonymised": {"name": "Noor Fluitenkruid", "phone": "0611110007", "birthdate": "1982-03-03"},
}
ALL_PEOPLE = frozenset(PEOPLE)
NOT_ARCHIVED = ALL_PEOPLE - {"archived"}

ROLES = (
    "coordinator",
    "finance",
    "artistic",
    "director",
    "teacher",
    "teacher_other",
    "volunteer",
    "employee",
    "portal",
    "pupil_portal",
    "guardian_portal",
    "public",
)
# A teacher's own pupils: the running enrolments with that teacher.
OWN_PUPILS = {"teacher": frozenset({"adult", "minor"}), "teacher_other": frozenset({"other"})}
# ... and on the pupil's record the guardian's name, e-mail and phone, which
# the privacy policy gives a teacher ("Docent").
OWN_FAMILIES = {"teacher": frozenset({"adult", "minor", "guardian"}), "teacher_other": frozenset({"other"})}
INVOICE_ROWS = {
    "mail.followers": [("res_model", "=", "account.move")],
    "mail.message": [("model", "=", "account.move")],
    "mail.notification": [("mail_message_id.model", "=", "account.move")],
    "mail.mail": [("model", "=", "account.move")],
    "mail.tracking.value": [("mail_message_id.model", "=", "account.move")],
    "ir.attachment": [("res_model", "=", "account.move")],
}


@dataclass(frozen=True)
class Allow:
    """Role(s) may see, in the matching cells, rows about these people."""

    roles: tuple
    model: str  # fnmatch pattern
    field: str = "*"  # fnmatch pattern
    ops: tuple = ("*",)
    people: frozenset | str = ALL_PEOPLE  # or "own" / "own_families": a teacher's pupils (and guardians)
    rows: object = None  # None, a domain, or a callable(test, role) -> domain
    reason: str = ""

    def matches(self, role, model, fname, op):
        return (
            role in self.roles
            and fnmatch.fnmatchcase(model, self.model)
            and fnmatch.fnmatchcase(fname, self.field)
            and ("*" in self.ops or op in self.ops)
        )

    def people_for(self, role):
        if self.people == "own":
            return OWN_PUPILS.get(role, frozenset())
        if self.people == "own_families":
            return OWN_FAMILIES.get(role, frozenset())
        return self.people


def _own_running_enrollments(test, role):
    return [("teacher_id.user_id", "=", test.users[role].id), ("state", "in", ("trial", "active"))]


def _own_attendance(test, role):
    user_id = test.users[role].id
    return [
        ("lesson_id.teacher_id.user_id", "=", user_id),
        ("enrollment_id.teacher_id.user_id", "=", user_id),
        ("enrollment_id.state", "in", ("trial", "active")),
    ]


# THE allow-table: every cell where a role sees a pupil or guardian. Anything
# not listed here must be empty or refused.
ALLOW = (
    Allow(
        ("coordinator",),
        "*",
        reason="the coordinator manages pupils, guardians, enrolments and their correspondence (DESIGN: roles)",
    ),
    Allow(
        ("finance",),
        "res.partner",
        people=NOT_ARCHIVED,
        reason="finance reads the contact an invoice is addressed to, not of pupils in the passive archive",
    ),
    Allow(
        ("finance",),
        "mph.student",
        people=NOT_ARCHIVED,
        reason="finance reads name, address, e-mail and payer of pupils not in the passive archive",
    ),
    Allow(
        ("finance",),
        "account.*",
        people=NOT_ARCHIVED,
        reason="finance reads the invoices of a payer (account.move.partner_id and its lines, analysis)",
    ),
    *(
        Allow(
            ("finance",),
            model,
            people=NOT_ARCHIVED,
            rows=domain,
            reason="finance reads the chatter of the invoices it manages: the payer follows and is mailed the invoice",
        )
        for model, domain in INVOICE_ROWS.items()
    ),
    Allow(
        ("finance",),
        "res.partner.category",
        "partner_ids",
        people=NOT_ARCHIVED,
        reason="finance reads the tags of the contacts it may read",
    ),
    Allow(
        ("finance",),
        "product.supplierinfo",
        people=NOT_ARCHIVED,
        reason="vendor price lists are accounting data of contacts finance may read",
    ),
    Allow(
        ("finance",),
        "res.partner.autocomplete.sync",
        people=NOT_ARCHIVED,
        reason="Odoo's technical sync flag of a contact: only the link, to a contact finance may read",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "res.partner.autocomplete.sync",
        people="own",
        reason="Odoo's technical sync flag of a contact: only the link, to an own pupil's contact",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "mph.student",
        people="own_families",
        reason="a teacher reads the pupils of own running enrolments and their guardian's contact "
        "(privacy policy, 'Docent')",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "mph.teacher",
        "enrollment_ids",
        people="own",
        reason="a teacher's own record lists the teacher's running enrolments",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "res.partner",
        people="own",
        reason="mph.student delegates name, address and e-mail to the pupil's contact",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "mph.enrollment",
        people="own",
        rows=_own_running_enrollments,
        reason="a teacher reads own running enrolments",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "mph.lesson.attendance",
        people="own",
        rows=_own_attendance,
        reason="a teacher records the attendance of own running enrolments in own lessons (mph_timetable)",
    ),
)

# Mijn MPH (mph_portal): a pupil of 16 or older, and a guardian of a pupil
# under 16, with a portal login (UAVG art. 5: under 16 the guardian).
PORTAL_FAMILIES = {"pupil_portal": frozenset({"adult"}), "guardian_portal": frozenset({"guardian", "minor"})}
ALLOW += tuple(
    Allow(
        (role,),
        model,
        people=people,
        reason="Mijn MPH: a pupil of 16 or older sees themself; a guardian themself and the child under 16 "
        "(own contact, pupil record, lessons, consents, requests, the invoices they pay)",
    )
    for role, people in PORTAL_FAMILIES.items()
    for model in (
        "res.partner",
        "mph.student",
        "mph.enrollment",
        "mph.privacy.acceptance",
        "mph.privacy.request",
        "mph.correction.request",
        "account.move",
        "account.move.line",
        "res.users",
        "res.partner.autocomplete.sync",
    )
) + tuple(
    Allow(
        (role,),
        model,
        people=people,
        rows=domain,
        reason="Mijn MPH: the mail about the invoices they pay, sent to them (Odoo's invoice portal page)",
    )
    for role, people in PORTAL_FAMILIES.items()
    for model, domain in INVOICE_ROWS.items()
)
ALLOW += (
    Allow(
        ("finance",),
        "res.users",
        people=NOT_ARCHIVED,
        reason="the Mijn MPH login of a pupil or guardian whose contact finance may read",
    ),
    Allow(
        ("teacher", "teacher_other"),
        "res.users",
        people="own",
        reason="the Mijn MPH login of an own pupil (name and the e-mail the teacher already has)",
    ),
)

# The other side: cells that must show the people listed, or the test could
# pass because every read failed.
MUST_SEE = (
    ("coordinator", "mph.student", "id", "search_read", ALL_PEOPLE - {"guardian"}),
    ("coordinator", "res.partner", "id", "export_data", ALL_PEOPLE),
    ("coordinator", "mail.followers", "partner_id", "search_read", {"guardian"}),
    ("finance", "account.move", "partner_id", "search_read", {"adult", "guardian", "other"}),
    # The payer follows the invoice and is notified of it: finance keeps that.
    ("finance", "mail.followers", "partner_id", "search_read", {"guardian"}),
    ("finance", "mail.notification", "res_partner_id", "search_read", {"guardian"}),
    ("finance", "mph.student", "id", "name_search", {"adult", "minor", "other"}),
    ("teacher", "mph.student", "id", "search_read", {"adult", "minor"}),
    ("teacher", "mph.enrollment", "student_id", "read_group", {"adult", "minor"}),
    ("teacher_other", "mph.student", "id", "search_read", {"other"}),
)

# The same for models of addons that may not be installed: (model, entry).
MUST_SEE_IF_INSTALLED = (
    ("mph.lesson.attendance", ("teacher", "mph.lesson.attendance", "enrollment_id", "search_read", {"adult", "minor"})),
    ("mph.lesson.attendance", ("teacher_other", "mph.lesson.attendance", "enrollment_id", "search_read", {"other"})),
    # ... and with mph_portal installed.
    ("mph.correction.request", ("pupil_portal", "mph.student", "id", "search_read", {"adult"})),
    ("mph.correction.request", ("pupil_portal", "account.move", "partner_id", "search_read", {"adult"})),
    ("mph.correction.request", ("guardian_portal", "mph.student", "id", "search_read", {"minor"})),
    ("mph.correction.request", ("guardian_portal", "res.partner", "id", "search_read", {"guardian", "minor"})),
    ("mph.correction.request", ("guardian_portal", "mph.enrollment", "student_id", "search_read", {"minor"})),
    ("mph.correction.request", ("guardian_portal", "account.move", "partner_id", "search_read", {"guardian"})),
)

# Models not read here, and why.
SKIPPED_MODELS = {
    # Odoo's own bookkeeping of the registry: no rows about people.
    "ir.model.fields": "metadata",
}


@dataclass
class Cell:
    role: str
    model: str
    field: str
    op: str
    outcome: str = "empty"  # empty, denied, error, rows
    people: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    row_people: dict = field(default_factory=dict)
    canaries: set = field(default_factory=set)
    note: str = ""


@tagged("post_install", "-at_install", "mph_exposure")
class TestExposureRegistry(TransactionCase):
    """Discovers every path to a pupil or guardian and reads it as every role."""

    # ------------------------------------------------------------------
    # Fixture
    # ------------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        started = time.time()
        # Mail stays queued (mail.mail rows), as it does between two runs of the mail queue.
        cls.env = cls.env(
            context=dict(
                cls.env.context, no_reset_password=True, mail_create_nosubscribe=True, mail_notify_force_send=False
            )
        )
        cls.company = cls.env.company
        cls._setup_accounting()
        cls._setup_users()
        cls._setup_people()
        cls._setup_traces()
        cls._setup_invoices()
        cls._setup_timetable()
        cls._retire()
        cls.env.flush_all()
        cls.env.cr.precommit.run()  # tracking values are written at commit
        cls.canaries = cls._canaries()
        cls.target_ids = cls._target_ids()
        cls.paths, cls.discovered = cls._discover()
        cls.probed = cls._probe_empty_paths()
        if cls.probed:
            _logger.info("exposure: probe rows made for %s", ", ".join(f"{m}.{f}" for m, f in cls.probed))
            cls.paths, cls.discovered = cls._discover()
        cls.env.flush_all()
        cls.env.cr.precommit.run()
        _logger.info("exposure: fixture and discovery in %.1fs", time.time() - started)

    @classmethod
    def _setup_accounting(cls):
        # Without demo data the company may have no chart of accounts yet.
        if not cls.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1):
            cls.env["account.chart.template"].try_loading("nl", company=cls.company, install_demo=False)
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1
        )

    @classmethod
    def _setup_users(cls):
        groups = {
            "coordinator": "base.group_user,mph_school.group_coordinator",
            "finance": "base.group_user,mph_school.group_finance",
            "artistic": "base.group_user,mph_school.group_artistic",
            "director": "base.group_user,mph_school.group_director",
            "teacher": "base.group_portal,mph_school.group_teacher",
            "teacher_other": "base.group_portal,mph_school.group_teacher",
            "volunteer": "base.group_user,mph_newsletter.group_volunteer",
            "employee": "base.group_user",
            "portal": "base.group_portal",
        }
        cls.users = {}
        for role, group_ids in groups.items():
            if "base.group_user" in group_ids:
                # Export is a setting for all employees; the record rules must
                # hold with it switched on.
                group_ids += ",base.group_allow_export"
            if role == "volunteer" and "mph.newsletter.suppression" not in cls.env:
                continue  # mph_newsletter not installed
            cls.users[role] = new_test_user(
                cls.env,
                login=f"expo_{role}",
                groups=group_ids,
                name=f"Expo {role.replace('_', ' ').title()}",
                email=f"expo_{role}@example.org",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
        cls.users["public"] = cls.env.ref("base.public_user")

    @classmethod
    def _setup_people(cls):
        env = cls.env
        nl = env.ref("base.nl")
        cls.piano = env["mph.lesson.type"].create({"name": "Piano (expo)", "kind": "individual", "capacity": 4})
        cls.koor = env["mph.lesson.type"].create({"name": "Koor (expo)", "kind": "ensemble", "ensemble_type": "choir"})
        both = Command.set((cls.piano | cls.koor).ids)
        cls.teacher = env["mph.teacher"].create(
            {"name": "Henk Expodocent", "user_id": cls.users["teacher"].id, "lesson_type_ids": [both]}
        )
        cls.teacher_other = env["mph.teacher"].create(
            {"name": "Marieke Expodocent", "user_id": cls.users["teacher_other"].id, "lesson_type_ids": [both]}
        )
        address = {"street": "Oudegracht 12", "zip": "3511 AB", "city": "Utrecht", "country_id": nl.id}

        def email(key):
            return f"{PEOPLE[key]['name'].split()[-1].lower()}@example.nl"

        cls.guardian = env["res.partner"].create(
            {
                "name": PEOPLE["guardian"]["name"],
                "email": email("guardian"),
                "phone": PEOPLE["guardian"]["phone"],
                **address,
            }
        )
        cls.students = {}
        for key in ("adult", "minor", "other", "waiting", "archived", "anonymised"):
            person = PEOPLE[key]
            vals = {
                "name": person["name"],
                "email": email(key),
                "mobile": person["phone"],
                "birthdate": person["birthdate"],
                "company_id": False,
                **address,
            }
            if key == "minor":
                vals.update(guardian_id=cls.guardian.id, guardian_phone=PEOPLE["guardian"]["phone"])
            cls.students[key] = env["mph.student"].create(vals)
        plan = {
            "adult": (cls.piano, cls.teacher, "active"),
            "minor": (cls.koor, cls.teacher, "active"),
            "other": (cls.piano, cls.teacher_other, "active"),
            "waiting": (cls.piano, None, "waiting"),
            "archived": (cls.piano, cls.teacher, "stopped"),
            "anonymised": (cls.koor, cls.teacher, "stopped"),
        }
        # Mijn MPH: the adult pupil and the minor's guardian log in on the portal.
        family = env.ref("base.group_portal") | env.ref("mph_portal.group_family", raise_if_not_found=False)
        for role, partner in (("pupil_portal", cls.students["adult"].partner_id), ("guardian_portal", cls.guardian)):
            cls.users[role] = env["res.users"].create(
                {
                    "login": f"expo_{role}",
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set(cls.company.ids)],
                    "groups_id": [Command.set(family.ids)],
                }
            )
        cls.enrollments = {}
        for key, (lesson, teacher, state) in plan.items():
            vals = {"student_id": cls.students[key].id, "lesson_type_id": lesson.id, "state": state}
            if teacher:
                vals["teacher_id"] = teacher.id
            if state in ("active", "stopped"):
                vals["date_start"] = "2019-09-01"
            if state == "stopped":
                vals["date_end"] = "2020-06-30"
            cls.enrollments[key] = env["mph.enrollment"].create(vals)

    @classmethod
    def _setup_traces(cls):
        """What the coordinator's daily work leaves around a pupil: notes,
        mail with notifications, followers, an activity, attachments, a
        tracking value naming the pupil, a privacy request."""
        coordinator = cls.users["coordinator"]
        env = cls.env
        for key in ("minor", "anonymised"):
            student = cls.students[key]
            student.message_post(
                body=f"Notitie over {PEOPLE[key]['name']}", message_type="comment", subtype_xmlid="mail.mt_note"
            )
            student.message_subscribe(partner_ids=(student.guardian_id or student.partner_id).ids)
            env["ir.attachment"].create(
                {"name": "inschrijving.txt", "raw": b"handtekening", "res_model": "mph.student", "res_id": student.id}
            )
            student.activity_schedule("mail.mail_activity_data_todo", summary="Terugbellen", user_id=coordinator.id)
        minor = cls.students["minor"]
        minor.message_post(
            body=f"Beste ouder van {PEOPLE['minor']['name']}, de proefles is dinsdag.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=cls.guardian.ids,
            author_id=coordinator.partner_id.id,
        )
        cls.guardian.message_post(body="Adres gewijzigd", message_type="comment", subtype_xmlid="mail.mt_note")
        env["ir.attachment"].create(
            {"name": "machtiging.txt", "raw": b"iban", "res_model": "res.partner", "res_id": cls.guardian.id}
        )
        cls.enrollments["adult"].message_post(body="Lestijd verzet", message_type="comment")
        # A tracked change naming pupils in its old and new value.
        request = env["mph.privacy.request"].create(
            {"request_type": "access", "partner_id": cls.guardian.id, "student_id": minor.id}
        )
        env.flush_all()
        env.cr.precommit.run()
        request.write({"partner_id": minor.partner_id.id})
        cls.privacy_request = request

    @classmethod
    def _setup_invoices(cls):
        """The contribution run: the payer of each invoice follows it; the
        invoice is mailed to the payer (as account.move.send would)."""
        Season = cls.env["mph.season"]
        Season._ensure_seasons(years_back=0, years_ahead=0)
        season = Season._for_date(fields.Date.context_today(Season))
        product = cls.env["product.product"].create({"name": "Jaarbijdrage (expo)", "type": "service"})
        season.write(
            {"contribution_amount": 120.0, "contribution_product_id": product.id, "journal_id": cls.journal.id}
        )
        Invoicing = cls.env["mph.contribution.invoicing"].with_user(cls.users["finance"])
        cls.moves = Invoicing._invoice_contributions(season.with_env(Invoicing.env), send=False)["moves"].sudo()
        for move in cls.moves:
            move.message_post(
                body=f"Factuur {move.name}",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=move.partner_id.ids,
            )

    @classmethod
    def _setup_timetable(cls):
        """With mph_timetable: a lesson per enrolment of the fixture, with the
        pupil's attendance and a make-up credit."""
        if "mph.lesson.attendance" not in cls.env:
            return
        env = cls.env
        room = env["mph.room"].create({"name": "Expo studio"})
        season = env["mph.season"]._for_date(fields.Date.context_today(env["mph.season"]))
        for index, enrollment in enumerate(cls.enrollments.values()):
            lesson = env["mph.lesson"].create(
                {
                    "season_id": season.id,
                    "teacher_id": (enrollment.teacher_id or cls.teacher).id,
                    "room_id": room.id,
                    "lesson_type_id": enrollment.lesson_type_id.id,
                    "date": season.date_start + timedelta(days=index),
                    "start_time": 10.0,
                    "duration": 30,
                }
            )
            env["mph.lesson.attendance"].create(
                {"lesson_id": lesson.id, "enrollment_id": enrollment.id, "date": lesson.date, "state": "present"}
            )
            env["mph.makeup.credit"].create({"enrollment_id": enrollment.id, "lesson_id": lesson.id})

    @classmethod
    def _retire(cls):
        retention = cls.env["mph.retention"]
        retention._archive(cls.students["archived"])
        cls.env["mph.erasure"]._anonymise(cls.students["anonymised"])

    @classmethod
    def _canaries(cls):
        """Each person's strings that must not reach a reader: surname,
        e-mail and phone."""
        result = {}
        for key, person in PEOPLE.items():
            surname = person["name"].split()[-1].lower()
            result[key] = {surname, person["phone"], person["phone"][1:]}
        return result

    # ------------------------------------------------------------------
    # Discovery
    # ------------------------------------------------------------------

    @classmethod
    def _target_ids(cls):
        partners = {key: s.partner_id.id for key, s in cls.students.items()}
        partners["guardian"] = cls.guardian.id
        return {
            "res.partner": partners,
            "mph.student": {key: s.id for key, s in cls.students.items()},
            "mph.enrollment": {key: e.id for key, e in cls.enrollments.items()},
        }

    @classmethod
    def _direct_paths(cls, Model):
        """(field name, kind, comodel-or-model-field) of every field of
        ``Model`` that can point at a target record."""
        found = []
        if Model._name in TARGETS:
            found.append(("id", "identity", Model._name))
        for name, fld in Model._fields.items():
            if not (fld.store or fld.search):
                # Not searchable (a computed helper such as res.partner.self):
                # Odoo would ignore the condition. Its value is read with the
                # row of a stored path anyway.
                continue
            if fld.type in ("many2one", "many2many", "one2many") and fld.comodel_name in TARGETS:
                found.append((name, "relational", fld.comodel_name))
            elif fld.type == "many2one_reference" and fld.model_field:
                found.append((name, "reference_pair", fld.model_field))
            elif fld.type == "reference" and fld.store:
                found.append((name, "reference", None))
            elif (
                fld.type == "integer"
                and name == "res_id"
                and fld.store
                and Model._fields.get("res_model", Model._fields.get("model"))
            ):
                model_field = "res_model" if "res_model" in Model._fields else "model"
                if Model._fields[model_field].type == "char":
                    found.append((name, "reference_pair", model_field))
        return found

    @classmethod
    def _person_domains(cls, kind, fname, target):
        """{person: domain} for one path."""
        ids = cls._target_ids()
        domains = {}
        for person in PEOPLE:
            if kind == "identity":
                domains[person] = [("id", "=", ids[target].get(person, 0))]
            elif kind == "relational":
                if person in ids[target]:
                    domains[person] = [(fname, "in", [ids[target][person]])]
            elif kind == "reference_pair":
                alternatives = [
                    ["&", (target, "=", model), (fname, "=", by_person[person])]
                    for model, by_person in ids.items()
                    if person in by_person
                ]
                domains[person] = ["|"] * (len(alternatives) - 1) + [t for alt in alternatives for t in alt]
            elif kind == "reference":
                refs = [f"{model},{by_person[person]}" for model, by_person in ids.items() if person in by_person]
                domains[person] = [(fname, "in", refs)]
        return domains

    @classmethod
    def _discover(cls):
        """Every (model, field) path to a person with the rows it reaches:
        {(model, field): {"kind", "domain", "rows": {row id: {people}}}}, and
        the list of every discovered path (also those without rows)."""
        env = cls.env
        paths = {}
        discovered = []
        rows_by_model = defaultdict(dict)
        for model_name in sorted(env.registry):
            Model = env[model_name]
            # Abstract models have no rows. Transient models (wizards) are
            # readable only by the user who created them, and Odoo vacuums
            # them; what a wizard does lands in a regular model checked here.
            if Model._abstract or Model._transient or model_name in SKIPPED_MODELS:
                continue
            for fname, kind, target in cls._direct_paths(Model):
                discovered.append((model_name, fname))
                rows = defaultdict(set)
                Sudo = Model.sudo().with_context(active_test=False)
                for person, domain in cls._person_domains(kind, fname, target).items():
                    try:
                        with env.cr.savepoint(), mute_logger("odoo.sql_db", "odoo.osv.expression"):
                            found = Sudo.search(domain)
                    except (ValueError, NotImplementedError, UserError, psycopg2.Error):
                        found = Model.browse()  # not searchable this way
                    for row_id in found.ids:
                        rows[row_id].add(person)
                if rows:
                    paths[(model_name, fname)] = {"kind": kind, "rows": dict(rows), "level": 1}
                    fld = Model._fields.get(fname)
                    if kind == "relational" and fld.type in ("one2many", "many2many") and model_name != "mail.message":
                        # A row holding a list (a channel, a tag) is not about
                        # each person on it, nor are its other parts. A
                        # message is about the people it was sent to.
                        continue
                    for row_id, people in rows.items():
                        rows_by_model[model_name].setdefault(row_id, set()).update(people)
        # Parts of rows about people: a many2one that deletes with its parent.
        for model_name in sorted(env.registry):
            Model = env[model_name]
            if Model._abstract or Model._transient or model_name in SKIPPED_MODELS:
                continue
            for fname, fld in Model._fields.items():
                parent = fld.comodel_name if fld.type == "many2one" else None
                if (
                    not parent
                    or parent in TARGETS
                    or parent not in rows_by_model
                    or fld.ondelete != "cascade"
                    or not fld.store
                ):
                    continue
                discovered.append((model_name, fname))
                parent_rows = rows_by_model[parent]
                found = (
                    Model.sudo()
                    .with_context(active_test=False)
                    .search_read([(fname, "in", list(parent_rows))], [fname])
                )
                rows = {row["id"]: set(parent_rows[row[fname][0]]) for row in found}
                if rows:
                    paths[(model_name, fname)] = {"kind": "part", "parent": parent, "rows": rows, "level": 2}
        return paths, sorted(set(discovered))

    @classmethod
    def _probe_empty_paths(cls):
        """A model found without rows about a person (an app nobody uses yet)
        gets one, made with the least it needs, so that its path is read
        too. Returns the paths that got a probe row."""
        env = cls.env
        probed = []
        have = {model for model, _f in cls.paths}
        minor = cls.students["minor"]
        values = {
            "res.partner": minor.partner_id.id,
            "mph.student": minor.id,
            "mph.enrollment": cls.enrollments["minor"].id,
        }
        for model_name, fname in cls.discovered:
            Model = env[model_name]
            fld = Model._fields[fname]
            if (
                model_name in have
                or model_name in TARGETS
                or Model._auto is False
                or model_name in ("res.users", "mail.mail")
                or not fld.store
                or fld.type not in ("many2one", "many2many")
                or fld.comodel_name not in values
            ):
                continue
            vals = cls._minimal_values(Model)
            if vals is None:
                continue
            vals[fname] = (
                values[fld.comodel_name] if fld.type == "many2one" else [Command.set([values[fld.comodel_name]])]
            )
            try:
                with env.cr.savepoint(), mute_logger("odoo.sql_db", "odoo.models"):
                    Model.sudo().create(vals)
                    env.flush_all()
            except Exception as error:  # a probe that cannot be made is reported, not fatal
                _logger.info("exposure: no probe row for %s.%s (%s)", model_name, fname, str(error)[:120])
                continue
            probed.append((model_name, fname))
            have.add(model_name)
        return probed

    @classmethod
    def _minimal_values(cls, Model):
        """Values for the required fields without default, or None."""
        try:
            defaults = Model.sudo().default_get(list(Model._fields))
        except Exception:  # a model whose defaults fail gets no probe
            return None
        vals = {}
        for name, fld in Model._fields.items():
            if not fld.required or name in defaults or not fld.store or fld.compute or fld.related:
                continue
            if fld.type in ("char", "text", "html"):
                vals[name] = "Expo probe"
            elif fld.type == "selection":
                selection = fld.get_values(cls.env)
                if not selection:
                    return None
                vals[name] = selection[0]
            elif fld.type in ("integer", "float", "monetary"):
                vals[name] = 1
            elif fld.type == "date":
                vals[name] = fields.Date.today()
            elif fld.type == "datetime":
                vals[name] = fields.Datetime.now()
            elif fld.type == "many2one":
                record = cls.env[fld.comodel_name].sudo().search([], limit=1)
                if not record:
                    return None
                vals[name] = record.id
            elif fld.type == "boolean":
                vals[name] = False
            else:
                return None
        return vals

    # ------------------------------------------------------------------
    # Reading as a role
    # ------------------------------------------------------------------

    def _scan(self, payload):
        text = json.dumps(payload, default=str).lower() if not isinstance(payload, str) else payload.lower()
        digits = re.sub(r"[\s\-.]", "", text)
        return {person for person, strings in self.canaries.items() if any(s in text or s in digits for s in strings)}

    def _read(self, user, model_name, fname, info, op):
        """Run one operation; returns (outcome, returned row ids, payload)."""
        Model = self.env[model_name].with_user(user).with_context(active_test=False)
        # The rows found as superuser, asked for by id: a role that may not
        # search on the field itself still must not get the row.
        domain = [("id", "in", list(info["rows"]))]
        if op == "search_read":
            readable = [
                name for name, fld in Model._fields.items() if fld.type != "binary" and fld.is_accessible(Model.env)
            ]
            for field_list in (readable, [fname, "display_name"], ["id"]):
                try:
                    data = Model.search_read(domain, field_list)
                    return ("rows" if data else "empty"), [row["id"] for row in data], data
                except AccessError:
                    continue
            return "denied", [], None
        if op == "read_group":
            fld = Model._fields.get(fname)
            groupable = fld is not None and fld.store and fld.type in ("many2one", "many2many", "many2one_reference")
            groupby = [fname] if groupable and info["kind"] != "part" else []
            data = Model.read_group(domain, ["row_ids:array_agg(id)"], groupby, lazy=True)
            row_ids = [row_id for group in data for row_id in (group.get("row_ids") or [])]
            data = [group for group in data if group.get(f"{fname}_count", group.get("__count"))]
            return ("rows" if row_ids else "empty"), row_ids, data
        if op == "name_search":
            data = Model.name_search("", domain, limit=None)
            return ("rows" if data else "empty"), [row[0] for row in data], data
        if op == "export_data":
            records = Model.search(domain)
            if not records:
                return "empty", [], None
            export = ["display_name"] + ([] if fname == "id" else [fname])
            comodel = Model._fields[fname].comodel_name if fname in Model._fields else None
            if info["kind"] == "identity":
                comodel, prefix = model_name, ""
            else:
                prefix = f"{fname}/"
            extra = {
                "res.partner": ["email", "phone", "mobile"],
                "mph.student": ["email", "birthdate"],
                "mph.enrollment": ["student_id/name"],
            }.get(comodel, [])
            for export_fields in (export + [prefix + name for name in extra], export, ["display_name"]):
                try:
                    data = records.export_data(export_fields)["datas"]
                    return ("rows" if data else "empty"), records.ids, data
                except AccessError:
                    continue
            return "denied", [], None
        raise ValueError(op)

    def _run_cell(self, cell, user, info):
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.models", "odoo.sql_db", "odoo.osv.expression", "odoo.http"):
                outcome, row_ids, payload = self._read(user, cell.model, cell.field, info, cell.op)
        except (AccessError, MissingError):
            cell.outcome = "denied"
            return
        except UserError as error:
            if cell.op == "export_data" and not user.has_group("base.group_allow_export"):
                cell.outcome = "denied"  # Odoo's export right: portal and public users never have it
            else:
                cell.outcome, cell.note = "error", f"UserError: {str(error)[:100]}"
            return
        except (ValidationError, ValueError, KeyError, TypeError, NotImplementedError, psycopg2.Error) as e:
            cell.outcome, cell.note = "error", f"{type(e).__name__}: {str(e)[:100]}"
            return
        cell.outcome = outcome
        cell.canaries = self._scan(payload) if payload else set()
        fld = self.env[cell.model]._fields.get(cell.field)
        if info["kind"] == "relational" and fld.type in ("one2many", "many2many"):
            # A row holding a list (a tag, a channel) is not about the person;
            # the list is, when it shows the person's record to the role.
            links = self._x2many_links(cell, fld.comodel_name, payload)
            cell.rows, cell.row_people = sorted(links), links
        else:
            cell.rows = sorted(set(row_ids) & set(info["rows"]))
            cell.row_people = info["rows"]
        for row_id in cell.rows:
            cell.people |= cell.row_people[row_id]
        cell.outcome = "rows" if cell.rows or cell.canaries else ("denied" if outcome == "denied" else "empty")

    def _x2many_links(self, cell, comodel, payload):
        by_id = {record_id: person for person, record_id in self.target_ids[comodel].items()}
        links = defaultdict(set)
        if cell.op == "search_read":
            for row in payload or ():
                for record_id in row.get(cell.field) or ():
                    if record_id in by_id:
                        links[row["id"]].add(by_id[record_id])
        elif cell.op == "read_group":
            for group in payload or ():
                key = group.get(cell.field)
                if key and key[0] in by_id:
                    for row_id in group.get("row_ids") or ():
                        links[row_id].add(by_id[key[0]])
        return dict(links)

    def _verdict(self, cell):
        """None when the cell is fine, else why it leaks. Also returns
        whether the allow-table was needed."""
        if cell.outcome != "rows":
            return None, False
        if "anonymised" in cell.canaries:
            # No role may read what anonymisation destroyed.
            return "values of the anonymised person", False
        entries = [entry for entry in ALLOW if entry.matches(cell.role, cell.model, cell.field, cell.op)]
        if not entries:
            return f"rows about {sorted(cell.people | cell.canaries)}", False
        allowed_people = set().union(*(entry.people_for(cell.role) for entry in entries))
        problems = []
        if cell.canaries - allowed_people:
            problems.append(f"values of {sorted(cell.canaries - allowed_people)}")
        Model = self.env[cell.model].sudo().with_context(active_test=False)
        bad_rows = []
        for row_id in cell.rows:
            people = cell.row_people[row_id]
            ok = False
            for entry in entries:
                if not people <= entry.people_for(cell.role):
                    continue
                rows = entry.rows(self, cell.role) if callable(entry.rows) else entry.rows
                if rows is None or Model.browse(row_id).filtered_domain(rows):
                    ok = True
                    break
            if not ok:
                bad_rows.append((row_id, sorted(people)))
        if bad_rows:
            problems.append(f"rows {bad_rows[:4]}")
        return ("; ".join(problems) or None), True

    # ------------------------------------------------------------------
    # Reports
    # ------------------------------------------------------------------

    def _report_cells(self):
        models = {}
        for (model, _fname), info in self.paths.items():
            models.setdefault(model, set()).update(info["rows"])
        reports = self.env["ir.actions.report"].sudo().search([("model", "in", list(models))])
        cells = []
        for report in reports:
            rows = {}
            for (model, _fname), info in self.paths.items():
                if model == report.model:
                    for row_id, people in info["rows"].items():
                        rows.setdefault(row_id, set()).update(people)
            # One row per person is enough to see who reaches whom.
            picked, seen = [], set()
            for row_id, people in sorted(rows.items()):
                if not people <= seen:
                    picked.append(row_id)
                    seen |= people
            cells.append((report, {row_id: rows[row_id] for row_id in picked}))
        return cells

    def _run_report(self, cell, user, report, rows):
        Report = self.env["ir.actions.report"].with_user(user).with_context(active_test=False)
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.models", "odoo.sql_db", "odoo.http", "odoo.addons.base"):
                if report.report_type == "qweb-text":
                    payload, _type = Report._render_qweb_text(report.id, list(rows))
                else:
                    payload, _type = Report._render_qweb_html(report.id, list(rows))
        except (AccessError, MissingError):
            cell.outcome = "denied"
            return
        except Exception as error:  # a report that cannot render for a role shows nothing
            cell.outcome, cell.note = "error", f"{type(error).__name__}: {str(error)[:100]}"
            return
        # A report shows what it prints: it leaks when a person's name,
        # e-mail or phone is in it (a report of vendor bills renders nothing
        # of a customer invoice).
        text = payload.decode() if isinstance(payload, bytes) else str(payload)
        cell.canaries = self._scan(text)
        cell.people = set(cell.canaries)
        cell.outcome = "rows" if cell.canaries else "empty"

    # ------------------------------------------------------------------
    # The test
    # ------------------------------------------------------------------

    def test_exposure(self):
        started = time.time()
        self.assertIn(("mail.followers", "partner_id"), self.paths, "the fixture makes followers")
        self.assertIn(("mail.notification", "res_partner_id"), self.paths, "the fixture notifies a guardian")
        self.assertIn(("account.move", "partner_id"), self.paths, "the contribution run made invoices")
        _logger.info(
            "exposure: %d paths discovered on %d models, %d with rows about people (%d probed)",
            len(self.discovered),
            len({model for model, _f in self.discovered}),
            len(self.paths),
            len(self.probed),
        )
        _logger.info("exposure: paths read: %s", ", ".join(f"{m}.{f}" for m, f in sorted(self.paths)))
        leaks, cells, allowed, counts = [], [], 0, defaultdict(int)
        reports = self._report_cells()
        for role in ROLES:
            user = self.users.get(role)
            if not user:
                continue
            self.env.invalidate_all()
            for (model, fname), info in sorted(self.paths.items()):
                for op in OPS:
                    cell = Cell(role, model, fname, op)
                    self._run_cell(cell, user, info)
                    cells.append(cell)
            for report, rows in reports:
                cell = Cell(role, report.model, report.report_name, "report")
                self._run_report(cell, user, report, rows)
                cells.append(cell)
            for person, strings in self.canaries.items():
                cell = Cell(role, "res.partner", f"mention:{person}", "get_mention_suggestions")
                surname = next(s for s in strings if s.isalpha())
                try:
                    with self.env.cr.savepoint(), mute_logger("odoo.models", "odoo.sql_db"):
                        payload = self.env["res.partner"].with_user(user).get_mention_suggestions(surname)
                    cell.canaries = self._scan(payload)
                    cell.outcome = "rows" if cell.canaries else "empty"
                    cell.people = set(cell.canaries)
                except AccessError:
                    cell.outcome = "denied"
                cells.append(cell)
        grouped = defaultdict(list)
        for cell in cells:
            counts[cell.outcome] += 1
            problem, used_table = self._verdict(cell)
            allowed += bool(used_table and not problem)
            if problem:
                leaks.append(cell)
                grouped[(cell.role, cell.model, cell.field, problem)].append(cell.op)
        report_lines = [
            f"{role:<13} {model}.{fname} [{', '.join(ops)}]: {problem}"
            for (role, model, fname, problem), ops in sorted(grouped.items())
        ]
        _logger.info(
            "exposure: %d cells checked, %d allowed by table, %d leaking (%s) in %.0fs",
            len(cells),
            allowed,
            len(leaks),
            ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
            time.time() - started,
        )
        errors = [c for c in cells if c.outcome == "error"]
        for cell in errors[:30]:
            _logger.info(
                "exposure: %s %s.%s %s could not run: %s", cell.role, cell.model, cell.field, cell.op, cell.note
            )
        missing = []
        by_key = {(c.role, c.model, c.field, c.op): c for c in cells}
        must_see = MUST_SEE + tuple(entry for model, entry in MUST_SEE_IF_INSTALLED if model in self.env)
        for role, model, fname, op, people in must_see:
            cell = by_key.get((role, model, fname, op))
            if not cell or not set(people) <= cell.people:
                missing.append(
                    f"{role} {model}.{fname} {op} must show {sorted(people)}, got {cell and sorted(cell.people)}"
                )
        message = ""
        if leaks:
            message += f"{len(leaks)} leaking cells (role model.field [operations]: what):\n" + "\n".join(report_lines)
        if missing:
            message += "\nAllowed roles lost their data:\n" + "\n".join(missing)
        if message:
            self.fail(message)


@tagged("post_install", "-at_install", "mph_exposure")
class TestExposureAvatars(HttpCase):
    """The binary route: /web/image of a pupil's or guardian's avatar shows
    the picture only to the roles the allow-table lets read that contact;
    everyone else gets Odoo's placeholder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context=dict(cls.env.context, no_reset_password=True, tracking_disable=True))
        groups = {
            "coordinator": "base.group_user,mph_school.group_coordinator",
            "finance": "base.group_user,mph_school.group_finance",
            "artistic": "base.group_user,mph_school.group_artistic",
            "director": "base.group_user,mph_school.group_director",
            "teacher": "base.group_portal,mph_school.group_teacher",
            "teacher_other": "base.group_portal,mph_school.group_teacher",
            "employee": "base.group_user",
            "portal": "base.group_portal",
        }
        if "mph.newsletter.suppression" in env:
            groups["volunteer"] = "base.group_user,mph_newsletter.group_volunteer"
        cls.logins = {}
        users = {}
        for role, group_ids in groups.items():
            users[role] = new_test_user(env, login=f"expo_img_{role}", groups=group_ids)
            cls.logins[role] = f"expo_img_{role}"
        lesson = env["mph.lesson.type"].create({"name": "Gitaar (expo)", "kind": "individual"})
        teachers = {
            role: env["mph.teacher"].create(
                {"name": f"Docent {role}", "user_id": users[role].id, "lesson_type_ids": [Command.set(lesson.ids)]}
            )
            for role in ("teacher", "teacher_other")
        }
        cls.guardian = env["res.partner"].create(
            {"name": "Esther Zonnedauw", "email": "zonnedauw@example.nl", "image_1920": cls._png((200, 30, 40))}
        )
        cls.minor = env["mph.student"].create(
            {
                "name": "Daan Pimpernel",
                "birthdate": "2016-09-01",
                "email": "pimpernel@example.nl",
                "guardian_id": cls.guardian.id,
                "image_1920": cls._png((20, 200, 40)),
            }
        )
        env["mph.enrollment"].create(
            {
                "student_id": cls.minor.id,
                "lesson_type_id": lesson.id,
                "teacher_id": teachers["teacher"].id,
                "state": "active",
                "date_start": "2024-09-01",
            }
        )

    @staticmethod
    def _png(color):
        stream = io.BytesIO()
        Image.new("RGB", (64, 64), color).save(stream, format="PNG")
        return base64.b64encode(stream.getvalue())

    def _fetch(self, role, url):
        if role == "public":
            self.authenticate(None, None)
        else:
            self.authenticate(self.logins[role], self.logins[role])
        response = self.url_open(url)
        return response.status_code, response.content

    def test_avatar_route(self):
        # url, roles that must get the picture, roles that may (the rest must not)
        images = {
            "minor": (f"/web/image/res.partner/{self.minor.partner_id.id}/avatar_128", {"teacher"}, {"finance"}),
            # mph.student keeps the picture for the coordinator (OPEN_FIELDS); a teacher may, need not.
            "minor pupil": (f"/web/image/mph.student/{self.minor.id}/avatar_128", set(), {"finance", "teacher"}),
            "guardian": (f"/web/image/res.partner/{self.guardian.id}/avatar_128", set(), {"finance"}),
        }
        picture = {key: self._fetch("coordinator", url)[1] for key, (url, _must, _may) in images.items()}
        leaks, checked = [], 0
        for role in [*self.logins, "public"]:
            for key, (url, must, may) in images.items():
                if role in may:
                    continue
                status, content = self._fetch(role, url)
                checked += 1
                if (role == "coordinator" or role in must) and content != picture[key]:
                    leaks.append(f"{role} does not get the {key}'s picture it must see ({status})")
                elif role != "coordinator" and role not in must and content == picture[key]:
                    leaks.append(f"{role} gets the {key}'s picture at {url}")
        _logger.info("exposure: %d avatar cells checked", checked)
        self.assertFalse(leaks, "\n".join(leaks))
