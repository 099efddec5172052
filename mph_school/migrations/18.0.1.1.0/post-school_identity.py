"""The school's identity and the school years' payment term on a database made before 18.0.1.1.0.

An upgrade does not load noupdate records onto records that already exist, so a database
installed earlier would keep Odoo's example company and contribution invoices due on the
invoice date. Only what nobody has changed yet is filled in: a company that still carries
Odoo's name for it, school years without a payment term.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file

ODOO_COMPANY_NAMES = ("My Company", "YourCompany")


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    company = env.ref("base.main_company")
    if company.name in ODOO_COMPANY_NAMES:
        convert_file(env, "mph_school", "data/mph_company_data.xml", {}, mode="init", noupdate=True)
    term = env.ref("account.account_payment_term_30days", raise_if_not_found=False)
    if term:
        seasons = env["mph.season"].with_context(active_test=False).search([("payment_term_id", "=", False)])
        seasons.write({"payment_term_id": term.id})
