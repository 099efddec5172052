/** @odoo-module **/

import { registry } from "@web/core/registry";

// On a phone: a parent logs in, opens Mijn MPH, sees both children, opens one,
// and asks for a change of address.
registry.category("web_tour.tours").add("mph_mijn_mph_tour", {
    url: "/web/login?redirect=/my",
    steps: () => [
        {
            content: "Enter the parent's login",
            trigger: "input#login",
            run: "edit mijn_ma",
        },
        {
            content: "Enter the password",
            trigger: "input#password",
            run: "edit mijn_ma-Pw1!",
        },
        {
            content: "Log in",
            trigger: "button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open Mijn MPH (shown once its counter has loaded)",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/mph']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Both children are listed",
            trigger: "#mph_children:contains('Kim Wilgenroos'):contains('Bo Wilgenroos')",
        },
        {
            content: "Nothing wider than the phone",
            trigger: ".o_mph_portal_home",
            run() {
                const width = document.documentElement.scrollWidth;
                if (width > window.innerWidth) {
                    throw new Error(`The page is ${width}px wide on a ${window.innerWidth}px screen`);
                }
            },
        },
        {
            content: "Open a child",
            trigger: "#mph_children a:contains('Kim Wilgenroos')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The waiting-list position is shown",
            trigger: ".o_mph_enrollment .o_mph_waiting_position",
        },
        {
            content: "Back to Mijn MPH",
            trigger: "a.o_mph_back",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Ask for a change of my data",
            trigger: ".o_mph_portal_home a[href='/my/mph/wijzigen']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "A new street",
            trigger: "input#mph_street",
            run: "edit Nieuwe Gracht 5",
        },
        {
            content: "Send it for approval",
            trigger: ".o_mph_correction_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request is listed, waiting for approval",
            trigger: ".o_mph_portal_requests .alert-success",
        },
        {
            trigger: ".o_mph_corrections:contains('Nieuwe Gracht 5')",
        },
    ],
});
