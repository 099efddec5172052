/** @odoo-module */
// The contribution invoicing wizard: while the invoices are created, posted
// and queued (a minute for a whole school), the screen says so instead of
// showing only the small "Loading" badge.
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";

export class MphContributionInvoiceFormController extends FormController {
    async beforeExecuteActionButton(clickParams) {
        const proceed = await super.beforeExecuteActionButton(...arguments);
        if (proceed !== false && clickParams.name === "action_invoice") {
            this.ui.block({
                message: _t(
                    "Creating, posting and queueing the invoices... This can take a minute for the whole school; keep this window open."
                ),
            });
            this.mphBlocked = true;
        }
        return proceed;
    }

    async afterExecuteActionButton(clickParams) {
        if (this.mphBlocked) {
            this.mphBlocked = false;
            this.ui.unblock();
        }
        return super.afterExecuteActionButton(...arguments);
    }
}

registry.category("views").add("mph_contribution_invoice_form", {
    ...formView,
    Controller: MphContributionInvoiceFormController,
});
