from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

RECIPIENT_FIELDS = {"mailing_model_id", "mailing_domain", "mailing_filter_id", "contact_list_ids"}


class MailingMailing(models.Model):
    """A newsletter volunteer's mailing goes to the school newsletter only.
    The record rules keep the volunteer's mailings on that list, but the
    recipients domain is free text: it is checked when the mailing is saved
    and narrowed again when it is sent (by the queue's cron, as superuser)."""

    _inherit = "mailing.mailing"

    mph_by_volunteer = fields.Boolean(
        string="Composed by a newsletter volunteer",
        readonly=True,
        copy=False,
        help="Set when a newsletter volunteer created or changed this mailing: it can only reach "
        "the subscribers of the school newsletter.",
    )

    @api.model
    def _mph_user_is_volunteer(self):
        user = self.env.user
        return (
            not self.env.su
            and user.has_group("mph_newsletter.group_volunteer")
            and not user.has_group("mph_school.group_coordinator")
        )

    @api.model_create_multi
    def create(self, vals_list):
        if self._mph_user_is_volunteer():
            vals_list = [dict(vals, mph_by_volunteer=True) for vals in vals_list]
        mailings = super().create(vals_list)
        mailings._mph_check_volunteer_recipients()
        return mailings

    def write(self, vals):
        volunteer = self._mph_user_is_volunteer()
        if volunteer:
            vals = dict(vals, mph_by_volunteer=True)
        res = super().write(vals)
        # Not on the queue's own writes (state, statistics): the check runs
        # when someone changes whom the mailing reaches, and at sending.
        if volunteer or RECIPIENT_FIELDS.intersection(vals):
            self._mph_check_volunteer_recipients()
        return res

    def _mph_newsletter_domain(self, opted_in=False):
        newsletter = self.env["mailing.list"]._mph_newsletter()
        condition = [("list_id", "=", newsletter.id)]
        if opted_in:
            condition.append(("opt_out", "=", False))
        return [("subscription_ids", "any", condition)]

    def _mph_check_volunteer_target(self):
        """Refuse a volunteer's mailing that is not addressed to exactly the
        school newsletter list."""
        newsletter = self.env["mailing.list"]._mph_newsletter()
        for mailing in self.sudo().filtered("mph_by_volunteer"):
            if mailing.mailing_model_id.model != "mailing.list" or mailing.contact_list_ids != newsletter:
                raise ValidationError(
                    self.env._("A newsletter volunteer's mailing can only go to the list %s.", newsletter.name)
                )

    def _mph_check_volunteer_recipients(self):
        self._mph_check_volunteer_target()
        for mailing in self.sudo().filtered("mph_by_volunteer"):
            outside = expression.AND([mailing._parse_mailing_domain(), ["!", *mailing._mph_newsletter_domain()]])
            try:
                count = self.env["mailing.contact"].sudo().with_context(active_test=False).search_count(outside)
            except (ValueError, KeyError, TypeError, AssertionError) as error:
                raise ValidationError(self.env._("The recipients filter of this mailing is not valid.")) from error
            if count:
                raise ValidationError(
                    self.env._(
                        "The recipients filter of this mailing reaches addresses that are not on the school "
                        "newsletter. A newsletter volunteer's mailing can only go to its subscribers."
                    )
                )

    def _get_recipients_domain(self):
        """At sending, whatever was saved: a volunteer's mailing reaches the
        confirmed subscribers of the school newsletter and no one else."""
        domain = super()._get_recipients_domain()
        if not self.mph_by_volunteer:
            return domain
        if self.mailing_model_real != "mailing.contact":
            return expression.FALSE_DOMAIN
        return expression.AND([domain, self._mph_newsletter_domain(opted_in=True)])
