from odoo import api, fields, models


class CrmEventSeries(models.Model):
    """A conference that runs again every year (e.g. "Future Energy Summit"); its
    editions are the yearly products (``event.event``)."""

    _name = "crm.event.series"
    _description = "Conference Series"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    description = fields.Text()
    edition_ids = fields.One2many("event.event", "crm_series_id", string="Editions")
    edition_count = fields.Integer(compute="_compute_edition_count", string="Edition Count")
    last_edition_id = fields.Many2one(
        "event.event", string="Latest Edition", compute="_compute_edition_count"
    )

    _sql_constraints = [
        ("name_unique", "unique(name)", "A conference series with this name already exists."),
    ]

    @api.depends("edition_ids.crm_edition_year")
    def _compute_edition_count(self):
        for series in self:
            editions = series.edition_ids.sorted(lambda e: (e.crm_edition_year or 0, e.id))
            series.edition_count = len(editions)
            series.last_edition_id = editions[-1:]
