{
    "name": "Muziekpakhuis Newsletter",
    "summary": "Double opt-in newsletter of the Muziekpakhuis, volunteers who see only e-mail "
    "addresses, two-way Mailchimp sync",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "author": "Muziekpakhuis",
    "website": "https://www.muziekpakhuis.nl",
    "license": "AGPL-3",
    "depends": ["mph_school", "mass_mailing", "website", "website_mass_mailing"],
    "data": [
        "security/mph_newsletter_groups.xml",
        "security/ir.model.access.csv",
        "security/mph_newsletter_security.xml",
        "data/mph_newsletter_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/mph_newsletter_templates.xml",
        "views/mph_mailchimp_log_views.xml",
        "views/res_config_settings_views.xml",
        "views/mailing_volunteer_views.xml",
        "views/mph_newsletter_menus.xml",
    ],
    "demo": [
        "demo/mph_newsletter_demo.xml",
    ],
    "installable": True,
}
