from odoo import api, fields, models

from ..lib.client import SUBSCRIBER_STATUSES

# MailWizz subscriber statuses that mean "do not mail this address again".
# (MailWizz has no "bounced" subscriber status: a hard bounce blacklists the address,
# so bounced subscribers come back as "blacklisted".)
OPT_OUT_STATUSES = ("unsubscribed", "blacklisted")


class MailwizzSubscriber(models.Model):
    """A lead's or a campaign target's subscription in a MailWizz list.

    One row per (list, email): the subscriber uid remembered here makes a re-push an
    update of the same MailWizz subscriber, never a duplicate. ``push_state`` makes a
    push resumable: rows are queued ``pending``, and each chunk's outcome is saved
    before the next chunk is sent.
    """

    _name = "mailwizz.subscriber"
    _inherit = ["crm.lead.scoped.mixin"]
    _description = "MailWizz Subscriber"
    _order = "id desc"
    _rec_name = "email"

    list_id = fields.Many2one("mailwizz.list", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="list_id.backend_id", store=True, index=True)
    subscriber_uid = fields.Char(string="Subscriber UID", index="btree_not_null", copy=False)
    email = fields.Char(required=True, help="Normalised email address.")
    lead_id = fields.Many2one("crm.lead", string="Lead", ondelete="set null", index="btree_not_null")
    target_id = fields.Many2one(
        "crm.campaign.target", string="Campaign Target", ondelete="set null", index="btree_not_null"
    )
    campaign_id = fields.Many2one(
        "utm.campaign", string="Campaign", ondelete="set null", index="btree_not_null",
        help="Campaign whose push queued this subscriber last.",
    )
    status = fields.Selection(
        [(s, s.capitalize()) for s in SUBSCRIBER_STATUSES],
        string="MailWizz Status",
        index=True,
        help="Subscriber status in MailWizz, as last pulled.",
    )
    is_opted_out = fields.Boolean(compute="_compute_is_opted_out", store=True, index=True)
    push_state = fields.Selection(
        [
            ("pending", "To push"),
            ("synced", "Pushed"),
            ("failed", "Failed"),
            ("excluded", "Excluded (opted out)"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    last_error = fields.Text()
    last_push_date = fields.Datetime(readonly=True)
    last_status_date = fields.Datetime(string="Last Status Pull", readonly=True)

    _sql_constraints = [
        ("list_email_unique", "UNIQUE(list_id, email)", "This email is already a subscriber of the list."),
    ]

    @api.depends("status")
    def _compute_is_opted_out(self):
        for sub in self:
            sub.is_opted_out = sub.status in OPT_OUT_STATUSES
