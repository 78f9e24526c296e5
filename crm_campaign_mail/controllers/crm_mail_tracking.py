from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..models.crm_mail_trace import PIXEL_GIF


class CrmMailTracking(http.Controller):
    """Public tracking endpoints of CRM mail (see ``crm.mail.trace``).

    Tokens are ``<trace id>-<HMAC-SHA256(database.secret, trace id)>``,
    checked in constant time before any lookup: traces cannot be enumerated
    and a forged token records nothing.
    """

    # /crm_mailwizz/...: URLs of mail sent before the addon split (issue 9)
    @http.route(["/crm_campaign_mail/track/open/<string:token>.png",
                 "/crm_mailwizz/track/open/<string:token>.png"], type="http", auth="public",
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

    @http.route(["/crm_campaign_mail/track/click/<string:token>/<string:code>",
                 "/crm_mailwizz/track/click/<string:token>/<string:code>"], type="http",
                auth="public", methods=["GET"], csrf=False, sitemap=False)
    def track_click(self, token, code, **kwargs):
        link = self._crm_tracked_link(code)
        if not link:
            # only links shortened in CRM mail: not a redirector to any link.tracker URL
            raise NotFound()
        trace = request.env["crm.mail.trace"]._from_public_token(token)
        # a click counts for the trace of the mail the link was sent in (its campaign)
        if trace and trace.campaign_id == link.campaign_id and not request.env["ir.http"].is_a_bot():
            request.env["link.tracker.click"].sudo().add_click(
                code,
                ip=request.httprequest.remote_addr,
                country_code=request.geoip.country_code,
                crm_mail_trace_id=trace.id,
            )
        if not link.redirected_url:
            raise NotFound()
        return request.redirect(link.redirected_url, code=301, local=False)

    @staticmethod
    def _crm_tracked_link(code):
        """The ``link.tracker`` of ``code`` if CRM mail created it (utm source of
        CRM mail), else an empty recordset. Sudo: public route, the code is the
        only credential and only the target URL is used."""
        source = request.env.ref("crm_campaign_mail.utm_source_crm_smtp", raise_if_not_found=False)
        code_rec = request.env["link.tracker.code"].sudo().search([("code", "=", code)], limit=1)
        link = code_rec.link_id
        if not source or link.source_id != source:
            return link.browse()
        return link
