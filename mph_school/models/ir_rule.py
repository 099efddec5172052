from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import config

# Models whose records are, or belong to, one pupil or guardian, with the path
# from a record to its contact. Rows of any other model pointing at them are
# hidden with them.
PERSON_MODELS = {
    "res.partner": None,
    "mph.student": "partner_id",
    "mph.enrollment": "student_id.partner_id",
}
# Models with their own, explicit rules for the school's roles (a teacher
# reads an own pupil's guardian on mph.student without reaching the
# guardian's contact): the generic condition is not added to them.
# Documents whose chatter is about one pupil (besides a school person's contact).
PERSON_DOCUMENT_MODELS = ("mph.student", "mph.enrollment")
OWN_RULES = frozenset({"res.partner", "mph.student", "mph.enrollment"})


def person_flag(string, compute, groups):
    """A stored, indexed flag that marks a record as about a pupil or guardian
    (a contact, a chatter message): the rules here filter on it."""
    return fields.Boolean(string=string, compute=compute, store=True, index=True, groups=groups)


# Mail rows and the field naming the document they are about: those about an
# invoice or payment follow finance's reach on contacts (a payer follows the
# invoice and is notified of it); any other document, not.
INVOICE_DOCUMENTS = ("account.move", "account.payment")
MAIL_DOCUMENT_FIELD = {
    "mail.followers": "res_model",
    "mail.message": "model",
    "mail.notification": "mail_message_id.model",
    "mail.mail": "mail_message_id.model",
}


class IrRule(models.Model):
    """Privacy by default for every model that points at a person.

    The global rule on res.partner (mph_school_security.xml) hides the contact
    of every pupil and guardian (res.partner.mph_school_person) from every
    user outside the exceptions of res.users._mph_school_person_exceptions.
    Here that is carried over, for the same users, to every other model in
    the registry (Odoo's, ours, and those of apps installed later), found by
    their fields rather than by name:

    - a stored many2one/many2many to res.partner, mph.student or
      mph.enrollment must not point at a hidden person (followers,
      notifications, recipients, activities, invoices, users, ...);
    - a document reference (res_model/res_id: chatter, followers,
      activities, attachments) must not point at a pupil or an enrolment,
      and no message of a pupil's, enrolment's or school person's chatter
      (mail.message.mph_person_chatter) is visible: that chatter is the
      coordinator's alone, so being notified or following opens nothing;
    - a many2one to mail.message must not point at a message hidden so.

    The conditions are subqueries on indexed columns, computed once per user
    and model (the result of _compute_domain is cached per uid), and empty
    for the coordinator and the superuser.
    """

    _inherit = "ir.rule"

    @api.model
    @tools.conditional(
        "xml" not in config["dev_mode"],
        tools.ormcache(
            "self.env.uid", "self.env.su", "model_name", "mode", "tuple(self._compute_domain_context_values())"
        ),
    )
    def _compute_domain(self, model_name, mode="read"):
        domain = super()._compute_domain(model_name, mode)
        if self.env.su or model_name in OWN_RULES:
            return domain
        hidden = self.env.user._mph_hidden_partner_domain(model_name)
        if hidden is None:
            return domain
        conditions = self._mph_person_conditions(model_name, hidden)
        if not conditions:
            return domain
        condition = expression.AND(conditions)
        document_field = MAIL_DOCUMENT_FIELD.get(model_name)
        invoice_hidden = document_field and self.env.user._mph_hidden_partner_domain(model_name, invoice_mail=True)
        if document_field and invoice_hidden != hidden:
            about_invoice = [(document_field, "in", INVOICE_DOCUMENTS)]
            invoice_conditions = self._mph_person_conditions(model_name, invoice_hidden) if invoice_hidden else []
            condition = expression.OR([condition, expression.AND([about_invoice, *invoice_conditions])])
        return expression.AND([domain, condition]) if domain else condition

    @api.model
    def _mph_person_conditions(self, model_name, hidden):
        """The domains a row of ``model_name`` must meet to be visible, given
        the user's hidden-partner domain ``hidden``."""
        conditions = []
        if model_name == "mail.message":
            conditions.append([("mph_person_chatter", "=", False)])
        for fname, kind, target in self._mph_person_fields(model_name):
            if kind == "relation":
                conditions.append([(fname, "not any", self._mph_hidden_domain(target, hidden))])
            elif kind == "reference":
                conditions.append(self._mph_reference_condition(fname, target))
            elif kind == "message":
                conditions.append([(fname, "not any", self._mph_hidden_message_domain(hidden))])
        return conditions

    @api.model
    def _mph_hidden_domain(self, comodel, hidden):
        path = PERSON_MODELS[comodel]
        return [(path, "any", hidden)] if path else hidden

    @api.model
    def _mph_reference_condition(self, res_id_field, model_field):
        """A document reference to a pupil or an enrolment is hidden: their
        chatter, files, followers and activities are the coordinator's.
        (References to a school person's contact are covered by the document
        checks of chatter, attachments and activities, which read the
        contact under the global rule, and by mail.message.mph_person_chatter.)
        Written without subqueries: _check_access evaluates rule domains in
        Python (filtered_domain)."""
        return ["|", (model_field, "=", False), (model_field, "not in", PERSON_DOCUMENT_MODELS)]

    @api.model
    def _mph_hidden_message_domain(self, hidden):
        """Messages a user outside the coordinator may not reach through any
        row: the chatter of a pupil, enrolment or school person's contact,
        by a hidden author or to a hidden recipient."""
        return [
            "|",
            "|",
            ("mph_person_chatter", "=", True),
            ("author_id", "any", hidden),
            ("partner_ids", "any", hidden),
        ]

    @api.model
    @tools.ormcache("model_name")
    def _mph_person_fields(self, model_name):
        """(field, kind, target) of the fields of ``model_name`` that can
        point at a person: kind 'relation' (target: the comodel), 'reference'
        (target: the field holding the model name) or 'message'."""
        model = self.env[model_name]
        if model._abstract or not model._table:
            return ()
        inherits_links = set(model._inherits.values())
        found = []
        for fname, field in model._fields.items():
            if not field.store or field.company_dependent or fname in inherits_links:
                continue
            if field.type in ("many2one", "many2many") and field.comodel_name in PERSON_MODELS:
                found.append((fname, "relation", field.comodel_name))
            elif field.type == "many2one_reference" and field.model_field in model._fields:
                found.append((fname, "reference", field.model_field))
            elif field.type == "many2one" and field.comodel_name == "mail.message" and model_name != "mail.message":
                found.append((fname, "message", None))
        return tuple(found)
