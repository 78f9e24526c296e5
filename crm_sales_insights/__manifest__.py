{
    "name": "Conference CRM Sales Insights",
    "summary": "Account and upsell forecasts with approval, forecast vs actuals, probability-weighted "
    "pipeline, customer buying patterns derived in batch, rep performance for managers",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/conference-crm/conference-crm",
    "author": "Conference CRM developers",
    "license": "LGPL-3",
    "depends": ["crm_event_products", "crm_campaign_mgmt", "mail"],
    "data": [
        "security/crm_sales_insights_groups.xml",
        "security/ir.model.access.csv",
        "security/crm_sales_insights_rules.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_forecast_views.xml",
        "views/crm_forecast_report_views.xml",
        "views/crm_customer_pattern_views.xml",
        "views/crm_rep_performance_report_views.xml",
        "views/crm_sales_insights_menus.xml",
    ],
    "demo": [
        "demo/crm_sales_insights_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
