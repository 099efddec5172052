from odoo import Command, api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _mph_newsletter_subscriptions(self):
        """The user's own address on the school newsletter (when the newsletter
        addon is installed), still subscribed."""
        self.ensure_one()
        List = self.env["mailing.list"] if "mailing.list" in self.env else None
        email = self.partner_id.email_normalized
        if List is None or not hasattr(List, "_mph_newsletter") or not email:
            return None
        newsletter = List._mph_newsletter()
        if not newsletter:
            return None
        return (
            self.env["mailing.subscription"]
            .sudo()
            .search(
                [("list_id", "=", newsletter.id), ("contact_id.email_normalized", "=", email), ("opt_out", "=", False)]
            )
        )

    def _mph_newsletter_unsubscribe(self):
        """Unsubscribe the user's own address from the newsletter, as the
        unsubscribe link in every mailing does (the next Mailchimp push
        follows). Returns whether anything changed."""
        subscriptions = self._mph_newsletter_subscriptions()
        if not subscriptions:
            return False
        subscriptions.write({"opt_out": True})
        return True

    @api.model
    def _mph_portal_demo_logins(self):
        """Demo data: a Mijn MPH login for a parent of two children under 16
        (``ouder``) and for a pupil of 16 or older (``leerling``), password =
        login, as the coordinator's invitation would make them."""
        if self.with_context(active_test=False).search_count([("login", "in", ("ouder", "leerling"))]):
            return
        Student = self.env["mph.student"].sudo()
        wards = Student.search([("is_under_guardian_age", "=", True), ("guardian_id", "!=", False)], order="id")
        families = {}
        for ward in wards:
            families.setdefault(ward.guardian_id, Student)
            families[ward.guardian_id] |= ward
        parent = next((guardian for guardian, children in families.items() if len(children) >= 2), None)
        pupil = Student.search(
            [("is_under_guardian_age", "=", False), ("guardian_id", "=", False), ("partner_id.email", "!=", False)],
            order="id",
            limit=1,
        )
        groups = [Command.set([self.env.ref("base.group_portal").id, self.env.ref("mph_portal.group_family").id])]
        for login, partner in (("ouder", parent), ("leerling", pupil.partner_id)):
            if partner:
                self.sudo().with_context(no_reset_password=True).create(
                    {"login": login, "password": login, "partner_id": partner.id, "groups_id": groups}
                )
