import logging

from odoo import api, fields, models
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

# campaigns whose audience has been contacted (crm_campaign_mgmt lifecycle)
CONTACTED_STATES = ("running", "paused", "stopped", "done")
RESPONSE_STATES = [
    ("received", "Received"),
    ("converted", "Converted"),
]


class CrmCampaignResponse(models.Model):
    """A person of a campaign's target list who answered by email.

    One record per campaign and lead (``message_count`` counts the inbound
    mails); created by the mail gateway (``crm.lead.message_update``), moved
    to *converted* when the lead is converted into an opportunity, which is
    what the campaign's *leads generated* metric counts.
    """

    _name = "crm.campaign.response"
    _inherit = ["crm.lead.scoped.mixin"]
    _description = "Campaign Response"
    _order = "date desc, id desc"
    _rec_name = "email"

    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", required=True, index=True, ondelete="cascade")
    lead_id = fields.Many2one("crm.lead", "Lead", index=True, ondelete="set null")
    target_id = fields.Many2one(
        "crm.campaign.target", "Target", index="btree_not_null", ondelete="set null")
    event_id = fields.Many2one("event.event", "Conference", index="btree_not_null",
                               ondelete="set null")
    user_id = fields.Many2one(
        "res.users", "Salesperson", index="btree_not_null", ondelete="set null",
        help="Salesperson of the lead when the response arrived.")
    trace_id = fields.Many2one(
        "crm.mail.trace", "Answered Mail", index="btree_not_null", ondelete="set null")
    email = fields.Char("Sender", required=True)
    author_id = fields.Many2one("res.partner", "Author", ondelete="set null")
    subject = fields.Char()
    message_id = fields.Char("First Message-Id", readonly=True)
    date = fields.Datetime("Received On", required=True, default=fields.Datetime.now, index=True)
    last_date = fields.Datetime("Last Response")
    message_count = fields.Integer("Emails Received", default=1)
    lead_created = fields.Boolean(
        "Lead Created", help="The lead was created from the target by this response.")
    state = fields.Selection(RESPONSE_STATES, default="received", required=True, index=True)
    date_converted = fields.Datetime("Converted On", readonly=True)
    converted_user_id = fields.Many2one("res.users", "Converted By", readonly=True)

    _sql_constraints = [
        ("campaign_lead_unique", "UNIQUE(campaign_id, lead_id)",
         "A lead has a single response record per campaign."),
    ]

    # ------------------------------------------------------------------
    # sender matching (mail gateway)
    # ------------------------------------------------------------------

    @api.model
    def _is_internal_email(self, email):
        return bool(self.env["res.users"].sudo().search_count(
            [("email_normalized", "=", email), ("share", "=", False)], limit=1))

    @api.model
    def _match_sender(self, email_from):
        """Find who an inbound mail comes from among the target lists of
        contacted campaigns: a ``crm.campaign.target`` with that email, else a
        lead of such a campaign with that email (both normalised).

        :return: ``{'campaign', 'target', 'lead'}`` or None
        """
        email = email_normalize(email_from or "")
        if not email or self._is_internal_email(email):
            return None
        Target = self.env["crm.campaign.target"].sudo()
        target = Target.search([
            ("email", "=", email), ("campaign_id.state", "in", CONTACTED_STATES),
        ], order="id desc", limit=1)
        if target:
            return {"campaign": target.campaign_id, "target": target, "lead": target.lead_id}
        lead = self.env["crm.lead"].sudo().search([
            ("email_normalized", "=", email), ("campaign_id.state", "in", CONTACTED_STATES),
        ], order="id desc", limit=1)
        if lead:
            return {"campaign": lead.campaign_id, "target": Target, "lead": lead}
        return None

    @api.model
    def _ensure_lead(self, match):
        """The lead of a match, created from its target when it has none
        (``crm.campaign.target._convert_to_leads``).

        :return: (lead, created)
        """
        if match["lead"]:
            return match["lead"], False
        target = match["target"]
        if not target or not hasattr(target, "_convert_to_leads"):
            return self.env["crm.lead"], False
        leads = target._convert_to_leads()
        target.invalidate_recordset(["lead_id", "state"])
        lead = leads[:1] or target.lead_id
        if not lead:
            _logger.info("Campaign target %s answered but could not be converted into a lead "
                         "(no conference on the target or its campaign)", target.id)
        return lead, bool(lead)

    # ------------------------------------------------------------------
    # registration
    # ------------------------------------------------------------------

    @api.model
    def _register_inbound(self, leads, msg_dict, match=None):
        """Count an inbound mail posted on ``leads`` as a campaign response
        when its sender is on the campaign's target list (the lead's own
        email, or a target of the lead's campaign).

        :param match: result of :meth:`_match_sender` when the gateway routed
            the mail to the lead because of its sender
        """
        email = email_normalize(msg_dict.get("email_from") or "")
        if not email or msg_dict.get("is_bounce") or self._is_internal_email(email):
            return self.browse()
        Target = self.env["crm.campaign.target"].sudo()
        responses = self.browse()
        references = " ".join(filter(None, [msg_dict.get("in_reply_to"),
                                            msg_dict.get("references")]))
        replied_ids = [ref.strip() for ref in references.replace(",", " ").split() if ref.strip()]
        now = fields.Datetime.now()
        for lead in leads.sudo():
            if match and match.get("lead") == lead:
                campaign, target = match["campaign"], match["target"] or Target
            else:
                campaign, target = lead.campaign_id, Target
            if not campaign:
                continue
            if not target:
                target = Target.search([("campaign_id", "=", campaign.id), ("email", "=", email)],
                                       limit=1)
            if not target and lead.email_normalized != email:
                continue  # sender not on the campaign's target list
            Trace = self.env["crm.mail.trace"].sudo()
            trace = Trace._find_by_message_ids(replied_ids).filtered(
                lambda t, lead=lead: t.lead_id == lead)[:1]
            if not trace:
                trace = Trace.search([("lead_id", "=", lead.id), ("campaign_id", "=", campaign.id)],
                                     order="id desc", limit=1)
            trace.set_replied()
            response = self.sudo().search(
                [("campaign_id", "=", campaign.id), ("lead_id", "=", lead.id)], limit=1)
            if response:
                response.write({"message_count": response.message_count + 1, "last_date": now})
            else:
                response = self.sudo().create({
                    "campaign_id": campaign.id,
                    "lead_id": lead.id,
                    "target_id": target.id,
                    "event_id": (lead.event_id or campaign.event_id).id,
                    "user_id": lead.user_id.id,
                    "trace_id": trace.id,
                    "email": email,
                    "author_id": msg_dict.get("author_id") or False,
                    "subject": (msg_dict.get("subject") or "")[:250] or False,
                    "message_id": msg_dict.get("message_id"),
                    "date": now,
                    "last_date": now,
                    "lead_created": bool(match and match.get("lead_created")),
                })
            responses |= response
        return responses

    @api.model
    def _mark_converted(self, leads, responses=None):
        """Leads converted into opportunities: their responses become
        *leads generated* of their campaign, and the lead's source is the
        campaign (``campaign_id``, medium Email when unset)."""
        if responses is None:
            responses = self.sudo().search([("lead_id", "in", leads.ids)])
        responses = responses.sudo().filtered(lambda r: r.state == "received")
        if not responses:
            return responses
        responses.write({
            "state": "converted",
            "date_converted": fields.Datetime.now(),
            "converted_user_id": self.env.uid,
        })
        medium = self.env.ref("utm.utm_medium_email", raise_if_not_found=False)
        for response in responses:
            lead = response.lead_id.sudo()
            vals = {}
            if not lead.campaign_id:
                vals["campaign_id"] = response.campaign_id.id
            if medium and not lead.medium_id:
                vals["medium_id"] = medium.id
            if vals:
                lead.write(vals)
        return responses

    def action_open_lead(self):
        self.ensure_one()
        return self.lead_id.get_formview_action()
