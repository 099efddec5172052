/** @odoo-module **/

import { registry } from "@web/core/registry";

// A visitor signs up an adult pupil for the piano through the public form.
registry.category("web_tour.tours").add("mph_signup_tour", {
    url: "/muziekles/aanmelden",
    steps: () => [
        {
            content: "Only functional cookies: decline the optional ones",
            trigger: "#cookies-consent-essential",
            run: "click",
        },
        {
            content: "Choose the lesson type",
            trigger: "label:contains('Tour piano')",
            run: "click",
        },
        { trigger: "input[name=name]", run: "edit Tessa Tourtest" },
        {
            trigger: "input[name=birthdate]",
            run() {
                const input = document.querySelector("input[name=birthdate]");
                input.value = "1991-06-15";
            },
        },
        { trigger: "input[name=street]", run: "edit Oudegracht 10" },
        { trigger: "input[name=zip]", run: "edit 3511ab" },
        { trigger: "input[name=city]", run: "edit Utrecht" },
        { trigger: "input[name=email]", run: "edit tessa.tour@example.nl" },
        { trigger: "input[name=phone]", run: "edit 06 12345678" },
        { trigger: "input[name=privacy_accept]", run: "click" },
        { content: "Send the form", trigger: "#mph_signup_form button[type=submit]", run: "click" },
        {
            content: "The confirmation lists the lesson type",
            trigger: "#mph_signup_result:contains('Tour piano')",
        },
    ],
});
