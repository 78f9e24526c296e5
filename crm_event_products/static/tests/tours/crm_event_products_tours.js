/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const app = (xmlid) => `.o_app[data-menu-xmlid='crm_event_products.${xmlid}']`;
const noApp = (xmlid) => `.o_navbar_apps_menu:not(:has(${app(xmlid)}))`;
// The home action (a role's dashboard when crm_dashboards is installed) loads first: opening an
// app before it is shown would race with it.
const homeShown = { trigger: ".o_action_manager > *", content: "the home action is shown" };

registry.category("web_tour.tours").add("crm_event_products_phone_sales_tour", {
    url: "/odoo",
    steps: () => [
        homeShown,
        stepUtils.showAppsMenuItem(),
        { trigger: noApp("menu_production_root"), content: "no Production app" },
        { trigger: noApp("menu_email_sales_root"), content: "no Email Sales app" },
        { trigger: ".o_navbar_apps_menu:not(:has(.o_app[data-menu-xmlid='crm.crm_menu_root']))" },
        { trigger: app("menu_phone_sales_root"), content: "open Phone Sales", run: "click" },
        {
            trigger: "[data-menu-xmlid='crm_event_products.menu_phone_sales_leads']",
            content: "open the Phone Sales leads",
            run: "click",
        },
        { trigger: ".o_list_view .o_data_row:contains('Tour SE own lead')" },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour colleague lead')))" },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour production lead')))" },
        { trigger: ".o_main_navbar .dropdown-toggle:contains('Export Team Leads'), .o_main_navbar a:contains('Export Team Leads')" },
    ],
});

registry.category("web_tour.tours").add("crm_event_products_head_of_marketing_tour", {
    url: "/odoo",
    steps: () => [
        homeShown,
        stepUtils.showAppsMenuItem(),
        { trigger: noApp("menu_phone_sales_root"), content: "no Phone Sales app" },
        { trigger: noApp("menu_production_root"), content: "no Production app" },
        { trigger: app("menu_email_sales_root"), content: "open Email Sales", run: "click" },
        {
            trigger: "[data-menu-xmlid='crm_event_products.menu_email_sales_leads']",
            content: "open the Email Sales leads",
            run: "click",
        },
        { trigger: ".o_list_view .o_data_row:contains('Tour production lead')" },
        { trigger: ".o_list_view .o_data_row:contains('Tour locked phone lead')" },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour SE own lead')))" },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour colleague lead')))" },
    ],
});

// Issue 13: the Production Director makes a lead a speaker and shares it, with header buttons;
// no MailWizz push nor SMS in his Actions menu.
registry.category("web_tour.tours").add("crm_event_products_production_director_tour", {
    url: "/odoo",
    steps: () => [
        homeShown,
        stepUtils.showAppsMenuItem(),
        { trigger: app("menu_production_root"), content: "open Production", run: "click" },
        {
            trigger: "[data-menu-xmlid='crm_event_products.menu_production_leads']",
            content: "open the Production leads",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour production lead') td[name='name']",
            content: "open the lead",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_cp_action_menus .dropdown-toggle",
            content: "open the Actions menu",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu:contains('Duplicate')",
            content: "no Send SMS nor Push to MailWizz for Production",
            run() {
                const labels = [...document.querySelectorAll(".o-dropdown--menu")].map((menu) => menu.textContent);
                for (const forbidden of ["Send SMS", "Push to MailWizz"]) {
                    if (labels.some((label) => label.includes(forbidden))) {
                        throw new Error(`${forbidden} is offered to Production: ${labels.join(", ")}`);
                    }
                }
            },
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_convert_to_speaker']:contains('Make Speaker')",
            content: "make it a speaker",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_crm_speaker_status .o_crm_speaker_not_shared",
            content: "a speaker, Production only",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_speaker_unlock']:contains('Share with Sales and Marketing')",
            content: "share it with Sales and Marketing",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_crm_speaker_status .o_crm_speaker_shared",
            content: "shared",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_speaker_lock']:contains('Stop Sharing')",
            content: "and it can be unshared",
        },
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name='speaker_unlocked'] input[type='checkbox']))",
            content: "no checkbox to tick",
        },
    ],
});
