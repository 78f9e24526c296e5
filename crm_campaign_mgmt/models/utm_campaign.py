import ast
import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from ..lib import assignment as assignment_lib
from ..tools import notify_users

_logger = logging.getLogger(__name__)

CAMPAIGN_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("stopped", "Stopped"),
    ("done", "Done"),
]
# once a campaign has been sent (started), it can only be paused, resumed or stopped
SENT_STATES = ("running", "paused", "stopped", "done")
# content, schedule and audience: editable until the campaign is sent
LOCKED_FIELDS = (
    "message_subject",
    "message_body",
    "date_start",
    "date_end",
    "audience_type",
    "audience_domain",
    "channel_ids",
    "platform_ids",
    "campaign_type",
    "event_id",
)
OPEN_LEAD_DOMAIN = [
    ("active", "=", True),
    "|",
    ("stage_id", "=", False),
    ("stage_id.is_won", "=", False),
]


class AssignmentPlanner:
    """Deals leads not created yet (positions in a batch) to a campaign's reps, batch
    after batch, keeping the rotation (round robin) or the loads (capacity) between
    batches. ``by_user`` counts what it dealt."""

    def __init__(self, campaign, reps, rep_teams, loads):
        self.campaign = campaign
        self.method = campaign.assignment_method
        self.reps = reps
        self.rep_teams = rep_teams
        self.loads = dict(loads)
        self.capacities = {rep.id: rep.crm_max_open_leads for rep in reps}
        self.last_user_id = campaign.last_assigned_user_id.id or None
        self.by_user = defaultdict(int)

    def deal(self, count):
        """``{position: rep id}`` for ``count`` new leads (a position missing: no rep
        has room left, the lead stays in the pool)."""
        positions = list(range(count))
        if self.method == "capacity":
            free = {uid: cap - self.loads.get(uid, 0) for uid, cap in self.capacities.items()}
            pairs = assignment_lib.capacity_weighted(positions, free, self.loads)
        else:
            pairs = assignment_lib.round_robin(positions, self.reps.ids, self.last_user_id)
        for _position, user_id in pairs:
            self.loads[user_id] = self.loads.get(user_id, 0) + 1
            self.by_user[user_id] += 1
        if pairs:
            self.last_user_id = pairs[-1][1]
        return dict(pairs)


class UtmCampaign(models.Model):
    _name = "utm.campaign"
    _inherit = ["utm.campaign", "mail.thread", "mail.activity.mixin"]
    _rec_names_search = ["title", "name", "code"]

    code = fields.Char(
        "Campaign ID", readonly=True, copy=False, index="btree_not_null",
        help="Unique campaign reference, CPN-<year>-<number>.")
    campaign_type = fields.Selection(
        [
            ("cold_outreach", "Cold Outreach"),
            ("event", "Event"),
            ("newsletter", "Newsletter"),
            ("product_launch", "Product Launch"),
        ],
        default="cold_outreach", tracking=True)
    campaign_kind = fields.Selection(
        [("marketing", "Marketing"), ("sales", "Sales"), ("generic", "Generic")],
        string="Kind", default="marketing", tracking=True)
    # type-specific fields
    industry_id = fields.Many2one(
        "res.partner.industry",
        help="Industry targeted (cold outreach, event, product launch), e.g. Pharma.")
    product_name = fields.Char(
        "Product", help="Product promoted by a product launch, e.g. Zinc Oxide.")
    target_segment = fields.Char(
        "Target Company Segment", help="e.g. Dealers, SMEs, Enterprises.")
    event_id = fields.Many2one(
        "event.event", "Conference", index="btree_not_null", tracking=True,
        help="Conference product this campaign sells.")
    team_id = fields.Many2one(
        "crm.team", "Sales Team", tracking=True,
        help="When set, leads are only assigned to reps who are members of this team.")
    channel_ids = fields.Many2many(
        "crm.campaign.channel", "utm_campaign_channel_rel", "campaign_id", "channel_id",
        string="Channels", domain=[("category", "=", "channel")])
    platform_ids = fields.Many2many(
        "crm.campaign.channel", "utm_campaign_platform_rel", "campaign_id", "channel_id",
        string="Platforms", domain=[("category", "in", ("social", "directory"))])
    message_subject = fields.Char("Subject", translate=False)
    message_body = fields.Html(
        "Message Content", sanitize_style=True,
        help="Text, images and links sent to the audience.")
    audience_type = fields.Selection(
        [
            ("segment", "CRM Segment"),
            ("list", "Imported List"),
            ("both", "CRM Segment and Imported List"),
        ],
        string="Target Audience", default="segment", required=True)
    audience_domain = fields.Char(
        "CRM Segment", default="[]",
        help="Leads of the CRM this campaign targets (rules such as industry, region, "
        "lifted volume...).")
    audience_lead_count = fields.Integer(
        "Segment Size", compute="_compute_audience_lead_count",
        help="Leads of the CRM segment on the campaign's conference that you can see; 0 until a "
        "segment is defined (an empty segment is no audience, not the whole CRM).")
    audience_has_segment = fields.Boolean(compute="_compute_audience_lead_count")
    date_start = fields.Datetime("Scheduled Start", tracking=True, index=True)
    date_end = fields.Datetime("Scheduled End", tracking=True)
    date_sent = fields.Datetime("Sent On", readonly=True, copy=False)
    date_done = fields.Datetime("Finished On", readonly=True, copy=False)
    manager_id = fields.Many2one(
        "res.users", "Campaign Manager", tracking=True,
        default=lambda self: self.env.user, domain=[("share", "=", False)])
    rep_ids = fields.Many2many(
        "res.users", "utm_campaign_rep_rel", "campaign_id", "user_id",
        string="Assigned Reps", domain=[("share", "=", False)])
    state = fields.Selection(
        CAMPAIGN_STATES, "Status", default="draft", required=True, readonly=True,
        copy=False, tracking=True, index=True, group_expand="_group_expand_states")
    is_sent = fields.Boolean(compute="_compute_is_sent")
    assignment_method = fields.Selection(
        [("round_robin", "Round-robin"), ("capacity", "By capacity")],
        "Assignment", default="round_robin", required=True,
        help="Round-robin deals leads in turn; by capacity gives each lead to the rep "
        "with the most free capacity (max open leads minus current open leads).")
    auto_assign = fields.Boolean(
        "Assign on Start", default=True,
        help="Assign the audience's leads to the reps when the campaign starts.")
    last_assigned_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    upcoming_notified = fields.Boolean(readonly=True, copy=False)
    assignment_ids = fields.One2many("crm.lead.assignment", "campaign_id", "Assignments")
    crm_usable = fields.Boolean(
        "Usable by Me", compute="_compute_crm_usable", search="_search_crm_usable",
        help="The suite's campaigns the current user may pick on a lead, a target, an "
        "assignment, a template or a cost: those of his products and those he runs or "
        "works as a rep; administrators, all of them.")

    # overview (computed with read_group, never per record)
    lead_total = fields.Integer("Leads", compute="_compute_overview")
    lead_prospect_count = fields.Integer("Prospect Leads", compute="_compute_overview")
    lead_hot_count = fields.Integer("Hot Leads", compute="_compute_overview")
    lead_warm_count = fields.Integer("Warm Leads", compute="_compute_overview")
    lead_active_count = fields.Integer("Active Leads", compute="_compute_overview")
    lead_processed_count = fields.Integer("Processed Leads", compute="_compute_overview")
    lead_remaining_count = fields.Integer("Remaining Leads", compute="_compute_overview")
    progress_percent = fields.Float("% Done", compute="_compute_overview")
    processed_per_day = fields.Float("Processed per Day", compute="_compute_overview")
    forecast_days = fields.Float(
        "Days to Completion", compute="_compute_overview",
        help="Forecast at the current pace; -1 when nothing was processed yet.")
    assignment_pending_count = fields.Integer("Pending Assignments", compute="_compute_overview")
    assignment_accepted_count = fields.Integer("Accepted Assignments", compute="_compute_overview")
    assignment_declined_count = fields.Integer("Declined Assignments", compute="_compute_overview")
    assignment_done_count = fields.Integer("Completed Assignments", compute="_compute_overview")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The campaign ID must be unique."),
    ]

    # ------------------------------------------------------------------
    # compute / constraints
    # ------------------------------------------------------------------

    @api.model
    def _group_expand_states(self, states, domain):
        return [key for key, _label in CAMPAIGN_STATES]

    @api.depends("state")
    def _compute_is_sent(self):
        for campaign in self:
            campaign.is_sent = campaign.state in SENT_STATES

    @api.depends("audience_domain", "audience_type", "event_id")
    @api.depends_context("uid")
    def _compute_audience_lead_count(self):
        """The one audience count of the campaign (form, stat button, list): the leads of
        its segment (``_get_audience_domain``, i.e. on its conference) the reader may see."""
        Lead = self.env["crm.lead"]
        for campaign in self:
            campaign.audience_lead_count = 0
            try:
                campaign.audience_has_segment = campaign._has_segment()
                if campaign.audience_has_segment:
                    campaign.audience_lead_count = Lead.search_count(campaign._get_audience_domain())
            except (ValueError, SyntaxError, TypeError):
                campaign.audience_has_segment = False

    @api.depends_context("uid")
    def _compute_overview(self):
        """Overview figures of all campaigns in ``self`` with three read_group, counted
        as the reader: the leads and assignments of the role table, no others."""
        campaign_ids = self.ids
        Lead = self.env["crm.lead"].with_context(active_test=False)
        status_counts = defaultdict(lambda: defaultdict(int))
        if campaign_ids:
            for campaign, status, count in Lead._read_group(
                [("campaign_id", "in", campaign_ids)],
                ["campaign_id", "campaign_lead_status"], ["__count"],
            ):
                status_counts[campaign.id][status or "prospect"] += count
        assignment_counts = defaultdict(lambda: defaultdict(int))
        if campaign_ids:
            for campaign, state, count in self.env["crm.lead.assignment"]._read_group(
                [("campaign_id", "in", campaign_ids)], ["campaign_id", "state"], ["__count"],
            ):
                assignment_counts[campaign.id][state] += count
        now = fields.Datetime.now()
        for campaign in self:
            statuses = status_counts[campaign.id]
            states = assignment_counts[campaign.id]
            total = sum(statuses.values())
            processed = min(states["done"], total)
            begin = campaign.date_sent or campaign.date_start or campaign.create_date or now
            end = campaign.date_done if campaign.state == "done" and campaign.date_done else now
            elapsed_days = max((end - begin).total_seconds() / 86400.0, 0.0)
            progress = assignment_lib.progress_forecast(total, processed, elapsed_days)
            campaign.update({
                "lead_total": total,
                "lead_prospect_count": statuses["prospect"],
                "lead_hot_count": statuses["hot"],
                "lead_warm_count": statuses["warm"],
                "lead_active_count": statuses["active"],
                "lead_processed_count": processed,
                "lead_remaining_count": progress["remaining"],
                "progress_percent": progress["percent_done"],
                "processed_per_day": progress["per_day"],
                "forecast_days": progress["forecast_days"],
                "assignment_pending_count": states["pending"],
                "assignment_accepted_count": states["accepted"],
                "assignment_declined_count": states["declined"],
                "assignment_done_count": states["done"],
            })

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for campaign in self:
            if campaign.date_start and campaign.date_end and campaign.date_end < campaign.date_start:
                raise ValidationError(self.env._(
                    "Campaign %(campaign)s ends before it starts.", campaign=campaign.display_name))

    @api.constrains("audience_domain")
    def _check_audience_domain(self):
        for campaign in self:
            try:
                domain = ast.literal_eval(campaign.audience_domain or "[]")
                if not isinstance(domain, (list, tuple)):
                    raise ValueError(domain)
                expression.expression(domain, self.env["crm.lead"])
            except Exception as error:
                raise ValidationError(self.env._(
                    "The CRM segment of campaign %(campaign)s is not a valid lead domain: %(error)s",
                    campaign=campaign.display_name, error=error)) from error

    # ------------------------------------------------------------------
    # campaign pickers: the campaigns a user may use
    # ------------------------------------------------------------------

    @api.model
    def _crm_usable_domain(self):
        """The suite's campaigns (with a campaign ID) the current user may use: any for
        CRM and Odoo administrators; for the others, the campaigns of the products they
        are assigned and the ones they run (manager, responsible, creator) or work as reps.
        The Head of Marketing, who sees the leads of every running product but Phone
        Sales', also uses every campaign of a running product not run by Phone Sales."""
        suite = [("code", "!=", False)]
        user = self.env.user
        if self._crm_user_uses_all():
            return suite
        products = self.env["crm.product.assignment"].search([("user_id", "=", user.id)]).product_id
        usable = [
            "|", "|", "|", "|",
            ("event_id", "in", products.ids),
            ("manager_id", "=", user.id),
            ("user_id", "=", user.id),
            ("create_uid", "=", user.id),
            ("rep_ids", "in", user.ids),
        ]
        if user.has_group("crm_event_products.group_email_hm"):
            usable = expression.OR([usable, [
                ("event_id.crm_state", "=", "active"),
                ("manager_id", "not any", [("crm_department_id.code", "=", "phone_sales")]),
            ]])
        return expression.AND([suite, usable])

    @api.model
    def _crm_user_uses_all(self):
        """The superuser, CRM and Odoo administrators use every campaign of the suite."""
        user = self.env.user
        return self.env.su or user.has_group("crm_event_products.group_crm_conf_admin") \
            or user.has_group("base.group_system")

    @api.depends_context("uid")
    def _compute_crm_usable(self):
        usable = self.browse()
        if self.ids:
            usable = self.with_context(active_test=False).search(
                expression.AND([[("id", "in", self.ids)], self._crm_usable_domain()]))
        for campaign in self:
            campaign.crm_usable = campaign in usable

    def _search_crm_usable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        domain = self._crm_usable_domain()
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    def _crm_check_usable(self):
        """Refuse the campaigns in ``self`` the current user may not use (see
        ``_crm_usable_domain``); called by the constraints of the records that point to a
        campaign. The superuser's flows (mail gateway, demo data) are not checked."""
        if not self or self._crm_user_uses_all():
            return
        # the campaigns one runs need no query (the assignment engine, the imports)
        uid = self.env.uid
        campaigns = self.filtered(
            lambda c: not (c.code and uid in (c.manager_id.id, c.user_id.id, c.create_uid.id)))
        if not campaigns:
            return
        usable = campaigns.with_context(active_test=False).search(
            expression.AND([[("id", "in", campaigns.ids)], self._crm_usable_domain()]))
        refused = campaigns - usable
        if refused:
            raise AccessError(self.env._(
                "You may not use campaign %(campaign)s: pick a campaign of your products or "
                "one you run.", campaign=refused[0].display_name
                if refused[0].has_access("read") else f"#{refused[0].id}"))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("code") and not vals.get("is_auto_campaign"):
                vals["code"] = self.env["ir.sequence"].next_by_code("crm.campaign.code")
        return super().create(vals_list)

    def write(self, vals):
        locked = set(vals) & set(LOCKED_FIELDS)
        if locked:
            sent = self.filtered(lambda c: c.state in SENT_STATES)
            if sent:
                labels = ", ".join(sorted(self._fields[name].get_description(self.env)["string"]
                                          for name in locked))
                raise UserError(self.env._(
                    "Campaign %(campaigns)s has already been sent: %(fields)s can no longer be "
                    "changed. A sent campaign can only be paused, resumed or stopped.",
                    campaigns=", ".join(sent.mapped("display_name")), fields=labels))
        return super().write(vals)

    @api.depends("title", "code")
    def _compute_display_name(self):
        for campaign in self:
            title = campaign.title or campaign.name or ""
            campaign.display_name = f"[{campaign.code}] {title}" if campaign.code else title

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------

    def _check_can_run(self):
        """Lifecycle and assignment buttons belong to campaign managers (the group) who
        run the campaign (its manager, responsible or creator) or work its product;
        CRM administrators run every campaign. A campaign of a locked or disabled
        product does not run at all."""
        if not self.env.su:
            user = self.env.user
            if not user.has_group("crm_campaign_mgmt.group_campaign_manager"):
                raise AccessError(self.env._(
                    "Only campaign managers start campaigns and assign their leads."))
            if not user.has_group("crm_event_products.group_crm_conf_admin"):
                held = self.env["crm.product.assignment"].search(
                    [("user_id", "=", user.id)]).product_id
                foreign = self.filtered(
                    lambda c: user not in (c.manager_id | c.user_id | c.create_uid)
                    and not (c.event_id and c.event_id in held))
                if foreign:
                    raise AccessError(self.env._(
                        "Only the manager of campaign %(campaign)s, or a campaign manager working "
                        "its product, can run it.", campaign=foreign[0].display_name))
        self._check_product_open()

    def _check_product_open(self):
        for campaign in self.filtered("event_id"):
            product = campaign.event_id
            if product.crm_locked or product.crm_state != "active":
                raise UserError(self.env._(
                    "Campaign %(campaign)s works product %(product)s, which is locked or "
                    "disabled: its leads cannot be assigned.",
                    campaign=campaign.display_name, product=product.name))

    def _check_state(self, allowed, action):
        self._check_can_run()
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            state_labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(self.env._(
                "You cannot %(action)s campaign %(campaign)s while it is %(state)s.",
                action=action, campaign=wrong[0].display_name,
                state=state_labels[wrong[0].state]))

    def action_schedule(self):
        self._check_state(("draft",), self.env._("schedule"))
        for campaign in self:
            if not campaign.date_start:
                raise UserError(self.env._(
                    "Set the scheduled start of campaign %(campaign)s before scheduling it.",
                    campaign=campaign.display_name))
            if campaign.audience_type == "segment" and not campaign.audience_domain:
                raise UserError(self.env._(
                    "Define the target audience of campaign %(campaign)s.",
                    campaign=campaign.display_name))
        self.write({"state": "scheduled", "upcoming_notified": False})
        return True

    def action_unschedule(self):
        self._check_state(("scheduled",), self.env._("unschedule"))
        self.write({"state": "draft"})
        return True

    def action_start(self):
        """Send the campaign now (button) or at its scheduled time (cron)."""
        self._check_state(("draft", "scheduled"), self.env._("start"))
        now = fields.Datetime.now()
        for campaign in self:
            vals = {"state": "running", "date_sent": now}
            if not campaign.date_start or campaign.date_start > now:
                vals["date_start"] = now
            campaign.write(vals)
        self._notify_campaign("started")
        for campaign in self.filtered(lambda c: c.auto_assign and (c.rep_ids or c.team_id)):
            campaign._assign_leads()
        self._execute_campaign()
        return True

    def _execute_campaign(self):
        """Hook called when campaigns start (button or scheduler): channel addons
        (e.g. crm_mailwizz for email) send the content to the audience here."""
        return True

    def action_pause(self):
        self._check_state(("running",), self.env._("pause"))
        self.write({"state": "paused"})
        self._post_state_note(self.env._("Campaign paused."))
        return True

    def action_resume(self):
        self._check_state(("paused",), self.env._("resume"))
        self.write({"state": "running"})
        self._post_state_note(self.env._("Campaign resumed."))
        return True

    def action_stop(self):
        self._check_state(("running", "paused"), self.env._("stop"))
        self.write({"state": "stopped"})
        self._post_state_note(self.env._("Campaign stopped."))
        return True

    def action_done(self):
        self._check_state(("running", "paused", "stopped"), self.env._("finish"))
        self.write({"state": "done", "date_done": fields.Datetime.now()})
        self._notify_campaign("finished")
        return True

    def _post_state_note(self, body):
        for campaign in self:
            campaign.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # scheduler and notifications
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_campaigns(self):
        """Remind managers of upcoming campaigns, start due ones, finish completed ones."""
        now = fields.Datetime.now()
        upcoming = self.search([
            ("state", "=", "scheduled"),
            ("upcoming_notified", "=", False),
            ("date_start", ">", now),
            ("date_start", "<=", now + timedelta(days=1)),
        ])
        upcoming._notify_upcoming()

        due = self.search([("state", "=", "scheduled"), ("date_start", "<=", now)])
        for campaign in due:
            try:
                with self.env.cr.savepoint():
                    campaign.action_start()
            except Exception:
                _logger.exception("Campaign %s could not be started", campaign.display_name)

        running = self.search([("state", "=", "running")])
        finished = running.filtered(
            lambda c: (c.date_end and c.date_end <= now)
            or (c.lead_total and not c.lead_remaining_count)
        )
        if finished:
            finished.action_done()
        return True

    def _notify_upcoming(self):
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for campaign in self:
            user = campaign.manager_id or campaign.user_id
            if activity_type and user:
                campaign.activity_schedule(
                    act_type_xmlid="mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(campaign, campaign.date_start),
                    summary=self.env._("Campaign %(campaign)s starts soon",
                                       campaign=campaign.display_name),
                    note=self.env._("Scheduled start: %(date)s",
                                    date=fields.Datetime.to_string(campaign.date_start)),
                    user_id=user.id,
                )
            campaign._notify_campaign("upcoming")
        self.write({"upcoming_notified": True})

    def _get_notified_users(self):
        self.ensure_one()
        return (self.manager_id | self.user_id | self.rep_ids | self.create_uid).filtered(
            lambda u: u.active and not u.share)

    def _notify_campaign(self, event):
        """Chatter message plus a real-time notification for an ``event`` in
        (upcoming, started, finished)."""
        for campaign in self:
            if event == "upcoming":
                title = self.env._("Upcoming campaign")
                body = self.env._("Campaign %(campaign)s starts on %(date)s.",
                                  campaign=campaign.display_name,
                                  date=fields.Datetime.to_string(campaign.date_start))
                notif_type = "info"
            elif event == "started":
                title = self.env._("Campaign started")
                body = self.env._("Campaign %(campaign)s is now running.",
                                  campaign=campaign.display_name)
                notif_type = "success"
            else:
                title = self.env._("Campaign finished")
                body = self.env._("Campaign %(campaign)s is finished: %(processed)s of "
                                  "%(total)s leads processed.",
                                  campaign=campaign.display_name,
                                  processed=campaign.lead_processed_count,
                                  total=campaign.lead_total)
                notif_type = "info"
            campaign.message_post(body=body, subtype_xmlid="mail.mt_note")
            notify_users(campaign._get_notified_users(), title, body, notif_type=notif_type)

    # ------------------------------------------------------------------
    # audience and assignment engine
    # ------------------------------------------------------------------

    def _has_segment(self):
        """The campaign targets a CRM segment (an empty domain is no segment:
        it would be the whole CRM)."""
        self.ensure_one()
        return self.audience_type in ("segment", "both") and bool(
            ast.literal_eval(self.audience_domain or "[]"))

    def _get_audience_domain(self):
        self.ensure_one()
        domain = ast.literal_eval(self.audience_domain or "[]")
        if self.event_id:
            domain = expression.AND([domain, [("event_id", "=", self.event_id.id)]])
        return domain

    def _get_pool_domain(self):
        """Leads waiting for a rep: the campaign's own leads (converted targets,
        declined leads) and, for a CRM segment audience, the segment's leads,
        that have no salesperson and no live assignment in this campaign."""
        self.ensure_one()
        sources = [[("campaign_id", "=", self.id)]]
        if self._has_segment():
            sources.append(self._get_audience_domain())
        return expression.AND([
            expression.OR(sources),
            [("user_id", "=", False)],
            OPEN_LEAD_DOMAIN,
            [("campaign_assignment_ids", "not any", [
                ("campaign_id", "=", self.id),
                ("state", "in", ("pending", "accepted", "done")),
            ])],
        ])

    def _as_assigning_user(self):
        """The campaign in the environment of the user who assigns its leads: the user
        who clicked, or, for the scheduler (superuser), the campaign's manager. Empty
        when that manager may not run campaigns."""
        self.ensure_one()
        if not self.env.su:
            return self
        manager = self.manager_id or self.create_uid
        if not (manager.active and manager.has_group("crm_campaign_mgmt.group_campaign_manager")):
            _logger.warning("Campaign %s: its manager %s cannot assign leads; nothing assigned",
                            self.display_name, manager.login)
            return self.browse()
        return self.with_user(manager)

    def _convert_targets(self):
        """Turn the imported targets of the campaign into leads (target import
        pipeline, provided by ``crm.campaign.target._convert_to_leads``), as the
        assigning user."""
        if "crm.campaign.target" not in self.env:
            return
        Target = self.env["crm.campaign.target"]
        if not hasattr(Target, "_convert_to_leads") or "campaign_id" not in Target._fields:
            return
        domain = [("campaign_id", "in", self.ids)]
        if "lead_id" in Target._fields:
            domain.append(("lead_id", "=", False))
        targets = Target.search(domain)
        if targets:
            targets._convert_to_leads()

    def _get_eligible_reps(self):
        """Reps who may receive leads: the campaign's reps, restricted to the
        members of its sales team when it has one (the team's members when
        no rep is named), who work the campaign's product."""
        self.ensure_one()
        reps = self.rep_ids
        if self.team_id:
            members = self.team_id.member_ids
            reps = (reps & members) if reps else members
        reps = reps.filtered(lambda u: u.active and not u.share)
        if self.event_id and reps:
            working = self.env["crm.product.assignment"].search([
                ("product_id", "=", self.event_id.id), ("user_id", "in", reps.ids)]).user_id
            reps &= working
        return reps

    def _no_reps_message(self):
        self.ensure_one()
        if not (self.rep_ids or self.team_id):
            return self.env._(
                "Campaign %(campaign)s has no reps and no sales team: add reps (tab Assignment) "
                "or a sales team before assigning its leads.", campaign=self.display_name)
        return self.env._(
            "None of the reps of campaign %(campaign)s works its product %(product)s (or is in "
            "its sales team): assign the product to them first.",
            campaign=self.display_name, product=self.event_id.display_name or "-")

    def _get_rep_open_loads(self, reps):
        """Open leads per rep, in one read_group (counts only, for the campaign's own
        reps: no lead data reaches the user)."""
        groups = self.env["crm.lead"].sudo()._read_group(
            expression.AND([[("user_id", "in", reps.ids)], OPEN_LEAD_DOMAIN]),
            ["user_id"], ["__count"])
        return {user.id: count for user, count in groups}

    def action_assign_leads(self):
        """Convert the campaign's imported targets and assign its pool to its reps:
        at once for a small pool, else as a background job of the current user."""
        self.check_access("write")
        self._check_can_run()
        total, queued = 0, self.env["crm.campaign.import.job"]
        for campaign in self:
            if campaign.state in ("stopped", "done"):
                raise UserError(self.env._(
                    "Campaign %(campaign)s is closed: its leads can no longer be assigned.",
                    campaign=campaign.display_name))
            if not campaign._get_eligible_reps():
                raise UserError(campaign._no_reps_message())
            if campaign._pending_assignment_size() > queued._get_background_threshold():
                queued |= campaign._queue_assignment()
                continue
            total += len(campaign._assign_leads())
        if queued:
            message = self.env._(
                "The leads of %(campaigns)s are many: they are converted and assigned in the "
                "background. You will be notified when it is done.",
                campaigns=", ".join(queued.campaign_id.mapped("display_name")))
            return self._display_notification("info", message, queued._action_open_form()
                                              if len(queued) == 1 else None)
        return self._display_notification(
            "success" if total else "warning",
            self.env._("%(count)s lead(s) assigned.", count=total),
            {"type": "ir.actions.client", "tag": "soft_reload"})

    def _display_notification(self, notif_type, message, next_action=None):
        params = {
            "type": notif_type,
            "title": self.env._("Lead assignment"),
            "message": message,
        }
        if next_action:
            params["next"] = next_action
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def _pending_assignment_size(self):
        """Targets without lead plus leads waiting in the pool (as the user)."""
        self.ensure_one()
        targets = self.env["crm.campaign.target"].search_count(
            [("campaign_id", "=", self.id), ("lead_id", "=", False)])
        return targets + self.env["crm.lead"].search_count(self._get_pool_domain())

    def _queue_assignment(self):
        self.ensure_one()
        Job = self.env["crm.campaign.import.job"]
        job = Job._internal().create({
            "name": self.env._("Assignment of %(campaign)s", campaign=self.display_name),
            "import_type": "assign",
            "campaign_id": self.id,
            "event_id": self.event_id.id,
            "assign_leads": True,
            "state": "queued",
        })
        self.env.ref("crm_campaign_mgmt.ir_cron_campaign_import").sudo()._trigger()
        return job

    def _get_rep_teams(self, reps):
        """``{rep id: team id}``: the team a rep's leads belong to. The campaign's team
        when the rep is in it, else the rep's first sales team (member or leader):
        the Phone Sales managers' rules show leads by team."""
        self.ensure_one()
        Team = self.env["crm.team"].sudo()  # team membership only, no lead data
        teams = {}
        campaign_team = self.team_id
        for rep in reps:
            if campaign_team and rep in (campaign_team.member_ids | campaign_team.user_id):
                teams[rep.id] = campaign_team.id
                continue
            team = Team.search(["|", ("member_ids", "in", rep.ids), ("user_id", "=", rep.id)],
                               limit=1)
            teams[rep.id] = team.id or False
        return teams

    def _assign_leads(self, leads=None, method=None, notify=True):
        """Distribute ``leads`` (default: the campaign's pool, after converting
        its imported targets) among the eligible reps. Each lead gets its rep and
        the rep's team.

        :param notify: post the summary on the campaign and notify the reps (the
            background job notifies once, at its end)
        :return: the created ``crm.lead.assignment`` records
        """
        self.ensure_one()
        # one assignment run at a time per campaign (button, cron, campaign start)
        self.env.cr.execute("SELECT id FROM utm_campaign WHERE id = %s FOR UPDATE", [self.id])
        campaign = self._as_assigning_user()
        Assignment = campaign.env["crm.lead.assignment"]
        if not campaign:
            return Assignment
        campaign._check_product_open()
        reps = campaign._get_eligible_reps()
        if not reps:
            return Assignment
        if leads is None:
            campaign._convert_targets()
            # the pool is searched with the assigning user's rights: the audience domain is
            # user input, and it never reaches a lead the role table hides from that user
            leads = campaign.env["crm.lead"].search(campaign._get_pool_domain(), order="id")
        else:
            leads = leads.with_env(campaign.env)._filtered_access("write")
        if not leads:
            return Assignment
        method = method or campaign.assignment_method
        pairs = campaign._distribute(leads, reps, method)
        if not pairs:
            return Assignment
        now = fields.Datetime.now()
        assignments = Assignment.with_context(tracking_disable=True).create([{
            "lead_id": lead_id,
            "user_id": user_id,
            "campaign_id": campaign.id,
            "date_assigned": now,
            "method": method,
        } for lead_id, user_id in pairs])
        lead_ids_by_user = defaultdict(list)
        for lead_id, user_id in pairs:
            lead_ids_by_user[user_id].append(lead_id)
        rep_teams = campaign._get_rep_teams(reps)
        Lead = campaign.env["crm.lead"].with_context(
            tracking_disable=True, mail_auto_subscribe_no_notify=True)
        for user_id, lead_ids in lead_ids_by_user.items():
            vals = {"user_id": user_id, "campaign_id": campaign.id,
                    "campaign_lead_status": "prospect"}
            if rep_teams.get(user_id):
                vals["team_id"] = rep_teams[user_id]
            Lead.browse(lead_ids).write(vals)
        campaign.last_assigned_user_id = pairs[-1][1]
        if notify:
            counts = {self.env["res.users"].browse(user_id): len(lead_ids)
                      for user_id, lead_ids in lead_ids_by_user.items()}
            campaign._notify_assigned(counts, method)
        return assignments

    def _assignment_planner(self):
        """A :class:`AssignmentPlanner` dealing the leads about to be created (an
        import's batches) to the campaign's eligible reps, by its method; None when
        the campaign cannot assign (no rep, locked product)."""
        self.ensure_one()
        campaign = self._as_assigning_user()
        if not campaign:
            return None
        campaign._check_product_open()
        reps = campaign._get_eligible_reps()
        if not reps:
            return None
        loads = campaign._get_rep_open_loads(reps) \
            if campaign.assignment_method == "capacity" else {}
        return AssignmentPlanner(campaign, reps, campaign._get_rep_teams(reps), loads)

    def _distribute(self, leads, reps, method):
        """``[(lead id, rep id)]`` by ``method``, never to a rep who declined the lead."""
        declined = self.env["crm.lead.assignment"]._read_group(
            [("campaign_id", "=", self.id), ("lead_id", "in", leads.ids),
             ("state", "=", "declined")],
            ["lead_id"], ["user_id:array_agg"])
        excluded = {lead.id: set(user_ids) for lead, user_ids in declined}
        if method == "capacity":
            loads = self._get_rep_open_loads(reps)
            capacities = {
                rep.id: rep.crm_max_open_leads - loads.get(rep.id, 0) for rep in reps
            }
            return assignment_lib.capacity_weighted(leads.ids, capacities, loads, excluded)
        return assignment_lib.round_robin(
            leads.ids, reps.ids, self.last_assigned_user_id.id or None, excluded)

    def _notify_assigned(self, counts, method):
        """Tell each rep how many leads arrived in his queue; one chatter summary.

        :param counts: ``{res.users: number of leads}``
        """
        self.ensure_one()
        for user, count in counts.items():
            notify_users(user, self.env._("New leads in your queue"), self.env._(
                "%(count)s lead(s) of campaign %(campaign)s are waiting for you in My Queue.",
                count=count, campaign=self.display_name))
        method_label = dict(self._fields["assignment_method"]._description_selection(
            self.env))[method]
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("%(count)s lead(s) assigned (%(method)s):",
                           count=sum(counts.values()), method=method_label),
                Markup().join(
                    Markup("<li>%s: %s</li>") % (user.name, count)
                    for user, count in counts.items()),
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # navigation
    # ------------------------------------------------------------------

    def _action_campaign_leads(self, domain=None, name=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update({
            "name": name or self.env._("Leads of %(campaign)s", campaign=self.display_name),
            "view_mode": "list,kanban,form,pivot,graph",
            "views": [(False, "list"), (False, "kanban"), (False, "form"),
                      (False, "pivot"), (False, "graph")],
            "domain": expression.AND([[("campaign_id", "=", self.id)], domain or []]),
            "context": {"default_campaign_id": self.id, "active_test": False,
                        "search_default_group_by_campaign_lead_status": 1, "create": False},
        })
        return action

    def action_view_campaign_leads(self):
        return self._action_campaign_leads()

    def action_view_assignments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mgmt.crm_lead_assignment_action_manager")
        action.update({
            "name": self.env._("Assignments of %(campaign)s", campaign=self.display_name),
            "domain": [("campaign_id", "=", self.id)],
            "context": {"default_campaign_id": self.id, "create": False},
            "view_mode": "list,kanban,pivot,graph,form",
            "views": [(False, "list"), (False, "kanban"), (False, "pivot"),
                      (False, "graph"), (False, "form")],
        })
        return action

    def action_view_audience(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Audience of %(campaign)s", campaign=self.display_name),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "domain": self._get_audience_domain(),
            "context": {"create": False},
        }
