import logging
import time
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.crm_campaign_mgmt.models.crm_lead_bulk import insert_followers
from odoo.addons.crm_campaign_mgmt.tools import can_commit, commit_batch, notify_users

from .crm_lead import NEXT_EDITION_KIND

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# more past leads than this: the rollover is queued and run by the scheduled action
BACKGROUND_THRESHOLD = 1000
PARAM_THRESHOLD = "crm_event_editions.rollover_background_threshold"
# a running job without a heartbeat for this long is taken as crashed and resumed
STALE_MINUTES = 15
# contact data carried from a past edition's lead to the new edition's
CARRIED_FIELDS = [
    "name", "contact_name", "contact_first_name", "contact_last_name", "partner_name",
    "function", "email_from", "phone", "mobile", "website", "street", "street2", "city",
    "zip", "state_id", "country_id", "lang_id", "title", "department_id",
]
MANY2ONE_CARRIED = ("state_id", "country_id", "lang_id", "title", "department_id")
# read with them: the owner, the kind, the duplicate keys; the email's stored computes
# (functions of email_from alone) are carried, not parsed again
SOURCE_FIELDS = ["user_id", "crm_contact_kind", "email_normalized", "phone_sanitized",
                 "email_domain_criterion", "email_state"]
EMAIL_COMPUTED = ("email_normalized", "email_domain_criterion", "email_state")
JOB_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
PHASES = [
    ("select", "Selecting the past edition's people"),
    ("create", "Creating the new leads"),
]


class CrmEditionRolloverJob(models.Model):
    """One rollover of a past edition's people into a new edition, and its result.

    A job of its own rather than a new ``import_type`` of ``crm.campaign.import.job``:
    that model is built around an uploaded file (attachment, format, header, column
    mapping, error file, campaign targets, sealed data) that a rollover has none of,
    and its protected-field list would have to grow editions, kinds and owner rules.
    This model keeps the same pattern (state, phase and progress, batches committed
    with the offset reached, stale jobs resumed, final toast and chatter note).

    The job runs **as its requester** (``user_id``): the past leads read are those he
    may read, the new leads are created with his rights (the role table's record rules
    apply), duplicates are searched among the new edition's leads he may read. The
    past edition is only read. Each new lead keeps its origin: a second run creates
    nothing. Users only read jobs (their own); the job's bookkeeping fields are
    written by the job itself (``sudo()`` on the job record, never on leads).
    """

    _name = "crm.edition.rollover.job"
    _inherit = ["mail.thread"]
    _description = "Edition Rollover"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", "Requested By", required=True, readonly=True, index=True,
        default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company)
    target_event_id = fields.Many2one(
        "event.event", "New Edition", required=True, readonly=True, index=True,
        ondelete="cascade")
    source_event_id = fields.Many2one(
        "event.event", "Past Edition", required=True, readonly=True, ondelete="cascade")
    carry_speakers = fields.Boolean("Speakers", readonly=True)
    carry_sponsors = fields.Boolean("Sponsors", readonly=True)
    carry_delegates = fields.Boolean("Delegates Who Attended", readonly=True)
    carry_prospects = fields.Boolean("Open Prospects", readonly=True)
    owner_rule = fields.Selection(
        [("keep", "Keep each lead's salesperson"), ("user", "Assign every lead to")],
        "Owners", default="keep", required=True, readonly=True)
    owner_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    state = fields.Selection(JOB_STATES, default="queued", required=True, readonly=True,
                             tracking=True, index=True)
    phase = fields.Selection(PHASES, readonly=True)
    progress = fields.Float(readonly=True)
    total_count = fields.Integer("Past Leads", readonly=True)
    done_count = fields.Integer("Past Leads Handled", readonly=True)
    last_source_id = fields.Integer(
        "Resume After", readonly=True, copy=False,
        help="Id of the last past lead handled in the last committed batch: a crashed "
        "rollover resumes after it.")
    created_count = fields.Integer("Leads Created", readonly=True)
    skipped_count = fields.Integer(
        "Already in the New Edition", readonly=True,
        help="Contacts skipped: rolled over before, or already a lead of the new edition "
        "(same email or phone).")
    heartbeat = fields.Datetime(readonly=True, copy=False)
    date_started = fields.Datetime("Started", readonly=True)
    date_finished = fields.Datetime("Finished", readonly=True)
    duration = fields.Float("Duration (s)", readonly=True, digits=(16, 1))
    leads_per_second = fields.Float("Leads per Second", readonly=True, digits=(16, 0))
    log = fields.Text(readonly=True)

    @api.depends("source_event_id", "target_event_id")
    def _compute_name(self):
        for job in self:
            job.name = "%s → %s" % (job.source_event_id.name or "", job.target_event_id.name or "")

    # ------------------------------------------------------------------
    # checks and selection
    # ------------------------------------------------------------------
    def _check_rollover(self):
        """As the current user (the requester)."""
        self.ensure_one()
        source, target = self.source_event_id, self.target_event_id
        if source == target:
            raise UserError(self.env._("Choose a past edition other than the new one."))
        if not target.crm_series_id or source.crm_series_id != target.crm_series_id:
            raise UserError(self.env._("Both editions must belong to the same conference series."))
        if target.crm_locked or target.crm_state != "active":
            raise UserError(self.env._(
                "The new edition %s is locked or disabled.", target.display_name))
        if self.owner_rule == "user" and not self.owner_id:
            raise UserError(self.env._("Choose the salesperson of the new leads."))
        if not (self.carry_speakers or self.carry_sponsors or self.carry_delegates
                or self.carry_prospects):
            raise UserError(self.env._("Choose at least one kind of contact to bring forward."))
        user = self.env.user
        if self.env.su or user.has_group("crm_event_products.group_crm_conf_admin"):
            return
        if user != self.user_id:
            raise AccessError(self.env._("A rollover runs as the user who asked for it."))
        worked = self.env["crm.product.assignment"].search(
            [("user_id", "=", user.id), ("product_id", "in", (source | target).ids)]
        ).product_id
        if worked != source | target:
            raise AccessError(
                self.env._("You can only roll over between editions you are assigned to."))

    def _source_domain(self):
        won = [("stage_id.is_won", "=", True)]
        kinds = []
        if self.carry_speakers:
            kinds.append([("crm_contact_kind", "=", "speaker")])
        if self.carry_sponsors:
            kinds.append([("crm_contact_kind", "=", "sponsor")])
        if self.carry_delegates:
            kinds.append([("crm_contact_kind", "=", "delegate")])
            kinds.append(expression.AND([
                won, [("crm_contact_kind", "in", [False, "prospect_delegate"])]]))
        if self.carry_prospects:
            kinds.append(expression.AND([
                [("crm_contact_kind", "in",
                  ["prospect_speaker", "prospect_delegate", "prospect_sponsor"])],
                [("stage_id.is_won", "=", False)],
            ]))
        return expression.AND([
            [("event_id", "=", self.source_event_id.id), ("active", "=", True)],
            expression.OR(kinds),
        ])

    def _team_getter(self):
        """The new edition's team of an owner (Phone Sales teams work one product)."""
        teams = self.target_event_id.crm_team_ids
        memo = {}

        def team_of(user_id):
            if user_id not in memo:
                team = teams.filtered(
                    lambda t: t.user_id.id == user_id or user_id in t.crm_team_member_ids.user_id.ids
                )[:1]
                memo[user_id] = team.id or False
            return memo[user_id]
        return team_of

    def _existing_keys(self):
        """Origins, emails and phones of the new edition's leads (those the user may read)."""
        existing = self.env["crm.lead"].with_context(active_test=False).search_read(
            [("event_id", "=", self.target_event_id.id)],
            ["crm_origin_lead_id", "email_normalized", "phone_sanitized"], load=None,
        )
        origins = {row["crm_origin_lead_id"] for row in existing if row["crm_origin_lead_id"]}
        emails = {row["email_normalized"] for row in existing if row["email_normalized"]}
        phones = {row["phone_sanitized"] for row in existing if row["phone_sanitized"]}
        return origins, emails, phones

    def _lead_values(self, row, team_of):
        # a NULL column is False, as read() gives it
        vals = {fname: False if row[fname] is None else row[fname] for fname in CARRIED_FIELDS}
        for fname in MANY2ONE_CARRIED:
            vals[fname] = vals[fname] or False
        user_id = (row["user_id"] or False) if self.owner_rule == "keep" else self.owner_id.id
        vals.update({
            "type": "lead",
            "event_id": self.target_event_id.id,
            "user_id": user_id,
            "team_id": team_of(user_id) if user_id else False,
            "crm_contact_kind": NEXT_EDITION_KIND.get(row["crm_contact_kind"], "prospect_delegate"),
            "crm_origin_lead_id": row["id"],
        })
        vals.update({fname: row[fname] or False for fname in EMAIL_COMPUTED})
        return vals

    # ------------------------------------------------------------------
    # start: now or in the background
    # ------------------------------------------------------------------
    @api.model
    def _get_background_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_THRESHOLD)
        try:
            return int(value) if value else BACKGROUND_THRESHOLD
        except ValueError:
            return BACKGROUND_THRESHOLD

    @api.model
    def _create_checked(self, vals):
        """The job of ``vals``, requested by the current user, once checked as him.

        Users only read jobs: the job is stored with ``sudo()``, after the checks made
        with the user's rights (the editions he works, the leads he may read); the
        job only ever runs as that user.
        """
        vals = dict(vals, user_id=self.env.user.id, company_id=self.env.company.id,
                    state="queued")
        # no context default (default_created_count...) reaches the job's own fields
        context = {key: value for key, value in self.env.context.items()
                   if not key.startswith("default_")}
        # the context is replaced on purpose: keys are removed from it, not added
        Job = self.with_context(context)  # pylint: disable=context-overridden
        job = Job.sudo().create(vals).with_env(self.env)
        job._check_rollover()
        total = self.env["crm.lead"].search_count(job._source_domain())
        job.sudo().write({"total_count": total})
        return job

    def _start(self):
        """Run now (small rollovers) or queue for the scheduled action.

        :return: whether the job was queued
        """
        self.ensure_one()
        if self.total_count > self._get_background_threshold():
            self.env.ref("crm_event_editions.ir_cron_edition_rollover").sudo()._trigger()
            return True
        self._run()
        return False

    def _action_open_form(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_retry(self):
        """A failed rollover is queued again (its requester or an administrator); it
        runs, as its requester, from the last committed batch."""
        self.ensure_one()
        self.check_access("read")
        if self.state != "failed":
            raise UserError(self.env._("Only a failed rollover can be retried."))
        if self.env.user != self.user_id and not self.env.user.has_group(
                "crm_event_products.group_crm_conf_admin"):
            raise AccessError(self.env._("Only the user who asked for it retries a rollover."))
        self.sudo().write({"state": "queued", "log": False})
        self.env.ref("crm_event_editions.ir_cron_edition_rollover").sudo()._trigger()
        return self._action_open_form()

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update({
            "name": self.env._("Leads of %(edition)s brought forward",
                               edition=self.target_event_id.display_name),
            "domain": [("event_id", "=", self.target_event_id.id),
                       ("crm_origin_lead_id.event_id", "=", self.source_event_id.id)],
            "context": {"create": False},
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
        })
        return action

    # ------------------------------------------------------------------
    # background processing
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_jobs(self, limit=3):
        """Scheduled action: resume crashed rollovers, run the queued ones (oldest
        first), each as the user who asked for it."""
        self._recover_stale_jobs()
        jobs = self.search([("state", "=", "queued")], order="id", limit=limit)
        for job in jobs:
            requester = job.user_id
            if not requester.active:
                job.write({"state": "failed", "log": self.env._(
                    "%(user)s, who asked for the rollover, is archived.",
                    user=requester.display_name)})
                continue
            job.with_user(requester).with_company(job.company_id or requester.company_id) \
                .with_context(crm_edition_rollover_commit=True)._run_safe()
        if self.search_count([("state", "=", "queued")]):
            self.env.ref("crm_event_editions.ir_cron_edition_rollover")._trigger()

    @api.model
    def _recover_stale_jobs(self):
        limit = fields.Datetime.now() - timedelta(minutes=STALE_MINUTES)
        stale = self.search([("state", "=", "running"), ("heartbeat", "<", limit)])
        for job in stale:
            _logger.warning("Edition rollover %s stalled after %s leads: resumed",
                            job.id, job.done_count)
            job.write({"state": "queued"})
            job.message_post(body=self.env._(
                "The rollover stopped after %(count)s past leads (server restart or crash); "
                "it resumes from there.", count=job.done_count))
        return stale

    def _should_commit(self):
        return bool(self.env.context.get("crm_edition_rollover_commit")) and can_commit(self.env)

    def _run_safe(self):
        """Run the job; on an error mark it failed instead of raising."""
        self.ensure_one()
        try:
            self._run()
        except Exception as error:  # noqa: BLE001 - reported on the job, never lost
            _logger.exception("Edition rollover %s failed", self.id)
            if self._should_commit():
                self.env.cr.rollback()
            self.sudo().write({
                "state": "failed",
                "date_finished": fields.Datetime.now(),
                "log": self.env._("The rollover failed: %(error)s", error=error),
            })
            notify_users(self.user_id, self.env._("Edition rollover failed"), self.sudo().log,
                         notif_type="danger", sticky=True, record=self.sudo(),
                         partner_ids=self.user_id.partner_id.ids)
            commit_batch(self.env, self._should_commit())

    def _run(self):
        """The rollover, as the current user (the requester), by batches of
        :data:`BATCH_SIZE` past leads; each batch is committed in the scheduled action
        with the last past lead reached, where a crashed run resumes."""
        self.ensure_one()
        self._check_rollover()
        commit = self._should_commit()
        job = self.sudo()  # the job's own bookkeeping only
        resume = self.last_source_id if self.state == "queued" and self.done_count else 0
        now = fields.Datetime.now()
        vals = {"state": "running", "heartbeat": now, "phase": "select", "log": False,
                "date_finished": False}
        if not resume:
            vals.update({"date_started": now, "progress": 0.0, "done_count": 0,
                         "created_count": 0, "skipped_count": 0, "last_source_id": 0})
        job.write(vals)
        commit_batch(self.env, commit)
        started = time.monotonic()
        # no "lead created" message nor "assigned to you" mail per lead: the owners would
        # each get one per lead, sent one by one; the origin and the final note tell it.
        # tracking_disable: the followers are added by _subscribe_batch, in one INSERT
        subscribe = not self.env.context.get("tracking_disable")
        Lead = self.env["crm.lead"].with_context(
            mail_create_nolog=True, mail_auto_subscribe_no_notify=True, tracking_disable=True)
        domain = self._source_domain()
        counts = {"done": self.done_count, "created": self.created_count,
                  "skipped": self.skipped_count} if resume else dict.fromkeys(
                      ("done", "created", "skipped"), 0)
        total = Lead.search_count(expression.AND([domain, [("id", ">", resume)]])) \
            + counts["done"]
        state = {"keys": self._existing_keys(), "team_of": self._team_getter(), "cache": {},
                 "followers": self._followers_getter() if subscribe else None}
        job.write({"phase": "create", "total_count": total})
        last = resume
        while True:
            rows = self._read_source_batch(Lead, domain, last)
            if not rows:
                break
            self._rollover_batch(Lead, rows, state, counts)
            last = rows[-1]["id"]
            job.write({
                "done_count": counts["done"], "created_count": counts["created"],
                "skipped_count": counts["skipped"], "last_source_id": last,
                "heartbeat": fields.Datetime.now(),
                "progress": 100.0 * counts["done"] / total if total else 100.0,
            })
            commit_batch(self.env, commit)
        return self._finish(started, counts["created"], counts["skipped"], commit)

    def _read_source_batch(self, Lead, domain, after_id):
        """The next :data:`BATCH_SIZE` past leads after ``after_id`` (in id order),
        searched and read in one query as the user (his record rules are in its
        WHERE clause): dicts of the carried columns."""
        query = Lead._search(expression.AND([domain, [("id", ">", after_id)]]),
                             order="id", limit=BATCH_SIZE)
        columns = ["id", *CARRIED_FIELDS, *SOURCE_FIELDS]
        sql = query.select(*(
            SQL("%s AS %s", Lead._field_to_sql(Lead._table, fname, query),
                SQL.identifier(fname))
            for fname in columns))
        self.env.cr.execute(sql)
        names = [desc[0] for desc in self.env.cr.description]
        return [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]

    def _rollover_batch(self, Lead, rows, state, counts):
        """Skip the contacts already there, create the others' leads in one
        ``_bulk_create`` and their followers in one INSERT."""
        origins, emails, phones = state["keys"]
        vals_list = []
        for row in rows:
            email, phone = row["email_normalized"], row["phone_sanitized"]
            if row["id"] in origins or (email and email in emails) \
                    or (phone and phone in phones):
                counts["skipped"] += 1
                continue
            emails.add(email)
            phones.add(phone)
            vals_list.append(self._lead_values(row, state["team_of"]))
        counts["done"] += len(rows)
        if not vals_list:
            return Lead
        leads = Lead._bulk_create(vals_list, state["cache"])
        if state["followers"]:
            self._subscribe_batch(leads, vals_list, state["followers"])
        counts["created"] += len(leads)
        leads.invalidate_recordset()
        return leads

    def _finish(self, started, created, skipped, commit):
        job = self.sudo()
        duration = time.monotonic() - started
        job.write({
            "state": "done", "phase": False, "progress": 100.0,
            "date_finished": fields.Datetime.now(), "duration": duration,
            "leads_per_second": created / duration if duration else 0.0,
            "log": self.env._(
                "%(created)s leads created in %(edition)s, %(skipped)s contacts already there, "
                "in %(seconds)s s.", created=created, edition=self.target_event_id.display_name,
                skipped=skipped, seconds=round(duration, 1)),
        })
        notify_users(self.user_id, self.env._("Edition rollover done"), job.log,
                     notif_type="success", sticky=commit, record=job,
                     partner_ids=self.user_id.partner_id.ids if commit else None)
        commit_batch(self.env, commit)
        return created

    # ------------------------------------------------------------------
    # followers (what mail.thread's create gives a new lead, in batch)
    # ------------------------------------------------------------------
    def _followers_getter(self):
        """``(user id, team id) -> {partner id: subtype ids}``: the followers
        ``mail.thread.create`` gives a new lead of that salesperson and team, as
        the current user: himself with the default subtypes, then the auto-subscribed
        ones (``_message_auto_subscribe``, existing followers updated), once per key."""
        Lead = self.env["crm.lead"]
        Subtype = self.env["mail.message.subtype"]
        creator = {}
        if self.env.user.active and not self.env.context.get("mail_create_nosubscribe"):
            # as mail.thread.create: the default subtypes (customer_ids=[])
            default = Subtype.default_subtypes(Lead._name)[0]
            creator[self.env.user.partner_id.id] = set(default.ids)
        child_ids, def_ids, all_int_ids, parent, relation = \
            Subtype._get_auto_subscription_subtypes(Lead._name)
        memo = {}

        def followers_of(user_id, team_id):
            key = (user_id, team_id)
            if key not in memo:
                values = {"user_id": user_id, "team_id": team_id}
                auto = self._auto_subscribed(Lead, values, child_ids, def_ids, all_int_ids,
                                             parent, relation)
                merged = {pid: set(sids) for pid, sids in creator.items()}
                for pid, sids in auto.items():
                    merged.setdefault(pid, set()).update(sids)
                memo[key] = merged
            return memo[key]
        return followers_of

    @api.model
    def _auto_subscribed(self, Lead, values, child_ids, def_ids, all_int_ids, parent,
                         relation):
        """``mail.thread._message_auto_subscribe`` of ``values`` without its INSERT:
        ``{partner id: subtype ids}`` (followers of the related records through
        parent subtypes, then the salesperson)."""
        result = {}
        doc_data = []
        for res_model, fnames in relation.items():
            ids = [values[fname] for fname in fnames if values.get(fname)]
            if ids:
                doc_data.append((res_model, ids))
        if doc_data:
            data = self.env["mail.followers"]._get_subscription_data(
                doc_data, None, include_pshare=True, include_active=True)
            for _fol_id, _res_id, partner_id, subtype_ids, pshare, active in data:
                sids = [parent[sid] for sid in subtype_ids if parent.get(sid)]
                sids += [sid for sid in subtype_ids if sid not in parent and sid in child_ids]
                if partner_id and active:
                    result[partner_id] = set(sids) - set(all_int_ids) if pshare else set(sids)
        for partner_id, sids, _template in Lead._message_auto_subscribe_followers(
                values, def_ids):
            result.setdefault(partner_id, set(sids))
        return result

    def _subscribe_batch(self, leads, vals_list, followers_of):
        """The followers of the new ``leads`` (see :meth:`_followers_getter`), in one
        INSERT of followers and one of their subtypes."""
        new = {}
        for lead, vals in zip(leads, vals_list, strict=True):
            subscribed = followers_of(vals["user_id"] or False, vals["team_id"] or False)
            new[lead.id] = [
                {"res_model": leads._name, "partner_id": partner_id,
                 "subtype_ids": [Command.set(sorted(sids))]}
                for partner_id, sids in subscribed.items()]
        insert_followers(self.env, new)
