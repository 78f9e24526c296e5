from odoo import api, fields, models, tools

from odoo.addons.crm_campaign_mail.tools import notify_users

from ..lib.client import SUBSCRIBER_STATUSES, is_complaint

# MailWizz subscriber statuses that mean "do not mail this address again".
# (MailWizz has no "bounced" subscriber status: a hard bounce blacklists the address,
# so bounced subscribers come back as "blacklisted".)
OPT_OUT_STATUSES = ("unsubscribed", "blacklisted")
# bounce types of MailWizz's campaign bounce log (hard ones blacklist the address there)
BOUNCE_TYPES = [("hard", "Hard"), ("soft", "Soft"), ("internal", "Internal")]


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
    # per-subscriber events of MailWizz campaigns (campaigns/{uid}/bounces and /unsubscribes,
    # pulled with the campaign statistics); each campaign counts once per subscriber
    bounce_count = fields.Integer(
        readonly=True, help="Hard and soft bounces of this address in MailWizz campaigns (one per campaign).")
    last_bounce_type = fields.Selection(BOUNCE_TYPES, readonly=True)
    last_bounce_message = fields.Char(readonly=True)
    last_bounce_date = fields.Datetime(readonly=True)
    bounced_campaign_ids = fields.Many2many(
        "utm.campaign", "mailwizz_subscriber_bounce_rel", "subscriber_id", "campaign_id",
        string="Bounced In", readonly=True)
    unsubscribed_campaign_ids = fields.Many2many(
        "utm.campaign", "mailwizz_subscriber_unsubscribe_rel", "subscriber_id", "campaign_id",
        string="Unsubscribed From", readonly=True)
    unsubscribe_date = fields.Datetime(readonly=True)
    unsubscribe_reason = fields.Char(readonly=True)
    complaint_campaign_ids = fields.Many2many(
        "utm.campaign", "mailwizz_subscriber_complaint_rel", "subscriber_id", "campaign_id",
        string="Complained About", readonly=True,
        help="Campaigns this address reported as spam (feedback loop or delivery server web hook).")
    complaint_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("list_email_unique", "UNIQUE(list_id, email)", "This email is already a subscriber of the list."),
    ]

    @api.depends("status")
    def _compute_is_opted_out(self):
        for sub in self:
            sub.is_opted_out = sub.status in OPT_OUT_STATUSES

    # ------------------------------------------------------------------ campaign events
    @api.model
    def _event_subscribers(self, campaign, records):
        """``{subscriber_uid: subscriber row}`` for event records of ``campaign``
        (``{..., subscriber: {subscriber_uid, email}}``): by uid among the backend's rows,
        else by email in the campaign's list, where a row is created when the address
        was never pushed from Odoo (its events still reach leads of that address)."""
        backend = campaign.mailwizz_list_id.backend_id or campaign.mailwizz_backend_id
        wanted = {}
        for rec in records:
            sub = rec.get("subscriber") or {}
            uid = str(sub.get("subscriber_uid") or "")
            # MailWizz shows a masked address ("j***@example.com") to customers who may not
            # see emails: such a subscriber is found by its uid only
            raw_email = str(sub.get("email") or "")
            email = tools.email_normalize(raw_email) if "*" not in raw_email else False
            if uid:
                wanted[uid] = email
        if not wanted:
            return {}
        found = {}
        for row in self.search([("backend_id", "=", backend.id), ("subscriber_uid", "in", list(wanted))]):
            found.setdefault(row.subscriber_uid, row)
        mw_list = campaign.mailwizz_list_id
        missing = {uid: email for uid, email in wanted.items() if uid not in found and email}
        if missing and mw_list:
            by_email = {row.email: row for row in self.search(
                [("list_id", "=", mw_list.id), ("email", "in", list(missing.values()))])}
            to_create = []
            for uid, email in missing.items():
                row = by_email.get(email)
                if row:
                    if not row.subscriber_uid:
                        row.subscriber_uid = uid
                    found[uid] = row
                elif email not in {vals["email"] for vals in to_create}:
                    to_create.append({"list_id": mw_list.id, "email": email, "subscriber_uid": uid,
                                      "campaign_id": campaign.id, "push_state": "synced"})
            for row in self.create(to_create):
                found[row.subscriber_uid] = row
        return found

    @api.model
    def _event_leads(self, subscribers):
        """``{email: leads}``: the subscribers' own leads and every lead with their address
        (archived ones too), as the opt-out pull finds them."""
        emails = list(set(subscribers.mapped("email")))
        leads = self.env["crm.lead"].sudo().with_context(active_test=False).search(
            [("email_normalized", "in", emails)]) | subscribers.lead_id
        by_email = {email: self.env["crm.lead"].sudo() for email in emails}
        for lead in leads:
            for sub in subscribers.filtered(lambda s, lead=lead: s.lead_id == lead):
                by_email[sub.email] |= lead
            if lead.email_normalized in by_email:
                by_email[lead.email_normalized] |= lead
        return by_email

    @api.model
    def _apply_campaign_bounces(self, campaign, records):
        """Apply a page of ``campaigns/{uid}/bounces``: each subscriber's first bounce in
        this campaign is counted on it and, hard or soft, on its leads' bounce counter
        (``message_bounce``, Odoo's own); a hard bounce (MailWizz blacklisted the
        address) is an opt-out: Odoo's blacklist, *MailWizz opt-out* on the leads, no
        later push. Internal bounces (MailWizz's own delivery errors) are only noted.

        :return: ``{"bounces": new, "known": already applied}``
        """
        subs = self._event_subscribers(campaign, records)
        leads = self._event_leads(self.browse().union(*subs.values()))
        now = fields.Datetime.now()
        new = known = 0
        hard = {}
        for rec in records:
            uid = str((rec.get("subscriber") or {}).get("subscriber_uid") or "")
            sub = subs.get(uid)
            if not sub:
                continue
            if campaign in sub.bounced_campaign_ids:
                known += 1
                continue
            new += 1
            bounce_type = rec.get("bounce_type") if rec.get("bounce_type") in dict(BOUNCE_TYPES) else "internal"
            vals = {
                "bounced_campaign_ids": [fields.Command.link(campaign.id)],
                "last_bounce_type": bounce_type,
                "last_bounce_message": str(rec.get("message") or "")[:250] or False,
                "last_bounce_date": now,
            }
            if bounce_type != "internal":
                vals["bounce_count"] = sub.bounce_count + 1
                for lead in leads.get(sub.email, ()):
                    lead.with_context(tracking_disable=True).message_bounce = lead.message_bounce + 1
            if bounce_type == "hard":
                vals["status"] = "blacklisted"
                if sub.push_state == "pending":
                    vals["push_state"] = "excluded"
                hard.setdefault(sub.list_id, []).append(sub.email)
            sub.write(vals)
        for mw_list, emails in hard.items():
            mw_list._apply_opt_outs(emails)
        return {"bounces": new, "known": known}

    @api.model
    def _apply_campaign_unsubscribes(self, campaign, records):
        """Apply a page of ``campaigns/{uid}/unsubscribes``: the subscriber is
        unsubscribed (an opt-out: Odoo's blacklist, *MailWizz opt-out* on its leads, no
        later push); a complaint (``is_complaint``: feedback loop, web hook) also gives
        each lead's salesperson (else the campaign's manager) a to-do activity and a
        notification, once per subscriber and campaign.

        :return: ``{"unsubscribes": new, "complaints": new, "known": already applied}``
        """
        subs = self._event_subscribers(campaign, records)
        leads = self._event_leads(self.browse().union(*subs.values()))
        now = fields.Datetime.now()
        new_unsub = new_complaints = known = 0
        opt_outs = {}
        for rec in records:
            uid = str((rec.get("subscriber") or {}).get("subscriber_uid") or "")
            sub = subs.get(uid)
            if not sub:
                continue
            complaint = is_complaint(rec)
            unsub_new = campaign not in sub.unsubscribed_campaign_ids
            complaint_new = complaint and campaign not in sub.complaint_campaign_ids
            if not unsub_new and not complaint_new:
                known += 1
                continue
            vals = {"status": "unsubscribed"} if sub.status != "blacklisted" else {}
            if sub.push_state == "pending":
                vals["push_state"] = "excluded"
            if unsub_new:
                new_unsub += 1
                vals.update({
                    "unsubscribed_campaign_ids": [fields.Command.link(campaign.id)],
                    "unsubscribe_date": now,
                    "unsubscribe_reason": str(rec.get("reason") or rec.get("note") or "")[:250] or False,
                })
            if complaint_new:
                new_complaints += 1
                vals.update({"complaint_campaign_ids": [fields.Command.link(campaign.id)], "complaint_date": now})
            sub.write(vals)
            opt_outs.setdefault(sub.list_id, []).append(sub.email)
            if complaint_new:
                self._notify_complaint(campaign, sub, leads.get(sub.email) or self.env["crm.lead"])
        for mw_list, emails in opt_outs.items():
            mw_list._apply_opt_outs(emails)
        return {"unsubscribes": new_unsub, "complaints": new_complaints, "known": known}

    @api.model
    def _notify_complaint(self, campaign, subscriber, leads):
        """A to-do for the owner of each lead of a complaining address (the campaign's
        manager when the lead has no salesperson), with a toast and a chatter note; the
        campaign's manager is told on the campaign when the address has no lead."""
        title = self.env._("Spam complaint in MailWizz")
        message = self.env._(
            "%(email)s reported campaign %(campaign)s as spam. The address is unsubscribed and "
            "blacklisted; check the contact before writing again.",
            email=subscriber.email, campaign=campaign.display_name)
        manager = campaign.manager_id or campaign.user_id
        if not leads:
            notify_users(manager, title, message, notif_type="warning", record=campaign)
            return
        for lead in leads:
            owner = lead.user_id or manager
            if owner:
                lead.sudo().activity_schedule(
                    "mail.mail_activity_data_todo", summary=title, note=message, user_id=owner.id)
            notify_users(owner, title, message, notif_type="warning", record=lead)
