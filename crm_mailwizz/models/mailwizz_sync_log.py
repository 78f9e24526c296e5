from odoo import fields, models


class MailwizzSyncLog(models.Model):
    _name = "mailwizz.sync.log"
    _description = "MailWizz Synchronisation Log"
    _order = "create_date desc, id desc"
    _rec_name = "operation"

    backend_id = fields.Many2one("mailwizz.backend", required=True, ondelete="cascade", index=True)
    operation = fields.Selection(
        [
            ("test", "Connection test"),
            ("import_lists", "Import lists"),
            ("create_list", "Create list"),
            ("push", "Push subscribers"),
            ("pull", "Pull subscriber status"),
            ("campaign", "Campaign"),
            ("stats", "Campaign statistics"),
        ],
        required=True,
        index=True,
    )
    state = fields.Selection(
        [("success", "Success"), ("partial", "Partial"), ("failed", "Failed")], required=True, index=True
    )
    message = fields.Text()
    list_id = fields.Many2one("mailwizz.list", string="List", ondelete="set null", index="btree_not_null")
    campaign_id = fields.Many2one(
        "utm.campaign", string="Campaign", ondelete="set null", index="btree_not_null"
    )
    records_total = fields.Integer(string="Records")
    records_ok = fields.Integer(string="Succeeded")
    records_failed = fields.Integer(string="Failed")
    records_skipped = fields.Integer(string="Skipped", help="Excluded (opted out) or without a valid email.")
    http_calls = fields.Integer(string="HTTP Calls")
    duration = fields.Float(string="Duration (s)", digits=(16, 2))
    line_ids = fields.One2many("mailwizz.sync.log.line", "log_id", string="Failures")
