import json
import logging

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MijnMphCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "mph_mijn")
class TestMijnMph(MijnMphCommon):
    """Mijn MPH as a browser sees it (the family of common.py)."""

    def test_model_access(self):
        """Model-level rights: the new model, and Mijn MPH's read-only reach on
        the school's models, which a teacher (also a portal user) does not get."""
        acl = {
            "mph.correction.request": {"coordinator": "rwc", "family": "rc"},
            "mph.student": {"coordinator": "rwcu", "family": "r", "teacher": "r"},
            "mph.enrollment": {"coordinator": "rwcu", "family": "r", "teacher": "r"},
            "mph.privacy.acceptance": {"coordinator": "rc", "family": "r"},
            "mph.privacy.request": {"coordinator": "rwc", "family": "r"},
        }
        users = {"coordinator": self.coordinator, "family": self.user_ma, "teacher": self.teacher.user_id}
        Access = self.env["ir.model.access"]
        for model, rights in acl.items():
            for role, user in users.items():
                for letter, operation in (("r", "read"), ("w", "write"), ("c", "create"), ("u", "unlink")):
                    with self.subTest(model=model, role=role, operation=operation):
                        expected = letter in rights.get(role, "")
                        self.assertEqual(
                            Access.with_user(user).check(model, operation, raise_exception=False), expected
                        )

    # ------------------------------------------------------------
    # The flow: a parent with two children changes the address
    # ------------------------------------------------------------

    def test_parent_flow(self):
        self._login(self.user_ma)
        response = self._get("/my/mph")
        self.assertEqual(response.status_code, 200)
        for name in ("Kim Wilgenroos", "Bo Wilgenroos", "Oudegracht 12", "ma.wilgenroos@example.nl"):
            self.assertIn(name, response.text)
        self.assertNotIn("Tess Wilgenroos", response.text, "17: her personal data is her own")
        self.assertNotIn("Vreemdeling", response.text)
        self.assertIn("/my/invoices", response.text, "the payer has invoices")
        response = self._get(f"/my/mph/leerling/{self.kid1.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_mph_waiting_position", response.text)
        response = self._get(f"/my/mph/leerling/{self.kid2.id}")
        self.assertIn("Henk Docentmijn", response.text, "the teacher's name")
        self.assertEqual(self.url_open("/my").status_code, 200)
        self.assertIn("/my/mph", self.url_open("/my").text, "the Mijn MPH tile")
        self.assertTrue(self._get("/my/account").headers.get("Location", "").endswith("/my/mph/wijzigen"))

        before = self._snapshot()
        response = self._post("/my/mph/wijzigen", {"street": "Nieuwe Gracht 5", "zip": "3512ab", "city": "Utrecht"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._snapshot(), before, "nothing written before approval")
        corrections = self.env["mph.correction.request"].search([("partner_id", "=", self.ma.id)])
        self.assertEqual(sorted(corrections.mapped("field_name")), ["street", "zip"])
        self.assertEqual(corrections.filtered(lambda c: c.field_name == "zip").new_value, "3512 AB")
        privacy = corrections.privacy_request_id
        self.assertEqual(len(privacy), 1)
        self.assertEqual(privacy.request_type, "rectification")
        self.assertEqual(privacy.date_due, privacy.date_received + relativedelta(months=1))
        self.assertIn("Nieuwe Gracht 5", self._get("/my/mph/verzoeken").text)

        # Bad input: a clear message, nothing recorded.
        response = self._post("/my/mph/wijzigen", {"email": "geen-adres"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("geen-adres", response.text)
        self.assertEqual(self.env["mph.correction.request"].search_count([("partner_id", "=", self.ma.id)]), 2)

        # The coordinator approves from the diff view.
        corrections.with_user(self.coordinator).action_approve()
        self.assertEqual(self.ma.street, "Nieuwe Gracht 5")
        self.assertEqual(self.ma.zip, "3512 AB")
        self.assertEqual(privacy.state, "done")
        mail = self.env["mail.mail"].search([("email_to", "ilike", "ma.wilgenroos@example.nl")], limit=1)
        self.assertTrue(mail, "the person is told the outcome")
        self.assertIn("Nieuwe Gracht 5", str(mail.body_html))
        self.assertIn("Nieuwe Gracht 5", self._get("/my/mph").text, "the parent sees the change")

    def test_tour_phone(self):
        """The same flow in Chromium on a phone; the coordinator approves and
        the parent sees the new address."""
        self.start_tour("/web/login?redirect=/my", "mph_mijn_mph_tour", login=None)
        correction = self.env["mph.correction.request"].search([("partner_id", "=", self.ma.id)])
        self.assertEqual((correction.field_name, correction.new_value), ("street", "Nieuwe Gracht 5"))
        correction.with_user(self.coordinator).action_approve()
        self._login(self.user_ma)
        self.assertIn("Nieuwe Gracht 5", self._get("/my/mph").text)

    def test_reject_and_child_phone(self):
        self._login(self.user_pa)
        self._post("/my/mph/wijzigen", {"student_id": self.kid1.id, "phone": "06-99998888"})
        correction = self.env["mph.correction.request"].search([("student_id", "=", self.kid1.id)])
        self.assertEqual((correction.field_name, correction.old_value), ("phone", "06-11112222"))
        self.assertEqual(correction.requested_by_id, self.pa)
        with self.assertRaises(UserError):
            correction.with_user(self.coordinator).action_reject()  # a reason is required
        correction.reject_reason = "Nummer onbekend"
        correction.with_user(self.coordinator).action_reject()
        self.assertEqual(self.kid1.phone, "06-11112222")
        self.assertEqual(correction.privacy_request_id.state, "rejected")

    # ------------------------------------------------------------
    # Access: several guardians, the age-16 split, other families
    # ------------------------------------------------------------

    def test_guardians_both_ways(self):
        Student = self.env["mph.student"]
        self.assertEqual(Student.with_user(self.user_ma).search([]), self.kid1 | self.kid2)
        self.assertEqual(Student.with_user(self.user_pa).search([]), self.kid1 | self.kid2, "second guardian too")
        self.assertEqual(Student.with_user(self.user_other).search([]), self.other_kid)
        self.assertIn(self.ma, self.kid1.guardian_ids, "the payer is one of the guardians")
        self.kid2.guardian_ids = [Command.unlink(self.pa.id)]
        self.env.invalidate_all()
        self.assertEqual(Student.with_user(self.user_pa).search([]), self.kid1, "no longer a guardian of Bo")
        self.assertTrue(self.pa.sudo().mph_school_person, "a second guardian is a school person")
        self._login(self.user_pa)
        self.assertEqual(self._get(f"/my/mph/leerling/{self.kid2.id}").status_code, 404)

    def test_age_16_split(self):
        Enrollment = self.env["mph.enrollment"]
        Student = self.env["mph.student"]
        # Tess (17): the payer keeps her enrolment, not her data; the other parent neither.
        self.assertIn(self.enr_teen, Enrollment.with_user(self.user_ma).search([]))
        self.assertNotIn(self.enr_teen, Enrollment.with_user(self.user_pa).search([]))
        self.assertNotIn(self.teen, Student.with_user(self.user_ma).search([]))
        self.assertEqual(Student.with_user(self.user_teen).search([]), self.teen, "her own, only")
        self._login(self.user_ma)
        self.assertEqual(self._get(f"/my/mph/leerling/{self.teen.id}").status_code, 404)
        self._login(self.user_teen)
        response = self._get(f"/my/mph/leerling/{self.teen.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("UAVG", response.text)
        self._post(f"/my/mph/leerling/{self.teen.id}/ouders", {"allow": "1"})
        consent = self.env["mph.privacy.acceptance"].search([("student_id", "=", self.teen.id)])
        self.assertEqual(consent.kind, "guardian_access")
        self.assertEqual(consent.partner_id, self.teen.partner_id)
        self.env.invalidate_all()
        self.assertIn(self.teen, Student.with_user(self.user_ma).search([]), "allowed by Tess")
        self._post(f"/my/mph/leerling/{self.teen.id}/ouders", {"allow": "0"})
        # Her own requests are about her own pupil record.
        self._post("/my/mph/verzoek", {"request_type": "objection"})
        objection = self.env["mph.privacy.request"].search([("request_type", "=", "objection")])
        self.assertEqual((objection.partner_id, objection.student_id), (self.teen.partner_id, self.teen))
        self.env.invalidate_all()
        self.assertNotIn(self.teen, Student.with_user(self.user_pa).search([]), "withdrawn")
        # The other way: a guardian cannot decide for a pupil of 16+, nor a child under 16 for itself.
        self._login(self.user_ma)
        self.assertEqual(self._post(f"/my/mph/leerling/{self.kid1.id}/ouders", {"allow": "0"}).status_code, 404)
        # Turning 16: the guardians lose the personal data.
        self.kid2.birthdate = fields.Date.today() - relativedelta(years=16)
        self.env.invalidate_all()
        self.assertNotIn(self.kid2, Student.with_user(self.user_pa).search([]))
        self.assertNotIn(self.kid2.partner_id, self.env["res.partner"].with_user(self.user_pa).search([]))
        self.assertIn(self.enr_kid2, Enrollment.with_user(self.user_ma).search([]), "the payer keeps the lessons")

    def test_invoices_payer_only(self):
        Move = self.env["account.move"]
        self.assertEqual(Move.with_user(self.user_ma).search([]), self.invoice)
        self.assertFalse(Move.with_user(self.user_pa).search([]), "a parent who does not pay sees no invoice")
        self._login(self.user_pa)
        response = self._get(f"/my/invoices/{self.invoice.id}")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("Lesgeld", response.text)
        self._login(self.user_ma)
        self.assertEqual(self._get(f"/my/invoices/{self.invoice.id}").status_code, 200)
        self.assertNotEqual(self._get(f"/my/invoices/{self.other_invoice.id}").status_code, 200)

    def test_idor_every_route(self):
        """Each route of the addon with another family's ids: 404 and none of
        their data; and no route writes a person's data."""
        other_request = self.env["mph.privacy.request"].with_user(self.user_other)._mph_portal_file("access")
        other_request.with_user(self.user_other)._mph_portal_fulfil_access()
        foreign = {"student": self.other_kid.id, "enrollment": self.enr_other.id, "request": other_request.id}
        routes = self._mijn_routes()
        self.assertGreaterEqual(len(routes), 8, routes)
        before = self._snapshot()
        self._login(self.user_ma)
        checked = 0
        for route in routes:
            if "<" not in route:
                continue
            url = self._fill(route, foreign)
            for method in ("get", "post"):
                response = (
                    self._get(url) if method == "get" else self._post(url, {"date_end": "2099-01-01", "allow": "1"})
                )
                if response.status_code == 405:
                    continue
                checked += 1
                self.assertEqual(response.status_code, 404, f"{method} {url}")
                self.assertNotIn("Vreemdeling", response.text, f"{method} {url}")
        for url, data in (
            ("/my/mph/wijzigen", {"student_id": self.other_kid.id, "street": "Kaapweg 1"}),
            ("/my/mph/verzoek", {"student_id": self.other_kid.id, "request_type": "erasure"}),
            ("/my/mph/inzage", {"student_id": self.other_kid.id}),
        ):
            response = self._post(url, data)
            checked += 1
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("Vreemdeling", response.text)
        self.assertEqual(self._get(f"/my/mph/wijzigen?student_id={self.other_kid.id}").status_code, 404)
        self.assertEqual(self.enr_other.state, "waiting")
        self.assertFalse(self.env["mph.correction.request"].search([("student_id", "=", self.other_kid.id)]))
        # Now every route with the family's own ids: still no person data written.
        own = {"student": self.kid1.id, "enrollment": self.enr_kid1.id, "request": other_request.id}
        for route in routes:
            url = self._fill(route, own)
            self._get(url)
            self._post(url, {"street": "Ergens 1", "phone": "0612121212", "request_type": "objection", "allow": "1"})
        self.assertEqual(self._snapshot(), before, "no portal route writes a person's data")
        _logger.info("mijn mph: %d foreign-id requests answered 404 on %d routes", checked, len(routes))

    # ------------------------------------------------------------
    # Own data and requests
    # ------------------------------------------------------------

    def test_export_erasure_cancel(self):
        self._login(self.user_ma)
        response = self._post("/my/mph/inzage", {"student_id": self.kid1.id})
        self.assertEqual(response.status_code, 303)
        privacy = self.env["mph.privacy.request"].search(
            [("partner_id", "=", self.ma.id), ("request_type", "=", "access")]
        )
        self.assertEqual((privacy.state, privacy.channel, privacy.identity_method), ("done", "website", "portal_login"))
        response = self._get(f"/my/mph/inzage/{privacy.id}/json")
        self.assertEqual(response.status_code, 200)
        data = json.loads(response.content)
        self.assertIn("Kim Wilgenroos", json.dumps(data))
        self.assertNotIn("Vreemdeling", response.text)
        self.assertNotIn("Tess", response.text, "17: not in her parent's export")
        self.assertEqual(self._get(f"/my/mph/inzage/{privacy.id}/pdf").status_code, 200)
        self._login(self.user_pa)
        self.assertEqual(self._get(f"/my/mph/inzage/{privacy.id}/json").status_code, 404, "Ma's export is Ma's")
        # The other parent's export of the same child: not Ma's contact data nor her invoice.
        self._post("/my/mph/inzage", {"student_id": self.kid1.id})
        pa_export = self.env["mph.privacy.request"].search([("partner_id", "=", self.pa.id)])
        text = self._get(f"/my/mph/inzage/{pa_export.id}/json").text
        self.assertIn("Kim Wilgenroos", text)
        self.assertIn("pa.wilgenroos@example.nl", text)
        self.assertNotIn("ma.wilgenroos@example.nl", text)
        self.assertNotIn("Lesgeld", text)
        self.assertNotIn(self.invoice.name, text)

        self._login(self.user_ma)
        self._post(
            "/my/mph/verzoek", {"request_type": "erasure", "student_id": self.kid1.id, "description": "Wij stoppen"}
        )
        erasure = self.env["mph.privacy.request"].search([("request_type", "=", "erasure")])
        self.assertEqual((erasure.student_id, erasure.state), (self.kid1, "verified"))
        self.assertEqual(erasure.date_due, fields.Date.today() + relativedelta(months=1))
        self.assertIn(erasure.name, self._get("/my/mph/verzoeken").text)

        day = fields.Date.today() + relativedelta(days=20)
        self._post(f"/my/mph/opzeggen/{self.enr_kid2.id}", {"date_end": str(day)})
        self.assertEqual((self.enr_kid2.state, self.enr_kid2.date_end), ("active", day))
        self.assertEqual(self.env["mph.enrollment"].with_context(date=day)._cron_stop_cancelled(), 0)
        self._post(f"/my/mph/opzeggen/{self.enr_kid1.id}", {"date_end": str(fields.Date.today())})
        self.assertEqual(self.enr_kid1.state, "cancelled")
        self._post(f"/my/mph/opzeggen/{self.enr_kid2.id}", {"date_end": "2001-01-01"})
        self.assertEqual(self.enr_kid2.date_end, day, "a date in the past changes nothing")
        # Each cancellation is on the request log, answered at once; the refused one is not.
        cancellations = self.env["mph.privacy.request"].search(
            [("partner_id", "=", self.ma.id), ("request_type", "=", "cancellation")]
        )
        self.assertEqual(len(cancellations), 2)
        self.assertEqual(set(cancellations.mapped("state")), {"done"})
        self.assertEqual(cancellations.student_id, self.kid1 | self.kid2)
        self.assertTrue(all(c.date_done == fields.Date.today() for c in cancellations))

    def test_newsletter_unsubscribe(self):
        if "mph.newsletter.suppression" not in self.env:
            self.skipTest("mph_newsletter is not installed")
        newsletter = self.env["mailing.list"]._mph_newsletter()
        contact = self.env["mailing.contact"].create({"email": "ma.wilgenroos@example.nl"})
        other = self.env["mailing.contact"].create({"email": "olga@example.nl"})
        subscriptions = self.env["mailing.subscription"].create(
            [
                {"contact_id": c.id, "list_id": newsletter.id, "mph_state": "confirmed", "opt_out": False}
                for c in (contact, other)
            ]
        )
        self._login(self.user_ma)
        self.assertIn("o_mph_newsletter_form", self._get("/my/mph").text)
        Request = self.env["mph.privacy.request"]
        objections = [("partner_id", "=", self.ma.id), ("request_type", "=", "objection")]
        self.assertFalse(Request.search(objections))
        self._post("/my/mph/nieuwsbrief")
        self.assertEqual(subscriptions.mapped("opt_out"), [True, False], "only the user's own address")
        logged = Request.search(objections)
        self.assertEqual((len(logged), logged.state, logged.channel), (1, "done", "website"))
        self._post("/my/mph/nieuwsbrief")
        self.assertEqual(len(Request.search(objections)), 1, "nothing to unsubscribe: nothing logged")
        self.assertNotIn("o_mph_newsletter_form", self._get("/my/mph").text)

    # ------------------------------------------------------------
    # Accounts
    # ------------------------------------------------------------

    def test_accounts(self):
        action = self.kid1.with_user(self.coordinator).action_mph_portal_invite()
        wizard = self.env["portal.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.user_ids.partner_id, self.ma | self.pa, "under 16: the guardians")
        action = self.teen.with_user(self.coordinator).action_mph_portal_invite()
        self.assertEqual(self.env["portal.wizard"].browse(action["res_id"]).user_ids.partner_id, self.teen.partner_id)
        with self.assertRaises(AccessError):
            self.kid1.with_user(self.user_ma).action_mph_portal_invite()
        # A guardian without a login gets a portal login with Mijn MPH (the
        # invitation mail sets the password).
        newcomer = self.env["res.partner"].create({"name": "Nina Nieuwkomer", "email": "nina@example.nl"})
        self.kid1.guardian_ids = [Command.link(newcomer.id)]
        action = self.kid1.with_user(self.coordinator).action_mph_portal_invite()
        line = self.env["portal.wizard"].browse(action["res_id"]).user_ids.filtered(lambda w: w.partner_id == newcomer)
        line.with_user(self.coordinator).action_grant_access()
        self.assertTrue(line.user_id.share)
        self.assertTrue(line.user_id.has_group("mph_portal.group_family"))
        self.assertEqual(self.env["mph.student"].with_user(line.user_id).search([]), self.kid1)
        # The passive archive disables logins; anonymisation deletes them.
        retention = self.env["mph.retention"]
        retention._archive(self.teen)
        self.assertFalse(self.user_teen.active, "archived: the login is disabled")
        self.assertTrue(self.user_ma.active, "Ma still has current children")
        self.env["mph.erasure"]._anonymise(self.other_kid)
        self.assertFalse(self.user_other.exists(), "anonymised: the guardian's login is deleted")
        self.assertTrue(self.user_ma.exists())
