from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..phone import normalize_phone
from .common import MphCommon


@tagged("post_install", "-at_install")
class TestPhoneSearch(MphCommon):
    """The coordinator finds a caller by any spelling of their number: the
    pupil's own phone or mobile, the guardian's phone on the sign-up or on
    the guardian's contact; a guardian's number finds all their children."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guardian.phone = "030 234 56 78"
        cls.sibling = cls.create_student("Noor de Vries", "2018-03-03", guardian_id=cls.guardian.id)

    def find(self, number, user=None):
        Student = self.env["mph.student"].with_user(user or self.user_coordinator)
        return Student.search([("mph_phone", "ilike", number)])

    def test_normalisation(self):
        for spelling in ("06-12345678", "0612345678", "+31 6 1234 5678", "0031612345678", "06 12 34 56 78"):
            self.assertEqual(normalize_phone(spelling), "31612345678", spelling)
        self.assertEqual(normalize_phone("+32 470 12 34 56"), "32470123456", "a Belgian number keeps its country")
        self.assertEqual(normalize_phone("12345678"), "12345678", "a part of a number stays as typed")
        self.assertEqual(normalize_phone(False), "")

    def test_guardian_phone_in_three_spellings_finds_the_children(self):
        for spelling in ("030-2345678", "+31 30 234 5678", "0031302345678"):
            self.assertEqual(self.find(spelling), self.minor | self.sibling, spelling)

    def test_guardian_phone_given_at_sign_up(self):
        for spelling in ("06-87654321", "0687654321", "+31 6 8765 4321", "0031687654321"):
            self.assertEqual(self.find(spelling), self.minor, spelling)

    def test_own_mobile_and_part_of_a_number(self):
        self.assertEqual(self.find("+31 6 1234 5678"), self.adult)
        self.assertEqual(self.find("12345678"), self.adult, "the last digits are enough")
        self.assertFalse(self.find("06-99999999"))
        self.assertFalse(self.find("06"), "too few digits to mean a caller")

    def test_stored_normalised_and_indexed(self):
        self.assertEqual(self.minor.mph_phone_search, "|31302345678|31687654321|")
        # A new number of the guardian is found at once, for every child.
        self.guardian.mobile = "06 11 22 33 44"
        self.assertEqual(self.find("0611223344"), self.minor | self.sibling)
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'mph_student' AND indexdef LIKE '%mph_phone_search%'"
        )
        if self.env.registry.has_trigram:
            self.assertIn("gin_trgm_ops", self.env.cr.fetchone()[0])

    def test_phone_search_is_coordinator_only(self):
        for user in (self.user_finance, self.user_artistic, self.user_director, self.user_employee, self.user_teacher):
            with self.assertRaises(AccessError, msg=user.login):
                self.find("0612345678", user=user)

    def test_search_view_offers_phone_and_no_register_text(self):
        Student = self.env["mph.student"].with_user(self.user_coordinator)
        arch = etree.fromstring(Student.get_views([(False, "search")])["views"]["search"]["arch"])
        self.assertTrue(arch.xpath("//field[@name='mph_phone']"))
        name = arch.xpath("//field[@name='name']")[0]
        self.assertIn("guardian_id", name.get("filter_domain"), "a guardian's name finds the children")
        self.assertEqual(Student.search([("name", "ilike", "Esther de Vries")]), self.env["mph.student"])
        self.assertEqual(
            Student.search(["|", ("name", "ilike", "Esther de Vries"), ("guardian_id", "ilike", "Esther de Vries")]),
            self.minor | self.sibling,
        )
        help_text = self.env.ref("mph_school.mph_student_action").help
        self.assertNotIn("Register a pupil", help_text)
