from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

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
