import logging
import time
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_campaign_mail.tools import can_commit, commit_batch

from ..lib.client import (
    CAMPAIGN_STATUSES,
    MailWizzAuthError,
    MailWizzConnectionError,
    MailWizzError,
    MailWizzHTTPError,
    MailWizzMalformedResponse,
    MailWizzTimeout,
)
from .mailwizz_campaign_stat import STAT_COUNTERS, stats_to_counters

_logger = logging.getLogger(__name__)

# MailWizz campaign statuses during which the campaign still sends (or will)
MW_ACTIVE_STATUSES = ("pending-sending", "sending", "processing", "paused")
# MailWizz status -> Odoo campaign state ("pending-sending" depends on the send time)
MW_TO_ODOO_STATE = {
    "sending": "running",
    "processing": "running",
    "paused": "paused",
    "sent": "done",
    "pending-delete": "stopped",
    # draft, blocked, pending-approve: no Odoo counterpart, only the raw status is kept
}
STATS_WINDOW_DAYS = 30
UNSUBSCRIBE_TAG = "[UNSUBSCRIBE_URL]"


def _ambiguous(exc):
    """The request may have been applied by MailWizz although we got no answer."""
    if isinstance(exc, (MailWizzTimeout, MailWizzConnectionError, MailWizzMalformedResponse)):
        return True
    return isinstance(exc, MailWizzHTTPError) and (exc.status_code or 0) >= 500


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    mailwizz_backend_id = fields.Many2one(
        "mailwizz.backend",
        string="MailWizz Backend",
        default=lambda self: self.env["mailwizz.backend"].sudo().search([], limit=1),
        copy=False,
    )
    mailwizz_list_id = fields.Many2one(
        "mailwizz.list",
        string="MailWizz List",
        domain="[('backend_id', '=', mailwizz_backend_id)]",
        copy=False,
    )
    mailwizz_segment_id = fields.Many2one(
        "mailwizz.list.segment",
        string="MailWizz Segment",
        domain="[('list_id', '=', mailwizz_list_id)]",
        copy=False,
        help="Send to this segment of the list only.",
    )
    mailwizz_campaign_uid = fields.Char("MailWizz Campaign UID", readonly=True, copy=False, index="btree_not_null")
    mailwizz_status = fields.Char(
        "MailWizz Status", readonly=True, copy=False,
        help="Raw status of the campaign in MailWizz (draft, pending-sending, sending, sent, paused...).",
    )
    mailwizz_from_name = fields.Char("From Name", help="Defaults to the list's from name.")
    mailwizz_from_email = fields.Char("From Email", help="Defaults to the list's from email.")
    mailwizz_reply_to = fields.Char("Reply-to", help="Defaults to the list's reply-to.")
    mailwizz_template_uid = fields.Char(
        "MailWizz Template UID",
        help="Use this MailWizz template as content instead of the campaign's message content.",
    )
    mailwizz_send_at = fields.Datetime(
        "MailWizz Send Time", copy=False, help="When MailWizz sends the campaign (default: Scheduled Start)."
    )
    mailwizz_date_created = fields.Datetime("Created in MailWizz", readonly=True, copy=False)
    mailwizz_last_stats_date = fields.Datetime("Stats Updated On", readonly=True, copy=False)
    mailwizz_last_error = fields.Text(readonly=True, copy=False)
    mailwizz_stat_ids = fields.One2many("mailwizz.campaign.stat", "campaign_id", string="MailWizz Statistics")
    mailwizz_stat_count = fields.Integer(compute="_compute_mailwizz_counts")
    mailwizz_subscriber_count = fields.Integer("MailWizz Subscribers", compute="_compute_mailwizz_counts")
    # latest counters (copied from the last snapshot by the stats cron)
    mailwizz_subscribers = fields.Integer("MW Subscribers", readonly=True, copy=False)
    mailwizz_processed = fields.Integer("MW Processed", readonly=True, copy=False)
    mailwizz_sent = fields.Integer("MW Sent", readonly=True, copy=False)
    mailwizz_delivered = fields.Integer("MW Delivered", readonly=True, copy=False)
    mailwizz_delivery_errors = fields.Integer("MW Delivery Errors", readonly=True, copy=False)
    mailwizz_opens = fields.Integer("MW Opens", readonly=True, copy=False)
    mailwizz_unique_opens = fields.Integer("MW Unique Opens", readonly=True, copy=False)
    mailwizz_clicks = fields.Integer("MW Clicks", readonly=True, copy=False)
    mailwizz_unique_clicks = fields.Integer("MW Unique Clicks", readonly=True, copy=False)
    mailwizz_bounces = fields.Integer("MW Bounces", readonly=True, copy=False)
    mailwizz_hard_bounces = fields.Integer("MW Hard Bounces", readonly=True, copy=False)
    mailwizz_soft_bounces = fields.Integer("MW Soft Bounces", readonly=True, copy=False)
    mailwizz_unsubscribes = fields.Integer("MW Unsubscribes", readonly=True, copy=False)
    mailwizz_complaints = fields.Integer("MW Complaints", readonly=True, copy=False)
    # per-subscriber events pulled to the end at least once (later pulls stop early)
    mailwizz_bounces_complete = fields.Boolean(readonly=True, copy=False)
    mailwizz_unsubscribes_complete = fields.Boolean(readonly=True, copy=False)
    mailwizz_events_date = fields.Datetime("Bounces/Unsubscribes Pulled On", readonly=True, copy=False)
    mailwizz_open_rate = fields.Float("MW Open Rate (%)", digits=(16, 2), readonly=True, copy=False,
                                      aggregator="avg")
    mailwizz_click_rate = fields.Float("MW Click Rate (%)", digits=(16, 2), readonly=True, copy=False,
                                       aggregator="avg")
    mailwizz_bounce_rate = fields.Float("MW Bounce Rate (%)", digits=(16, 2), readonly=True, copy=False,
                                        aggregator="avg")
    mailwizz_unsubscribe_rate = fields.Float("MW Unsubscribe Rate (%)", digits=(16, 2), readonly=True,
                                             copy=False, aggregator="avg")

    def _compute_mailwizz_counts(self):
        stat_counts, sub_counts = {}, {}
        if self.ids:
            stat_counts = dict(self.env["mailwizz.campaign.stat"].sudo()._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]))
            sub_counts = dict(self.env["mailwizz.subscriber"].sudo()._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]))
        for campaign in self:
            campaign.mailwizz_stat_count = stat_counts.get(campaign, 0)
            campaign.mailwizz_subscriber_count = sub_counts.get(campaign, 0)

    @api.onchange("mailwizz_backend_id")
    def _onchange_mailwizz_backend_id(self):
        if self.mailwizz_list_id.backend_id != self.mailwizz_backend_id:
            self.mailwizz_list_id = False

    @api.onchange("mailwizz_list_id")
    def _onchange_mailwizz_list_id(self):
        if self.mailwizz_segment_id.list_id != self.mailwizz_list_id:
            self.mailwizz_segment_id = False
        if self.mailwizz_list_id:
            self.mailwizz_backend_id = self.mailwizz_list_id.backend_id

    # ------------------------------------------------------------------ helpers
    def _mailwizz_backend(self):
        self.ensure_one()
        backend = self.mailwizz_list_id.backend_id or self.mailwizz_backend_id
        if not backend:
            raise UserError(self.env._("Choose the MailWizz backend of campaign %(campaign)s first.",
                                       campaign=self.display_name))
        return backend

    def _mailwizz_list(self):
        self.ensure_one()
        if not self.mailwizz_list_id:
            raise UserError(self.env._(
                "Choose (or create) the MailWizz list of campaign %(campaign)s first.", campaign=self.display_name))
        return self.mailwizz_list_id

    def _mailwizz_fail(self, backend, exc, what, started=None, client=None):
        """Log a failed campaign operation (in its own transaction) and raise a clear UserError."""
        message = f"{what}: {backend._error_message(exc)}"
        try:
            backend._log_persistent(
                "campaign", "failed", message, campaign_id=self.id,
                http_calls=client.http_calls if client else 0,
                duration=time.monotonic() - started if started else 0,
            )
        except Exception:  # never hide the MailWizz error behind a logging error
            _logger.exception("MailWizz sync log could not be written")
        raise UserError(message) from exc

    def _mailwizz_log_ok(self, backend, message, started, client):
        backend._log("campaign", "success", message, campaign_id=self.id,
                     http_calls=client.http_calls, duration=time.monotonic() - started)

    def _mailwizz_content(self):
        """HTML sent as the campaign template (MailWizz requires the unsubscribe tag)."""
        self.ensure_one()
        body = self.message_body or ""
        if not body or not str(body).strip():
            raise UserError(self.env._(
                "Campaign %(campaign)s has no message content: write it (Content tab) or give a "
                "MailWizz template UID.", campaign=self.display_name))
        body = str(body)
        if UNSUBSCRIBE_TAG not in body:
            body += Markup('<p style="font-size:small"><a href="%s">%s</a></p>') % (
                UNSUBSCRIBE_TAG, self.env._("Unsubscribe"))
        if "<html" not in body.lower():
            body = f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"/></head><body>{body}</body></html>"
        return body

    def _mailwizz_campaign_name(self):
        self.ensure_one()
        return self.display_name or self.name

    def _mailwizz_payload(self, send_at):
        """Body of ``POST campaigns`` for this Odoo campaign."""
        self.ensure_one()
        mw_list = self._mailwizz_list()
        backend = self._mailwizz_backend()
        manager = self.manager_id or self.user_id or self.env.user
        from_email = self.mailwizz_from_email or mw_list.from_email or manager.email
        reply_to = self.mailwizz_reply_to or mw_list.reply_to or from_email
        from_name = self.mailwizz_from_name or mw_list.from_name or manager.name
        subject = self.message_subject or mw_list.default_subject
        missing = [label for label, value in (
            (self.env._("subject"), subject), (self.env._("from email"), from_email),
            (self.env._("from name"), from_name)) if not value]
        if missing:
            raise UserError(self.env._(
                "Campaign %(campaign)s cannot be sent through MailWizz without: %(missing)s.",
                campaign=self.display_name, missing=", ".join(missing)))
        payload = {
            "name": self._mailwizz_campaign_name(),
            "type": "regular",
            "from_name": from_name,
            "from_email": from_email,
            "subject": subject,
            "reply_to": reply_to,
            "send_at": backend._to_mailwizz_datetime(send_at),
            "list_uid": mw_list.list_uid,
            "options": {"open_tracking": "yes", "url_tracking": "yes"},
        }
        if self.mailwizz_segment_id:
            payload["segment_uid"] = self.mailwizz_segment_id.segment_uid
        if self.mailwizz_template_uid:
            payload["template"] = {"template_uid": self.mailwizz_template_uid}
        else:
            payload["template"] = {"content": self._mailwizz_content(), "inline_css": "no",
                                   "auto_plain_text": "yes"}
        return payload

    @api.model
    def _mailwizz_find_campaign(self, client, name):
        """uid of the newest MailWizz campaign called ``name`` (after an ambiguous create)."""
        found = None
        for record in client.iter_campaigns():
            if record.get("name") == name:
                found = record.get("campaign_uid")
        return found

    # ------------------------------------------------------------------ status mirror
    def _mailwizz_apply_status(self, raw_status):
        """Record MailWizz's raw status and move the Odoo campaign where it makes sense
        (never backwards). Uses the campaign's own transitions (notifications,
        lead assignment on start) without calling MailWizz back."""
        self.ensure_one()
        if not raw_status:
            return
        if raw_status != self.mailwizz_status:
            self.write({"mailwizz_status": raw_status})
            self.message_post(
                body=self.env._("MailWizz status: %(status)s", status=raw_status), subtype_xmlid="mail.mt_note")
        if raw_status == "pending-sending":
            send_at = self.mailwizz_send_at
            target = "scheduled" if send_at and send_at > fields.Datetime.now() else "running"
        else:
            target = MW_TO_ODOO_STATE.get(raw_status)
        if not target or target == self.state:
            return
        campaign = self.with_context(mailwizz_no_remote=True)
        state = self.state
        if target == "scheduled":
            if state == "draft":
                campaign.write({"state": "scheduled", "upcoming_notified": False})
            return
        if state in ("draft", "scheduled"):
            campaign.action_start()
            state = "running"
        if target == "running" and state == "paused":
            campaign.action_resume()
        elif target == "paused" and state == "running":
            campaign.action_pause()
        elif target == "done" and state in ("running", "paused", "stopped"):
            campaign.action_done()
        elif target == "stopped" and state in ("running", "paused"):
            campaign.action_stop()

    # ------------------------------------------------------------------ list actions
    def action_mailwizz_create_list(self):
        """Create a MailWizz list for this campaign and select it."""
        self.ensure_one()
        self.check_access("write")
        backend = self._mailwizz_backend()
        manager = self.manager_id or self.user_id or self.env.user
        from_email = self.mailwizz_from_email or manager.email
        if not from_email:
            raise UserError(self.env._("Set the From Email of the campaign (or its manager's email) first."))
        name = self._mailwizz_campaign_name()
        general = {
            "name": name,
            "description": self.env._("Audience of campaign %(campaign)s (Odoo)", campaign=name),
            "opt_in": "single",
            "opt_out": "single",
        }
        defaults = {
            "from_name": self.mailwizz_from_name or manager.name,
            "from_email": from_email,
            "reply_to": self.mailwizz_reply_to or from_email,
            "subject": self.message_subject or "",
        }
        company = self.env.company
        company_vals = {
            "name": company.name,
            "country": company.country_id.name or "",
            "zone": company.state_id.name or "",
            "address_1": company.street or "",
            "city": company.city or "",
            "zip_code": company.zip or "",
        }
        started = time.monotonic()
        client = backend._get_client()
        try:
            list_uid = client.create_list(general, defaults, company=company_vals)
            if not list_uid:
                raise MailWizzMalformedResponse("MailWizz created a list but returned no list_uid")
            record = client.get_list(list_uid) or {"general": {"list_uid": list_uid, "name": name}}
            mw_list = backend._upsert_list(record)
            mw_list._sync_fields_and_segments(client)
        except MailWizzError as exc:
            self._mailwizz_fail(backend, exc, self.env._("Creating the MailWizz list failed"), started, client)
        finally:
            client.close()
        self.write({"mailwizz_backend_id": backend.id, "mailwizz_list_id": mw_list.id, "mailwizz_segment_id": False})
        backend._log("create_list", "success",
                     self.env._("List %(list)s (%(uid)s) created for campaign %(campaign)s.",
                                list=mw_list.name, uid=list_uid, campaign=name),
                     list_id=mw_list.id, campaign_id=self.id, records_total=1, records_ok=1,
                     http_calls=client.http_calls, duration=time.monotonic() - started)
        return backend._notification(self.env._("MailWizz list"), self.env._(
            "MailWizz list %(list)s created.", list=mw_list.name))

    def _mailwizz_audience(self):
        """(targets, leads) pushed for this campaign: its imported targets and, when it
        targets a CRM segment, the segment's leads."""
        self.ensure_one()
        targets = self.env["crm.campaign.target"].sudo().search([("campaign_id", "=", self.id)])
        leads = self.env["crm.lead"]
        if self._has_segment():
            leads = self.env["crm.lead"].search(self._get_audience_domain())
        return targets, leads

    def action_mailwizz_push_audience(self):
        """Push the campaign's targets (and CRM segment) to its MailWizz list."""
        self.ensure_one()
        self.check_access("write")
        mw_list = self._mailwizz_list()
        targets, leads = self._mailwizz_audience()
        if not targets and not leads:
            raise UserError(self.env._(
                "Campaign %(campaign)s has no target and no CRM segment to push.", campaign=self.display_name))
        return mw_list._push(targets=targets, leads=leads, campaign=self)

    # ------------------------------------------------------------------ campaign actions
    def action_mailwizz_send_now(self):
        self.ensure_one()
        return self._mailwizz_send(fields.Datetime.now())

    def action_mailwizz_schedule(self):
        self.ensure_one()
        when = self.mailwizz_send_at or self.date_start
        if not when or when <= fields.Datetime.now():
            raise UserError(self.env._(
                "Set a MailWizz send time (or a scheduled start) in the future to schedule campaign "
                "%(campaign)s.", campaign=self.display_name))
        return self._mailwizz_send(when)

    def _mailwizz_send(self, when):
        """Create the MailWizz campaign sending at ``when`` (or reschedule/resume the
        existing one). A create that got no answer is looked up by name before any
        retry, so a campaign is never created twice."""
        self.ensure_one()
        self.check_access("write")
        if self.state in ("stopped", "done"):
            raise UserError(self.env._("Campaign %(campaign)s is closed.", campaign=self.display_name))
        backend = self._mailwizz_backend()
        payload = self._mailwizz_payload(when) if not self.mailwizz_campaign_uid else None
        started = time.monotonic()
        client = backend._get_client()
        uid = self.mailwizz_campaign_uid
        created = False
        try:
            if not uid:
                try:
                    uid = client.create_campaign(payload)
                except MailWizzError as exc:
                    if not _ambiguous(exc):
                        raise
                    uid = self._mailwizz_find_campaign(client, payload["name"])
                    if not uid:
                        raise
                created = True
                # remember the uid at once: whatever happens next, no second create
                self.write({"mailwizz_campaign_uid": uid, "mailwizz_date_created": fields.Datetime.now(),
                            "mailwizz_send_at": when, "mailwizz_last_error": False})
            else:
                status = (client.get_campaign(uid) or {}).get("status")
                if status == "paused":
                    client.pause_unpause_campaign(uid)
                elif status in ("draft", "pending-sending"):
                    vals = {"send_at": backend._to_mailwizz_datetime(when)}
                    if status == "draft":
                        vals["status"] = "pending-sending"
                    client.update_campaign(uid, vals)
                else:
                    raise UserError(self.env._(
                        "The MailWizz campaign of %(campaign)s is %(status)s: it cannot be sent again.",
                        campaign=self.display_name, status=status))
                self.write({"mailwizz_send_at": when, "mailwizz_last_error": False})
            status = (client.get_campaign(uid) or {}).get("status")
        except MailWizzError as exc:
            if created:
                self.mailwizz_last_error = backend._error_message(exc)
                status = None
            else:
                self._mailwizz_fail(backend, exc, self.env._("Sending campaign %(campaign)s through MailWizz failed",
                                                             campaign=self.display_name), started, client)
        finally:
            client.close()
        self._mailwizz_apply_status(status or "pending-sending")
        scheduled = when > fields.Datetime.now() + timedelta(minutes=1)
        message = (self.env._("MailWizz campaign %(uid)s scheduled for %(when)s (UTC).", uid=uid,
                              when=fields.Datetime.to_string(when))
                   if scheduled else self.env._("MailWizz campaign %(uid)s is sending.", uid=uid))
        self._mailwizz_log_ok(backend, message, started, client)
        return backend._notification(self.env._("MailWizz campaign"), message)

    def _mailwizz_remote_toggle(self, want):
        """Pause (``want`` = "paused") or resume (``want`` = "sending") the MailWizz
        campaign. pause-unpause is a toggle: the current status is read first, and a
        toggle that got no answer is checked (never sent twice). Returns the new raw status."""
        self.ensure_one()
        if not self.mailwizz_campaign_uid:
            raise UserError(self.env._("Campaign %(campaign)s was not sent through MailWizz.",
                                       campaign=self.display_name))
        backend = self._mailwizz_backend()
        uid = self.mailwizz_campaign_uid
        started = time.monotonic()
        client = backend._get_client()
        what = self.env._("Pausing") if want == "paused" else self.env._("Resuming")
        try:
            status = (client.get_campaign(uid) or {}).get("status")
            if want == "paused" and status != "paused":
                if status not in ("pending-sending", "sending", "processing"):
                    raise UserError(self.env._("The MailWizz campaign is %(status)s: it cannot be paused.",
                                               status=status))
                toggle = True
            elif want != "paused" and status == "paused":
                toggle = True
            elif want != "paused":
                raise UserError(self.env._("The MailWizz campaign is %(status)s, not paused.", status=status))
            else:
                toggle = False
            if toggle:
                try:
                    status = client.pause_unpause_campaign(uid) or None
                except MailWizzError as exc:
                    if not _ambiguous(exc):
                        raise
                    status = None
                if not status:
                    status = (client.get_campaign(uid) or {}).get("status")
        except MailWizzError as exc:
            self._mailwizz_fail(backend, exc, self.env._("%(what)s MailWizz campaign %(campaign)s failed",
                                                         what=what, campaign=self.display_name), started, client)
        finally:
            client.close()
        self.write({"mailwizz_last_error": False})
        self._mailwizz_log_ok(backend, self.env._("MailWizz campaign %(uid)s is now %(status)s.", uid=uid,
                                                  status=status), started, client)
        return status

    def action_mailwizz_pause(self):
        self.ensure_one()
        self._mailwizz_apply_status(self._mailwizz_remote_toggle("paused"))
        return True

    def action_mailwizz_unpause(self):
        self.ensure_one()
        self._mailwizz_apply_status(self._mailwizz_remote_toggle("sending"))
        return True

    # Odoo-side lifecycle buttons also drive MailWizz
    def _mailwizz_sync_remote(self, want):
        if self.env.context.get("mailwizz_no_remote"):
            return
        for campaign in self.filtered(lambda c: c.mailwizz_campaign_uid and c.mailwizz_status in MW_ACTIVE_STATUSES):
            if (want == "paused") == (campaign.mailwizz_status == "paused"):
                continue
            campaign.mailwizz_status = campaign._mailwizz_remote_toggle(want)

    def action_pause(self):
        self._mailwizz_sync_remote("paused")
        return super().action_pause()

    def action_resume(self):
        self._mailwizz_sync_remote("sending")
        return super().action_resume()

    def action_stop(self):
        # MailWizz has no "stop": a paused campaign sends nothing more
        self._mailwizz_sync_remote("paused")
        return super().action_stop()

    # ------------------------------------------------------------------ statistics
    def _mailwizz_store_stats(self, stats, backend):
        """Create a snapshot from ``campaign_stats()`` data, copy it to the latest
        counters and mirror the campaign status it carries."""
        self.ensure_one()
        Stat = self.env["mailwizz.campaign.stat"].sudo()
        counters = stats_to_counters(stats)
        rates = Stat._rates(counters)
        now = fields.Datetime.now()
        status = stats.get("campaign_status") or False
        Stat.create(dict(counters, **rates, campaign_id=self.id, backend_id=backend.id,
                         campaign_uid=self.mailwizz_campaign_uid, snapshot_date=now, mailwizz_status=status))
        vals = {campaign_fname: counters[stat_fname] for stat_fname, campaign_fname, _label in STAT_COUNTERS}
        vals.update({f"mailwizz_{key}": value for key, value in rates.items()})
        vals["mailwizz_last_stats_date"] = now
        self.sudo().write(vals)
        if status in CAMPAIGN_STATUSES:
            self.sudo()._mailwizz_apply_status(status)

    @api.model
    def _mailwizz_stats_domain(self):
        since = fields.Datetime.now() - timedelta(days=STATS_WINDOW_DAYS)
        return [
            ("mailwizz_campaign_uid", "!=", False),
            "|", "|", "|",
            ("state", "in", ("scheduled", "running", "paused")),
            ("mailwizz_status", "in", MW_ACTIVE_STATUSES),
            ("mailwizz_date_created", ">=", since),
            ("date_sent", ">=", since),
        ]

    def _mailwizz_pull_stats(self, commit=False):
        """Pull the stats of the campaigns in ``self`` (one client per backend).
        Returns ``(ok_count, failed_count)``; failures are logged, never raised."""
        ok_total = failed_total = 0
        by_backend = {}
        for campaign in self:
            backend = campaign.mailwizz_list_id.backend_id or campaign.mailwizz_backend_id
            if backend:
                by_backend.setdefault(backend, self.browse())
                by_backend[backend] |= campaign
        for backend, campaigns in by_backend.items():
            started = time.monotonic()
            try:
                client = backend._get_client()
            except UserError as exc:
                backend._log("stats", "failed", str(exc.args[0]), records_total=len(campaigns),
                             records_failed=len(campaigns))
                failed_total += len(campaigns)
                continue
            ok = 0
            failures = []
            event_totals = [0, 0, 0]
            try:
                for campaign in campaigns:
                    try:
                        stats = client.campaign_stats(campaign.mailwizz_campaign_uid)
                    except MailWizzAuthError as exc:
                        failures.append((campaign.display_name, backend._error_message(exc), False))
                        break
                    except MailWizzError as exc:
                        failures.append((campaign.display_name, backend._error_message(exc), False))
                        continue
                    try:
                        with self.env.cr.savepoint():
                            campaign._mailwizz_store_stats(stats, backend)
                    except (UserError, ValueError) as exc:
                        # e.g. the Odoo campaign refuses the state MailWizz reports
                        _logger.warning("MailWizz stats of %s not stored: %s", campaign.display_name, exc)
                        failures.append((campaign.display_name, str(exc), False))
                        continue
                    ok += 1
                    try:
                        events = campaign._mailwizz_pull_events(client, commit=commit)
                    except MailWizzAuthError as exc:
                        failures.append((campaign.display_name, backend._error_message(exc), False))
                        break
                    except MailWizzError as exc:
                        failures.append((campaign.display_name, self.env._(
                            "bounces/unsubscribes not pulled: %(error)s", error=backend._error_message(exc)), False))
                        events = None
                    if events:
                        event_totals = [sum(values) for values in zip(event_totals, events, strict=True)]
                    commit_batch(self.env, commit)
            finally:
                client.close()
            failed = len(campaigns) - ok
            state = "success" if not failed else ("partial" if ok else "failed")
            if state == "success" and failures:
                state = "partial"  # statistics stored, some bounces/unsubscribes not pulled
            message = self.env._("Statistics of %(ok)s of %(total)s MailWizz campaign(s) pulled.",
                                 ok=ok, total=len(campaigns))
            if any(event_totals):
                message += " " + self.env._(
                    "New per subscriber: %(bounces)s bounce(s), %(unsubscribes)s unsubscribe(s), "
                    "%(complaints)s complaint(s).", bounces=event_totals[0], unsubscribes=event_totals[1],
                    complaints=event_totals[2])
            if failures:
                message += " " + "; ".join(f"{name}: {error}" for name, error, _x in failures[:5])
            backend._log("stats", state, message, failures=failures,
                         campaign_id=campaigns.id if len(campaigns) == 1 else False,
                         records_total=len(campaigns), records_ok=ok, records_failed=failed,
                         http_calls=client.http_calls, duration=time.monotonic() - started)
            ok_total += ok
            failed_total += failed
            commit_batch(self.env, commit)
        return ok_total, failed_total

    # ------------------------------------------------------------------ per-subscriber events
    def _mailwizz_pull_events(self, client, commit=False):
        """Pull the campaign's bounces and unsubscribes (complaints are unsubscribes whose
        note names the feedback loop or a web hook, ``is_complaint``) per subscriber and
        apply them to the subscribers and their leads.

        Paged (``CAMPAIGN_EVENTS_PER_PAGE`` records a call, MailWizz answers newest first),
        each page applied then committed (scheduled action) before the next is read, and
        idempotent: a subscriber counts once per campaign and event. Once a pull has gone
        through every page (``mailwizz_*_complete``), later pulls stop at the first page
        holding an event already applied; an interrupted pull walks every page again.

        :return: ``(new bounces, new unsubscribes, new complaints)``
        """
        self.ensure_one()
        if not self.mailwizz_campaign_uid:
            return 0, 0, 0
        Sub = self.env["mailwizz.subscriber"].sudo()
        campaign = self.sudo()
        new_bounces = new_unsubscribes = new_complaints = 0
        kinds = (
            ("mailwizz_bounces_complete", campaign.mailwizz_bounces,
             client.iter_campaign_bounce_pages, Sub._apply_campaign_bounces),
            ("mailwizz_unsubscribes_complete", campaign.mailwizz_unsubscribes or campaign.mailwizz_complaints,
             client.iter_campaign_unsubscribe_pages, Sub._apply_campaign_unsubscribes),
        )
        for flag, counter, iter_pages, apply in kinds:
            if not counter and not campaign[flag]:
                continue  # MailWizz counts none: no call
            complete = campaign[flag]
            if complete:
                campaign[flag] = False  # set again once this pull reaches its end
            for _page, records in iter_pages(campaign.mailwizz_campaign_uid):
                result = apply(campaign, records)
                new_bounces += result.get("bounces", 0)
                new_unsubscribes += result.get("unsubscribes", 0)
                new_complaints += result.get("complaints", 0)
                commit_batch(self.env, commit)
                if complete and result["known"]:
                    break  # newest first: the rest was applied by an earlier complete pull
            campaign[flag] = True
        campaign.mailwizz_events_date = fields.Datetime.now()
        commit_batch(self.env, commit)
        return new_bounces, new_unsubscribes, new_complaints

    @api.model
    def _cron_mailwizz_stats(self):
        """Scheduled: snapshot the stats of every running or recent (< 30 days) MailWizz campaign."""
        campaigns = self.sudo().search(self._mailwizz_stats_domain(), order="id")
        campaigns._mailwizz_pull_stats(commit=can_commit(self.env))
        return True

    def action_mailwizz_refresh(self):
        self.ensure_one()
        if not self.mailwizz_campaign_uid:
            raise UserError(self.env._("Campaign %(campaign)s was not sent through MailWizz.",
                                       campaign=self.display_name))
        ok, failed = self._mailwizz_pull_stats()
        log = self.env["mailwizz.sync.log"].sudo().search(
            [("operation", "=", "stats"), ("campaign_id", "=", self.id)], limit=1)
        return self.env["mailwizz.backend"]._notification(
            self.env._("MailWizz statistics"), log.message or "", ok=bool(ok and not failed))

    def action_view_mailwizz_stats(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_mailwizz.mailwizz_campaign_stat_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_view_mailwizz_subscribers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_mailwizz.mailwizz_subscriber_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        return action
