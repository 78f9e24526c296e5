import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { uploadCsvSteps } from "@crm_campaign_mgmt/../tests/tours/tour_helpers";

// 3 valid rows (one with an international number), 1 invalid phone
const CSV_CONTENT = [
    "Name,Email,Mobile,Company,City",
    "Asha Rao,asha.lead@example.com,98765 43210,Acme Pharma,Pune",
    "Rahul Sen,rahul.lead@example.in,98300 12345,Zincox,Kolkata",
    "Tom Hill,tom.lead@example.co.uk,+44 20 7946 0958,Hill Ltd,London",
    "Bad Phone,bad.lead@example.com,12345,Nowhere,Pune",
].join("\r\n");

registry.category("web_tour.tours").add("crm_campaign_mgmt_import_leads_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Email Sales",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_email_sales_root']",
            run: "click",
        },
        {
            content: "Open Import Leads",
            trigger: "[data-menu-xmlid='crm_campaign_mgmt.menu_email_sales_import_leads']",
            run: "click",
        },
        {
            content: "The wizard says leads are imported",
            trigger: ".modal .o_field_widget[name='import_type'] input[data-value='leads']:checked",
        },
        {
            content: "The researcher's only product is proposed",
            trigger: ".modal .o_field_widget[name='event_id'] input:value('Lead Tour Summit')",
        },
        ...uploadCsvSteps("my_leads.csv", CSV_CONTENT),
        {
            content: "Four rows are announced",
            trigger: ".modal .o_field_widget[name='total_rows']:contains(/^\\s*4\\s*$/)",
        },
        {
            content: "The phones are previewed as Indian numbers",
            trigger: ".modal .o_field_widget[name='phone_preview']:contains('+919876543210'):contains('India (+91)')",
        },
        {
            content: "Import",
            trigger: ".modal footer button[name='action_import']",
            run: "click",
        },
        {
            content: "The import is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "3 leads created",
            trigger: ".o_form_view .o_inner_group .o_field_widget[name='count_leads']:contains(/^\\s*3\\s*$/)",
        },
        {
            content: "Open the leads",
            trigger: ".o_form_view .oe_stat_button[name='action_view_leads']",
            run: "click",
        },
        {
            content: "The researcher sees his new leads",
            trigger: ".o_list_view .o_data_row:contains('Hill Ltd - Tom Hill')",
        },
        {
            content: "All three",
            trigger: ".o_list_view:has(.o_data_row:contains('Acme Pharma - Asha Rao')):has(.o_data_row:contains('Zincox - Rahul Sen'))",
        },
    ],
});
