{
    "name": "Conference CRM: Series, Editions and Contact Kinds",
    "summary": "Speakers, delegates and sponsors kept from one edition of a conference "
    "to the next: contact kinds, conference series, edition rollover and history",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_event_products", "crm_campaign_mgmt", "base_automation"],
    "data": [
        "security/ir.model.access.csv",
        "security/crm_event_editions_rules.xml",
        "data/ir_cron_data.xml",
        "data/crm_event_editions_automation_data.xml",
        "views/crm_lead_views.xml",
        "views/crm_event_series_views.xml",
        "views/event_event_views.xml",
        "views/crm_edition_rollover_job_views.xml",
        "wizard/crm_edition_rollover_wizard_views.xml",
        "wizard/crm_team_export_wizard_views.xml",
        "views/crm_event_editions_menus.xml",
    ],
    "demo": [
        "demo/crm_event_series_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_event_editions/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
