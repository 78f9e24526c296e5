from odoo import _, api, fields, models
from odoo.exceptions import UserError


class EventEvent(models.Model):
    """An edition of a conference series: the year's product."""

    _inherit = "event.event"

    crm_series_id = fields.Many2one(
        "crm.event.series",
        string="Conference Series",
        index=True,
        tracking=True,
        ondelete="restrict",
        help="The conference this product is a yearly edition of.",
    )
    crm_edition_year = fields.Integer(
        string="Edition Year",
        compute="_compute_crm_edition_year",
        store=True,
        readonly=False,
        index=True,
        help="The year of this edition (by default, the year the event begins).",
    )

    crm_rollover_job_ids = fields.One2many(
        "crm.edition.rollover.job", "target_event_id", string="Rollovers")
    crm_rollover_job_count = fields.Integer(
        string="Rollover Count", compute="_compute_crm_rollover_job_count")

    _sql_constraints = [
        (
            "crm_series_year_unique",
            "unique(crm_series_id, crm_edition_year)",
            "A conference series has one edition per year.",
        ),
    ]

    @api.depends("date_begin")
    def _compute_crm_edition_year(self):
        for event in self:
            if not event.crm_edition_year and event.date_begin:
                event.crm_edition_year = event.date_begin.year

    def _compute_crm_rollover_job_count(self):
        """Counted as the reader: the rollovers he may read (his own; all for admins)."""
        Job = self.env["crm.edition.rollover.job"]
        counts = {}
        if Job.has_access("read"):
            counts = dict(Job._read_group(
                [("target_event_id", "in", self.ids)], ["target_event_id"], ["__count"]))
        for event in self:
            event.crm_rollover_job_count = counts.get(event, 0)

    def action_view_crm_rollover_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_event_editions.action_crm_edition_rollover_job")
        action["domain"] = [("target_event_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _crm_automation_edition_reminder(self):
        """Automation "an edition opens" (run by base_automation, as superuser): a
        to-do on the edition for the leaders of its Phone Sales teams and the Production
        and Marketing managers assigned to it, each only if he may read the edition,
        once per user and edition. Only the edition (a product) is shown: no lead."""
        activity_type = self.env.ref("crm_event_editions.mail_activity_type_edition_opens")
        Activity = self.env["mail.activity"].sudo()
        existing = set(Activity.search_fetch([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", activity_type.id)], ["res_id", "user_id"]
        ).mapped(lambda a: (a.res_id, a.user_id.id)))
        def is_manager(user):
            return user.has_group("crm_event_products.group_production_pm") \
                or user.has_group("crm_event_products.group_email_mm")

        by_user = {}
        for event in self:
            users = event.crm_team_ids.user_id | event.crm_user_ids.filtered(is_manager)
            for user in users.filtered("active"):
                by_user.setdefault(user, self.browse())
                by_user[user] |= event
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for user, events in by_user.items():
            for event in events.with_user(user)._filtered_access("read"):
                if (event.id, user.id) in existing:
                    continue
                vals_list.append({
                    "res_model_id": model_id,
                    "res_id": event.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("%(edition)s opens on %(date)s: bring last year's "
                                          "people forward and plan the campaigns",
                                          edition=event.name,
                                          date=fields.Date.to_string(event.date_begin)),
                    "user_id": user.id,
                    "date_deadline": fields.Date.context_today(self),
                })
        return Activity.create(vals_list)

    def action_crm_rollover_wizard(self):
        """Start this (new) edition from a past edition of its series."""
        self.ensure_one()
        if not self.crm_series_id:
            raise UserError(_("Set the conference series of %s first.", self.display_name))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_event_editions.action_crm_edition_rollover_wizard"
        )
        past = self.env["event.event"].search(
            [
                ("crm_series_id", "=", self.crm_series_id.id),
                ("id", "!=", self.id),
                ("crm_edition_year", "<", self.crm_edition_year or 9999),
            ],
            order="crm_edition_year desc, id desc",
            limit=1,
        )
        action["context"] = {
            "default_target_event_id": self.id,
            "default_source_event_id": past.id,
        }
        return action
