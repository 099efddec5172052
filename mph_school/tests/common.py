from odoo.tests import TransactionCase, new_test_user
from odoo.tools.misc import hmac


def legacy_link_token(env, scope, values, expires):
    """The token of a link in the form mailed before the signed links moved
    to ``hash_sign`` (``?exp=<expiry>&token=<hex>``): an HMAC over the values
    and the expiry joined by ":". Such links stay valid until they expire."""
    return hmac(env(su=True), scope, ":".join([*(str(value) for value in values), str(int(expires))]))


def run_cron(test, cron):
    """What a cron worker does with a due job: the runner calls the job again
    while it reports work remaining (at most 10 times), committing after each
    call (in test mode: a savepoint of the test's transaction)."""
    test.env.flush_all()
    test.registry.enter_test_mode(test.cr)
    try:
        with test.registry.cursor() as cron_cr:
            test.registry["ir.cron"]._process_job(
                test.registry.db_name,
                cron_cr,
                {**cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0},
            )
    finally:
        test.registry.leave_test_mode()
    test.env.invalidate_all()


class MphCommon(TransactionCase):
    """One user per role of DESIGN.md, and a small school: two teachers, a
    capped lesson type, an adult pupil and a minor with a guardian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.nl = cls.env.ref("base.nl")

        def user(login, groups, **kw):
            return new_test_user(cls.env, login=login, groups=groups, name=login.replace("_", " ").title(), **kw)

        cls.user_coordinator = user("mph_coordinator", "base.group_user,mph_school.group_coordinator")
        cls.user_finance = user("mph_finance", "base.group_user,mph_school.group_finance")
        cls.user_artistic = user("mph_artistic", "base.group_user,mph_school.group_artistic")
        cls.user_director = user("mph_director", "base.group_user,mph_school.group_director")
        cls.user_employee = user("mph_employee", "base.group_user")
        # A portal user who is no teacher (a customer of another app).
        cls.user_portal = user("mph_portal", "base.group_portal")
        cls.user_teacher = user("mph_teacher", "base.group_portal,mph_school.group_teacher")
        cls.user_teacher_other = user("mph_teacher_other", "base.group_portal,mph_school.group_teacher")

        cls.piano = cls.env["mph.lesson.type"].create({"name": "Piano (test)", "kind": "individual", "capacity": 2})
        cls.koor = cls.env["mph.lesson.type"].create(
            {"name": "Popkoor (test)", "kind": "ensemble", "ensemble_type": "choir"}
        )
        cls.teacher = cls.env["mph.teacher"].create(
            {
                "name": "Henk Jansen",
                "email": "henk@example.nl",
                "user_id": cls.user_teacher.id,
                "lesson_type_ids": [(6, 0, (cls.piano | cls.koor).ids)],
            }
        )
        cls.teacher_other = cls.env["mph.teacher"].create(
            {"name": "Marieke de Boer", "user_id": cls.user_teacher_other.id, "lesson_type_ids": [(6, 0, cls.koor.ids)]}
        )
        cls.guardian = cls.env["res.partner"].create({"name": "Esther de Vries", "email": "esther@example.nl"})
        cls.adult = cls.create_student("Sanne Bakker", "1990-04-12", email="sanne@example.nl", mobile="06-12345678")
        cls.minor = cls.create_student(
            "Daan de Vries",
            "2016-09-01",
            email="daan@example.nl",
            guardian_id=cls.guardian.id,
            guardian_phone="06-87654321",
            note="Zit op de wachtlijst voor orkest; moeder belt liever na 17 uur.",
        )
        cls.other_pupil = cls.create_student("Lotte Smit", "2001-02-03", email="lotte@example.nl")
        cls.enrollment_adult = cls.enroll(cls.adult, cls.piano, cls.teacher, "active")
        cls.enrollment_minor = cls.enroll(cls.minor, cls.koor, cls.teacher, "trial")
        cls.enrollment_other = cls.enroll(cls.other_pupil, cls.koor, cls.teacher_other, "active")

    @classmethod
    def create_student(cls, name, birthdate, **vals):
        return cls.env["mph.student"].create(
            {
                "name": name,
                "birthdate": birthdate,
                "street": "Oudegracht 12",
                "zip": "3511 AB",
                "city": "Utrecht",
                "country_id": cls.nl.id,
                **vals,
            }
        )

    @classmethod
    def enroll(cls, student, lesson_type, teacher=None, state="waiting", **vals):
        values = {"student_id": student.id, "lesson_type_id": lesson_type.id, "state": state, **vals}
        if teacher:
            values["teacher_id"] = teacher.id
        if state in ("active", "stopped"):
            values.setdefault("date_start", "2024-09-01")
        if state == "stopped":
            values.setdefault("date_end", "2025-06-30")
        return cls.env["mph.enrollment"].create(values)
