from dateutil.relativedelta import relativedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, new_test_user

# Stored person data that no portal route may write (only the coordinator's approval).
PERSON_FIELDS = ("name", "street", "zip", "city", "email", "phone", "mobile")
STUDENT_FIELDS = ("name", "street", "zip", "city", "email", "phone", "mobile", "birthdate")


class MijnMphCommon(HttpCase):
    """Mijn MPH as a browser sees it: a payer with three children (two under
    16, one of 17), a second guardian who does not pay, a pupil of 17 with
    an own login, and another family."""

    # The tour runs on a phone.
    browser_size = "390x844"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True, mail_create_nosubscribe=True))
        today = fields.Date.today()
        nl = env.ref("base.nl")
        address = {"street": "Oudegracht 12", "zip": "3511 AB", "city": "Utrecht", "country_id": nl.id}
        cls.coordinator = new_test_user(
            env, login="mijn_coord", groups="base.group_user,base.group_partner_manager,mph_school.group_coordinator"
        )
        teacher_user = new_test_user(env, login="mijn_teacher", groups="base.group_portal,mph_school.group_teacher")
        cls.piano = env["mph.lesson.type"].create({"name": "Piano (mijn)", "kind": "individual", "capacity": 1})
        cls.teacher = env["mph.teacher"].create(
            {"name": "Henk Docentmijn", "user_id": teacher_user.id, "lesson_type_ids": [Command.set(cls.piano.ids)]}
        )
        Partner = env["res.partner"]
        cls.ma = Partner.create({"name": "Ma Wilgenroos", "email": "ma.wilgenroos@example.nl", **address})
        cls.pa = Partner.create({"name": "Pa Wilgenroos", "email": "pa.wilgenroos@example.nl", **address})
        cls.other = Partner.create({"name": "Olga Vreemdeling", "email": "olga@example.nl", **address})

        def student(name, years, guardian, **vals):
            return env["mph.student"].create(
                {
                    "name": name,
                    "birthdate": today - relativedelta(years=years, days=30),
                    "email": f"{name.split()[0].lower()}@example.nl",
                    "phone": "06-11112222",
                    "guardian_id": guardian.id,
                    **address,
                    **vals,
                }
            )

        cls.kid1 = student("Kim Wilgenroos", 10, cls.ma, guardian_ids=[Command.link(cls.pa.id)])
        cls.kid2 = student("Bo Wilgenroos", 12, cls.ma, guardian_ids=[Command.link(cls.pa.id)])
        cls.teen = student("Tess Wilgenroos", 17, cls.ma, guardian_ids=[Command.link(cls.pa.id)])
        cls.other_kid = student("Otto Vreemdeling", 9, cls.other)

        def enroll(pupil, state, teacher=None):
            vals = {"student_id": pupil.id, "lesson_type_id": cls.piano.id, "state": state}
            if teacher:
                vals.update(teacher_id=teacher.id, date_start="2024-09-01")
            return env["mph.enrollment"].create(vals)

        cls.enr_kid2 = enroll(cls.kid2, "active", cls.teacher)
        cls.enr_teen = enroll(cls.teen, "waiting")
        cls.enr_kid1 = enroll(cls.kid1, "waiting")
        cls.enr_other = enroll(cls.other_kid, "waiting")

        def login(partner, name):
            return env["res.users"].create(
                {
                    "login": name,
                    "password": name + "-Pw1!",
                    "partner_id": partner.id,
                    "groups_id": [Command.set((env.ref("base.group_portal") | env.ref("mph_portal.group_family")).ids)],
                }
            )

        cls.user_ma = login(cls.ma, "mijn_ma")
        cls.user_pa = login(cls.pa, "mijn_pa")
        cls.user_teen = login(cls.teen.partner_id, "mijn_teen")
        cls.user_other = login(cls.other, "mijn_other")
        # An invoice to the payer (posted: the payer follows it).
        journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1)
        cls.invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.ma.id,
                "journal_id": journal.id,
                "invoice_line_ids": [Command.create({"name": "Lesgeld Kim", "quantity": 1, "price_unit": 120.0})],
            }
        )
        cls.invoice.action_post()
        cls.other_invoice = cls.invoice.copy({"partner_id": cls.other.id, "partner_shipping_id": cls.other.id})
        cls.other_invoice.action_post()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _login(self, user):
        self.authenticate(user.login, user.login + "-Pw1!")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data=None):
        return self.url_open(
            url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, allow_redirects=False
        )

    def _snapshot(self):
        self.env.invalidate_all()
        partners = (self.ma | self.pa | self.other).sudo()
        students = (self.kid1 | self.kid2 | self.teen | self.other_kid).sudo()
        return (
            partners.read(PERSON_FIELDS),
            students.read(STUDENT_FIELDS),
        )

    def _mijn_routes(self):
        """Every route of this addon (found in the routing map, so a new one is
        covered without listing it)."""
        routes = []
        for rule in self.env["ir.http"].routing_map().iter_rules():
            endpoint = getattr(rule.endpoint, "original_endpoint", rule.endpoint)
            module = getattr(endpoint, "__module__", "")
            if module.startswith("odoo.addons.mph_portal.") and rule.rule not in routes:
                routes.append(rule.rule)
        return routes

    def _fill(self, route, ids):
        """The route with every id converter filled with ``ids``' values."""
        url = route
        for converter, value in (("<int:student_id>", ids["student"]), ("<int:enrollment_id>", ids["enrollment"])):
            url = url.replace(converter, str(value))
        url = url.replace("<int:request_id>", str(ids["request"])).replace("<string:fmt>", "json")
        return url
