from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        # The reports show suppressed figures as "< N": the web client needs N.
        info = super().session_info()
        if self.env.user._is_internal():
            info["mph_insight_min_count"] = self.env["mph.insight.mixin"]._insight_min_count()
        return info
