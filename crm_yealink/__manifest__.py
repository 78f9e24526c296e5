{
    "name": "Conference CRM: Yealink phones and PBX call records",
    "summary": "Every call on its lead (Yealink Action URL), click-to-dial, a PBX call-record feed "
    "(Yeastar P-Series), call figures per user and team",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_event_products", "crm", "phone_validation", "bus", "mail"],
    "external_dependencies": {"python": ["phonenumbers", "requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/crm_yealink_rules.xml",
        "data/ir_cron_data.xml",
        "views/crm_call_views.xml",
        "views/yealink_phone_views.xml",
        "views/crm_pbx_backend_views.xml",
        "views/crm_lead_views.xml",
        "views/res_partner_views.xml",
        "wizard/yealink_phone_provision_wizard_views.xml",
        "views/crm_yealink_menus.xml",
    ],
    "demo": [
        "demo/crm_yealink_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_yealink/static/src/js/*.js",
            "crm_yealink/static/src/xml/*.xml",
        ],
        "web.assets_tests": [
            "crm_yealink/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
