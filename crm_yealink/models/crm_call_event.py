from odoo import fields, models


class CrmCallEvent(models.Model):
    """The log of Action URL events received for a call: one row per (call, event), which
    makes the endpoint idempotent (a repeated request inserts nothing) and lets a call be
    folded again from all its events whatever order they came in."""

    _name = "crm.call.event"
    _description = "Phone Call Event"
    _order = "received_at, id"

    crm_call_id = fields.Many2one("crm.call", string="Call", required=True, index=True, ondelete="cascade")
    phone_id = fields.Many2one("yealink.phone", string="Phone", index=True, ondelete="cascade")
    call_key = fields.Char(string="Phone Call ID")
    event = fields.Char(required=True)
    received_at = fields.Datetime(required=True)
    remote = fields.Char()

    _sql_constraints = [
        ("call_event_unique", "unique(crm_call_id, event)", "An event is recorded once per call."),
    ]
