{
    "name": "Conference CRM: MailWizz connector",
    "summary": "MailWizz 1.x/2.x API connector: lists, segments, subscriber push and "
    "opt-out pull, campaigns sent from Odoo, statistics time series, sync log",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    # mass_mailing is deliberately not a dependency: MailWizz is the mass-mailing
    # engine here; lists/campaigns are mirrored in our own models and utm.campaign.
    # crm_campaign_mail: campaign metrics (this connector is one of their sources, see
    # models/crm_campaign_metric.py), the batch-commit and notification helpers
    "depends": ["crm_campaign_mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/mailwizz_backend_views.xml",
        "wizard/mailwizz_list_import_wizard_views.xml",
        "views/mailwizz_list_views.xml",
        "views/mailwizz_subscriber_views.xml",
        "views/mailwizz_sync_log_views.xml",
        "views/mailwizz_campaign_stat_views.xml",
        "views/utm_campaign_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_campaign_metric_views.xml",
        "wizard/mailwizz_push_wizard_views.xml",
        "views/crm_campaign_import_job_views.xml",
        "views/crm_mailwizz_menus.xml",
        "security/crm_mailwizz_rules.xml",
    ],
    "demo": [
        "demo/crm_mailwizz_demo.xml",
    ],
    "installable": True,
    "application": False,
}
