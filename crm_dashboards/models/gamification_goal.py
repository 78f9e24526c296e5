from odoo import api, fields, models


class GamificationGoal(models.Model):
    _inherit = "gamification.goal"

    crm_kpi = fields.Char(related="definition_id.crm_kpi", store=True, string="CRM KPI")
    challenge_period = fields.Selection(related="challenge_id.period", store=True, string="Challenge Period")
    crm_current = fields.Boolean(
        "Running Period", compute="_compute_crm_current", search="_search_crm_current",
        help="The goal's period includes today (dashboards show the running week, month and 3 months).")

    def _compute_crm_current(self):
        today = fields.Date.context_today(self)
        for goal in self:
            goal.crm_current = (not goal.start_date or goal.start_date <= today) and (
                not goal.end_date or goal.end_date >= today)

    def _search_crm_current(self, operator, value):
        today = fields.Date.context_today(self)
        domain = ["&", "|", ("start_date", "=", False), ("start_date", "<=", today),
                  "|", ("end_date", "=", False), ("end_date", ">=", today)]
        if (operator in ("=", "==")) == bool(value):
            return domain
        return ["!", *domain]

    @api.model_create_multi
    def create(self, vals_list):
        goals = super().create(vals_list)
        self.env["gamification.challenge"]._crm_check_target_users(goals.user_id)
        return goals

    def update_goal(self):
        """Computed as superuser for whoever may change the goals (the goal's user, his
        manager): gamification reads its definitions' models (``ir.model``), which
        managers may not, and a goal counts its own user's figures whoever looks."""
        self.check_access("write")
        # only the suite's roll-up is counted as superuser (its figures are per user and
        # the goal's user is the one counted); any other definition (a model and domain
        # of another addon) is computed with the caller's own rights
        kpi_goals = self.browse(self.sudo().filtered(  # reads the definitions' model name only
            lambda goal: goal.definition_id.model_id.model == "crm.kpi.daily").ids)
        if kpi_goals:
            super(GamificationGoal, kpi_goals.sudo()).update_goal()
        if self - kpi_goals:
            super(GamificationGoal, self - kpi_goals).update_goal()
        return True

    def write(self, vals):
        res = super().write(vals)
        if "user_id" in vals or "target_goal" in vals:
            # a manager changes the target of his people only (users change their own
            # goal's current value through gamification itself, not its target)
            self.env["gamification.challenge"]._crm_check_target_users(self.user_id)
        return res
