import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_campaign_mgmt_accept_lead_tour", {
    url: "/odoo/action-crm_campaign_mgmt.action_utm_campaign_mgmt",
    steps: () => [
        {
            content: "The campaign selector shows the running campaign with its lead count",
            trigger: ".o_kanban_group .o_kanban_record:contains('Tour Campaign'):contains('1 leads')",
        },
        {
            content: "Open the campaign",
            trigger: ".o_kanban_record:contains('Tour Campaign') .o_kanban_record_title, .o_kanban_record:contains('Tour Campaign') span:contains('Tour Campaign')",
            run: "click",
        },
        {
            content: "Open its pending assignments",
            trigger: ".o_form_view button[name='action_view_assignments']",
            run: "click",
        },
        {
            content: "Accept the lead",
            trigger: ".o_data_row:contains('Tour Lead') button[name='action_accept']",
            run: "click",
        },
        {
            content: "The assignment is accepted",
            trigger: ".o_data_row:contains('Tour Lead') .o_field_badge:contains('Accepted')",
        },
    ],
});
