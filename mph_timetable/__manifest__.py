{
    "name": "Muziekpakhuis Timetable",
    "summary": "Rooms, school holidays, the weekly timetable, the dated lessons of a season, "
    "attendance by codes, teacher absence with make-up lessons, the teacher's week on the portal",
    "version": "18.0.1.0.0",
    "category": "Education",
    "author": "Muziekpakhuis",
    "website": "https://www.muziekpakhuis.nl",
    "license": "AGPL-3",
    "depends": ["mph_school"],
    "pre_init_hook": "pre_init_hook",
    "data": [
        "security/ir.model.access.csv",
        "security/mph_timetable_security.xml",
        "data/mail_template_data.xml",
        "views/mph_room_views.xml",
        "views/mph_school_holiday_views.xml",
        "views/mph_lesson_slot_views.xml",
        "views/mph_lesson_views.xml",
        "views/mph_teacher_absence_views.xml",
        "views/mph_makeup_credit_views.xml",
        "views/mph_teacher_views.xml",
        "views/mph_lesson_type_views.xml",
        "views/mph_enrollment_views.xml",
        "wizards/mph_slot_plan_wizard_views.xml",
        "views/mph_timetable_menus.xml",
        "views/mph_timetable_portal_templates.xml",
    ],
    "demo": [
        "demo/mph_timetable_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "mph_timetable/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
