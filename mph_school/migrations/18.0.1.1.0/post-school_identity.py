"""The school's identity and the school years' payment term on a database made before 18.0.1.1.0.

An upgrade does not load noupdate records onto records that already exist, so a database
installed earlier would keep Odoo's example company and contribution invoices due on the
invoice date. Only what nobody has changed yet is filled in: a company and a website that still
carry Odoo's names for them, school years without a payment term.
"""

import base64

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file, file_open

ODOO_COMPANY_NAMES = ("My Company", "YourCompany")
ODOO_WEBSITE_NAME = "My Website"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    company = env.ref("base.main_company")
    if company.name in ODOO_COMPANY_NAMES:
        convert_file(env, "mph_school", "data/mph_company_data.xml", {}, mode="init", noupdate=True)
    term = env.ref("account.account_payment_term_30days", raise_if_not_found=False)
    if term:
        seasons = env["mph.season"].with_context(active_test=False).search([("payment_term_id", "=", False)])
        seasons.write({"payment_term_id": term.id})
    website = env.ref("website.default_website", raise_if_not_found=False)
    if website and website.name == ODOO_WEBSITE_NAME:
        with file_open("mph_school/static/img/mph_logo.png", "rb") as logo:
            website.write({"name": "Muziekpakhuis", "logo": base64.b64encode(logo.read())})
