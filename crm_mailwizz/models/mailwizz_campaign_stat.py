from odoo import fields, models, tools

# counter fields shared by the snapshots and the "latest" copy on utm.campaign:
# (snapshot field, utm.campaign field, label)
STAT_COUNTERS = (
    ("subscribers", "mailwizz_subscribers", "Subscribers"),
    ("processed", "mailwizz_processed", "Processed"),
    ("sent", "mailwizz_sent", "Sent"),
    ("delivered", "mailwizz_delivered", "Delivered"),
    ("delivery_errors", "mailwizz_delivery_errors", "Delivery Errors"),
    ("opens", "mailwizz_opens", "Opens"),
    ("unique_opens", "mailwizz_unique_opens", "Unique Opens"),
    ("clicks", "mailwizz_clicks", "Clicks"),
    ("unique_clicks", "mailwizz_unique_clicks", "Unique Clicks"),
    ("bounces", "mailwizz_bounces", "Bounces"),
    ("hard_bounces", "mailwizz_hard_bounces", "Hard Bounces"),
    ("soft_bounces", "mailwizz_soft_bounces", "Soft Bounces"),
    ("unsubscribes", "mailwizz_unsubscribes", "Unsubscribes"),
    ("complaints", "mailwizz_complaints", "Complaints"),
)


def stats_to_counters(stats):
    """``GET campaigns/{uid}/stats`` data (normalised by the client) -> counters.

    sent = accepted by the delivery servers (``delivery_success_count``);
    delivered = sent - bounces (bounces arrive after a successful hand-off)."""

    def count(key):
        return int(stats.get(key) or 0)

    sent = count("delivery_success_count")
    bounces = count("bounces_count")
    hard, soft = count("hard_bounces_count"), count("soft_bounces_count")
    if not bounces:
        bounces = hard + soft + count("internal_bounces_count")
    return {
        "subscribers": count("subscribers_count"),
        "processed": count("processed_count"),
        "sent": sent,
        "delivered": max(sent - bounces, 0),
        "delivery_errors": count("delivery_error_count"),
        "opens": count("opens_count"),
        "unique_opens": count("unique_opens_count"),
        "clicks": count("clicks_count"),
        "unique_clicks": count("unique_clicks_count"),
        "bounces": bounces,
        "hard_bounces": hard,
        "soft_bounces": soft,
        "unsubscribes": count("unsubscribes_count"),
        "complaints": count("complaints_count"),
    }


class MailwizzCampaignStat(models.Model):
    """Time series of a MailWizz campaign's counters: one snapshot per stats pull.

    The latest snapshot gives the totals, the series their evolution (graph by
    snapshot date). Rates are stored per snapshot (percent of delivered) and
    aggregated as averages."""

    _name = "mailwizz.campaign.stat"
    _description = "MailWizz Campaign Statistics Snapshot"
    _order = "snapshot_date desc, id desc"
    _rec_name = "campaign_id"

    campaign_id = fields.Many2one("utm.campaign", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one("mailwizz.backend", ondelete="set null")
    event_id = fields.Many2one(related="campaign_id.event_id", store=True, string="Conference")
    campaign_uid = fields.Char("MailWizz Campaign UID")
    snapshot_date = fields.Datetime(required=True, default=fields.Datetime.now)
    mailwizz_status = fields.Char("MailWizz Status")
    subscribers = fields.Integer(aggregator="max")
    processed = fields.Integer(aggregator="max")
    sent = fields.Integer(aggregator="max")
    delivered = fields.Integer(aggregator="max")
    delivery_errors = fields.Integer(aggregator="max")
    opens = fields.Integer(aggregator="max")
    unique_opens = fields.Integer(aggregator="max")
    clicks = fields.Integer(aggregator="max")
    unique_clicks = fields.Integer(aggregator="max")
    bounces = fields.Integer(aggregator="max")
    hard_bounces = fields.Integer(aggregator="max")
    soft_bounces = fields.Integer(aggregator="max")
    unsubscribes = fields.Integer(aggregator="max")
    complaints = fields.Integer(aggregator="max")
    open_rate = fields.Float("Open Rate (%)", digits=(16, 2), aggregator="avg")
    click_rate = fields.Float("Click Rate (%)", digits=(16, 2), aggregator="avg")
    bounce_rate = fields.Float("Bounce Rate (%)", digits=(16, 2), aggregator="avg")
    unsubscribe_rate = fields.Float("Unsubscribe Rate (%)", digits=(16, 2), aggregator="avg")

    def init(self):
        tools.create_index(
            self.env.cr,
            "mailwizz_campaign_stat_campaign_snapshot_idx",
            self._table,
            ["campaign_id", "snapshot_date"],
        )

    @staticmethod
    def _rates(counters):
        sent, delivered = counters["sent"], counters["delivered"]

        def pct(value, base):
            return round(100.0 * value / base, 2) if base else 0.0

        return {
            "open_rate": pct(counters["unique_opens"], delivered),
            "click_rate": pct(counters["unique_clicks"], delivered),
            "bounce_rate": pct(counters["bounces"], sent),
            "unsubscribe_rate": pct(counters["unsubscribes"], delivered),
        }
