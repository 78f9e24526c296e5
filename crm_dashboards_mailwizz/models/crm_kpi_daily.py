from odoo import api, models


class CrmKpiDaily(models.Model):
    """MailWizz campaigns as a source of the KPI roll-up (crm_dashboards' extension point):
    a campaign's sent count (latest MailWizz statistics on utm.campaign) is its manager's
    (else its responsible's) ``emails_sent`` on the day it was sent."""

    _inherit = "crm.kpi.daily"

    @api.model
    def _kpi_sources(self):
        sources = super()._kpi_sources()
        sources["mailwizz"] = {
            "table": "utm_campaign",
            "from": "utm_campaign u",
            "touched": "u.write_date",
            "where": "COALESCE(u.mailwizz_sent, 0) > 0",
            "date": "COALESCE(u.date_sent, u.date_start, u.create_date)::date",
            "user": "COALESCE(u.manager_id, u.user_id)",
            "event": "u.event_id",
            "team": "NULL::integer",
            "values": {"emails_sent": "SUM(u.mailwizz_sent)"},
        }
        return sources
