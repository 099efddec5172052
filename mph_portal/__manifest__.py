{
    "name": "Muziekpakhuis Mijn MPH",
    "summary": "Pupils and parents see and manage their own data on the portal: several guardians, "
    "the age-16 split, correction requests, own data and requests",
    "version": "18.0.1.0.0",
    "category": "Education",
    "author": "Muziekpakhuis",
    "website": "https://www.muziekpakhuis.nl",
    "license": "AGPL-3",
    "depends": ["mph_school", "portal", "auth_totp_portal"],
    "data": [
        "security/mph_portal_groups.xml",
        "security/ir.model.access.csv",
        "security/mph_portal_security.xml",
        "data/ir_cron_data.xml",
        "views/mph_correction_request_views.xml",
        "views/mph_student_views.xml",
        "views/mph_portal_templates.xml",
    ],
    "demo": [
        "demo/mph_portal_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "mph_portal/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
