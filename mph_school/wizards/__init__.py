from . import mph_contribution_invoice_wizard
