from odoo import api, models

PHONE_SALES_GROUP = "crm_event_products.group_phone_se"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def _default_activity_type_for_model(self, model):
        """Phone Sales work their leads by phone: their lead activities default to Call."""
        if model == "crm.lead" and self.env.user.has_group(PHONE_SALES_GROUP):
            call = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
            if call and call.active and call.res_model in (False, model):
                return call
        return super()._default_activity_type_for_model(model)
