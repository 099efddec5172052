from odoo import models
from odoo.osv import expression

from ..groups import COORDINATOR
from .mph_enrollment import RUNNING_STATES

# Where finance's exception holds: the contacts themselves, the school's own
# models and accounting (and, see ir_rule.py, the mail about invoices).
# Anywhere else (Discuss, Calendar, Employees, an app installed later)
# finance sees no more of a pupil than a plain employee does.
FINANCE_PREFIXES = ("res.partner", "mph.", "account.")
# The composer that mails an invoice to its payer.
FINANCE_WIZARDS = frozenset({"mail.compose.message"})


def _finance_scope(model_name):
    return not model_name or model_name.startswith(FINANCE_PREFIXES) or model_name in FINANCE_WIZARDS


class ResUsers(models.Model):
    _inherit = "res.users"

    # Privacy by default: who may see a "school person" (the contact of a
    # pupil or guardian, res.partner.mph_school_person). Everything is
    # written here once; the global rule on res.partner and the rules that
    # ir.rule adds to every model pointing at a partner (ir_rule.py) ask
    # these two methods. A user in no school group, or in a group that does
    # not exist yet, gets no exception and so sees no school person.

    def _mph_school_person_exceptions(self, model_name=None, invoice_mail=False):
        """Domains on res.partner of the school persons this user may see
        (through rows of ``model_name``; the contacts themselves when None;
        ``invoice_mail``: through the mail about an invoice)
        besides the coordinator's all. A role that needs a pupil adds its
        domain here; None means every school person (the coordinator)."""
        self.ensure_one()
        if self.has_group(COORDINATOR):
            return None
        # The person themself: one's own contact is always readable (a
        # guardian may also work at the school; a future portal for pupils
        # and parents starts from here).
        exceptions = [[("id", "=", self.partner_id.id)]]
        # A parent or guardian (on the portal, mph_portal): the pupils they
        # are guardian of while under 16 (UAVG art. 5), or older when the
        # pupil allowed it (a consent). Archived pupils not.
        exceptions.append(
            [
                (
                    "mph_student_ids",
                    "any",
                    [
                        ("guardian_ids", "in", self.partner_id.ids),
                        "|",
                        ("is_under_guardian_age", "=", True),
                        ("mph_guardian_access", "=", True),
                    ],
                )
            ]
        )
        if self.has_group("mph_school.group_finance") and (invoice_mail or _finance_scope(model_name)):
            # What an invoice needs: every school person except the pupils in
            # the passive archive, unless a legal hold keeps them.
            exceptions.append(
                [
                    (
                        "mph_student_ids",
                        "not any",
                        [("active", "in", (True, False)), ("state", "=", "archived"), ("legal_hold", "=", False)],
                    )
                ]
            )
        if self.has_group("mph_school.group_teacher"):
            exceptions.append(
                [
                    (
                        "mph_student_ids",
                        "any",
                        [
                            (
                                "enrollment_ids",
                                "any",
                                [("teacher_id.user_id", "=", self.id), ("state", "in", RUNNING_STATES)],
                            )
                        ],
                    )
                ]
            )
        return exceptions

    def _mph_hidden_partner_domain(self, model_name=None, invoice_mail=False):
        """Domain on res.partner (archived included) of the contacts this user
        may not see through rows of ``model_name``, or None when nothing is
        hidden."""
        exceptions = self._mph_school_person_exceptions(model_name, invoice_mail=invoice_mail)
        if exceptions is None:
            return None
        if model_name and model_name.startswith("account.") and self.has_group("mph_school.group_finance"):
            # Fiscal records: finance keeps the invoices, lines and payments
            # of pupils in the passive archive until the statutory period
            # ends; their contact itself stays hidden.
            return None
        return expression.AND(
            [
                [("mph_school_person", "=", True), ("active", "in", (True, False))],
                ["!", *expression.OR(exceptions)],
            ]
        )

    def _mph_partner_rule_domain(self):
        """The domain of the global rule on res.partner (see
        mph_school_security.xml): every contact that is not a school person,
        and the school persons of the user's exceptions."""
        exceptions = self._mph_school_person_exceptions()
        if exceptions is None:
            return []
        return expression.OR([[("mph_school_person", "=", False)], *exceptions])

    # ------------------------------------------------------------
    # Home: each role starts in its own app (not in Chat)
    # ------------------------------------------------------------

    def _mph_home_menus(self):
        """(role group, menu) in order of precedence: a user starts at the
        menu of the first role they hold, inside that menu's app. Addons add
        their roles."""
        return [
            (COORDINATOR, "mph_school.menu_mph_student"),
            ("mph_school.group_finance", "account.menu_action_move_out_invoice_type"),
            ("mph_school.group_director", "mph_school.menu_mph_insight_age"),
            ("mph_school.group_artistic", "mph_school.menu_mph_insight_waiting"),
        ]

    def _mph_home_action(self):
        """The action the web client opens first for this user: the user's
        own Home Action when set (Settings > Users), else the role's app."""
        self.ensure_one()
        if self.action_id:
            return self.action_id
        for group, xmlid in self._mph_home_menus():
            if self.has_group(group):
                menu = self.env.ref(xmlid, raise_if_not_found=False)
                if menu and menu.action:
                    return menu.action
        return self.env["ir.actions.actions"]
