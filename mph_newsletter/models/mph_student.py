from odoo import models


class MphStudent(models.Model):
    _inherit = "mph.student"

    def action_add_to_newsletter(self):
        """Add current pupils (or, for a pupil under 16, the guardian who
        consented) to the school newsletter as existing customers (soft
        opt-in). Skips anyone who objected, unsubscribed or was erased, and
        minors without guardian consent."""
        self.check_access("write")  # the coordinator's action, run in sudo below
        newsletter = self.env["mailing.list"]._mph_newsletter()
        Suppression = self.env["mph.newsletter.suppression"].sudo()
        Subscription = self.env["mailing.subscription"].sudo()
        Contact = self.env["mailing.contact"].sudo()
        added, skipped = 0, {}

        def skip(reason):
            skipped[reason] = skipped.get(reason, 0) + 1

        for student in self:
            if student.state not in ("active", "prospect"):
                skip(self.env._("not a current pupil"))
                continue
            if student.is_under_guardian_age:
                if not student.guardian_consent_date:
                    skip(self.env._("under 16 without guardian consent"))
                    continue
                email = student.guardian_id.email_normalized
            else:
                email = student.email_normalized
            if not email:
                skip(self.env._("no e-mail address"))
                continue
            if Suppression._is_suppressed(email):
                skip(self.env._("objected or erased"))
                continue
            existing = Subscription.search(
                [("list_id", "=", newsletter.id), ("contact_id.email_normalized", "=", email)], limit=1
            )
            if existing:
                skip(self.env._("unsubscribed") if existing.opt_out else self.env._("already subscribed"))
                continue
            contact = Contact.create({"email": email})
            Subscription.create({"contact_id": contact.id, "list_id": newsletter.id, "mph_state": "soft_opt_in"})
            added += 1
        details = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        message = self.env._("%(added)s address(es) added to the newsletter.", added=added)
        if details:
            message += " " + self.env._("Skipped: %s.", details)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Newsletter"), "message": message, "sticky": bool(skipped)},
        }
