from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import notify_users


class CrmLeadAssignment(models.Model):
    _name = "crm.lead.assignment"
    _inherit = ["crm.lead.scoped.mixin"]
    _description = "Campaign Lead Assignment"
    _order = "date_assigned desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(
        "res.users", "Sales Rep", required=True, index=True, ondelete="cascade")
    campaign_id = fields.Many2one(
        "utm.campaign", index=True, ondelete="cascade", domain="[('crm_usable', '=', True)]")
    manager_id = fields.Many2one(related="campaign_id.manager_id", store=True, string="Manager")
    event_id = fields.Many2one(related="campaign_id.event_id", store=True, string="Conference")
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
            ("done", "Completed"),
        ],
        "Status", default="pending", required=True, index=True,
        group_expand="_group_expand_states")
    method = fields.Selection(
        [("round_robin", "Round-robin"), ("capacity", "By capacity"), ("manual", "Manual")],
        "Assigned By", default="manual", readonly=True)
    decline_reason = fields.Text(readonly=True)
    manager_note = fields.Text()
    date_assigned = fields.Datetime("Assigned On", default=fields.Datetime.now, readonly=True)
    date_accepted = fields.Datetime("Accepted On", readonly=True)
    date_declined = fields.Datetime("Declined On", readonly=True)
    date_done = fields.Datetime("Completed On", readonly=True)
    # lead details for the queue: an assignment is visible only with its lead
    # (rule on lead_readable), and its contact fields are read as the user too
    lead_status = fields.Selection(
        related="lead_id.campaign_lead_status", store=True,
        string="Work Status", readonly=False)
    contact_name = fields.Char(related="lead_id.contact_name", string="Contact", compute_sudo=False)
    partner_name = fields.Char(related="lead_id.partner_name", string="Company", compute_sudo=False)
    email_from = fields.Char(related="lead_id.email_from", string="Email", compute_sudo=False)
    phone = fields.Char(related="lead_id.phone", string="Phone", compute_sudo=False)
    lead_event_id = fields.Many2one(related="lead_id.event_id", string="Lead Conference", compute_sudo=False)
    progress = fields.Selection(
        [
            ("pending", "Pending"),
            ("accepted", "Accepted"),
            ("working", "Working"),
            ("completed", "Completed"),
            ("declined", "Declined"),
        ],
        compute="_compute_progress", store=True, index=True,
        help="Accepted: not worked yet (prospect); Working: accepted and the lead is hot, "
        "warm or active; Completed: processed.")
    in_my_team = fields.Boolean(
        "In My Team", compute="_compute_in_my_team", search="_search_in_my_team",
        help="Assigned to a member of a sales team the user leads or belongs to.")
    color = fields.Integer(compute="_compute_color")
    is_mine = fields.Boolean(compute="_compute_is_mine")
    is_manager = fields.Boolean(compute="_compute_is_mine")

    @api.constrains("campaign_id")
    def _check_campaign_usable(self):
        """Only a campaign the user may use (``utm.campaign._crm_usable_domain``)."""
        self.campaign_id._crm_check_usable()

    def init(self):
        # a lead has at most one live (pending or accepted) assignment per campaign,
        # even when two assignment runs race
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS crm_lead_assignment_live_unique
                ON crm_lead_assignment (lead_id, COALESCE(campaign_id, 0))
             WHERE state IN ('pending', 'accepted')
        """)

    @api.model
    def _group_expand_states(self, states, domain):
        return ["pending", "accepted", "done", "declined"]

    @api.depends("state", "lead_status")
    def _compute_progress(self):
        for assignment in self:
            assignment.progress = self._progress_of(assignment.state, assignment.lead_status)

    @api.model
    def _progress_of(self, state, lead_status):
        """The progress of an assignment in ``state`` whose lead has ``lead_status``."""
        if state == "accepted":
            working = lead_status not in (False, "prospect")
            return "working" if working else "accepted"
        if state == "done":
            return "completed"
        return state

    @api.model
    def _my_team_users(self):
        """The members and leaders of the sales teams the user leads or belongs to."""
        teams = self.env["crm.team"].search([
            "|", ("user_id", "=", self.env.uid), ("crm_team_member_ids.user_id", "=", self.env.uid)])
        return teams.crm_team_member_ids.user_id | teams.user_id

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_in_my_team(self):
        team_users = self._my_team_users()
        for assignment in self:
            assignment.in_my_team = assignment.user_id in team_users

    def _search_in_my_team(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on In My Team."))
        positive = (operator == "=") == value
        return [("user_id", "in" if positive else "not in", self._my_team_users().ids)]

    @api.depends("state")
    def _compute_color(self):
        colors = {"pending": 3, "accepted": 10, "declined": 1, "done": 4}
        for assignment in self:
            assignment.color = colors.get(assignment.state, 0)

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_is_mine(self):
        is_manager = self._is_campaign_manager()
        for assignment in self:
            assignment.is_mine = assignment.user_id == self.env.user
            assignment.is_manager = is_manager or assignment.manager_id == self.env.user

    def write(self, vals):
        """Reps change an assignment only through its buttons (run as superuser
        after checking who clicks); directly they may only update the lead's
        work status. A campaign's manager also writes manager notes."""
        if not (self.env.su or self._is_campaign_manager()):
            if set(vals) - {"lead_status", "manager_note"}:
                raise AccessError(self.env._(
                    "Use the Accept, Decline and Complete buttons to change an assignment."))
            if "manager_note" in vals and self.filtered(lambda a: a.manager_id != self.env.user):
                raise AccessError(self.env._("Only the campaign's manager writes manager notes."))
        res = super().write(vals)
        if vals.get("manager_note"):
            for assignment in self.sudo():
                notify_users(assignment.user_id, self.env._("Note from your manager"), self.env._(
                    "%(lead)s: %(note)s", lead=assignment.lead_id.display_name,
                    note=vals["manager_note"]))
        return res

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def _is_campaign_manager(self):
        return self.env.user.has_group("crm_campaign_mgmt.group_campaign_manager")

    def _check_rep(self):
        """Only the assigned rep (or a campaign manager) answers an assignment."""
        if self.env.su or self._is_campaign_manager():
            return
        others = self.filtered(lambda a: a.user_id != self.env.user)
        if others:
            raise AccessError(self.env._(
                "Only %(rep)s can answer the assignment of lead %(lead)s.",
                rep=others[0].user_id.name, lead=others[0].sudo().lead_id.display_name))

    def action_accept(self):
        self._check_rep()
        wrong = self.filtered(lambda a: a.state != "pending")
        if wrong:
            raise UserError(self.env._("Only pending assignments can be accepted."))
        self.sudo().write({"state": "accepted", "date_accepted": fields.Datetime.now()})
        for assignment in self.sudo():
            assignment.lead_id.message_post(
                body=self.env._("%(rep)s accepted this lead (campaign %(campaign)s).",
                                rep=assignment.user_id.name,
                                campaign=assignment.campaign_id.display_name or "-"),
                subtype_xmlid="mail.mt_note")
            assignment._notify_manager(self.env._("Lead accepted"), self.env._(
                "%(rep)s accepted lead %(lead)s.",
                rep=assignment.user_id.name, lead=assignment.lead_id.display_name))
        return True

    def action_decline_wizard(self):
        self._check_rep()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decline Lead"),
            "res_model": "crm.lead.assignment.decline",
            "view_mode": "form",
            "target": "new",
            "context": {"default_assignment_ids": self.ids},
        }

    def _decline(self, reason):
        """Decline: the lead returns to the campaign's pool without a salesperson."""
        self._check_rep()
        if self.filtered(lambda a: a.state not in ("pending", "accepted")):
            raise UserError(self.env._("Only pending or accepted assignments can be declined."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason to decline the lead."))
        self.sudo().write({
            "state": "declined",
            "decline_reason": reason,
            "date_declined": fields.Datetime.now(),
        })
        for assignment in self.sudo():
            lead = assignment.lead_id
            if lead.user_id == assignment.user_id:
                lead.with_context(mail_auto_subscribe_no_notify=True).write({"user_id": False})
            lead.message_post(
                body=Markup("%s<br/>%s") % (
                    self.env._("%(rep)s declined this lead; it is back in the pool.",
                               rep=assignment.user_id.name),
                    self.env._("Reason: %(reason)s", reason=reason)),
                subtype_xmlid="mail.mt_note")
            assignment._notify_manager(self.env._("Lead declined"), self.env._(
                "%(rep)s declined lead %(lead)s: %(reason)s",
                rep=assignment.user_id.name, lead=lead.display_name, reason=reason),
                notif_type="warning")
        return True

    def action_done(self):
        self._check_rep()
        if self.filtered(lambda a: a.state != "accepted"):
            raise UserError(self.env._("Only accepted assignments can be completed."))
        self._mark_done()
        return True

    def _mark_done(self):
        self.sudo().write({"state": "done", "date_done": fields.Datetime.now()})

    def action_open_lead(self):
        self.ensure_one()
        return self.lead_id.get_formview_action()

    def _notify_manager(self, title, message, notif_type="info"):
        self.ensure_one()
        manager = self.campaign_id.manager_id
        if manager and manager != self.env.user:
            notify_users(manager, title, message, notif_type=notif_type)
