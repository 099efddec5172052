import re
import time
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..models.mph_consent import GUARDIAN_CONSENT_SCOPE, OWN_CONSENT_SCOPE
from .common import MphCommon, legacy_link_token

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r'href="([^"]*/muziekles/eigen-toestemming/[^"]+)"')


class HandoverCommon(MphCommon, HttpCase):
    """Pupils who turn 16: one today (by default), with guardian consent and
    newsletter consent given by the guardian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Student = cls.env["mph.student"]
        cls.Consent = cls.env["mph.consent"]
        cls.policy = cls.env["mph.privacy.policy"]._get_current()
        cls.today = date.today()
        cls.teen = cls.teen_pupil("Fleur Jansen", cls.today - relativedelta(years=16), email="fleur@example.nl")

    @classmethod
    def teen_pupil(cls, name, birthdate, **vals):
        guardian = cls.env["res.partner"].create(
            {"name": f"Ouder van {name}", "email": f"ouder.{birthdate}@example.nl"}
        )
        student = cls.create_student(
            name,
            birthdate,
            guardian_id=guardian.id,
            guardian_consent_date=fields.Datetime.now() - timedelta(days=400),
            newsletter_consent=True,
            **vals,
        )
        cls.enroll(student, cls.piano, cls.teacher, "active")
        return student

    def handover_mails(self, student):
        return self.env["mail.mail"].search(
            [("model", "=", "mph.student"), ("res_id", "=", student.id), ("body_html", "ilike", "eigen-toestemming")]
        )

    def link(self, student):
        mails = self.handover_mails(student)
        self.assertEqual(len(mails), 1, "exactly one request mail")
        url = urlparse(LINK_RE.search(mails.body_html).group(1).replace("&amp;", "&"))
        query = parse_qs(url.query)
        self.assertNotIn("exp", query, "a new link carries its expiry inside the signed token")
        return url.path, query["token"][0]

    def snapshot(self, student):
        student.invalidate_recordset()
        return (
            student.own_consent_state,
            student.own_consent_date,
            student.newsletter_consent,
            len(student.acceptance_ids),
        )


@tagged("post_install", "-at_install", "mph_consent_handover")
class TestConsentHandover(HandoverCommon):
    def test_transition_at_the_16th_birthday_mails_once(self):
        # The day before the birthday: 15, nothing happens.
        with freeze_time(self.today - timedelta(days=1)):
            self.env.invalidate_all()
            self.assertTrue(self.teen.is_under_guardian_age)
            self.assertEqual(self.teen.consent_by, "guardian")
            self.assertEqual(self.Consent._cron_consent_handover(), (0, 0))
        self.assertFalse(self.teen.own_consent_state)
        self.assertTrue(self.teen.newsletter_consent)
        self.assertFalse(self.handover_mails(self.teen))

        # The birthday: the guardian's consent lapses, processing stops, one mail.
        self.env.invalidate_all()
        self.assertEqual(self.Consent._cron_consent_handover(), (1, 0))
        self.assertEqual(self.teen.own_consent_state, "requested")
        self.assertEqual(self.teen.guardian_consent_lapsed_on, self.today)
        self.assertFalse(self.teen.newsletter_consent, "the newsletter stops until the pupil consents")
        self.assertEqual(self.teen.consent_by, "none", "the guardian's consent no longer counts")
        self.assertTrue(self.teen.guardian_consent_date, "the history stays")
        mail = self.handover_mails(self.teen)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent at once")
        self.assertEqual(mail.recipient_ids, self.teen.partner_id, "to the pupil, not the guardian")

        # Rerunnable: never a second mail, also on later days.
        self.assertEqual(self.Consent._cron_consent_handover(), (0, 0))
        with freeze_time(self.today + timedelta(days=40)):
            self.assertEqual(self.Consent._cron_consent_handover(), (0, 0))
        self.assertEqual(len(self.handover_mails(self.teen)), 1)

    def test_guardian_consent_does_not_count_from_16_even_before_the_job(self):
        older = self.teen_pupil("Mees Kok", self.today - relativedelta(years=17), email="mees@example.nl")
        self.assertEqual(older.consent_by, "none")
        self.assertEqual(self.minor.consent_by, "none", "under 16 without guardian consent")
        self.minor.guardian_consent_date = fields.Datetime.now()
        self.assertEqual(self.minor.consent_by, "guardian")
        self.assertEqual(self.adult.consent_by, "pupil", "an adult who signed up consents themselves")

    def test_pupil_gives_consent_over_http(self):
        self.Consent._cron_consent_handover()
        path, token = self.link(self.teen)
        page = self.url_open(f"{path}?token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("mph_own_consent_give", page.text)
        self.assertEqual(self.teen.own_consent_state, "requested", "opening the link is no answer")
        csrf = CSRF_RE.search(page.text).group(1)
        done = self.url_open(path, data={"token": token, "csrf_token": csrf, "answer": "give"})
        self.assertEqual(done.status_code, 200)
        self.assertIn("mph_own_consent_done", done.text)
        self.teen.invalidate_recordset()
        self.assertEqual(self.teen.own_consent_state, "given")
        self.assertTrue(self.teen.own_consent_date)
        self.assertTrue(self.teen.newsletter_consent, "the pupil's own consent restores the processing")
        self.assertEqual(self.teen.consent_by, "pupil")
        record = self.teen.acceptance_ids.filtered(lambda a: a.kind == "pupil")
        self.assertEqual(len(record), 1)
        self.assertEqual(
            (record.partner_id, record.policy_id, record.method, record.ip_address),
            (self.teen.partner_id, self.policy, "email_link", "127.0.0.1"),
        )
        # The same link again: nothing changes.
        before = self.snapshot(self.teen)
        again = self.url_open(path, data={"token": token, "csrf_token": csrf, "answer": "refuse"})
        self.assertIn("already answered", again.text)
        self.assertEqual(self.snapshot(self.teen), before)

    def test_pupil_refuses_over_http(self):
        self.Consent._cron_consent_handover()
        path, token = self.link(self.teen)
        csrf = CSRF_RE.search(self.url_open(f"{path}?token={token}").text).group(1)
        done = self.url_open(path, data={"token": token, "csrf_token": csrf, "answer": "refuse"})
        self.assertEqual(done.status_code, 200)
        self.teen.invalidate_recordset()
        self.assertEqual(self.teen.own_consent_state, "refused")
        self.assertFalse(self.teen.newsletter_consent)
        self.assertEqual(self.teen.consent_by, "none")
        self.assertEqual(self.teen.acceptance_ids.filtered(lambda a: a.kind == "pupil_refused").method, "email_link")

    def test_legacy_link_answers_until_it_expires(self):
        """A link mailed in the old form (?exp=&token=, before the signed
        links moved to hash_sign) still answers, until its expiry."""
        self.Consent._cron_consent_handover()
        path = f"/muziekles/eigen-toestemming/{self.teen.id}"
        exp = int(time.time()) + 30 * 86400
        token = legacy_link_token(self.env, OWN_CONSENT_SCOPE, [self.teen.id, "fleur@example.nl"], exp)
        with freeze_time(datetime.now() + timedelta(days=31)):
            self.assertFalse(self.Consent._mph_check_own_consent_token(self.teen, token, exp=str(exp)), "expired")
        page = self.url_open(f"{path}?exp={exp}&token={token}")
        self.assertEqual(page.status_code, 200)
        csrf = CSRF_RE.search(page.text).group(1)
        done = self.url_open(path, data={"exp": exp, "token": token, "csrf_token": csrf, "answer": "give"})
        self.assertEqual(done.status_code, 200)
        self.assertIn("mph_own_consent_done", done.text)
        self.teen.invalidate_recordset()
        self.assertEqual(self.teen.own_consent_state, "given")

    def test_bad_tampered_or_expired_link_changes_nothing(self):
        self.Consent._cron_consent_handover()
        path, token = self.link(self.teen)
        before = self.snapshot(self.teen)
        csrf = CSRF_RE.search(self.url_open(f"{path}?token={token}").text).group(1)
        tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        other = self.teen_pupil("Jip Bos", self.today - relativedelta(years=16, days=3), email="jip@example.nl")
        SignedLink = self.env["mph.signed.link"]
        payload = [self.teen.id, "fleur@example.nl"]
        # The legacy form (?exp=&token=) of links mailed before hash_sign.
        exp = int(time.time()) + 30 * 86400
        legacy = legacy_link_token(self.env, OWN_CONSENT_SCOPE, payload, exp)
        legacy_tampered = legacy[:-2] + ("00" if not legacy.endswith("00") else "11")
        expired = exp - 40 * 86400
        for query in (
            f"token={tampered}",
            f"token={SignedLink._sign(OWN_CONSENT_SCOPE, payload, days=-1)}",  # expired
            f"token={SignedLink._sign(GUARDIAN_CONSENT_SCOPE, payload, days=30)}",  # another link's scope
            "token=",
            f"exp={exp}&token={legacy_tampered}",
            f"exp={exp + 86400}&token={legacy}",  # a later expiry under the same signature
            f"exp={expired}&token={legacy_link_token(self.env, OWN_CONSENT_SCOPE, payload, expired)}",
            "exp=x&token=",
            f"exp={exp}",
        ):
            with self.subTest(query=query):
                data = dict(parse_qs(query), csrf_token=csrf, answer="give")
                response = self.url_open(path, data={k: v[0] if isinstance(v, list) else v for k, v in data.items()})
                self.assertEqual(response.status_code, 400)
                self.assertIn("mph_own_consent_invalid", response.text)
                self.assertEqual(self.url_open(f"{path}?{query}").status_code, 400)
        # Another pupil's id with this pupil's token; a pupil never asked.
        self.assertEqual(self.url_open(f"/muziekles/eigen-toestemming/{other.id}?token={token}").status_code, 400)
        self.assertEqual(self.url_open(f"/muziekles/eigen-toestemming/999999?token={token}").status_code, 400)
        # An unknown answer is refused too.
        response = self.url_open(path, data={"token": token, "csrf_token": csrf, "answer": "maybe"})
        self.assertEqual(response.status_code, 400)
        # A changed e-mail address invalidates the link.
        self.teen.email = "fleur.nieuw@example.nl"
        self.assertEqual(self.url_open(f"{path}?token={token}").status_code, 400)
        self.assertEqual(self.snapshot(self.teen), before)
        self.assertEqual(self.snapshot(other)[0], False)

    def test_pupil_without_email_is_listed_for_the_coordinator(self):
        silent = self.teen_pupil("Sem Dekker", self.today - relativedelta(years=16, days=1))
        self.assertEqual(self.Consent._cron_consent_handover(), (1, 1))
        self.assertEqual(silent.own_consent_state, "no_email")
        self.assertFalse(silent.newsletter_consent, "processing stops for this pupil too")
        self.assertFalse(self.handover_mails(silent))
        activity = silent.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("own consent", activity.summary)
        listed = self.Student.with_user(self.user_coordinator).search([("own_consent_state", "=", "no_email")])
        self.assertEqual(listed, silent)
        # Rerun: no second activity; once an address is known, the job mails.
        self.assertEqual(self.Consent._cron_consent_handover(), (0, 1))
        self.assertEqual(len(silent.activity_ids), 1)
        silent.email = "sem@example.nl"
        self.assertEqual(self.Consent._cron_consent_handover(), (1, 0))
        self.assertEqual(silent.own_consent_state, "requested")
        self.assertEqual(len(self.handover_mails(silent)), 1)

    def test_coordinator_records_an_answer_given_in_person(self):
        silent = self.teen_pupil("Sem Dekker", self.today - relativedelta(years=16, days=1))
        self.Consent._cron_consent_handover()
        with self.assertRaises(AccessError):
            silent.with_user(self.user_finance).action_record_own_consent()
        silent.with_user(self.user_coordinator).action_record_own_consent()
        self.assertEqual(silent.own_consent_state, "given")
        self.assertTrue(silent.newsletter_consent)
        self.assertEqual(silent.acceptance_ids.filtered(lambda a: a.kind == "pupil").method, "manual")
        with self.assertRaises(UserError):
            silent.with_user(self.user_coordinator).action_record_own_refusal()
        with self.assertRaises(UserError):
            self.adult.with_user(self.user_coordinator).action_record_own_consent()

    def test_archived_and_never_consented_pupils_are_left_alone(self):
        self.teen.guardian_consent_date = False
        self.assertEqual(self.Consent._cron_consent_handover(), (0, 0))
        self.teen.guardian_consent_date = fields.Datetime.now()
        self.teen.state = "archived"
        self.assertEqual(self.Consent._cron_consent_handover(), (0, 0))
        self.assertFalse(self.teen.own_consent_state)

    def test_cron_is_daily_and_not_updated(self):
        cron = self.env.ref("mph_school.ir_cron_mph_consent_handover")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
        for name in ("ir_cron_mph_consent_handover", "mail_template_own_consent_request"):
            data = self.env["ir.model.data"].search([("module", "=", "mph_school"), ("name", "=", name)])
            self.assertTrue(data.noupdate, name)


@tagged("post_install", "-at_install", "mph_consent_handover", "mph_access")
class TestConsentHandoverAccess(HandoverCommon):
    def test_coordinator_reads_the_consent_records_and_fields(self):
        self.Consent._cron_consent_handover()
        self.Consent._mph_answer_own_consent(self.teen, True, {"ip": "10.0.0.9"})
        teen = self.teen.with_user(self.user_coordinator)
        values = teen.read(["own_consent_state", "consent_by", "guardian_consent_lapsed_on", "acceptance_ids"])[0]
        self.assertEqual((values["own_consent_state"], values["consent_by"]), ("given", "pupil"))
        records = self.env["mph.privacy.acceptance"].with_user(self.user_coordinator).browse(values["acceptance_ids"])
        self.assertIn("pupil", records.mapped("kind"))
        with self.assertRaises(AccessError):
            records.write({"kind": "policy"})

    def test_teacher_and_finance_cannot_read_consents(self):
        self.Consent._cron_consent_handover()
        self.Consent._mph_answer_own_consent(self.teen, True, {})
        record = self.teen.acceptance_ids
        for user in (self.user_teacher, self.user_finance):
            with self.subTest(user=user.login):
                # Both may read the pupil itself (the teacher: a running enrolment) ...
                self.assertEqual(self.teen.with_user(user).read(["name"])[0]["name"], "Fleur Jansen")
                # ... but not the consent fields or records.
                for field in ("own_consent_state", "consent_by", "own_consent_date", "acceptance_ids"):
                    with self.assertRaises(AccessError):
                        self.teen.with_user(user).read([field])
                with self.assertRaises(AccessError):
                    record.with_user(user).read(["kind"])
                with self.assertRaises(AccessError):
                    self.env["mph.privacy.acceptance"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.teen.with_user(user).action_record_own_consent()


@tagged("post_install", "-at_install", "mph_consent_handover")
class TestConsentHandoverDutch(HandoverCommon):
    """The mail, the page and the error page come out in Dutch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        dutch = cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        website = cls.env["website"].get_current_website()
        website.write({"language_ids": [(4, dutch.id)], "default_lang_id": dutch.id})
        cls.teen.lang = "nl_NL"

    def test_mail_and_pages_in_dutch(self):
        self.Consent._cron_consent_handover()
        mail = self.handover_mails(self.teen)
        self.assertEqual(mail.subject, "U bent 16: uw eigen toestemming voor het Muziekpakhuis")
        self.assertIn("Gefeliciteerd met uw 16e verjaardag", mail.body_html)
        self.opener.cookies.set("frontend_lang", "nl_NL")
        path, token = self.link(self.teen)
        page = self.url_open(f"{path}?token={token}")
        self.assertIn("Uw eigen toestemming", page.text)
        self.assertIn("Ik geef geen toestemming", page.text)
        invalid = self.url_open(f"{path}?token=fout")
        self.assertEqual(invalid.status_code, 400)
        self.assertIn("Deze link is ongeldig of verlopen", invalid.text)
