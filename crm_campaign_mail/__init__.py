from . import models
from . import controllers

# What this addon took over from crm_mailwizz (issue 9): on a database where crm_mailwizz
# was installed before the split, upgrading crm_mailwizz installs this addon first (new
# dependency); the hook below hands the external ids of what moved to this addon before
# its data is loaded, so records keep their ids (the utm source of tracked links, the
# rules, views, actions and menus) instead of being created again and the old ones
# deleted. On a fresh database it does nothing.
MOVED_MODELS = ("crm.mail.trace", "crm.campaign.response", "crm.campaign.cost", "crm.campaign.metric")
# models extended by both addons: the fields this addon adds are named crm_* / metric_*
EXTENDED_MODELS = (
    "crm.lead", "utm.campaign", "res.users", "ir.mail_server", "mail.mail", "link.tracker.click",
)
MOVED_XMLIDS = (
    "utm_source_crm_smtp",
    "crm_mail_trace_view_list", "crm_mail_trace_view_form", "crm_mail_trace_view_search",
    "crm_mail_trace_action",
    "crm_campaign_response_view_list", "crm_campaign_response_view_form",
    "crm_campaign_response_view_search", "crm_campaign_response_action",
    "crm_campaign_cost_view_list", "crm_campaign_cost_action",
    "crm_campaign_metric_view_pivot", "crm_campaign_metric_view_graph",
    "crm_campaign_metric_view_list", "crm_campaign_metric_view_search", "crm_campaign_metric_action",
    "utm_campaign_view_form_crm_metrics", "crm_lead_view_form_crm_mail_trace",
    "res_users_view_form_preferences_mailbox", "res_users_view_form_crm_mailbox",
    "menu_crm_campaign_metrics_email", "menu_crm_campaign_responses_email",
    "menu_crm_mail_traces_email", "menu_crm_campaign_metrics_phone",
    "menu_crm_campaign_responses_phone", "menu_crm_campaign_metrics_production",
    "access_crm_mail_trace_salesman", "access_crm_mail_trace_admin",
    "access_crm_campaign_response_salesman", "access_crm_campaign_response_manager",
    "access_crm_campaign_cost_salesman", "access_crm_campaign_cost_manager",
    "access_crm_campaign_metric_salesman",
    "rule_crm_mail_trace_lead_or_own", "rule_crm_mail_trace_admin",
    "rule_crm_campaign_response_lead_or_own", "rule_crm_campaign_response_admin",
    "rule_crm_campaign_metric_own", "rule_crm_campaign_metric_department",
    "rule_crm_campaign_metric_admin",
    "constraint_crm_campaign_response_campaign_lead_unique",
    "constraint_crm_campaign_cost_amount_positive", "constraint_ir_mail_server_crm_user_unique",
)


def pre_init_hook(env):
    """Move the external ids of crm_mailwizz's former mail/metrics part to this addon."""
    cr = env.cr
    cr.execute(
        """
        UPDATE ir_model_data d
           SET module = 'crm_campaign_mail'
         WHERE d.module = 'crm_mailwizz'
           AND (
                d.name = ANY(%(names)s)
             OR (d.model = 'ir.model'
                 AND d.res_id IN (SELECT id FROM ir_model WHERE model = ANY(%(models)s)))
             OR (d.model = 'ir.model.fields'
                 AND d.res_id IN (SELECT id FROM ir_model_fields
                                   WHERE model = ANY(%(models)s)
                                      OR (model = ANY(%(extended)s)
                                          AND (name LIKE 'crm\\_%%' OR name LIKE 'metric\\_%%'))))
             OR (d.model = 'ir.model.fields.selection'
                 AND d.res_id IN (SELECT s.id FROM ir_model_fields_selection s
                                    JOIN ir_model_fields f ON f.id = s.field_id
                                   WHERE f.model = ANY(%(models)s)
                                     AND NOT (f.model = 'crm.campaign.metric' AND s.value = 'mailwizz')))
           )
        """,
        {"names": list(MOVED_XMLIDS), "models": list(MOVED_MODELS), "extended": list(EXTENDED_MODELS)},
    )


def uninstall_hook(env):
    """Drop the attribution roll-up of the leads (models/crm_lead_attribution_rollup.py): its
    triggers on crm_lead read columns of the addons below this one."""
    env.cr.execute(
        "DROP TRIGGER IF EXISTS crm_lead_attribution_rollup_insert ON crm_lead;"
        " DROP TRIGGER IF EXISTS crm_lead_attribution_rollup_delete ON crm_lead;"
        " DROP TRIGGER IF EXISTS crm_lead_attribution_rollup_update ON crm_lead;"
        " DROP FUNCTION IF EXISTS crm_lead_attribution_rollup_insert,"
        " crm_lead_attribution_rollup_delete, crm_lead_attribution_rollup_update;"
        " DROP TABLE IF EXISTS crm_lead_attribution_rollup"
    )
