from odoo import api, fields, models

# MailWizz counters kept on utm.campaign by the campaign statistics sync (latest values of
# GET campaigns/{uid}/stats, utm_campaign_mailwizz.py) -> measures of the metric view
MAILWIZZ_MEASURES = {
    "sent_count": "mailwizz_sent",
    "delivered_count": "mailwizz_delivered",
    "opened_count": "mailwizz_unique_opens",
    "clicked_count": "mailwizz_unique_clicks",
    "bounced_count": "mailwizz_bounces",
    "unsubscribed_count": "mailwizz_unsubscribes",
}


class CrmCampaignMetric(models.Model):
    """MailWizz as a source of campaign figures (crm_campaign_mail's extension point):
    one row per campaign sent through MailWizz, its latest counters."""

    _inherit = "crm.campaign.metric"
    _depends = {"utm.campaign": list(MAILWIZZ_MEASURES.values())}

    source = fields.Selection(selection_add=[("mailwizz", "MailWizz")])

    @api.model
    def _metric_source_queries(self):
        queries = super()._metric_source_queries()
        values = {
            "id": "u.id",
            "campaign_id": "u.id",
            "event_id": "u.event_id",
            "user_id": "COALESCE(u.manager_id, u.user_id)",
            "channel_id": self._email_channel_sql(),
            "source": "'mailwizz'",
            "date": "(COALESCE(u.date_sent, u.date_start, u.create_date))::date",
        }
        values.update({measure: f"COALESCE(u.{column}, 0)" for measure, column in MAILWIZZ_MEASURES.items()})
        condition = " OR ".join(f"COALESCE(u.{column}, 0) > 0" for column in MAILWIZZ_MEASURES.values())
        queries["mailwizz"] = f"SELECT {self._select(values)} FROM utm_campaign u WHERE {condition}"
        return queries
