import base64
import re

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.tools import consteq, email_normalize

TRACE_STATES = [
    ("outgoing", "Outgoing"),
    ("sent", "Sent"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("replied", "Replied"),
    ("bounced", "Bounced"),
    ("error", "Error"),
]
# scope of the tokens of the tracking URLs; kept from before the addon split (issue 9) so
# that the links of mail already sent keep working
TOKEN_SCOPE = "crm_mailwizz-mail-trace"
# links of the notification layout that must stay as they are
TRACKING_BLACKLIST = [
    "/unsubscribe_from_list", "/mail/unfollow", "/mail/view", "/mail/track", "/web#", "/odoo/",
    "/my/", "/crm_campaign_mail/track/", "/crm_mailwizz/track/", "www.odoo.com",
]
# ``1x1`` transparent gif served by the open-tracking controller
PIXEL_GIF = base64.b64decode(b"R0lGODlhAQABAIAAANvf7wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


class CrmMailTrace(models.Model):
    """One mail sent from a campaign lead by a user (CRM's own SMTP mail).

    Lean on purpose (expected to grow to millions of rows): the metric view
    (``crm.campaign.metric``) aggregates it per campaign, product, user and
    day, using the indexes on ``campaign_id``, ``lead_id`` and
    ``create_date``. Opens come from the tracking pixel, clicks from the
    ``link_tracker`` redirections, replies from the mail gateway and bounces
    from Odoo's bounce handling.
    """

    _name = "crm.mail.trace"
    _inherit = ["crm.lead.scoped.mixin"]
    _description = "CRM Mail Trace"
    _order = "id desc"
    _rec_name = "email"

    mail_mail_id = fields.Many2one(
        "mail.mail", "Mail", index="btree_not_null", ondelete="set null", readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", "Message", index="btree_not_null", ondelete="set null", readonly=True)
    message_id = fields.Char(
        "Message-Id", index="btree_not_null", readonly=True,
        help="Message-Id header of the sent mail; replies and bounces refer to it.")
    lead_id = fields.Many2one("crm.lead", "Lead", index=True, ondelete="set null", readonly=True)
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", index=True, ondelete="cascade", readonly=True)
    event_id = fields.Many2one(
        "event.event", "Conference", index="btree_not_null", ondelete="set null", readonly=True)
    user_id = fields.Many2one(
        "res.users", "Sent By", index="btree_not_null", ondelete="set null", readonly=True)
    email = fields.Char("Recipient", readonly=True)
    state = fields.Selection(TRACE_STATES, default="outgoing", required=True, readonly=True)
    sent_datetime = fields.Datetime("Sent On", readonly=True)
    open_datetime = fields.Datetime("Opened On", readonly=True)
    click_datetime = fields.Datetime("Clicked On", readonly=True)
    reply_datetime = fields.Datetime("Replied On", readonly=True)
    bounce_datetime = fields.Datetime("Bounced On", readonly=True)
    failure_reason = fields.Char(readonly=True)
    link_click_ids = fields.One2many("link.tracker.click", "crm_mail_trace_id", "Clicks")

    def init(self):
        tools.create_index(
            self.env.cr, "crm_mail_trace_create_date_index", self._table, ["create_date"])

    # ------------------------------------------------------------------
    # creation (from outgoing mail.mail)
    # ------------------------------------------------------------------

    @api.model
    def _create_for_mails(self, mails):
        """Create the traces of the ``mail.mail`` records that are mail sent
        by a user from a lead of a campaign to people outside the company:
        comments (composer) or outgoing emails on ``crm.lead``, not internal
        notes, with no internal user among the recipients."""
        candidates = mails.filtered(
            lambda m: m.model == "crm.lead" and m.res_id
            and m.message_type in ("comment", "email_outgoing", "auto_comment")
            and not m.subtype_id.internal
            and (m.recipient_ids or m.email_to)
            and not any(u._is_internal() for u in m.recipient_ids.user_ids))
        if not candidates:
            return self.browse()
        leads = self.env["crm.lead"].sudo().with_context(active_test=False).browse(
            set(candidates.mapped("res_id"))).exists()
        leads = {lead.id: lead for lead in leads if lead.campaign_id}
        vals_list = []
        for mail in candidates:
            lead = leads.get(mail.res_id)
            if not lead:
                continue
            author_user = mail.author_id.user_ids.filtered(lambda u: u._is_internal())[:1]
            recipient = (mail.recipient_ids[:1].email or mail.email_to or "").split(",")[0]
            vals_list.append({
                "mail_mail_id": mail.id,
                "mail_message_id": mail.mail_message_id.id,
                "message_id": mail.message_id,
                "lead_id": lead.id,
                "campaign_id": lead.campaign_id.id,
                "event_id": (lead.event_id or lead.campaign_id.event_id).id,
                "user_id": (author_user or self.env.user).id,
                "email": email_normalize(recipient) or recipient or False,
            })
        return self.sudo().create(vals_list)

    # ------------------------------------------------------------------
    # tracking
    # ------------------------------------------------------------------

    @api.model
    def _get_token(self, trace_id):
        return tools.hmac(self.env(su=True), TOKEN_SCOPE, int(trace_id))

    def _get_public_token(self):
        """``<id>-<hmac>``: identifies the trace and proves it was issued here."""
        self.ensure_one()
        return f"{self.id}-{self._get_token(self.id)}"

    @api.model
    def _from_public_token(self, token):
        """The trace of a public token, or an empty recordset when the token is
        forged (checked with the database secret, in constant time)."""
        trace_id, _sep, signature = (token or "").partition("-")
        if not trace_id.isdigit() or not signature:
            return self.browse()
        if not consteq(signature, self._get_token(int(trace_id))):
            return self.browse()
        return self.sudo().browse(int(trace_id)).exists()

    def _get_open_url(self, base_url):
        return f"{base_url}/crm_campaign_mail/track/open/{self._get_public_token()}.png"

    def _get_click_url(self, base_url, code):
        return f"{base_url}/crm_campaign_mail/track/click/{self._get_public_token()}/{code}"

    def _track_body(self, body):
        """Outgoing body with its links shortened by ``link_tracker`` (campaign,
        medium, source of the CRM mail) and routed through the click tracker,
        and the open-tracking pixel appended."""
        self.ensure_one()
        base_url = self.lead_id.get_base_url() if self.lead_id else self.get_base_url()
        medium = self.env.ref("utm.utm_medium_email", raise_if_not_found=False)
        source = self.env.ref("crm_campaign_mail.utm_source_crm_smtp", raise_if_not_found=False)
        link_vals = {
            "campaign_id": self.campaign_id.id,
            "medium_id": medium.id if medium else False,
            "source_id": source.id if source else False,
        }
        is_markup = isinstance(body, Markup)
        body = self.env["mail.render.mixin"].sudo()._shorten_links(
            body, link_vals, blacklist=TRACKING_BLACKLIST, base_url=base_url)
        short_re = re.compile(re.escape(base_url) + r"/r/([A-Za-z0-9]+)(?=[\"'])")
        body = short_re.sub(lambda m: self._get_click_url(base_url, m.group(1)), str(body))
        pixel = Markup('<img src="%s" alt="" width="1" height="1" style="border:0;"/>') % (
            self._get_open_url(base_url))
        body = tools.mail.append_content_to_html(body, pixel, plaintext=False)
        return Markup(body) if is_markup else str(body)

    # ------------------------------------------------------------------
    # state changes (idempotent; first datetimes are kept)
    # ------------------------------------------------------------------

    def set_sent(self):
        now = fields.Datetime.now()
        self.filtered(lambda t: t.state in ("outgoing", "error")).write(
            {"state": "sent", "sent_datetime": now, "failure_reason": False})

    def set_failed(self, reason=False):
        self.filtered(lambda t: t.state == "outgoing").write(
            {"state": "error", "failure_reason": (reason or "")[:250] or False})

    def set_opened(self):
        now = fields.Datetime.now()
        self.filtered(lambda t: not t.open_datetime).write({"open_datetime": now})
        self.filtered(lambda t: t.state in ("outgoing", "sent")).write({"state": "opened"})

    def set_clicked(self):
        now = fields.Datetime.now()
        self.set_opened()
        self.filtered(lambda t: not t.click_datetime).write({"click_datetime": now})
        self.filtered(lambda t: t.state in ("outgoing", "sent", "opened")).write(
            {"state": "clicked"})

    def set_replied(self):
        now = fields.Datetime.now()
        self.filtered(lambda t: not t.reply_datetime).write({"reply_datetime": now})
        self.filtered(lambda t: t.state in ("outgoing", "sent", "opened", "clicked")).write(
            {"state": "replied"})

    def set_bounced(self):
        now = fields.Datetime.now()
        self.filtered(lambda t: not t.bounce_datetime).write(
            {"bounce_datetime": now, "state": "bounced"})

    @api.model
    def _find_by_message_ids(self, message_ids):
        message_ids = [m for m in (message_ids or []) if m]
        if not message_ids:
            return self.browse()
        return self.sudo().search([("message_id", "in", message_ids)])
