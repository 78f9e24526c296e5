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
