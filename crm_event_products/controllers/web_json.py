from odoo.http import request

from odoo.addons.web.controllers.json import WebJsonController


class CrmWebJsonController(WebJsonController):
    """``/json/1/<action>`` (Odoo's experimental JSON dump of an action's records,
    active on databases with demo data) checks only ``base.group_allow_export``:
    on leads, it takes the lead export right, as ``export_data`` does."""

    def _get_action(self, subpath):
        action, context, eval_context, record_id = super()._get_action(subpath)
        if action.res_model == "crm.lead":
            request.env["crm.lead"]._check_lead_export_rights()
        return action, context, eval_context, record_id
