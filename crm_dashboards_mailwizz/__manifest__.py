{
    "name": "Conference CRM Dashboards: MailWizz campaigns",
    "summary": "Emails sent through MailWizz in the KPI roll-up, goals and dashboards",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_dashboards", "crm_mailwizz"],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
    "installable": True,
}
