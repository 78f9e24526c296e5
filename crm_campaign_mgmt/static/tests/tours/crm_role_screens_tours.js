import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { assertHidden, assertMenusHidden, uploadCsvSteps } from "@crm_campaign_mgmt/../tests/tours/tour_helpers";

// Issue 13: the screens of the marketing manager, the researcher, the producer and the suite
// administrator.

registry.category("web_tour.tours").add("crm_campaign_mgmt_marketing_manager_tour", {
    url: "/odoo/action-crm_campaign_mgmt.action_utm_campaign_mgmt",
    steps: () => [
        {
            content: "The suite's campaigns only: the manager's campaign, not Odoo's demo ones",
            trigger: ".o_kanban_record:contains('MM Tour Existing')",
        },
        {
            content: "No stock UTM campaign in the suite's list",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('MM Tour Stock UTM')))",
        },
        {
            content: "Create a campaign",
            trigger: ".o_control_panel_main_buttons button.o-kanban-button-new",
            run: "click",
        },
        {
            content: "One status bar, in Draft",
            trigger: ".o_form_view .o_form_statusbar .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Nothing to send or assign before the campaign is saved; no UTM stage",
            trigger: ".o_form_view .o_form_statusbar .o_statusbar_status",
            run() {
                for (const name of ["action_schedule", "action_start", "action_assign_leads"]) {
                    assertHidden(`.o_form_view button[name='${name}']`, name);
                }
                assertHidden(".o_form_view .o_field_widget[name='stage_id']", "the UTM stage");
                if (document.querySelectorAll(".o_form_view .o_statusbar_status").length !== 1) {
                    throw new Error("the form has one status bar");
                }
            },
        },
        {
            content: "No audience count before an audience is set",
            trigger: ".o_form_view .oe_button_box, .o_form_view .o_form_sheet",
            run() {
                assertHidden(".o_form_view button[name='action_view_audience']", "the segment size");
            },
        },
        {
            content: "Name the campaign",
            trigger: ".o_form_view .o_field_widget[name='title'] input",
            run: "edit MM Tour New Campaign",
        },
        {
            content: "Open the audience tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('3. Audience')",
            run: "click",
        },
        {
            content: "The segment editor is there, with no second count of its own",
            trigger: ".o_form_view .o_field_widget[name='audience_domain'] .o_domain_show_selection_button:not(:visible)",
            run() {
                assertHidden(".o_form_view .o_field_widget[name='audience_lead_count']", "the segment size");
            },
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: its Campaign ID is shown",
            trigger: ".o_form_view .o_field_widget[name='code'] span:contains('CPN-')",
        },
        {
            content: "Once saved, it can be scheduled",
            trigger: ".o_form_view .o_form_statusbar button[name='action_schedule']",
        },
        {
            content: "and its leads assigned",
            trigger: ".o_form_view .o_form_statusbar button[name='action_assign_leads']",
        },
    ],
});

registry.category("web_tour.tours").add("crm_campaign_mgmt_researcher_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            content: "No Apps icon for a researcher",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_email_sales_root']",
            run() {
                assertHidden(".o_app[data-menu-xmlid='base.menu_management']", "Apps");
            },
        },
        {
            content: "Open Email Sales",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_email_sales_root']",
            run: "click",
        },
        {
            content: "Open the Campaigns menu",
            trigger: "button[data-menu-xmlid='crm_campaign_mgmt.menu_email_sales_campaigns']",
            run: "click",
        },
        {
            content: "His items only: no queue, metrics, responses or tracked mails",
            trigger: ".o-dropdown--menu [data-menu-xmlid='crm_campaign_mgmt.menu_email_sales_campaigns_all']",
            run() {
                for (const xmlid of [
                    "crm_campaign_mgmt.menu_email_sales_my_queue",
                    "crm_campaign_mail.menu_crm_campaign_metrics_email",
                    "crm_campaign_mail.menu_crm_campaign_responses_email",
                    "crm_campaign_mail.menu_crm_mail_traces_email",
                ]) {
                    if (document.querySelector(`[data-menu-xmlid='${xmlid}']`)) {
                        throw new Error(`${xmlid} is shown to a researcher`);
                    }
                }
            },
        },
        {
            content: "Open Import Leads",
            trigger: "[data-menu-xmlid='crm_campaign_mgmt.menu_email_sales_import_leads']",
            run: "click",
        },
        {
            content: "Step 1 is named for what it does",
            trigger: ".modal .o_statusbar_status button.o_arrow_button_current:contains('1. Upload the File')",
        },
        ...uploadCsvSteps("researcher.csv", "Name,Email,Mobile\r\nAsha Rao,asha.researcher@example.com,98765 43210"),
        {
            content: "Step 2 maps the columns",
            trigger: ".modal .o_statusbar_status button.o_arrow_button_current:contains('2. Map the Columns')",
        },
        {
            content: "in a dialog still titled Import Leads",
            trigger: ".modal .modal-title:contains('Import Leads')",
            run() {
                const title = document.querySelector(".modal .modal-title").textContent;
                if (title.includes("Odoo")) {
                    throw new Error(`the import dialog is titled ${title}`);
                }
            },
        },
        {
            content: "Leave the import",
            trigger: ".modal footer button:contains('Cancel')",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_campaign_mgmt_suite_admin_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            content: "The suite has one settings app; no Apps icon for the suite administrator",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_crm_conf_root']",
            run() {
                assertHidden(".o_app[data-menu-xmlid='base.menu_management']", "Apps");
            },
        },
        {
            content: "Open Conference CRM",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_crm_conf_root']",
            run: "click",
        },
        {
            content: "It opens the products; the past product says it should be locked",
            trigger: ".o_list_view .o_data_row:contains('Admin Tour Past') button[name='action_crm_lock']:contains('Past: lock it?')",
        },
        {
            content: "The running product does not",
            trigger: ".o_list_view .o_data_row:contains('Admin Tour Running')",
            run() {
                const row = [...document.querySelectorAll(".o_data_row")].find((r) =>
                    r.textContent.includes("Admin Tour Running"));
                if (row.querySelector("button[name='action_crm_lock']")) {
                    throw new Error("a running product is offered to lock");
                }
            },
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the past products to lock",
            trigger: ".o_filter_menu .dropdown-item:contains('Past: lock it?')",
            run: "click",
        },
        {
            content: "Only the past product is left",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Admin Tour Running'))) .o_data_row:contains('Admin Tour Past')",
        },
        {
            content: "Remove the past filter",
            trigger: ".o_filter_menu .dropdown-item:contains('Past: lock it?')",
            run: "click",
        },
        {
            content: "Show the disabled products too",
            trigger: ".o_filter_menu .dropdown-item:contains('Disabled')",
            run: "click",
        },
        {
            content: "The disabled product is reachable from the list",
            trigger: ".o_list_view .o_data_row:contains('Admin Tour Disabled')",
        },
        {
            content: "Open the suite's configuration",
            trigger: "button[data-menu-xmlid='crm_event_products.menu_crm_conf_admin']",
            run: "click",
        },
        {
            content: "Departments are there",
            trigger: ".o-dropdown--menu [data-menu-xmlid='crm_event_products.menu_crm_conf_departments']",
            run: "click",
        },
        {
            content: "The departments list",
            trigger: ".o_list_view .o_data_row:contains('Email Sales')",
        },
    ],
});

registry.category("web_tour.tours").add("crm_campaign_mgmt_producer_tour", {
    url: "/odoo",
    steps: () => [
        // the home action (a dashboard with crm_dashboards) loads first: wait for it
        { trigger: ".o_action_manager > *", content: "the home action is shown" },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Production",
            trigger: ".o_app[data-menu-xmlid='crm_event_products.menu_production_root']",
            run: "click",
        },
        {
            content: "Open the Campaigns menu",
            trigger: "button[data-menu-xmlid='crm_campaign_mgmt.menu_production_campaigns']",
            run: "click",
        },
        {
            content: "His queue and the campaigns; the campaign figures are the managers'",
            trigger: ".o-dropdown--menu [data-menu-xmlid='crm_campaign_mgmt.menu_production_my_queue']",
            async run() {
                const figures = [
                    "crm_campaign_mail.menu_crm_campaign_metrics_production",
                    "crm_campaign_mail.menu_crm_attribution_report_production",
                ];
                for (const xmlid of figures) {
                    if (document.querySelector(`[data-menu-xmlid='${xmlid}']`)) {
                        throw new Error(`${xmlid} is shown to a producer`);
                    }
                }
                await assertMenusHidden(figures, "a producer");
            },
        },
        {
            content: "Open his queue",
            trigger: ".o-dropdown--menu [data-menu-xmlid='crm_campaign_mgmt.menu_production_my_queue']",
            run: "click",
        },
        {
            content: "The queue is open",
            trigger: ".o_breadcrumb:contains('Queue')",
        },
    ],
});
