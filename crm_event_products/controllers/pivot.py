import json

from odoo import _, http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.web.controllers.pivot import TableExporter


class CrmTableExporter(TableExporter):
    """The pivot view's "Download xlsx" under the export rights.

    Odoo's route writes whatever figures the client sends without any check, while
    the list export (``/web/export/*``) goes through ``export_data``, which requires
    ``base.group_allow_export`` (and, for leads, Full Lead Export). The same rights
    apply here, on the server.
    """

    @http.route()
    def export_xlsx(self, data, **kw):
        env = request.env
        if not (env.is_admin() or env.user.has_group("base.group_allow_export")):
            raise AccessError(
                _("You don't have the rights to export data. Please contact an Administrator.")
            )
        try:
            model = json.loads(data).get("model")
        except (TypeError, ValueError, AttributeError):
            model = None
        if model == "crm.lead":
            env["crm.lead"]._check_lead_export_rights()
        return super().export_xlsx(data, **kw)
