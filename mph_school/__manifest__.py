{
    "name": "Muziekpakhuis School Administration",
    "summary": "Students, teachers, lesson types and enrolments of the Muziekpakhuis "
    "music school, with privacy by design",
    "version": "18.0.1.0.0",
    "category": "Education",
    "author": "Muziekpakhuis",
    "website": "https://www.muziekpakhuis.nl",
    "license": "AGPL-3",
    "depends": ["mail", "portal", "contacts", "auth_totp_portal"],
    "data": [
        "security/mph_school_groups.xml",
        "security/ir.model.access.csv",
        "security/mph_school_security.xml",
        "data/mph_season_data.xml",
        "data/mail_template_data.xml",
        "views/mph_season_views.xml",
        "views/mph_lesson_type_views.xml",
        "views/mph_teacher_views.xml",
        "views/mph_enrollment_views.xml",
        "views/mph_student_views.xml",
        "views/mph_insight_demand_views.xml",
        "views/mph_insight_capacity_views.xml",
        "views/mph_insight_population_views.xml",
        "views/res_config_settings_views.xml",
        "data/mph_insight_data.xml",
        "views/mph_school_menus.xml",
        "views/mph_portal_templates.xml",
    ],
    "demo": [
        "demo/mph_school_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "mph_school/static/src/js/insight_formatter.js",
        ],
        "web.assets_tests": [
            "mph_school/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
