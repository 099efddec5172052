import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install", "mph_invoicing")
class TestConcurrentRuns(TransactionCase):
    """Two finance users invoice the same school year at the same moment.
    That takes two real transactions on two connections, so these tests
    commit (only in their own test database, on a school year far ahead) and
    remove everything they committed afterwards."""

    PUPILS = 3

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            nl = env.ref("base.nl")
            lesson = env["mph.lesson.type"].create({"name": "Gitaar (gelijktijdig)", "kind": "individual"})
            teacher = env["mph.teacher"].create({"name": "Bas de Groot", "lesson_type_ids": [(6, 0, lesson.ids)]})
            students = env["mph.student"].create(
                [
                    {
                        "name": f"Leerling {index} Gelijktijdig",
                        "birthdate": "1990-01-01",
                        "email": f"leerling{index}@example.nl",
                        "street": "Oudegracht 1",
                        "zip": "3511 AB",
                        "city": "Utrecht",
                        "country_id": nl.id,
                    }
                    for index in range(self.PUPILS)
                ]
            )
            env["mph.enrollment"].create(
                [
                    {
                        "student_id": student.id,
                        "lesson_type_id": lesson.id,
                        "teacher_id": teacher.id,
                        "state": "active",
                        "date_start": "2045-08-01",
                    }
                    for student in students
                ]
            )
            season = env["mph.season"].create(
                {"name": "2045-2046", "date_start": "2045-08-01", "date_end": "2046-07-31", "contribution_amount": 100}
            )
            self.committed = {"lesson": lesson.id, "teacher": teacher.id, "students": students.ids, "season": season.id}
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            ids = self.committed
            moves = env["account.move.line"].search([("mph_season_id", "=", ids["season"])]).move_id
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            students = env["mph.student"].browse(ids["students"])
            partners = students.partner_id
            env["mph.enrollment"].search([("student_id", "in", students.ids)]).unlink()
            students.unlink()
            partners.unlink()
            env["mph.teacher"].browse(ids["teacher"]).unlink()
            env["mph.lesson.type"].browse(ids["lesson"]).unlink()
            env["mph.season"].browse(ids["season"]).unlink()

    def invoiced_lines(self):
        with self.registry.cursor() as cr:
            lines = self.env_of(cr)["account.move.line"].search([("mph_season_id", "=", self.committed["season"])])
            return sorted(lines.mph_student_id.ids), len(lines), len(lines.move_id)

    def test_second_run_is_refused_then_finds_nothing_new(self):
        """Interleaved step by step, so every branch is certain to be hit."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            season_a = self.env_of(cr_a)["mph.season"].browse(self.committed["season"])
            season_b = self.env_of(cr_b)["mph.season"].browse(self.committed["season"])
            # B looks at the preview first: its snapshot predates A's run.
            self.assertEqual(
                len(season_b.env["mph.contribution.invoicing"]._contribution_plan(season_b)[0]), self.PUPILS
            )
            result_a = season_a.env["mph.contribution.invoicing"]._invoice_contributions(season_a, send=False)
            self.assertEqual(len(result_a["moves"]), self.PUPILS)
            # While A's run is not committed, B is refused at once.
            with self.assertRaises(UserError):
                season_b.env["mph.contribution.invoicing"]._invoice_contributions(season_b, send=False)
            cr_a.commit()
            # A committed, but B still sees the world before it: PostgreSQL
            # refuses rather than let B invoice again (the server retries a
            # request that fails like this, with a fresh snapshot).
            with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.SerializationFailure):
                season_b.env["mph.contribution.invoicing"]._invoice_contributions(season_b, send=False)
            cr_b.rollback()
            season_b.env.invalidate_all()
            # The retry sees A's invoices: nothing new.
            result_b = season_b.env["mph.contribution.invoicing"]._invoice_contributions(season_b, send=False)
            self.assertFalse(result_b["moves"])
            self.assertEqual({reason for _student, reason in result_b["skipped"]}, {"invoiced"})
            cr_b.commit()
        self.assertEqual(self.invoiced_lines(), (sorted(self.committed["students"]), self.PUPILS, self.PUPILS))
