from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..models.mail_crm_trace import PIXEL_GIF


class CrmMailTracking(http.Controller):
    """Public tracking endpoints of CRM mail (see ``crm.mail.trace``).

    Tokens are ``<trace id>-<HMAC-SHA256(database.secret, trace id)>``,
    checked in constant time before any lookup: traces cannot be enumerated
    and a forged token records nothing.
    """

    @http.route("/crm_mailwizz/track/open/<string:token>.png", type="http", auth="public",
                methods=["GET"], csrf=False, sitemap=False)
    def track_open(self, token, **kwargs):
        trace = request.env["crm.mail.trace"]._from_public_token(token)
        if not trace:
            raise NotFound()
        trace.set_opened()
        return request.make_response(PIXEL_GIF, headers=[
            ("Content-Type", "image/gif"),
            ("Content-Length", str(len(PIXEL_GIF))),
            ("Cache-Control", "no-cache, no-store, must-revalidate, max-age=0"),
        ])

    @http.route("/crm_mailwizz/track/click/<string:token>/<string:code>", type="http",
                auth="public", methods=["GET"], csrf=False, sitemap=False)
    def track_click(self, token, code, **kwargs):
        trace = request.env["crm.mail.trace"]._from_public_token(token)
        if trace and not request.env["ir.http"].is_a_bot():
            request.env["link.tracker.click"].sudo().add_click(
                code,
                ip=request.httprequest.remote_addr,
                country_code=request.geoip.country_code,
                crm_mail_trace_id=trace.id,
            )
        redirect_url = request.env["link.tracker"].sudo().get_url_from_code(code)
        if not redirect_url:
            raise NotFound()
        return request.redirect(redirect_url, code=301, local=False)
