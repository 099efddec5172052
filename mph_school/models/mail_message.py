from odoo import api, models

from .ir_rule import PERSON_DOCUMENT_MODELS, person_flag


class MailMessage(models.Model):
    _inherit = "mail.message"

    # The chatter of a pupil, an enrolment or a pupil's or guardian's contact:
    # the coordinator's alone, whoever was notified of it (see ir_rule.py).
    mph_person_chatter = person_flag(
        "Chatter about a pupil or guardian", "_compute_mph_person_chatter", groups="base.group_system"
    )

    @api.depends("model", "res_id")
    def _compute_mph_person_chatter(self):
        partner_ids = [m.res_id for m in self if m.model == "res.partner" and m.res_id]
        persons = set()
        if partner_ids:
            Partner = self.env["res.partner"].sudo().with_context(active_test=False)
            persons = set(Partner.search([("id", "in", partner_ids), ("mph_school_person", "=", True)]).ids)
        for message in self:
            message.mph_person_chatter = message.model in PERSON_DOCUMENT_MODELS or (
                message.model == "res.partner" and message.res_id in persons
            )

    @api.model
    def _find_allowed_model_wise(self, doc_model, doc_dict):
        """Searching messages must agree with reading them: where a document
        asks more than read access for its chatter (pupils and their
        contacts), search filters on that access too."""
        allowed = super()._find_allowed_model_wise(doc_model, doc_dict)
        Document = self.env[doc_model]
        if not allowed or not hasattr(Document, "_get_mail_message_access"):
            return allowed
        operation = Document._get_mail_message_access(list(doc_dict), "read")
        if operation == "read":
            return allowed
        permitted = Document.browse(list(doc_dict))._filtered_access(operation)
        return {message_id for doc_id in permitted.ids for message_id in doc_dict[doc_id]} & allowed
