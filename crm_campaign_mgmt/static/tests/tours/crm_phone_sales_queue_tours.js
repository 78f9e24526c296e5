import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { assertHidden, assertMenusHidden } from "@crm_campaign_mgmt/../tests/tours/tour_helpers";

// Issue 13: the Sales Executive on a phone, and the team leader's team queue.

// crm_campaign_mail's campaign figures, for the roles that run campaigns (STL and above)
const PHONE_SALES_FIGURES = [
    "crm_campaign_mail.menu_crm_campaign_metrics_phone",
    "crm_campaign_mail.menu_crm_campaign_responses_phone",
    "crm_campaign_mail.menu_crm_attribution_report_phone",
];

registry.category("web_tour.tours").add("crm_campaign_mgmt_sales_executive_phone_tour", {
    url: "/odoo/my-lead-queue",
    steps: () => [
        {
            content: "My queue opens on the cards of my leads to work",
            trigger: ".o_kanban_record:contains('SE Phone Tour Lead')",
        },
        {
            content: "Work the accepted lead",
            trigger: ".o_kanban_record:contains('SE Phone Tour Lead') button[name='action_open_lead']",
            run: "click",
        },
        {
            content: "The lead opens on the contact, the company and the phone",
            trigger: ".o_form_view .o_crm_phone_sales_quick .o_field_widget[name='phone']:contains('98300')",
            run() {
                const quick = document.querySelector(".o_form_view .o_crm_phone_sales_quick");
                const phone = quick.querySelector(".o_field_widget[name='phone']");
                if (phone.getBoundingClientRect().bottom > window.innerHeight) {
                    throw new Error("the phone number is not on the first screen");
                }
                if (!quick.textContent.includes("Asha Rao") || !quick.textContent.includes("Tata Steel")) {
                    throw new Error("the contact and the company come first");
                }
                if (!quick.querySelector(".o_field_widget[name='email_from']")) {
                    throw new Error("the email comes first");
                }
                assertHidden(".o_form_view .oe_title .o_field_widget[name='probability']", "the probability");
            },
        },
        {
            content: "Call from the first screen",
            trigger: ".o_form_view .o_crm_phone_sales_quick .o_field_phone a[href^='tel:']",
        },
        {
            content: "and its queue status",
            trigger: ".o_form_view .o_crm_phone_sales_queue .o_field_widget[name='campaign_assignment_state']:contains('Accepted')",
        },
        {
            content: "The campaign figures are the team leaders': no Metrics, Responses or Attribution",
            trigger: ".o_form_view .o_crm_phone_sales_quick",
            run: () => assertMenusHidden(PHONE_SALES_FIGURES, "a Sales Executive"),
        },
    ],
});

registry.category("web_tour.tours").add("crm_campaign_mgmt_team_leader_queue_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Phone Sales",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_phone_sales_root']",
            run: "click",
        },
        {
            content: "Open the team queue",
            trigger: "[data-menu-xmlid='crm_campaign_mgmt.menu_phone_sales_team_queue']",
            run: "click",
        },
        {
            content: "Grouped by rep: the first member",
            trigger: ".o_list_view .o_group_header:contains('TQ Rep One')",
        },
        {
            content: "and the second one",
            trigger: ".o_list_view .o_group_header:contains('TQ Rep Two')",
        },
        {
            content: "not a rep of another team",
            trigger: ".o_list_view:not(:has(.o_group_header:contains('TQ Outsider')))",
        },
        {
            content: "Open a rep's leads",
            trigger: ".o_list_view .o_group_header:contains('TQ Rep One')",
            run: "click",
        },
        {
            content: "his pending lead is there",
            trigger: ".o_list_view .o_data_row:contains('TQ Lead 0')",
        },
    ],
});
