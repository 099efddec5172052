from odoo import api, models
from odoo.exceptions import AccessError


class ReportPrivacyExport(models.AbstractModel):
    """The readable (PDF) version of an access export: the data collected for
    the JSON export, as titled sections in the person's language."""

    _name = "report.mph_school.report_privacy_export"
    _description = "Personal Data Export (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user.has_group("mph_school.group_coordinator"):
            raise AccessError(self.env._("Only the lesson coordinator can print a personal data export."))
        requests = self.env["mph.privacy.request"].browse(docids)
        requests.check_access("read")
        exports = (data or {}).get("exports") or {}
        Export = self.env["mph.access.export"]
        sections = {}
        for request in requests:
            export = exports.get(str(request.id)) or Export._collect_personal_data(request)
            sections[request.id] = Export._export_sections(request, export)
        return {
            "doc_ids": docids,
            "doc_model": "mph.privacy.request",
            "docs": requests,
            "sections": sections,
            "exports": {request.id: exports.get(str(request.id)) for request in requests},
        }
