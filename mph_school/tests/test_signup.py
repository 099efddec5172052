import re
import time
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..models.mph_consent import GUARDIAN_CONSENT_SCOPE, OWN_CONSENT_SCOPE
from .common import MphCommon, legacy_link_token

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r'href="([^"]*/muziekles/toestemming/[^"]+)"')
# Every CSRF token in a page (the form's and the session script's).
TOKEN_RE = re.compile(r"[0-9a-f]{40}o\d{6,}")
CONFIRM_RE = re.compile(r'href="([^"]*/muziekles/bevestigen\?token=[^"]+)"')


class SignupCommon(MphCommon, HttpCase):
    """Posts the public sign-up form over HTTP, as a visitor would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("mph_school.signup_rate_limit", 1000)
        cls.policy = cls.env["mph.privacy.policy"]._get_current()

    def csrf(self, path="/muziekles/aanmelden"):
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        return CSRF_RE.search(page.text).group(1)

    def form(self, **overrides):
        data = {
            "name": "Jesse van Dam",
            "birthdate": "1995-03-21",
            "street": "Biltstraat 5",
            "zip": "3572 AA",
            "city": "Utrecht",
            "country_id": str(self.nl.id),
            "email": "jesse@example.nl",
            "phone": "06-11223344",
            "lesson_type_ids": [str(self.piano.id)],
            "preferred_times": "dinsdagavond",
            "privacy_accept": "1",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    def post(self, data, csrf=True):
        if csrf is True:
            data = dict(data, csrf_token=self.csrf())
        elif csrf:
            data = dict(data, csrf_token=csrf)
        return self.url_open("/muziekles/aanmelden", data=data)

    def minor_form(self, **overrides):
        birthdate = (date.today() - relativedelta(years=10)).isoformat()
        values = {
            "name": "Noor Visser",
            "birthdate": birthdate,
            "email": "noor@example.nl",
            "guardian_name": "Mirjam Visser",
            "guardian_email": "mirjam@example.nl",
            "guardian_phone": "06-99887766",
        }
        return self.form(**dict(values, **overrides))

    def counts(self):
        Student = self.env["mph.student"].with_context(active_test=False)
        return (
            Student.search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            self.env["mph.enrollment"].search_count([]),
            self.env["mph.privacy.acceptance"].search_count([]),
            self.env["mail.mail"].search_count([]),
        )

    def confirm_link(self, email):
        mail = self.env["mail.mail"].search([("email_to", "=", email)], order="id desc", limit=1)
        self.assertTrue(mail, f"{email} receives a confirmation link")
        return CONFIRM_RE.search(mail.body_html).group(1).replace("&amp;", "&")

    def confirm(self, email):
        """The owner of ``email`` opens the mailed link and presses the button."""
        link = self.confirm_link(email)
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        token = parse_qs(urlparse(link).query)["token"][0]
        done = self.url_open(
            "/muziekles/bevestigen", data={"token": token, "csrf_token": CSRF_RE.search(page.text).group(1)}
        )
        self.assertEqual(done.status_code, 200)
        self.assertIn("mph_confirm_done", done.text)
        return done

    def student(self, email):
        return self.env["mph.student"].with_context(active_test=False).search([("email", "=", email)])

    def consent_link(self, student):
        mail = self.env["mail.mail"].search([("email_to", "=", student.guardian_id.email)], limit=1)
        self.assertTrue(mail, "the guardian receives the consent mail")
        return LINK_RE.search(mail.body_html).group(1).replace("&amp;", "&")


@tagged("post_install", "-at_install", "mph_signup")
class TestSignup(SignupCommon):
    def test_adult_signup(self):
        """An adult: pupil (prospect), a trial enrolment with a teacher where
        there is room, an acceptance record, a mail and the coordinator's activity."""
        response = self.post(self.form(lesson_type_ids=[str(self.piano.id), str(self.koor.id)]))
        self.assertEqual(response.status_code, 200)
        student = self.student("jesse@example.nl")
        self.assertEqual(len(student), 1)
        self.assertEqual(student.state, "active")  # trial lessons count as running
        self.assertEqual(student.signup_state, "done")
        self.assertEqual(student.zip, "3572 AA")
        self.assertEqual(set(student.enrollment_ids.mapped("state")), {"trial"})
        self.assertEqual(student.enrollment_ids.teacher_id, self.teacher | self.teacher_other)
        self.assertEqual(student.enrollment_ids[0].preferred_times, "dinsdagavond")
        acceptance = student.acceptance_ids
        self.assertEqual((acceptance.kind, acceptance.policy_id, acceptance.method), ("policy", self.policy, "website"))
        self.assertEqual(acceptance.ip_address, "127.0.0.1")
        self.assertTrue(acceptance.user_agent)
        self.assertTrue(student.privacy_accepted_date)
        mail = self.env["mail.mail"].search([("email_to", "=", "jesse@example.nl")])
        self.assertEqual(len(mail), 1)
        self.assertIn("Piano (test)", mail.body_html)
        self.assertEqual(len(student.activity_ids), 1)
        self.assertIn("Piano (test)", response.text)

    def test_full_lesson_type_gives_waiting_position(self):
        self.piano.capacity = 1  # the adult pupil takes the only place
        self.enroll(self.other_pupil, self.piano)  # already one on the waiting list
        response = self.post(self.form())
        self.assertEqual(response.status_code, 200)
        enrollment = self.student("jesse@example.nl").enrollment_ids
        self.assertEqual((enrollment.state, enrollment.teacher_id.id), ("waiting", False))
        self.assertEqual(enrollment.waiting_position, 2)
        # The position is in the mail to the address, not on the page: the
        # page is built from what was sent only (issue 13, point 6).
        mail = self.env["mail.mail"].search([("email_to", "=", "jesse@example.nl")])
        self.assertIn("at position 2", mail.body_html)
        self.assertNotIn("position", response.text.split('id="mph_signup_result"')[1].split("</ul>")[0])

    def test_existing_student_gets_enrolments_not_a_duplicate(self):
        # Changed by issue 13 point 6: the sign-up is held until the owner of
        # the address confirms; then the known pupil gets the enrolments.
        before = self.env["mph.student"].search_count([])
        response = self.post(
            self.form(
                name="S. Bakker",
                email="SANNE@example.nl",
                birthdate="12-04-1990",
                lesson_type_ids=[str(self.piano.id), str(self.koor.id)],
            )
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.adult.enrollment_ids.lesson_type_id, self.piano, "nothing changes before confirmation")
        self.confirm("sanne@example.nl")
        self.assertEqual(self.env["mph.student"].search_count([]), before)
        self.assertEqual(self.adult.name, "Sanne Bakker", "the public form never changes a known pupil")
        self.assertEqual(self.adult.enrollment_ids.lesson_type_id, self.piano | self.koor)
        self.assertEqual(len(self.adult.enrollment_ids.filtered(lambda e: e.lesson_type_id == self.piano)), 1)
        self.assertEqual(len(self.adult.acceptance_ids), 1)

    def test_archived_pupil_returns_from_the_passive_archive(self):
        self.adult.enrollment_ids.unlink()
        self.env["mph.retention"]._archive(self.adult)
        self.assertFalse(self.adult.active)
        before = self.env["mph.student"].with_context(active_test=False).search_count([])
        response = self.post(self.form(name="Sanne Bakker", email="sanne@example.nl", birthdate="12-04-1990"))
        self.assertEqual(response.status_code, 200)
        # Changed by issue 13 point 6: only the address owner's confirmation
        # takes a pupil out of the passive archive.
        self.assertFalse(self.adult.active, "a sign-up alone leaves the archive as it is")
        self.confirm("sanne@example.nl")
        self.assertEqual(self.env["mph.student"].with_context(active_test=False).search_count([]), before)
        self.assertTrue(self.adult.active, "a returning pupil leaves the passive archive")
        self.assertTrue(self.adult.partner_id.active)
        self.assertEqual(self.adult.state, "active", "a trial lesson makes a current pupil")
        self.assertEqual(self.adult.enrollment_ids.mapped("state"), ["trial"])
        self.assertIn(self.adult, self.env["mph.student"].search([]), "the coordinator finds the pupil again")

    def test_minor_consent_by_mailed_link(self):
        response = self.post(self.minor_form())
        self.assertEqual(response.status_code, 200)
        self.assertIn("mph_signup_awaiting_consent", response.text)
        student = self.student("noor@example.nl")
        self.assertEqual(student.signup_state, "awaiting_consent")
        self.assertEqual(student.guardian_id.email, "mirjam@example.nl")
        self.assertEqual(student.guardian_phone, "06-99887766")
        # Awaiting consent: nothing planned, no teacher, nobody to act.
        self.assertEqual(student.enrollment_ids.mapped("state"), ["waiting"])
        self.assertFalse(student.enrollment_ids.teacher_id)
        self.assertFalse(student.activity_ids)
        self.assertFalse(student.guardian_consent_date)
        link = self.consent_link(student)
        url = urlparse(link)
        query = parse_qs(url.query)
        path, token = url.path, query["token"][0]
        self.assertNotIn("exp", query, "a new link carries its expiry inside the signed token")

        SignedLink = self.env["mph.signed.link"]
        payload = [student.id, "mirjam@example.nl"]
        tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        self.assertEqual(self.url_open(f"{path}?token={tampered}").status_code, 400)
        expired_token = SignedLink._sign(GUARDIAN_CONSENT_SCOPE, payload, days=-1)
        self.assertEqual(self.url_open(f"{path}?token={expired_token}").status_code, 400)
        foreign = SignedLink._sign(OWN_CONSENT_SCOPE, payload, days=30)  # another link's scope
        self.assertEqual(self.url_open(f"{path}?token={foreign}").status_code, 400)
        self.assertEqual(self.url_open(f"/muziekles/toestemming/{self.minor.id}?token={token}").status_code, 400)
        # A link mailed in the legacy form (?exp=&token=): tampered, a later
        # expiry under the same signature, expired.
        exp = int(time.time()) + 30 * 86400
        legacy = legacy_link_token(self.env, GUARDIAN_CONSENT_SCOPE, payload, exp)
        legacy_tampered = legacy[:-2] + ("00" if not legacy.endswith("00") else "11")
        self.assertEqual(self.url_open(f"{path}?exp={exp}&token={legacy_tampered}").status_code, 400)
        longer = int(exp) + 86400  # a later expiry under the same signature
        self.assertEqual(self.url_open(f"{path}?exp={longer}&token={legacy}").status_code, 400)
        expired = int(exp) - 40 * 86400
        legacy_expired = legacy_link_token(self.env, GUARDIAN_CONSENT_SCOPE, payload, expired)
        self.assertEqual(self.url_open(f"{path}?exp={expired}&token={legacy_expired}").status_code, 400)
        self.assertEqual(self.url_open(f"{path}?exp=x&token=").status_code, 400)
        self.assertEqual(student.signup_state, "awaiting_consent")

        page = self.url_open(f"{path}?token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(student.signup_state, "awaiting_consent", "opening the link alone is not consent")
        csrf = CSRF_RE.search(page.text).group(1)
        done = self.url_open(path, data={"token": token, "csrf_token": csrf})
        self.assertEqual(done.status_code, 200)
        self.assertIn("mph_consent_done", done.text)
        self.assertEqual(student.signup_state, "done")
        consent = student.acceptance_ids.filtered(lambda a: a.kind == "guardian")
        self.assertEqual((consent.partner_id, consent.method), (student.guardian_id, "email_link"))
        self.assertEqual(consent.ip_address, "127.0.0.1")
        self.assertTrue(student.guardian_consent_date)
        self.assertEqual(student.enrollment_ids.state, "trial")
        self.assertEqual(student.enrollment_ids.teacher_id, self.teacher)
        self.assertEqual(len(student.activity_ids), 1)

        given = student.guardian_consent_date
        again = self.url_open(path, data={"token": token, "csrf_token": csrf})
        self.assertIn("already given", again.text)
        self.assertEqual(student.guardian_consent_date, given)
        self.assertEqual(len(student.acceptance_ids.filtered(lambda a: a.kind == "guardian")), 1)

    def test_legacy_consent_link_works_until_it_expires(self):
        """A consent link mailed in the old form (?exp=&token=, before the
        signed links moved to hash_sign) is valid until its expiry."""
        self.post(self.minor_form())
        student = self.student("noor@example.nl")
        path = f"/muziekles/toestemming/{student.id}"
        exp = int(time.time()) + 30 * 86400
        token = legacy_link_token(self.env, GUARDIAN_CONSENT_SCOPE, [student.id, "mirjam@example.nl"], exp)
        Consent = self.env["mph.consent"]
        with freeze_time(datetime.now() + timedelta(days=31)):
            self.assertFalse(Consent._mph_check_consent_token(student, token, exp=str(exp)), "expired")
        self.assertTrue(Consent._mph_check_consent_token(student, token, exp=str(exp)))
        page = self.url_open(f"{path}?exp={exp}&token={token}")
        self.assertEqual(page.status_code, 200)
        csrf = CSRF_RE.search(page.text).group(1)
        done = self.url_open(path, data={"exp": exp, "token": token, "csrf_token": csrf})
        self.assertEqual(done.status_code, 200)
        self.assertIn("mph_consent_done", done.text)
        self.assertEqual(student.signup_state, "done")

    def test_cron_deletes_unconsented_signups_completely(self):
        self.post(self.minor_form())
        self.post(self.minor_form(name="Bram Vos", email="bram@example.nl", guardian_email="esther@example.nl"))
        self.post(self.form())  # an adult: never deleted
        pupil = self.student("noor@example.nl")
        # Changed by issue 13 point 6: a sign-up giving a known guardian's
        # address waits for that guardian's confirmation, as a held sign-up.
        self.assertFalse(self.student("bram@example.nl"))
        held = self.env["mph.signup.pending"].search([])
        self.assertEqual(held.confirm_emails, ["esther@example.nl"])
        partner, guardian = pupil.partner_id, pupil.guardian_id
        enrollments, acceptances = pupil.enrollment_ids, pupil.acceptance_ids
        messages = self.env["mail.message"].search(
            [("model", "=", "mph.student"), ("res_id", "in", pupil.ids)]
        ) | self.env["mail.message"].search([("model", "=", "mph.signup.pending"), ("res_id", "in", held.ids)])
        self.assertTrue(messages and acceptances and enrollments)
        Signup = self.env["mph.signup"]
        with freeze_time(date.today() + timedelta(days=29)):
            self.assertEqual(Signup._cron_purge_unconsented_signups(), 0)
            self.assertTrue(held.exists())
        with freeze_time(date.today() + timedelta(days=31)):
            self.assertEqual(Signup._cron_purge_unconsented_signups(), 1)
        self.assertFalse(pupil.exists() or held.exists())
        self.assertFalse(partner.exists() or guardian.exists() or enrollments.exists() or acceptances.exists())
        self.assertFalse(messages.exists())
        self.assertTrue(self.guardian.exists(), "a guardian of another pupil stays")
        self.assertTrue(self.minor.exists())
        self.assertTrue(self.student("jesse@example.nl"))
        for trace in ("Noor Visser", "noor@example.nl", "mirjam@example.nl", "Mirjam Visser", "Bram Vos"):
            self.assertFalse(
                self.env["res.partner"]
                .with_context(active_test=False)
                .search_count(["|", ("name", "ilike", trace), ("email", "ilike", trace)])
            )
            self.assertFalse(
                self.env["mail.message"].search_count(["|", ("body", "ilike", trace), ("subject", "ilike", trace)])
            )
            self.assertFalse(
                self.env["mail.mail"].search_count(["|", ("email_to", "ilike", trace), ("body_html", "ilike", trace)])
            )

    def test_odd_unicode_is_cleaned(self):
        response = self.post(self.form(name="Ze\u200bnn\x00a  \u202eDe\u0301sire\u0301e"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.student("jesse@example.nl").name, "Zenna D\u00e9sir\u00e9e")

    def test_tour(self):
        self.env["mph.lesson.type"].create({"name": "Tour piano", "capacity": 5})
        self.start_tour("/muziekles/aanmelden", "mph_signup_tour", login=None)
        student = self.student("tessa.tour@example.nl")
        self.assertEqual(student.name, "Tessa Tourtest")
        self.assertEqual(student.zip, "3511 AB")
        self.assertEqual(student.enrollment_ids.lesson_type_id.name, "Tour piano")
        self.assertEqual(student.enrollment_ids.state, "waiting", "no teacher teaches it yet")

    def test_website_menu_policy_page_and_cookie_bar(self):
        home = self.url_open("/")
        self.assertIn('href="/muziekles/aanmelden"', home.text)
        self.assertIn("website_cookies_bar", home.text)
        # Odoo's watcher that holds back third-party embeds until consent.
        self.assertIn("watch3rdPartyScripts", home.text)
        page = self.url_open("/muziekles/privacybeleid")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Kinderen jonger dan 16 jaar", page.text)
        self.assertIn(self.policy.name, self.url_open("/muziekles/aanmelden").text)


@tagged("post_install", "-at_install", "mph_signup")
class TestSignupRefused(SignupCommon):
    """Bad input: a clear error next to the field, the input kept, nothing created."""

    def invalid_cases(self):
        big = "x" * 100_000
        future = (date.today() + timedelta(days=2)).isoformat()
        minor = (date.today() - relativedelta(years=12)).isoformat()
        guardian = {"guardian_name": "Mirjam Visser", "guardian_email": "mirjam@example.nl"}
        return [
            ("name", {"name": ""}),
            ("name", {"name": None}),
            ("name", {"name": "12345"}),
            ("name", {"name": "<script>alert(1)</script>"}),
            ("name", {"name": "a" * 101}),
            ("name", {"name": big}),
            ("birthdate", {"birthdate": ""}),
            ("birthdate", {"birthdate": "gisteren"}),
            ("birthdate", {"birthdate": future}),
            ("birthdate", {"birthdate": (date.today() - relativedelta(years=150)).isoformat()}),
            ("birthdate", {"birthdate": "31-02-2010"}),
            ("birthdate", {"birthdate": "2010-13-01"}),
            ("street", {"street": ""}),
            ("street", {"street": "s" * 121}),
            ("street", {"street": "<b>Biltstraat</b> 5"}),
            ("zip", {"zip": ""}),
            ("zip", {"zip": "1234"}),
            ("zip", {"zip": "0123 AB"}),
            ("zip", {"zip": "1234 SS"}),
            ("zip", {"zip": "ABCD EF"}),
            ("city", {"city": ""}),
            ("city", {"city": big}),
            ("city", {"city": "{{7*7}}"}),
            ("country_id", {"country_id": "abc"}),
            ("country_id", {"country_id": "99999999"}),
            ("email", {"email": ""}),
            ("email", {"email": "jesse"}),
            ("email", {"email": "jesse@example"}),
            ("email", {"email": "jes se@example.nl"}),
            ("email", {"email": "jesse@@example.nl"}),
            ("email", {"email": "j" * 250 + "@example.nl"}),
            ("phone", {"phone": ""}),
            ("phone", {"phone": "bel mij"}),
            ("phone", {"phone": "123"}),
            ("phone", {"phone": "0612345678901234567"}),
            ("mobile", {"mobile": "xyz"}),
            ("guardian_name", {"birthdate": minor, **guardian, "guardian_name": ""}),
            ("guardian_email", {"birthdate": minor, **guardian, "guardian_email": ""}),
            ("guardian_email", {"birthdate": minor, **guardian, "guardian_email": "mirjam@"}),
            ("guardian_phone", {"birthdate": minor, **guardian, "guardian_phone": "nee"}),
            ("lesson_type_ids", {"lesson_type_ids": []}),
            ("lesson_type_ids", {"lesson_type_ids": ["99999999"]}),
            ("lesson_type_ids", {"lesson_type_ids": ["abc"]}),
            ("privacy_accept", {"privacy_accept": None}),
            ("note", {"note": big}),
            ("note", {"note": "<script>alert('x')</script>"}),
            ("preferred_times", {"preferred_times": "p" * 201}),
        ]

    def test_every_invalid_input_is_refused(self):
        cases = self.invalid_cases()
        self.assertGreaterEqual(len(cases), 40)
        before = self.counts()
        csrf = self.csrf()
        for field, overrides in cases:
            with self.subTest(field=field, value=str(overrides)[:60]):
                response = self.post(self.form(**overrides), csrf=csrf)
                self.assertEqual(response.status_code, 400)
                self.assertIn(f'data-error-field="{field}"', response.text)
                if field != "city":
                    self.assertIn('value="Utrecht"', response.text, "what was typed is kept")
                self.assertEqual(self.counts(), before)
        self.assertFalse(self.student("jesse@example.nl"))

    def test_csrf_required(self):
        before = self.counts()
        self.assertEqual(self.post(self.form(), csrf=False).status_code, 400)
        self.assertEqual(self.post(self.form(), csrf="forged-token").status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_honeypot(self):
        before = self.counts()
        response = self.post(self.form(website_url="http://spam.example"))
        self.assertEqual(response.status_code, 400)
        self.assertIn('data-error-field="form"', response.text)
        self.assertEqual(self.counts(), before)

    def test_rate_limit_per_ip(self):
        self.params.set_param("mph_school.signup_rate_limit", 3)
        csrf = self.csrf()
        for _i in range(3):
            self.assertEqual(self.post(self.form(email="fout"), csrf=csrf).status_code, 400)
        before = self.counts()
        response = self.post(self.form(), csrf=csrf)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many sign-ups", response.text)
        self.assertEqual(self.counts(), before)
        attempts = self.env["mph.signup.attempt"].search([])
        self.assertEqual(len(attempts), 3)
        self.assertNotIn("127.0.0.1", attempts.mapped("ip_hash"), "only a hash of the address is kept")
        # After the window the connection may sign up again.
        attempts.write({"date": datetime.now() - timedelta(minutes=61)})
        self.assertEqual(self.post(self.form(), csrf=csrf).status_code, 200)
        self.assertTrue(self.student("jesse@example.nl"))


@tagged("post_install", "-at_install", "mph_access", "mph_signup")
class TestSignupAccess(SignupCommon):
    """Policies and consent records: the coordinator's; the published text is public."""

    def test_coordinator_manages_policies_and_reads_consents(self):
        policy = (
            self.env["mph.privacy.policy"]
            .with_user(self.user_coordinator)
            .create({"name": "2026-11", "body": "<p>Nieuw</p>", "published": True, "material_change": True})
        )
        self.assertEqual(self.env["mph.privacy.policy"]._get_current(), policy)
        record = self.env["mph.privacy.acceptance"].create({"student_id": self.adult.id, "policy_id": policy.id})
        as_coordinator = record.with_user(self.user_coordinator)
        self.assertEqual(as_coordinator.read(["ip_address"])[0]["id"], record.id)
        self.assertEqual(policy.acceptance_count, 1)
        with self.assertRaises(AccessError):
            as_coordinator.write({"ip_address": "10.0.0.1"})
        with self.assertRaises(AccessError):
            as_coordinator.unlink()

    def test_other_roles_cannot_reach_policies_or_consents(self):
        record = self.env["mph.privacy.acceptance"].create({"student_id": self.adult.id, "policy_id": self.policy.id})
        attempt = self.env["mph.signup.attempt"].create({"ip_hash": "x"})
        for role in ("finance", "artistic", "director", "teacher", "employee"):
            user = getattr(self, f"user_{role}")
            with self.subTest(role=role):
                for rec in (record, self.policy, attempt):
                    with self.assertRaises(AccessError):
                        rec.with_user(user).read(["id"])
                with self.assertRaises(AccessError):
                    self.env["mph.privacy.policy"].with_user(user).create({"name": "x", "body": "<p>x</p>"})
                with self.assertRaises(AccessError):
                    self.adult.with_user(user).read(["acceptance_ids"])
                with self.assertRaises(AccessError):
                    self.adult.with_user(user).read(["signup_state"])
        with self.assertRaises(AccessError):
            attempt.with_user(self.user_coordinator).read(["ip_hash"])
        public = self.env.ref("base.public_user")
        with self.assertRaises(AccessError):
            self.policy.with_user(public).read(["body"])
        # ... but the published text itself is public, through the page.
        self.assertIn("Kinderen jonger dan 16 jaar", self.url_open("/muziekles/privacybeleid").text)


@tagged("post_install", "-at_install", "mph_signup")
class TestSignupDutch(SignupCommon):
    """The page and its errors come out in Dutch on a Dutch website."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        dutch = cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        website = cls.env["website"].get_current_website()
        website.write({"language_ids": [(4, dutch.id)], "default_lang_id": dutch.id})

    def test_page_and_errors_in_dutch(self):
        self.opener.cookies.set("frontend_lang", "nl_NL")
        page = self.url_open("/muziekles/aanmelden")
        self.assertTrue("Aanmelden voor een eerste les" in page.text, "the page title is Dutch")
        response = self.post(self.form(name="", zip="1234"))
        self.assertEqual(response.status_code, 400)
        self.assertTrue("Vul de naam van de leerling in." in response.text, "a Dutch error next to the name")
        self.assertTrue("Dit is geen Nederlandse postcode" in response.text, "a Dutch error next to the postcode")


@tagged("post_install", "-at_install", "mph_signup")
class TestSignupKnownAddress(SignupCommon):
    """Issue 13 point 6: a sign-up with the address of a known pupil or
    guardian looks like any other, and changes nothing until the owner of
    that address confirms (or the coordinator applies it)."""

    def page(self, **overrides):
        response = self.post(self.form(**overrides))
        self.assertEqual(response.status_code, 200)
        return TOKEN_RE.sub("", response.text)

    def snapshot(self):
        students = self.env["mph.student"].with_context(active_test=False).search([])
        partners = self.env["res.partner"].with_context(active_test=False).search([])
        return (
            students.read(["name", "active", "state", "privacy_accepted_date", "write_date"]),
            partners.read(["name", "email", "active", "write_date"]),
            self.env["mph.enrollment"].search([]).read(["state", "write_date"]),
            self.env["mph.privacy.acceptance"].search_count([]),
        )

    def test_same_page_nothing_changed_until_confirmed(self):
        known = {"name": "Sanne Bakker", "birthdate": "12-04-1990", "note": "Bel me op 06-55555555"}
        new_page = self.page(email="nieuw.persoon@example.nl", **known)
        self.assertTrue(self.student("nieuw.persoon@example.nl"), "a new person signs up at once")
        before = self.snapshot()
        mails_before = self.env["mail.mail"].search([])
        known_page = self.page(email="Sanne@Example.nl", **known)
        self.assertEqual(known_page, new_page, "the page does not tell a known pupil from a new person")
        self.assertEqual(self.snapshot(), before, "no existing record changed")
        held = self.env["mph.signup.pending"].search([])
        self.assertEqual(held.confirm_emails, ["sanne@example.nl"])
        mail = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(mail.mapped("email_to"), ["sanne@example.nl"], "only the address owner is mailed")
        for typed in ("Oudegracht", "Biltstraat", "06-55555555", "06-11223344", "Piano", "1990", "Utrecht"):
            self.assertNotIn(typed, mail.body_html + mail.subject, "the mail carries nothing that was typed")
        # The link is not an action by itself; a forged or foreign token is refused.
        link = self.confirm_link("sanne@example.nl")
        self.assertEqual(self.url_open(link).status_code, 200)
        self.assertEqual(self.snapshot(), before, "opening the link changes nothing")
        token = parse_qs(urlparse(link).query)["token"][0]
        for bad in (token[:-3] + "AAA", "x" * 40, "é" * 30, token + "²", ""):
            self.assertEqual(self.url_open(f"/muziekles/bevestigen?token={bad}").status_code, 400, bad)
        self.confirm("sanne@example.nl")
        self.assertFalse(held.exists(), "the held data is gone once applied")
        self.assertEqual(self.adult.enrollment_ids.lesson_type_id, self.piano)
        self.assertEqual(len(self.adult.acceptance_ids), 1)
        self.assertEqual(self.url_open(link).status_code, 400, "a used link is refused")

    def test_simultaneous_repeat_is_held_once(self):
        self.page(email="sanne@example.nl", birthdate="12-04-1990", name="Sanne Bakker")
        self.page(email="sanne@example.nl", birthdate="12-04-1990", name="Sanne Bakker")
        self.assertEqual(len(self.env["mph.signup.pending"].search([])), 1)
        self.assertEqual(self.env["mail.mail"].search_count([("email_to", "=", "sanne@example.nl")]), 1)

    def test_known_guardian_confirms_and_consents(self):
        minor = (date.today() - relativedelta(years=9)).isoformat()
        before = self.snapshot()
        self.page(
            name="Bram de Vries",
            birthdate=minor,
            email="bram@example.nl",
            guardian_name="E. de Vries",
            guardian_email="esther@example.nl",
        )
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.student("bram@example.nl"))
        link = self.confirm_link("esther@example.nl")
        page = self.url_open(link)
        self.assertIn("also gives your consent", page.text)
        self.confirm("esther@example.nl")
        bram = self.student("bram@example.nl")
        self.assertEqual(bram.guardian_id, self.guardian, "the known guardian, unchanged")
        self.assertEqual(self.guardian.name, "Esther de Vries")
        self.assertEqual(bram.signup_state, "done", "the guardian's confirmation is the consent")
        consent = bram.acceptance_ids.filtered(lambda a: a.kind == "guardian")
        self.assertEqual((consent.partner_id, consent.method), (self.guardian, "email_link"))

    def test_coordinator_applies_others_cannot_see(self):
        self.page(email="lotte@example.nl", name="Lotte Smit", birthdate="03-02-2001")
        held = self.env["mph.signup.pending"].search([])
        self.assertEqual(len(held), 1)
        for role in ("finance", "artistic", "director", "teacher", "employee"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                held.with_user(getattr(self, f"user_{role}")).read(["payload"])
        with self.assertRaises(AccessError):
            held.with_user(self.user_employee).action_apply()
        as_coordinator = held.with_user(self.user_coordinator)
        self.assertIn("Lotte Smit", as_coordinator.summary)
        as_coordinator.action_apply()
        self.assertFalse(held.exists())
        self.assertEqual(self.other_pupil.enrollment_ids.lesson_type_id, self.koor | self.piano)

    def test_unconfirmed_hold_is_purged(self):
        self.page(email="sanne@example.nl", name="Sanne Bakker", birthdate="12-04-1990")
        held = self.env["mph.signup.pending"].search([])
        link = self.confirm_link("sanne@example.nl")
        with freeze_time(date.today() + timedelta(days=29)):
            self.env["mph.signup"]._cron_purge_unconsented_signups()
            self.assertTrue(held.exists())
        with freeze_time(date.today() + timedelta(days=31)):
            self.env["mph.signup"]._cron_purge_unconsented_signups()
        self.assertFalse(held.exists())
        self.assertFalse(self.env["mail.mail"].search_count([("email_to", "=", "sanne@example.nl")]))
        self.assertEqual(self.url_open(link).status_code, 400)


@tagged("post_install", "-at_install", "mph_signup")
class TestPublicRoutesBadInput(SignupCommon):
    """Issue 13 point 8: odd ids, repeated ids, other records' ids, wrong
    content types and overlong values on every public route: a 4xx with a
    clear message, the typed values kept, nothing created."""

    def test_sign_up_form(self):
        archived = self.env["mph.lesson.type"].create({"name": "Harp (oud)", "capacity": 3, "active": False})
        cases = [
            ("country_id", {"country_id": "\u00b2"}),
            ("country_id", {"country_id": "\u0663"}),  # an Arabic-Indic 3
            ("country_id", {"country_id": "1" * 40}),
            ("country_id", {"country_id": str(self.nl.id) + "\n"}),
            ("lesson_type_ids", {"lesson_type_ids": ["\u00b2"]}),
            ("lesson_type_ids", {"lesson_type_ids": [str(self.piano.id), "\u00b9"]}),
            ("lesson_type_ids", {"lesson_type_ids": [str(self.piano.id)] * 2}),
            ("lesson_type_ids", {"lesson_type_ids": [str(archived.id)]}),
            ("lesson_type_ids", {"lesson_type_ids": [str(self.adult.partner_id.id + 100000)]}),
            ("lesson_type_ids", {"lesson_type_ids": ["9" * 30]}),
            ("lesson_type_ids", {"lesson_type_ids": [str(self.piano.id)] * 500}),
        ]
        before = self.counts()
        csrf = self.csrf()
        for field, overrides in cases:
            with self.subTest(field=field, value=str(overrides)[:60]):
                response = self.post(self.form(**overrides), csrf=csrf)
                self.assertEqual(response.status_code, 400)
                self.assertIn(f'data-error-field="{field}"', response.text)
                self.assertIn('value="Utrecht"', response.text, "what was typed is kept")
                self.assertEqual(self.counts(), before)
        twice = self.post(self.form(lesson_type_ids=[str(self.piano.id)] * 2), csrf=csrf)
        self.assertIn("each lesson type only once", twice.text)
        self.assertIn(f'value="{self.piano.id}" checked', twice.text, "the ticked box stays ticked")
        # ... and the same form with good values goes through.
        self.assertEqual(self.post(self.form(), csrf=csrf).status_code, 200)
        self.assertTrue(self.student("jesse@example.nl"))

    def test_wrong_content_type(self):
        before = self.counts()
        for path in ("/muziekles/aanmelden", f"/muziekles/toestemming/{self.minor.id}", "/muziekles/bevestigen"):
            for body, ctype in (('{"name": "x"}', "application/json"), ("name=x", "text/plain")):
                with self.subTest(path=path, ctype=ctype):
                    response = self.url_open(path, data=body, headers={"Content-Type": ctype})
                    self.assertEqual(response.status_code, 415)
                    self.assertIn("mph_bad_request", response.text)
                    self.assertEqual(self.counts(), before)

    def test_consent_links(self):
        exp, token = "9999999999", "ab" * 32
        for path in (
            f"/muziekles/toestemming/{self.minor.id}?exp=\u00b2&token={token}",
            f"/muziekles/toestemming/{self.minor.id}?exp={exp}&token=\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
            f"/muziekles/toestemming/{self.minor.id}?exp={exp}&token={'a' * 5000}",
            f"/muziekles/toestemming/99999999999999?exp={exp}&token={token}",
            f"/muziekles/eigen-toestemming/{self.adult.id}?exp={exp}&token=\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
            f"/muziekles/eigen-toestemming/99999999999999?exp={exp}&token={token}",
            f"/muziekles/eigen-toestemming/{self.adult.id}?exp={'1' * 5000}&token={token}",
        ):
            with self.subTest(path=path[:80]):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 400)
