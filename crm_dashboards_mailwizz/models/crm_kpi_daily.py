from odoo import api, models

# the day a MailWizz campaign counts on, and the user it counts for: the same as the
# campaign metrics of crm_mailwizz (crm.campaign.metric), so both reports agree
CAMPAIGN_DAY = "COALESCE(u.date_sent, u.date_start, u.create_date)::date"
CAMPAIGN_USER = "COALESCE(u.manager_id, u.user_id)"
SENT = "COALESCE(u.mailwizz_sent, 0) > 0"


class CrmKpiDaily(models.Model):
    """MailWizz campaigns as sources of the KPI roll-up (crm_dashboards' extension point).

    A campaign counts for its manager (else its responsible) on the day it was sent, for
    its conference:

    - ``emails_sent``: the campaign's latest MailWizz *sent* count (accepted by the delivery
      servers, bounces included, as the SMTP source counts bounced traces as sent);
    - ``leads_contacted_email``: the distinct leads pushed to MailWizz for the campaign
      (subscribers pushed, with a lead, queued last by this campaign), under the team of
      each lead, so that the team and product rules of the roll-up see them like leads.

    Opens, clicks, bounces and unsubscribes are campaign figures, not per-user KPIs of the
    issue's list: they stay in the campaign metrics (crm_mailwizz's source of
    ``crm.campaign.metric``).
    """

    _inherit = "crm.kpi.daily"

    @api.model
    def _kpi_sources(self):
        sources = super()._kpi_sources()
        sources["mailwizz"] = {
            "table": "utm_campaign",
            "from": "utm_campaign u",
            "touched": "u.write_date",
            "where": SENT,
            "date": CAMPAIGN_DAY,
            "user": CAMPAIGN_USER,
            "event": "u.event_id",
            "team": "NULL::integer",
            "values": {"emails_sent": "SUM(u.mailwizz_sent)"},
        }
        sources["mailwizz_contacts"] = {
            "table": "mailwizz_subscriber",
            "from": "mailwizz_subscriber s JOIN utm_campaign u ON u.id = s.campaign_id"
            " JOIN crm_lead l ON l.id = s.lead_id",
            "touched": "s.write_date",
            "where": f"{SENT} AND s.push_state = 'synced'",
            "date": CAMPAIGN_DAY,
            "user": CAMPAIGN_USER,
            "event": "u.event_id",
            "team": "l.team_id",
            "values": {"leads_contacted_email": "COUNT(DISTINCT s.lead_id)"},
        }
        return sources
