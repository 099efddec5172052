from odoo.tests import tagged

from .common import NewsletterCommon

# Model-level rights on the newsletter's own models, and the volunteer's on
# every mph model: none (a volunteer only reaches mailing models).
ACL = {
    "mph.mailchimp.log": {"coordinator": "r"},
    "mph.newsletter.suppression": {"coordinator": "r"},
}


@tagged("post_install", "-at_install")
class TestNewsletterModelAccess(NewsletterCommon):
    def test_newsletter_models(self):
        ours = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("mph.") and not model._abstract and model._original_module == "mph_newsletter"
        }
        self.assertEqual(ours, set(ACL))
        Access = self.env["ir.model.access"]
        for model, allowed in ACL.items():
            for role, user in (("coordinator", self.user_coordinator), ("volunteer", self.user_volunteer)):
                for letter, operation in (("r", "read"), ("w", "write"), ("c", "create"), ("u", "unlink")):
                    with self.subTest(model=model, role=role, operation=operation):
                        expected = letter in allowed.get(role, "")
                        self.assertEqual(
                            Access.with_user(user).check(model, operation, raise_exception=False), expected
                        )

    def test_volunteer_reaches_no_mph_model(self):
        Access = self.env["ir.model.access"].with_user(self.user_volunteer)
        models = [n for n, m in self.env.registry.items() if n.startswith("mph.") and not m._abstract]
        self.assertGreater(len(models), 10)
        for model in models:
            for operation in ("read", "write", "create", "unlink"):
                with self.subTest(model=model, operation=operation):
                    self.assertFalse(Access.check(model, operation, raise_exception=False))
        # Both sides: the volunteer does reach the mailing models.
        self.assertTrue(Access.check("mailing.mailing", "create", raise_exception=False))
        self.assertTrue(Access.check("mailing.contact", "read", raise_exception=False))
