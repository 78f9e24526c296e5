from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    mailwizz_opt_out = fields.Boolean(
        "MailWizz Opt-out",
        index=True,
        copy=False,
        help="The address unsubscribed or was blacklisted (e.g. hard bounce) in MailWizz: it is also "
        "on Odoo's email blacklist and excluded from every later MailWizz push.",
    )
    mailwizz_subscriber_ids = fields.One2many("mailwizz.subscriber", "lead_id", string="MailWizz Subscriptions")
