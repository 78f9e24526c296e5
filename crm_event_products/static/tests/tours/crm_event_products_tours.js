/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const app = (xmlid) => `.o_app[data-menu-xmlid='crm_event_products.${xmlid}']`;
const noApp = (xmlid) => `.o_navbar_apps_menu:not(:has(${app(xmlid)}))`;

registry.category("web_tour.tours").add("crm_event_products_phone_sales_tour", {
    url: "/odoo",
    steps: () => [
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
