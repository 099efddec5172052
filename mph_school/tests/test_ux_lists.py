"""The coordinator's lists and access requests as a person uses them: the
waiting list from position 1, printable waiting and class lists, no
"Delete" beside the erasure request, and an access request that reads as a
Dutch answer."""

import json
from ast import literal_eval

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail

from .common import MphCommon


@tagged("post_install", "-at_install", "mph_ux_lists")
class TestUxLists(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bassoon = cls.env["mph.lesson.type"].create({"name": "Fagot (lijst)", "kind": "individual", "capacity": 1})
        cls.teacher.lesson_type_ids |= cls.bassoon
        pupils = [cls.create_student(f"Wachter {i}", "1990-01-01") for i in range(3)]
        # Asked in this order: the newest last, so position 3.
        cls.queue = cls.env["mph.enrollment"]
        for pupil, day in zip(pupils, ("2025-01-10", "2025-02-10", "2025-03-10"), strict=True):
            cls.queue |= cls.enroll(pupil, cls.bassoon, state="waiting", date_requested=day)
        cls.running = cls.enroll(cls.other_pupil, cls.bassoon, cls.teacher, "active")

    def _arch(self, xmlid):
        return etree.fromstring(self.env.ref(xmlid).arch)

    def test_waiting_list_starts_at_position_one(self):
        action = self.env.ref("mph_school.mph_enrollment_action_waiting")
        view = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        self.assertEqual(view, self.env.ref("mph_school.mph_enrollment_view_list_waiting"))
        order = etree.fromstring(view.arch).get("default_order")
        shown = (
            self.env["mph.enrollment"]
            .with_user(self.user_coordinator)
            .search(
                [*literal_eval(action.domain), ("lesson_type_id", "=", self.bassoon.id)],
                order=order,
            )
        )
        self.assertEqual(shown, self.queue)
        self.assertEqual(shown.mapped("waiting_position"), [1, 2, 3])
        # Running enrolments have no position, and the lists do not show one.
        self.assertEqual(self.running.waiting_position, 0)
        column = self._arch("mph_school.mph_enrollment_view_list").find(".//field[@name='waiting_position']")
        self.assertEqual(column.get("invisible"), "state != 'waiting'")

    def test_print_waiting_list_and_class_list(self):
        Report = self.env["ir.actions.report"].with_user(self.user_coordinator)
        html, _type = Report._render_qweb_html("mph_school.action_report_waiting_list", (self.queue | self.running).ids)
        page = html.decode()
        positions = [page.index(name) for name in self.queue.student_id.mapped("name")]
        self.assertEqual(positions, sorted(positions), "position 1 first")
        self.assertNotIn(self.other_pupil.name, page, "only who is waiting")
        html, _type = Report._render_qweb_html("mph_school.action_report_class_list", self.bassoon.ids)
        page = html.decode()
        self.assertIn(self.other_pupil.name, page)
        self.assertNotIn(self.queue[0].student_id.name, page, "the waiting list is not the class")
        for xmlid in ("mph_school.action_report_waiting_list", "mph_school.action_report_class_list"):
            report = self.env.ref(xmlid)
            self.assertEqual(report.binding_type, "report", "in the coordinator's Print menu")
            self.assertEqual(report.groups_id, self.env.ref("mph_school.group_coordinator"))
        for user in (self.user_artistic, self.user_finance, self.user_teacher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ir.actions.report"].with_user(user)._render_qweb_html(
                    "mph_school.action_report_class_list", self.bassoon.ids
                )

    def test_pupils_are_erased_not_deleted(self):
        for view in ("mph_student_view_list", "mph_student_view_form", "mph_student_view_kanban"):
            self.assertEqual(self._arch(f"mph_school.{view}").get("delete"), "0", view)
        pupil = self.create_student("Dubbel Ingevoerd", "2000-01-01")
        with self.assertRaisesRegex(AccessError, "erasure request"):
            pupil.with_user(self.user_coordinator).unlink()
        self.assertTrue(pupil.exists())
        # The school's own jobs (expired sign-ups) still remove a record.
        pupil.unlink()
        self.assertFalse(pupil.exists())


@tagged("post_install", "-at_install", "mph_ux_lists", "mph_privacy_request")
class TestUxPrivacyRequest(MphCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        (cls.adult.partner_id | cls.minor.partner_id | cls.guardian).write({"lang": "nl_NL"})
        cls.Request = cls.env["mph.privacy.request"].with_user(cls.user_coordinator)

    def verified(self, request_type, student):
        request = self.Request.create(
            {"request_type": request_type, "student_id": student.id, "identity_method": "known_email"}
        )
        request.action_verify_identity()
        return request

    def test_request_form(self):
        Request = self.Request.with_context(lang="nl_NL")
        self.assertEqual(Request.default_get(["name"])["name"], "Nieuw", "not '/' before it is saved")
        request = Request.create({"request_type": "access", "student_id": self.adult.id})
        self.assertRegex(request.name, r"^AVG/\d{4}/\d{4}$")
        # The status column has its own label, not "State" (Dutch: "Provincie").
        self.assertEqual(Request.fields_get(["state"])["state"]["string"], "Status")
        form = self._form_arch()
        self.assertEqual(form.find(".//field[@name='student_id']").get("options"), "{'no_create': True}")

    def _form_arch(self):
        return etree.fromstring(self.env.ref("mph_school.mph_privacy_request_view_form").arch)

    def test_access_export_reads_as_dutch_answer(self):
        self.adult.write({"newsletter_consent": True})
        request = self.verified("access", self.adult)
        action = request.action_process()
        # Downloaded in the background: the form stays and reloads.
        self.assertEqual(action["target"], "download")
        self.assertEqual(request.state, "done")
        data = json.loads(request.export_attachment_id.raw)
        self.assertLessEqual({"Verzoek", "Leerling", "Contactgegevens van de leerling", "Inschrijvingen"}, set(data))
        self.assertEqual(data["Leerling"]["Toestemming nieuwsbrief"], "Ja")
        text = json.dumps(data, ensure_ascii=False)
        for english in ('"pupil"', '"request"', "true", "Crediteurenrekening", "Debiteurenrekening", "Peppol"):
            self.assertNotIn(english, text)
        contact = data["Contactgegevens van de leerling"]
        email = self.env["res.partner"]._fields["email"]._description_string(self.env(context={"lang": "nl_NL"}))
        self.assertEqual(contact[email], "sanne@example.nl")
        self.assertIn("Oudegracht 12", contact.values())
        page = request._export_page_attachment()
        self.assertIn("<h1>", page.raw.decode())
        self.assertIn("Sanne Bakker", page.raw.decode())
        self.assertEqual(request.action_open_export_page()["url"], f"/mph/privacy-request/{request.id}/inzage.html")

    def test_pdf_on_the_school_letterhead(self):
        request = self.verified("access", self.adult)
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.user_coordinator)
            ._render_qweb_html("mph_school.action_report_privacy_export", request.ids)
        )
        page = html.decode()
        self.assertIn(f"o_company_{self.env.company.id}_layout", page, "the external layout: letterhead")
        self.assertIn("Sanne Bakker", page)
        self.assertNotIn("Debiteurenrekening", page)

    def test_erasure_confirmation_goes_out_before_the_erasure(self):
        request = self.verified("erasure", self.adult)
        with self.mock_mail_gateway(mail_unlink_sent=True):
            request.action_process()
        self.assertEqual(self.adult.state, "anonymised")
        self.assertFalse(self.adult.email)
        (mail,) = [m for m in self._mails if any("sanne@example.nl" in to for to in m["email_to"])]
        self.assertIn(request.name, mail["subject"])
        self.assertIn("verwijderd", mail["body"])
        self.assertIn("Sanne Bakker", mail["body"])


@tagged("post_install", "-at_install", "mph_ux_lists", "mph_privacy_request")
class TestUxPrivacyExportPage(MphCommon, HttpCase):
    def test_export_opens_as_a_page_for_the_coordinator_only(self):
        request = self.env["mph.privacy.request"].create(
            {"request_type": "access", "student_id": self.adult.id, "identity_method": "known_email"}
        )
        request.action_verify_identity()
        request.with_user(self.user_coordinator).action_process()
        url = f"/mph/privacy-request/{request.id}/inzage.html"
        self.authenticate(self.user_coordinator.login, self.user_coordinator.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn("sandbox", response.headers["Content-Security-Policy"])
        self.assertIn("<h1>", response.text)
        self.assertIn("sanne@example.nl", response.text)
        for user in (self.user_finance, self.user_director):
            self.authenticate(user.login, user.login)
            with self.subTest(user=user.login), mute_logger("odoo.http"):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("sanne@example.nl", response.text)
