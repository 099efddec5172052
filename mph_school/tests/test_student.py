from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import MphCommon


@tagged("post_install", "-at_install")
class TestStudentValidation(MphCommon):
    def test_birthdate_not_in_future(self):
        tomorrow = date.today() + relativedelta(days=1)
        with self.assertRaisesRegex(ValidationError, "future"):
            self.create_student("Toekomst Kind", tomorrow)

    def test_birthdate_plausible(self):
        with self.assertRaisesRegex(ValidationError, "not plausible"):
            self.create_student("Heel Oud", "1850-01-01")
        student = self.create_student("Oma Piano", date.today() - relativedelta(years=90))
        self.assertEqual(student.age, 90)

    def test_email_well_formed(self):
        for bad in ("geen-at-teken", "a@b", "twee@@example.nl"):
            with self.subTest(email=bad), self.assertRaisesRegex(ValidationError, "not valid"):
                self.create_student("Fout Adres", "1990-01-01", email=bad)
        with self.assertRaisesRegex(ValidationError, "not valid"), self.env.cr.savepoint():
            self.adult.email = "kapot"
        self.env.invalidate_all()
        self.assertEqual(self.adult.email, "sanne@example.nl", "a refused change changes nothing")

    def test_dutch_postcode(self):
        for bad in ("0123 AB", "12345", "1234 SS", "ABCD 12"):
            with self.subTest(zip=bad), self.assertRaisesRegex(ValidationError, "not a Dutch postcode"):
                self.create_student("Verkeerde Postcode", "1990-01-01", zip=bad)
        student = self.create_student("Goede Postcode", "1990-01-01", zip="3512jk")
        self.assertEqual(student.zip, "3512 JK", "postcodes are stored as '1234 AB'")
        belgian = self.create_student("Belg", "1990-01-01", zip="1000", country_id=self.env.ref("base.be").id)
        self.assertEqual(belgian.zip, "1000", "other countries keep their own format")

    def test_postcode_checked_when_edited_in_contacts(self):
        with self.assertRaisesRegex(ValidationError, "not a Dutch postcode"):
            self.adult.partner_id.zip = "99"

    def test_under_16_needs_guardian_with_contact(self):
        child_birthdate = date.today() - relativedelta(years=10)
        with self.assertRaisesRegex(ValidationError, "younger than 16"):
            self.create_student("Kind Zonder Ouder", child_birthdate)
        unreachable = self.env["res.partner"].create({"name": "Onbereikbare Ouder"})
        with self.assertRaisesRegex(ValidationError, "younger than 16"):
            self.create_student("Kind", child_birthdate, guardian_id=unreachable.id)
        child = self.create_student("Kind", child_birthdate, guardian_id=unreachable.id, guardian_phone="06-11112222")
        self.assertTrue(child.is_under_guardian_age)
        with self.assertRaisesRegex(ValidationError, "younger than 16"):
            child.guardian_id = False

    def test_sixteen_needs_no_guardian(self):
        student = self.create_student("Net Zestien", date.today() - relativedelta(years=16))
        self.assertFalse(student.is_under_guardian_age)
        self.assertTrue(student.is_minor)
        self.assertEqual(student.payer_id, student.partner_id, "no guardian: the pupil pays")

    def test_under_guardian_age_search(self):
        Student = self.env["mph.student"]
        self.assertIn(self.minor, Student.search([("is_under_guardian_age", "=", True)]))
        self.assertNotIn(self.adult, Student.search([("is_under_guardian_age", "=", True)]))
        self.assertIn(self.adult, Student.search([("is_under_guardian_age", "=", False)]))

    def test_age_moves_with_the_clock(self):
        with freeze_time("2032-09-02"):
            self.assertFalse(self.minor.with_context(date="2032-09-02").is_under_guardian_age)
            self.assertEqual(self.minor.with_context(date="2032-09-02").age, 16)

    def test_own_guardian_refused(self):
        with self.assertRaisesRegex(ValidationError, "own guardian"):
            self.adult.guardian_id = self.adult.partner_id

    def test_duplicate_warning_not_a_crash(self):
        with Form(self.env["mph.student"]) as form:
            form.name = "Sanne Bakker"
            form.email = "SANNE@example.nl"
            self.assertIn(self.adult, form.duplicate_student_ids)
            form.country_id = self.nl
        duplicate = form.record
        self.assertTrue(duplicate.exists(), "a probable duplicate is a warning, saving still works")
        self.assertIn(self.adult, duplicate.duplicate_student_ids)
        result = duplicate._onchange_duplicate_warning()
        self.assertEqual(result["warning"]["title"], "Possible duplicate")
        by_name = self.create_student("Daan de Vries", "2016-09-01", guardian_id=self.guardian.id)
        self.assertIn(self.minor, by_name.duplicate_student_ids)
        self.assertFalse(self.other_pupil.duplicate_student_ids)

    def test_lifecycle_state_follows_enrollments(self):
        self.assertEqual(self.adult.state, "active")
        self.assertEqual(self.minor.state, "active", "a trial lesson counts as taking lessons")
        newcomer = self.create_student("Nieuwkomer", "1995-05-05")
        self.assertEqual(newcomer.state, "prospect")
        self.enroll(newcomer, self.piano)
        self.assertEqual(newcomer.state, "prospect", "waiting is not yet taking lessons")
        self.enrollment_adult.action_stop()
        self.assertEqual(self.adult.state, "stopped")
        self.assertEqual(self.adult.date_lessons_ended, date.today())
        self.adult.state = "archived"
        self.enroll(self.adult, self.koor, self.teacher, "stopped")
        self.assertEqual(self.adult.state, "archived", "the passive archive is not undone by a recompute")

    def test_statistics_keys_survive_clearing(self):
        self.assertEqual(self.adult.birth_year, 1990)
        self.assertEqual(self.adult.zip_area, "3511")
        self.adult.write({"birthdate": False, "zip": False, "street": False})
        self.assertEqual(self.adult.birth_year, 1990, "statistics keep the birth year")
        self.assertEqual(self.adult.zip_area, "3511", "statistics keep the postcode area")
        self.adult.zip = "1012 AB"
        self.assertEqual(self.adult.zip_area, "1012")


@tagged("post_install", "-at_install")
class TestSeason(MphCommon):
    def test_seasons_cover_today_and_do_not_overlap(self):
        Season = self.env["mph.season"]
        self.assertTrue(Season._for_date(date.today()), "the school years around today exist")
        current = Season._for_date(date.today())
        self.assertEqual(current.date_start.month, 8)
        with self.assertRaisesRegex(ValidationError, "overlaps"):
            Season.create({"name": "Dubbel", "date_start": current.date_start, "date_end": current.date_end})
        self.assertFalse(Season._ensure_seasons(), "running it again creates nothing")

    def test_season_access(self):
        season = self.env["mph.season"].search([], limit=1)
        for user in (self.user_finance, self.user_artistic, self.user_director, self.user_coordinator):
            self.assertEqual(season.with_user(user).read(["name"])[0]["name"], season.name)
        for user in (self.user_teacher, self.user_employee):
            with self.assertRaises(AccessError):
                season.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            season.with_user(self.user_director).write({"name": "Gewijzigd"})
