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
        skipped = {}

        def skip(reason):
            skipped[reason] = skipped.get(reason, 0) + 1

        candidates = []  # e-mail addresses in the order of the pupils
        for student in self:
            if student.state not in ("active", "prospect"):
                skip(self.env._("not a current pupil"))
            elif student.is_under_guardian_age and not student.guardian_consent_date:
                skip(self.env._("under 16 without guardian consent"))
            elif student.consent_by == "none":
                # Consent came from the guardian and lapsed at 16: only the
                # pupil's own consent counts now.
                skip(self.env._("16 or older without own consent"))
            else:
                email = (student.guardian_id if student.is_under_guardian_age else student).email_normalized
                if email:
                    candidates.append(email)
                else:
                    skip(self.env._("no e-mail address"))
        # One query each for the suppressions and the existing subscriptions.
        suppressed = self.env["mph.newsletter.suppression"].sudo()._suppressed_emails(candidates)
        existing = {
            subscription.contact_id.email_normalized: subscription
            for subscription in self.env["mailing.subscription"]
            .sudo()
            .search([("list_id", "=", newsletter.id), ("contact_id.email_normalized", "in", candidates)])
        }
        new_emails = []
        for email in candidates:
            if email in suppressed:
                skip(self.env._("objected or erased"))
            elif email in existing:
                skip(self.env._("unsubscribed") if existing[email].opt_out else self.env._("already subscribed"))
            elif email in new_emails:
                skip(self.env._("already subscribed"))  # a guardian of several pupils
            else:
                new_emails.append(email)
        contacts = self.env["mailing.contact"].sudo().create([{"email": email} for email in new_emails])
        self.env["mailing.subscription"].sudo().create(
            [{"contact_id": c.id, "list_id": newsletter.id, "mph_state": "soft_opt_in"} for c in contacts]
        )
        added = len(contacts)
        details = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        message = self.env._("%(added)s address(es) added to the newsletter.", added=added)
        if details:
            message += " " + self.env._("Skipped: %s.", details)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Newsletter"), "message": message, "sticky": bool(skipped)},
        }

    # ------------------------------------------------------------
    # Consent hand-over at 16
    # ------------------------------------------------------------

    def _mph_newsletter_subscriptions(self):
        """The school newsletter subscriptions of the pupils' own addresses."""
        emails = [email for email in self.sudo().mapped("email_normalized") if email]
        if not emails:
            return self.env["mailing.subscription"].sudo()
        newsletter = self.env["mailing.list"]._mph_newsletter()
        return (
            self.env["mailing.subscription"]
            .sudo()
            .search([("list_id", "=", newsletter.id), ("contact_id.email_normalized", "in", emails)])
        )

    def _mph_suspend_consent_processing(self):
        """The guardian's consent lapsed: the pupil's own address leaves the
        newsletter (an opt-out, pushed to Mailchimp as unsubscribed) until the
        pupil consents. The guardian's own subscription is the guardian's and
        stays."""
        res = super()._mph_suspend_consent_processing()
        self._mph_newsletter_subscriptions().filtered(lambda s: not s.opt_out).write({"opt_out": True})
        return res

    def _mph_resume_consent_processing(self):
        """The pupil consented (through the link sent to their own address, or
        in person as recorded by the coordinator): the pupil's address is
        (back) on the newsletter, confirmed as after a double opt-in, with the
        same rules for a former erasure."""
        res = super()._mph_resume_consent_processing()
        newsletter = self.env["mailing.list"]._mph_newsletter()
        Subscription = self.env["mailing.subscription"].sudo()
        for student in self.sudo():
            email = student.email_normalized
            if not email or not newsletter:
                continue
            subscription = student._mph_newsletter_subscriptions()[:1]
            if not subscription:
                contact = self.env["mailing.contact"].sudo().create({"email": email})
                subscription = Subscription.create(
                    {"contact_id": contact.id, "list_id": newsletter.id, "mph_state": "confirmed"}
                )
            subscription._mph_confirm()
        return res
