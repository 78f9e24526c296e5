import hmac
import logging

from werkzeug.exceptions import BadRequest, Forbidden, NotFound, TooManyRequests

from odoo import http
from odoo.http import request

from ..lib.actionurl import ActionUrlError, normalize_mac, parse_event
from ..lib.ratelimit import RateLimiter
from ..lib.yeastar import YeastarError

_logger = logging.getLogger(__name__)

# per phone (MAC), per worker process; ir.config_parameter crm_yealink.rate_limit overrides the limit
DEFAULT_RATE_LIMIT = 600  # requests a minute
RATE_WINDOW = 60.0
LIMITER = RateLimiter(DEFAULT_RATE_LIMIT, RATE_WINDOW)
_DUMMY_SECRET = b"0" * 43


def _text(body, status=200):
    return request.make_response(body, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status)


class YealinkController(http.Controller):
    @http.route(
        "/yealink/action/<string:secret>/<string:event>",
        type="http", auth="public", methods=["GET", "POST"], csrf=False, save_session=False,
    )
    def action_url(self, secret, event, **params):
        """Action URL of a Yealink phone: ``$mac`` in the query binds the request to a phone,
        the secret in the path authenticates it (constant-time compare); nothing is written
        for a request that fails either check."""
        try:
            mac = normalize_mac(params.get("mac", ""))
        except ActionUrlError as exc:
            raise BadRequest(str(exc)) from exc
        limit = int(request.env["ir.config_parameter"].sudo().get_param("crm_yealink.rate_limit",
                                                                        DEFAULT_RATE_LIMIT))
        if not LIMITER.hit(mac, limit):
            raise TooManyRequests("rate limit")
        try:
            action_event = parse_event(event, params)
        except ActionUrlError as exc:
            raise BadRequest(str(exc)) from exc
        # sudo: authentication lookup of the phone by its MAC (indexed); the secret is checked below
        phone = request.env["yealink.phone"].sudo().search([("mac", "=", mac)], limit=1)
        expected = (phone.secret or "").encode() if phone else _DUMMY_SECRET
        if not hmac.compare_digest(secret.encode(), expected) or not phone:
            _logger.warning("Yealink Action URL refused for MAC %s from %s", mac, request.httprequest.remote_addr)
            raise Forbidden()
        if phone.allowed_ip and phone.allowed_ip.strip() != request.httprequest.remote_addr:
            _logger.warning("Yealink Action URL of %s from unexpected address %s", phone.name,
                            request.httprequest.remote_addr)
            raise Forbidden()
        # sudo: the phone is authenticated; calls are written by this feed only, and leads and
        # contacts are matched with the phone user's own rights (crm.call._yealink_match)
        status, call = request.env["crm.call"].sudo()._yealink_ingest(phone, action_event)
        return _text(f"{status} {call.id}")

    @http.route(
        "/yealink/pbx/<int:backend_id>/webhook",
        type="http", auth="public", methods=["POST"], csrf=False, save_session=False,
    )
    def pbx_webhook(self, backend_id, **_params):
        """PBX webhook (Yeastar: event 30012, new call record), signed with X-Signature."""
        # sudo: authentication lookup; the body's signature with the backend's secret is checked below
        backend = request.env["crm.pbx.backend"].sudo().browse(backend_id).exists()
        if not backend or not backend.active:
            raise NotFound()
        limit = int(request.env["ir.config_parameter"].sudo().get_param("crm_yealink.rate_limit",
                                                                        DEFAULT_RATE_LIMIT))
        if not LIMITER.hit(f"pbx-{backend.id}", limit * 10):
            raise TooManyRequests("rate limit")
        raw = request.httprequest.get_data(cache=False)
        adapter = backend._adapter()
        if not adapter.verify_webhook(raw, request.httprequest.headers):
            _logger.warning("PBX webhook refused for %s from %s", backend.name, request.httprequest.remote_addr)
            raise Forbidden()
        try:
            cdrs = adapter.webhook_cdrs(raw)
        except YeastarError as exc:
            raise BadRequest("malformed body") from exc
        statuses = list(backend._ingest_cdrs(cdrs))
        return _text(" ".join(statuses) or "ignored")
