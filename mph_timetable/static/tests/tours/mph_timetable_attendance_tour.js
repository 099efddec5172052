/** @odoo-module **/

import { registry } from "@web/core/registry";

// A teacher on a 390-pixel phone: log in, then two taps to record today's
// attendance (open "My timetable", tap the code of the pupil).
registry.category("web_tour.tours").add("mph_timetable_attendance_tour", {
    url: "/web/login?redirect=/my",
    steps: () => [
        {
            trigger: "input#login",
            run: "edit mph_teacher",
        },
        {
            trigger: "input#password",
            run: "edit mph_teacher",
        },
        {
            trigger: "button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Tap 1: open My timetable",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/timetable']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Tap 2: the pupil called off",
            trigger: ".o_mph_attendance:contains('Sanne') button.o_mph_attendance_excused",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Recorded",
            trigger: ".o_mph_attendance:contains('Sanne') button.o_mph_attendance_excused.btn-primary",
        },
    ],
});
