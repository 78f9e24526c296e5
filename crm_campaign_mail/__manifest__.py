{
    "name": "Conference CRM: campaign mail, responses and metrics",
    "summary": "Per-user SMTP mailboxes, open/click tracking of the CRM's own mail, campaign "
    "responses and leads generated, costs, campaign metrics and ROI (any mail connector "
    "adds its figures through crm.campaign.metric._metric_source_queries)",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_campaign_mgmt", "mail", "link_tracker", "bus"],
    "data": [
        "security/ir.model.access.csv",
        "data/utm_source_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_mail_trace_views.xml",
        "views/crm_campaign_response_views.xml",
        "views/crm_campaign_cost_views.xml",
        "views/crm_campaign_metric_views.xml",
        "views/crm_attribution_report_views.xml",
        "views/utm_campaign_views.xml",
        "views/crm_lead_views.xml",
        "views/res_users_views.xml",
        "views/crm_campaign_mail_menus.xml",
        "security/crm_campaign_mail_rules.xml",
    ],
    "demo": [
        "demo/crm_campaign_mail_demo.xml",
    ],
    "pre_init_hook": "pre_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
