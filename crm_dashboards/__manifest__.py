{
    "name": "Conference CRM Dashboards",
    "summary": "Daily KPI roll-up, targets with gamification (week, month, 3 months), a spreadsheet "
    "dashboard per department and role, each role's home dashboard",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": [
        "crm_campaign_mail",
        "crm_campaign_mgmt",
        "crm_event_products",
        "gamification",
        "spreadsheet_dashboard",
        "board",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/crm_dashboards_rules.xml",
        "data/ir_cron_data.xml",
        "data/gamification_goal_definition_data.xml",
        "data/spreadsheet_dashboard_data.xml",
        "views/crm_kpi_daily_views.xml",
        "views/gamification_goal_views.xml",
        "views/crm_dashboards_menus.xml",
    ],
    "demo": [
        "demo/gamification_challenge_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_dashboards/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
