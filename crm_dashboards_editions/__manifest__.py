{
    "name": "Conference CRM Dashboards: Speakers, Delegates and Sponsors",
    "summary": "Contact kinds (speakers, delegates, sponsors) in the KPI roll-up, goals and a dashboard",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_dashboards", "crm_event_editions"],
    "data": [
        "data/gamification_goal_definition_data.xml",
        "data/spreadsheet_dashboard_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "auto_install": True,
    "installable": True,
}
