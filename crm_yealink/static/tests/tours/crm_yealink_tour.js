/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A Sales Executive opens his lead, dials its number on his phone, sees the call on the lead.
registry.category("web_tour.tours").add("crm_yealink_dial_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_phone_sales_root']",
            content: "open Phone Sales",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='crm_event_products.menu_phone_sales_leads']",
            content: "open the leads",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Yealink tour lead')",
            content: "open the lead",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='phone'] .o_yealink_dial",
            content: "dial the lead's number",
            run: "click",
        },
        { trigger: ".o_notification:contains('Your phone is dialing')", content: "the phone dials" },
        { trigger: ".o_form_view .oe_stat_button:has(.o_stat_text:contains('Calls')) .o_stat_value:contains('1')" },
        { trigger: ".o_notebook .nav-link:contains('Calls')", content: "open the Calls tab", run: "click" },
        {
            trigger: ".o_field_widget[name='yealink_call_ids'] .o_data_row:contains('Dialing')",
            content: "the call is on the lead",
        },
    ],
});
