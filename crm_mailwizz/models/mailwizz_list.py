import itertools
import logging
import time

from psycopg2.extras import execute_values

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import split_every

from odoo.addons.crm_campaign_mail.tools import can_commit, commit_batch

from ..lib.client import SUBSCRIBER_STATUSES, MailWizzAuthError, MailWizzError
from .mailwizz_subscriber import OPT_OUT_STATUSES

_logger = logging.getLogger(__name__)

# MailWizz tag -> (crm.lead field, crm.campaign.target field) used when a list field
# has no explicit mapping.
DEFAULT_TAG_SOURCES = {
    "EMAIL": ("email_from", "email"),
    "FNAME": ("contact_first_name", "first_name"),
    "LNAME": ("contact_last_name", "last_name"),
    "NAME": ("contact_name", "name"),
    "COMPANY": ("partner_name", "company_name"),
    "PHONE": ("phone", "phone"),
    "JOB_TITLE": ("function", "job_title"),
    "JOBTITLE": ("function", "job_title"),
    "CITY": ("city", "city"),
    "ZIP": ("zip", "zip"),
    "COUNTRY": ("country_id", "country_id"),
    "WEBSITE": ("website", "website"),
}
# crm.lead field -> crm.campaign.target field holding the same information
LEAD_TO_TARGET_FIELD = {
    "email_from": "email",
    "contact_first_name": "first_name",
    "contact_last_name": "last_name",
    "contact_name": "name",
    "partner_name": "company_name",
    "function": "job_title",
    "phone": "phone",
    "street": "street",
    "street2": "street2",
    "city": "city",
    "zip": "zip",
    "country_id": "country_id",
    "website": "website",
    "event_id": "event_id",
    "campaign_id": "campaign_id",
}
# above this many queued subscribers a push from a button is left to the cron
SYNC_PUSH_LIMIT = 2000


class MailwizzList(models.Model):
    _name = "mailwizz.list"
    _description = "MailWizz List"
    _order = "name, id"

    backend_id = fields.Many2one("mailwizz.backend", required=True, ondelete="cascade", index=True)
    list_uid = fields.Char(string="List UID", required=True, index=True, copy=False)
    name = fields.Char(required=True)
    display_name_mw = fields.Char(string="Display Name (MailWizz)")
    description = fields.Text()
    from_name = fields.Char()
    from_email = fields.Char()
    reply_to = fields.Char()
    default_subject = fields.Char()
    field_ids = fields.One2many("mailwizz.list.field", "list_id", string="Custom Fields")
    segment_ids = fields.One2many("mailwizz.list.segment", "list_id", string="Segments")
    last_sync_date = fields.Datetime(readonly=True)
    last_status_pull_date = fields.Datetime(readonly=True)
    active = fields.Boolean(default=True)
    subscriber_ids = fields.One2many("mailwizz.subscriber", "list_id", string="Subscribers")
    subscriber_count = fields.Integer(compute="_compute_subscriber_stats")
    pending_count = fields.Integer(string="To Push", compute="_compute_subscriber_stats")
    failed_count = fields.Integer(string="Push Failures", compute="_compute_subscriber_stats")
    opted_out_count = fields.Integer(string="Opted Out", compute="_compute_subscriber_stats")

    _sql_constraints = [
        ("list_uid_unique", "UNIQUE(backend_id, list_uid)", "This MailWizz list is already imported."),
    ]

    def _compute_subscriber_stats(self):
        counts = {}
        if self.ids:
            for mw_list, push_state, opted_out, count in self.env["mailwizz.subscriber"].sudo()._read_group(
                [("list_id", "in", self.ids)], ["list_id", "push_state", "is_opted_out"], ["__count"]
            ):
                c = counts.setdefault(mw_list.id, {"total": 0, "pending": 0, "failed": 0, "out": 0})
                c["total"] += count
                c["pending"] += count if push_state == "pending" else 0
                c["failed"] += count if push_state == "failed" else 0
                c["out"] += count if opted_out else 0
        for mw_list in self:
            c = counts.get(mw_list.id, {})
            mw_list.subscriber_count = c.get("total", 0)
            mw_list.pending_count = c.get("pending", 0)
            mw_list.failed_count = c.get("failed", 0)
            mw_list.opted_out_count = c.get("out", 0)

    def _sync_fields_and_segments(self, client):
        """Mirror the list's custom fields and segments (create/update/remove)."""
        self.ensure_one()
        self._mirror_children(self.field_ids, "tag", client.list_fields(self.list_uid), lambda rec: {
            "label": rec.get("label") or rec["tag"],
            "required": rec.get("required") == "yes",
            "field_type": ((rec.get("type") or {}).get("identifier")) or False,
            "field_id_mw": str(rec.get("field_id") or "") or False,
        })
        self._mirror_children(
            self.segment_ids, "segment_uid", client.iter_segments(self.list_uid), lambda rec: {
                "name": rec.get("name") or rec["segment_uid"],
                "subscribers_count": int(rec.get("subscribers_count") or 0),
            })
        self.last_sync_date = fields.Datetime.now()

    def _mirror_children(self, children, key, remote_records, values_of):
        """Make ``children`` (fields or segments of this list) match ``remote_records``,
        matched on ``key``: update the known ones, create the new, remove the gone."""
        by_key = {child[key]: child for child in children}
        seen = children.browse()
        for rec in remote_records:
            if not rec.get(key):
                continue
            child = by_key.get(rec[key])
            if child:
                child.write(values_of(rec))
            else:
                child = children.create(dict(values_of(rec), list_id=self.id, **{key: rec[key]}))
            seen |= child
        (children - seen).unlink()

    # ------------------------------------------------------------------ field mapping
    def _get_push_mapping(self):
        """``[(tag, lead field name or None, target field name or None)]`` for the
        list's custom fields: the explicit mapping of each ``mailwizz.list.field``,
        else the defaults of :data:`DEFAULT_TAG_SOURCES`."""
        self.ensure_one()
        Lead = self.env["crm.lead"]
        Target = self.env["crm.campaign.target"]
        mapping = []
        for field in self.field_ids:
            tag = (field.tag or "").upper()
            if tag == "EMAIL":
                continue
            lead_fname, target_fname = DEFAULT_TAG_SOURCES.get(tag, (None, None))
            if field.lead_field_id:
                lead_fname = field.lead_field_id.name
                target_fname = LEAD_TO_TARGET_FIELD.get(lead_fname)
            if field.target_field_id:
                target_fname = field.target_field_id.name
            lead_fname = lead_fname if lead_fname in Lead._fields else None
            target_fname = target_fname if target_fname in Target._fields else None
            if lead_fname or target_fname:
                mapping.append((field.tag, lead_fname, target_fname))
        return mapping

    @api.model
    def _format_value(self, record, fname):
        field = record._fields[fname]
        value = record[fname]
        if not value and value != 0:
            return ""
        if field.type in ("many2one", "many2many", "one2many"):
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type in ("date", "datetime"):
            return fields.Date.to_string(value) if field.type == "date" else fields.Datetime.to_string(value)
        if field.type == "boolean":
            return "yes" if value else "no"
        if field.type == "html":
            return tools.html2plaintext(value)
        return str(value)

    def _subscriber_fields(self, sub, mapping):
        """The ``{TAG: value}`` sent to MailWizz for a ``mailwizz.subscriber`` row:
        target values first (the campaign's imported data), then its lead's. Empty
        values are not sent, so a push never blanks data kept in MailWizz."""
        values = {"EMAIL": sub.email}
        target, lead = sub.target_id, sub.lead_id or sub.target_id.lead_id
        for tag, lead_fname, target_fname in mapping:
            value = ""
            if target and target_fname:
                value = self._format_value(target, target_fname)
            if not value and lead and lead_fname:
                value = self._format_value(lead, lead_fname)
            if not value and tag.upper() == "FNAME" and lead and lead.contact_name:
                value = lead.contact_name.split()[0]
            if value:
                values[tag] = value
        return values

    # ------------------------------------------------------------------ push
    def _enqueue(self, targets=None, leads=None, campaign=None):
        """Queue campaign targets and/or leads for a push to this list.

        Creates or updates one ``mailwizz.subscriber`` per distinct email (the
        uid of an existing row is kept, so the push updates that subscriber).
        Addresses opted out (Odoo blacklist, MailWizz unsubscribe/blacklist in
        any list of the backend, lead flag) are marked ``excluded``.

        :return: ``{"queued", "excluded", "invalid"}`` counts
        """
        self.ensure_one()
        if not self.active:
            raise UserError(self.env._("MailWizz list %(name)s is archived.", name=self.name))
        candidates = {}  # email -> [target id, lead id, opted-out flag]
        invalid = 0
        if targets:
            for batch in split_every(5000, targets.ids, targets.browse):
                batch.fetch(["email", "lead_id"])
                for target in batch:
                    email = tools.email_normalize(target.email or "")
                    if not email:
                        invalid += 1
                        continue
                    entry = candidates.setdefault(email, [False, False, False])
                    entry[0] = entry[0] or target.id
                    entry[1] = entry[1] or target.lead_id.id
                    entry[2] = entry[2] or target.lead_id.mailwizz_opt_out
        if leads:
            for batch in split_every(5000, leads.ids, leads.browse):
                batch.fetch(["email_normalized", "mailwizz_opt_out"])
                for lead in batch:
                    email = lead.email_normalized
                    if not email:
                        invalid += 1
                        continue
                    entry = candidates.setdefault(email, [False, False, False])
                    entry[1] = entry[1] or lead.id
                    entry[2] = entry[2] or lead.mailwizz_opt_out
        Sub = self.env["mailwizz.subscriber"].sudo()
        Blacklist = self.env["mail.blacklist"].sudo()
        queued = excluded = 0
        now = fields.Datetime.now()
        for emails in split_every(1000, list(candidates)):
            emails = list(emails)
            existing = {s.email: s for s in Sub.search([("list_id", "=", self.id), ("email", "in", emails)])}
            out = set(Blacklist.search([("email", "in", emails)]).mapped("email"))
            out |= set(Sub.search([
                ("backend_id", "=", self.backend_id.id), ("email", "in", emails), ("is_opted_out", "=", True),
            ]).mapped("email"))
            to_create, to_update = [], []
            for email in emails:
                target_id, lead_id, lead_out = candidates[email]
                state = "excluded" if (email in out or lead_out) else "pending"
                if state == "excluded":
                    excluded += 1
                else:
                    queued += 1
                sub = existing.get(email)
                if sub:
                    to_update.append((sub.id, target_id or None, lead_id or None, campaign.id if campaign else None,
                                      state))
                else:
                    to_create.append({
                        "list_id": self.id,
                        "email": email,
                        "target_id": target_id,
                        "lead_id": lead_id,
                        "campaign_id": campaign.id if campaign else False,
                        "push_state": state,
                    })
            if to_create:
                Sub.create(to_create)
            if to_update:
                self._bulk_update_queue(to_update, now)
        return {"queued": queued, "excluded": excluded, "invalid": invalid}

    def _bulk_update_queue(self, rows, now):
        """One UPDATE for queued rows ``(id, target_id, lead_id, campaign_id, push_state)``."""
        self.env.flush_all()
        execute_values(
            self.env.cr._obj,
            """UPDATE mailwizz_subscriber AS s
                  SET target_id = COALESCE(v.target_id, s.target_id),
                      lead_id = COALESCE(v.lead_id, s.lead_id),
                      campaign_id = COALESCE(v.campaign_id, s.campaign_id),
                      push_state = v.push_state, last_error = NULL,
                      write_date = v.now, write_uid = v.uid
                 FROM (VALUES %s) AS v(id, target_id, lead_id, campaign_id, push_state, now, uid)
                WHERE s.id = v.id""",
            [(*row, now, self.env.uid) for row in rows],
            template="(%s, %s::int, %s::int, %s::int, %s, %s::timestamp, %s)",
        )
        self.env["mailwizz.subscriber"].invalidate_model()

    def _save_push_results(self, results):
        """Persist the outcome of pushed items (``ItemResult.key`` = subscriber id) in
        one UPDATE. Returns the ``(email, error, subscriber id)`` of the failures."""
        if not results:
            return []
        now = fields.Datetime.now()
        rows, failures = [], []
        for res in results:
            if res.ok:
                state, error = "synced", None
            elif res.action == "unknown":
                # outcome unknown (MailWizz could not be asked): push it again later
                state, error = "pending", res.error
            else:
                state, error = "failed", res.error or "failed"
            if not res.ok:
                failures.append((res.email, error, res.key))
            rows.append((res.key, res.subscriber_uid or None, state, error, now, self.env.uid))
        self.env.flush_all()
        execute_values(
            self.env.cr._obj,
            """UPDATE mailwizz_subscriber AS s
                  SET subscriber_uid = COALESCE(v.uid, s.subscriber_uid),
                      push_state = v.push_state, last_error = v.error,
                      last_push_date = v.now, write_date = v.now, write_uid = v.user_id
                 FROM (VALUES %s) AS v(id, uid, push_state, error, now, user_id)
                WHERE s.id = v.id""",
            rows,
            template="(%s, %s::varchar, %s::varchar, %s::text, %s::timestamp, %s)",
        )
        self.env["mailwizz.subscriber"].invalidate_model()
        return failures

    def _push_pending(self, commit=False, campaign=None, skipped=0):
        """Push this list's ``pending`` subscribers in chunks of the backend's bulk size.

        Each chunk's results are saved (and committed when ``commit``) before the
        next chunk is sent; an outage stops the push and leaves the rest ``pending``
        so the next run resumes where this one stopped. Never raises for MailWizz
        errors: returns ``(ok, message)`` and writes a sync log line.
        """
        self.ensure_one()
        backend = self.backend_id
        started = time.monotonic()
        client = backend._get_client()
        Sub = self.env["mailwizz.subscriber"].sudo()
        mapping = self._get_push_mapping()
        pending_ids = Sub.search([("list_id", "=", self.id), ("push_state", "=", "pending")], order="id").ids
        done = ok_count = failed_count = 0
        failures = []
        error = None
        try:
            for batch in split_every(client.bulk_chunk_size, pending_ids, Sub.browse):
                items = [(sub.id, self._subscriber_fields(sub, mapping), sub.subscriber_uid) for sub in batch]
                results = []
                try:
                    for part in client.iter_push(self.list_uid, items):
                        results.extend(part)
                finally:
                    # whatever MailWizz answered before an outage is saved
                    chunk_failures = self._save_push_results(results)
                    done += len(results)
                    failed_count += len(chunk_failures)
                    ok_count += len(results) - len(chunk_failures)
                    failures.extend(chunk_failures[: max(0, 1000 - len(failures))])
                    commit_batch(self.env, commit)
        except MailWizzError as exc:
            error = exc
        finally:
            client.close()
        remaining = len(pending_ids) - done
        if error is not None:
            state = "partial" if ok_count else "failed"
            message = self.env._(
                "Push to %(list)s stopped after %(done)s of %(total)s subscriber(s): %(error)s "
                "%(remaining)s subscriber(s) stay queued; the next push (or the scheduled action) resumes.",
                list=self.name, done=done, total=len(pending_ids), remaining=remaining,
                error=backend._error_message(error),
            )
        elif failed_count:
            state = "partial"
            message = self.env._(
                "%(ok)s of %(total)s subscriber(s) pushed to %(list)s; %(failed)s refused by MailWizz "
                "(see the failures of this log line).",
                ok=ok_count, total=len(pending_ids), list=self.name, failed=failed_count,
            )
        else:
            state = "success"
            message = self.env._("%(ok)s subscriber(s) pushed to %(list)s.", ok=ok_count, list=self.name)
        backend._log(
            "push", state, message, failures=failures, list_id=self.id,
            campaign_id=campaign.id if campaign else False,
            records_total=len(pending_ids), records_ok=ok_count, records_failed=failed_count,
            records_skipped=skipped, http_calls=client.http_calls, duration=time.monotonic() - started,
        )
        commit_batch(self.env, commit)
        return error is None and not failed_count, message, isinstance(error, MailWizzAuthError)

    def _push(self, targets=None, leads=None, campaign=None, sync_limit=SYNC_PUSH_LIMIT):
        """Queue and push now (or leave it to the cron above ``sync_limit``).
        Returns a notification action."""
        self.ensure_one()
        counts = self._enqueue(targets=targets, leads=leads, campaign=campaign)
        skipped = self.env._(
            "%(excluded)s opted-out address(es) excluded, %(invalid)s without a valid email.",
            excluded=counts["excluded"], invalid=counts["invalid"],
        )
        title = self.env._("MailWizz push")
        pending = self.env["mailwizz.subscriber"].sudo().search_count(
            [("list_id", "=", self.id), ("push_state", "=", "pending")]
        )
        if pending > sync_limit:
            self.env.ref("crm_mailwizz.ir_cron_mailwizz_push")._trigger()
            return self.env["mailwizz.backend"]._notification(title, self.env._(
                "%(count)s subscriber(s) queued for %(list)s: the push runs in the background "
                "(see the sync log). %(skipped)s", count=pending, list=self.name, skipped=skipped))
        ok, message, _auth = self._push_pending(
            campaign=campaign, skipped=counts["excluded"] + counts["invalid"])
        return self.env["mailwizz.backend"]._notification(title, f"{message} {skipped}", ok=ok)

    def action_push_pending(self):
        """Button: resume the push of queued subscribers."""
        self.ensure_one()
        ok, message, _auth = self._push_pending()
        return self.env["mailwizz.backend"]._notification(self.env._("MailWizz push"), message, ok=ok)

    def action_requeue_failed(self):
        self.env["mailwizz.subscriber"].sudo().search(
            [("list_id", "in", self.ids), ("push_state", "=", "failed")]
        ).write({"push_state": "pending"})
        return self.action_push_pending()

    @api.model
    def _cron_push_pending(self):
        """Resume/perform the queued pushes, committing after each chunk."""
        commit = can_commit(self.env)
        groups = self.env["mailwizz.subscriber"].sudo()._read_group(
            [("push_state", "=", "pending"), ("list_id.active", "=", True)], ["list_id"], ["__count"]
        )
        failed_backends = set()
        for mw_list, _count in groups:
            if mw_list.backend_id.id in failed_backends:
                continue
            try:
                _ok, _message, auth_failed = mw_list._push_pending(commit=commit)
            except UserError as exc:  # backend not configured
                _logger.warning("MailWizz push of list %s skipped: %s", mw_list.name, exc)
                auth_failed = True
            if auth_failed:
                failed_backends.add(mw_list.backend_id.id)
        return True

    # ------------------------------------------------------------------ status pull
    def _pull_statuses(self, statuses=None, commit=False):
        """Read the list's subscribers by status from MailWizz and mirror them:
        status on ``mailwizz.subscriber``; opt-outs (unsubscribed, blacklisted) put the
        address on Odoo's ``mail.blacklist`` and flag its leads, so no later campaign
        (MailWizz or Odoo mail) reaches them. Returns ``(ok, message, auth_failed)``."""
        self.ensure_one()
        backend = self.backend_id
        started = time.monotonic()
        client = backend._get_client()
        statuses = statuses or SUBSCRIBER_STATUSES
        seen = new_opt_outs = 0
        error = None
        try:
            for status in statuses:
                records = client.iter_subscribers(self.list_uid, status=status, per_page=100)
                while True:
                    batch = list(itertools.islice(records, 500))
                    if not batch:
                        break
                    seen += len(batch)
                    new_opt_outs += self._apply_statuses(batch, status)
                    commit_batch(self.env, commit)
        except MailWizzError as exc:
            error = exc
        finally:
            client.close()
        if error is None:
            self.sudo().last_status_pull_date = fields.Datetime.now()
            state = "success"
            message = self.env._(
                "%(count)s subscriber status(es) of %(list)s read; %(out)s new opt-out(s) blacklisted.",
                count=seen, list=self.name, out=new_opt_outs,
            )
        else:
            state = "partial" if seen else "failed"
            message = self.env._(
                "Reading subscriber statuses of %(list)s stopped after %(count)s: %(error)s",
                list=self.name, count=seen, error=backend._error_message(error),
            )
        backend._log("pull", state, message, list_id=self.id, records_total=seen, records_ok=seen,
                     http_calls=client.http_calls, duration=time.monotonic() - started)
        return error is None, message, isinstance(error, MailWizzAuthError)

    def _apply_statuses(self, records, queried_status):
        """Mirror a batch of MailWizz subscriber records. Returns the new opt-outs."""
        Sub = self.env["mailwizz.subscriber"].sudo()
        now = fields.Datetime.now()
        by_email = {}
        for rec in records:
            email = tools.email_normalize(rec.get("EMAIL") or rec.get("email") or "")
            if not email:
                continue
            status = rec.get("status") or queried_status
            if status not in SUBSCRIBER_STATUSES:
                continue
            by_email[email] = (rec.get("subscriber_uid") or False, status)
        if not by_email:
            return 0
        existing = {s.email: s for s in Sub.search([("list_id", "=", self.id), ("email", "in", list(by_email))])}
        newly_out = []
        to_create = []
        by_status = {}
        for email, (uid, status) in by_email.items():
            sub = existing.get(email)
            if status in OPT_OUT_STATUSES and (not sub or sub.status not in OPT_OUT_STATUSES):
                newly_out.append(email)
            if not sub:
                to_create.append({
                    "list_id": self.id, "email": email, "subscriber_uid": uid, "status": status,
                    "push_state": "excluded" if status in OPT_OUT_STATUSES else "synced",
                    "last_status_date": now,
                })
                continue
            if uid and sub.subscriber_uid != uid:
                sub.subscriber_uid = uid
            by_status.setdefault(status, Sub)
            by_status[status] |= sub
        if to_create:
            Sub.create(to_create)
        for status, subs in by_status.items():
            vals = {"status": status, "last_status_date": now}
            if status in OPT_OUT_STATUSES:
                # an opted-out address is never pushed again (its queued push is dropped)
                subs.filtered(lambda s: s.push_state == "pending").write({"push_state": "excluded"})
            subs.write(vals)
        if newly_out:
            self._apply_opt_outs(newly_out)
        return len(newly_out)

    def _apply_opt_outs(self, emails):
        """Blacklist ``emails`` in Odoo and flag their leads."""
        Blacklist = self.env["mail.blacklist"].sudo()
        active = set(Blacklist.search([("email", "in", emails)]).mapped("email"))
        reason = self.env._("Opted out in MailWizz list %(list)s (%(backend)s).",
                            list=self.name, backend=self.backend_id.name)
        for email in emails:
            if email not in active:
                Blacklist._add(email, message=reason)
        leads = self.env["crm.lead"].sudo().with_context(active_test=False).search(
            [("email_normalized", "in", emails), ("mailwizz_opt_out", "=", False)]
        )
        linked = self.env["mailwizz.subscriber"].sudo().search(
            [("list_id", "=", self.id), ("email", "in", emails), ("lead_id", "!=", False)]
        ).lead_id.filtered(lambda lead: not lead.mailwizz_opt_out)
        (leads | linked).with_context(tracking_disable=True).write({"mailwizz_opt_out": True})

    def action_pull_statuses(self):
        messages, ok = [], True
        for mw_list in self:
            success, message, _auth = mw_list._pull_statuses()
            ok = ok and success
            messages.append(message)
        return self.env["mailwizz.backend"]._notification(
            self.env._("MailWizz subscriber status"), "\n".join(messages), ok=ok)

    @api.model
    def _cron_pull_statuses(self):
        """Scheduled: mirror opt-outs (and statuses) of every list holding our subscribers."""
        commit = can_commit(self.env)
        lists = self.search([("subscriber_ids", "!=", False)])
        failed_backends = set()
        for mw_list in lists:
            if mw_list.backend_id.id in failed_backends:
                continue
            try:
                # opt-outs only: cheap even for big lists (the list's button pulls every status)
                _ok, _message, auth_failed = mw_list._pull_statuses(statuses=OPT_OUT_STATUSES, commit=commit)
            except UserError as exc:
                _logger.warning("MailWizz status pull of list %s skipped: %s", mw_list.name, exc)
                auth_failed = True
            if auth_failed:
                failed_backends.add(mw_list.backend_id.id)
            commit_batch(self.env, commit)
        return True

    def action_view_subscribers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_mailwizz.mailwizz_subscriber_action")
        action["domain"] = [("list_id", "=", self.id)]
        action["context"] = {"search_default_list_id": self.id}
        return action
