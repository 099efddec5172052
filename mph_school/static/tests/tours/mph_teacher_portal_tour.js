/** @odoo-module **/

import { registry } from "@web/core/registry";

// A teacher logs in, opens "My pupils" from the portal home and opens a pupil.
registry.category("web_tour.tours").add("mph_teacher_portal_tour", {
    url: "/web/login?redirect=/my",
    steps: () => [
        {
            content: "Enter the teacher's login",
            trigger: "input#login",
            run: "edit mph_teacher",
        },
        {
            content: "Enter the password",
            trigger: "input#password",
            run: "edit mph_teacher",
        },
        {
            content: "Log in",
            trigger: "button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open My pupils (shown once its counter has loaded)",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/students']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Own pupils are listed, other teachers' are not",
            trigger: ".o_mph_portal_student_row:contains('Daan de Vries')",
        },
        {
            trigger: "body:not(:contains('Lotte Smit'))",
        },
        {
            content: "Open a pupil",
            trigger: ".o_mph_portal_student_row a:contains('Sanne Bakker')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The pupil's page shows what a teacher receives",
            trigger: ".o_mph_portal_student:contains('06-12345678'):contains('Piano (test)')",
        },
    ],
});
