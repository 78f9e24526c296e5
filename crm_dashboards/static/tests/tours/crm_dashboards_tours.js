/** @odoo-module **/

import { registry } from "@web/core/registry";

// each role lands on its dashboard after login (res.users.action_id): the dashboard is the
// active one of the dashboards panel, its figures and gauges are drawn
const DASHBOARDS = {
    production: "Production",
    research: "Research",
    marketing: "Marketing",
    phone_team: "Phone Sales: My Teams",
    phone_own: "Phone Sales: My Figures",
};

for (const [key, name] of Object.entries(DASHBOARDS)) {
    registry.category("web_tour.tours").add(`crm_dashboards_home_${key}_tour`, {
        url: "/odoo",
        steps: () => [
            {
                // the spreadsheet library is loaded lazily (slow on a loaded machine)
                content: "figures are drawn",
                trigger: ".o_spreadsheet_dashboard_action .o-figure",
                timeout: 60000,
            },
            {
                content: `lands on the ${name} dashboard`,
                trigger: `.o_spreadsheet_dashboard_action li.active[data-name='${name}']`,
                timeout: 30000,
            },
            {
                content: "gauges are drawn",
                trigger: ".o_spreadsheet_dashboard_action .o-gauge-chart",
                timeout: 30000,
            },
            {
                content: "no error",
                trigger: ".o_spreadsheet_dashboard_action:not(:has(.o_notification.border-danger))",
            },
        ],
    });
}
