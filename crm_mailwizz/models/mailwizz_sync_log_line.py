from odoo import fields, models


class MailwizzSyncLogLine(models.Model):
    """One failed item of an operation (e.g. an email a bulk push could not store)."""

    _name = "mailwizz.sync.log.line"
    _description = "MailWizz Synchronisation Failure"
    _order = "id"

    log_id = fields.Many2one("mailwizz.sync.log", required=True, ondelete="cascade", index=True)
    email = fields.Char("Email / Item")
    subscriber_id = fields.Many2one("mailwizz.subscriber", ondelete="set null")
    error = fields.Text()
