{
    "name": "Conference CRM Dashboards: Yealink calls",
    "summary": "Calls and talk time in the KPI roll-up, goals and Phone Sales dashboards",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_dashboards", "crm_yealink"],
    "data": [
        "data/gamification_goal_definition_data.xml",
    ],
    "demo": [
        "demo/gamification_challenge_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
    "installable": True,
}
