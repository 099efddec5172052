from odoo.tests import tagged

from .common import MphCommon

# Model-level rights (ir.model.access) of every role on every mph_school
# model: r, w, c, u = read, write, create, unlink. A model missing here fails
# the test, so a new model cannot slip in without a decision on who reaches it.
# Which records a role reaches within a model is proven in test_access.py.
ACL = {
    "mph.contribution.invoice.wizard": {"finance": "rwcu"},
    "mph.contribution.invoice.wizard.line": {"finance": "rwcu"},
    "mph.enrollment": {"coordinator": "rwcu", "teacher": "r"},
    "mph.enrollment.trial.wizard": {"coordinator": "rwcu"},
    "mph.insight.capacity": {"coordinator": "r", "artistic": "r", "director": "r"},
    "mph.insight.demand": {"coordinator": "r", "artistic": "r", "director": "r"},
    "mph.insight.population": {"coordinator": "r", "director": "r"},
    "mph.lesson.type": {"coordinator": "rwcu", "finance": "r", "artistic": "r", "director": "r", "teacher": "r"},
    "mph.privacy.acceptance": {"coordinator": "rc"},
    "mph.privacy.policy": {"coordinator": "rwcu"},
    "mph.privacy.policy.notice": {"coordinator": "r"},
    "mph.privacy.request": {"coordinator": "rwc"},
    "mph.retention.log": {"coordinator": "r"},
    "mph.season": {"coordinator": "rwcu", "finance": "rwc", "artistic": "r", "director": "r"},
    "mph.signup.attempt": {},
    "mph.signup.pending": {"coordinator": "rwu"},
    "mph.student": {"coordinator": "rwcu", "finance": "r", "teacher": "r"},
    "mph.student.read.batch": {},
    "mph.student.read.log": {"coordinator": "r"},
    "mph.teacher": {"coordinator": "rwcu", "teacher": "r"},
}
ROLES = ("coordinator", "finance", "artistic", "director", "teacher", "employee")
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install", "mph_access")
class TestModelAccessMatrix(MphCommon):
    def test_every_model_is_in_the_matrix(self):
        ours = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("mph.") and not model._abstract and model._original_module == "mph_school"
        }
        self.assertEqual(ours, set(ACL), "every mph_school model has a row in the access matrix")

    def test_model_access_per_role(self):
        Access = self.env["ir.model.access"]
        cells = 0
        for model, allowed_by_role in ACL.items():
            for role in ROLES:
                user = getattr(self, f"user_{role}")
                for letter, operation in OPERATIONS.items():
                    expected = letter in allowed_by_role.get(role, "")
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            Access.with_user(user).check(model, operation, raise_exception=False), expected
                        )
                        cells += 1
        self.assertEqual(cells, len(ACL) * len(ROLES) * len(OPERATIONS))
