import hmac
import logging

from werkzeug.exceptions import BadRequest, Forbidden, NotFound, TooManyRequests

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..lib.actionurl import ActionUrlError, normalize_mac, parse_event
from ..lib.ratelimit import RateLimiter
from ..lib.yeastar import YeastarError
from ..models.yealink_action_event import DEFAULT_RATE_LIMIT

_logger = logging.getLogger(__name__)

# per phone (MAC), per worker process; ir.config_parameter crm_yealink.rate_limit overrides the limit
RATE_WINDOW = 60.0
LIMITER = RateLimiter(DEFAULT_RATE_LIMIT, RATE_WINDOW)
_DUMMY_SECRET = b"0" * 43


def _text(body, status=200):
    return request.make_response(body, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status)


class YealinkController(http.Controller):
    @http.route(
        "/yealink/action/<string:secret>/<string:event>",
        type="http", auth="none", methods=["GET", "POST"], csrf=False, save_session=False, readonly=False,
    )
    def action_url(self, secret, event, **params):
        """Action URL of a Yealink phone: ``$mac`` in the query binds the request to a phone,
        the secret in the path authenticates it (constant-time compare); nothing is written
        for a request that fails either check.

        An accepted event is queued (one INSERT; a repeated request still waiting is dropped)
        and folded into its call by the request itself (the call is on the lead when the phone
        gets its answer) or, with ``crm_yealink.fold_in_background`` set, right after by the
        scheduled action the request triggers (``yealink.action.event``: for call centres whose
        phones send more events than one request can fold). An ``incoming_call`` pops the
        caller's lead on the user's screen from the request itself."""
        try:
            mac = normalize_mac(params.get("mac", ""))
        except ActionUrlError as exc:
            raise BadRequest(str(exc)) from exc
        # no Odoo user (auth="none"): the phone authenticates by its secret, checked below;
        # superuser for the endpoint's settings and the phone lookup by MAC
        env = request.env(user=SUPERUSER_ID, su=True)
        queue = env["yealink.action.event"]
        settings = queue._yealink_endpoint_settings()
        if not LIMITER.hit(mac, settings["rate_limit"]):
            raise TooManyRequests("rate limit")
        try:
            action_event = parse_event(event, params)
        except ActionUrlError as exc:
            raise BadRequest(str(exc)) from exc
        phone_id, expected, allowed_ip = self._yealink_phone_auth(env, mac)
        remote_addr = request.httprequest.remote_addr
        if not hmac.compare_digest(secret.encode(), expected) or not phone_id:
            _logger.warning("Yealink Action URL refused for MAC %s from %s", mac, remote_addr)
            raise Forbidden()
        if allowed_ip and allowed_ip.strip() != remote_addr:
            _logger.warning("Yealink Action URL of phone %s from unexpected address %s", phone_id, remote_addr)
            raise Forbidden()
        # the phone is authenticated: its calls are written by this feed only (as superuser), and
        # leads and contacts are matched with the phone user's own rights (crm.call._yealink_match)
        phone = env["yealink.phone"].browse(phone_id)
        background = settings["background"]
        # the pop-up is written with the event, and only for a new one
        message = env["crm.call"]._yealink_incoming_popup_message(phone, action_event)
        if not queue._yealink_enqueue(phone_id, action_event, notified=bool(message), trigger=background,
                                      popup=message, settings=settings):
            return _text("duplicate")
        if background:
            return _text("queued")
        queue._yealink_fold_pending(phone_id=phone_id)
        return _text("ok")

    @staticmethod
    def _yealink_phone_auth(env, mac):
        """``(phone id, secret, allowed IP)`` of the active phone of ``mac`` (unique, indexed,
        cached: ``yealink.phone._yealink_auth_row``), with a dummy secret when there is none, so
        the comparison takes the same time."""
        row = env["yealink.phone"]._yealink_auth_row(mac)
        if not row or not row[1]:
            return None, _DUMMY_SECRET, None
        return row[0], row[1].encode(), row[2]

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
        limit = request.env["yealink.action.event"].sudo()._yealink_endpoint_settings()["rate_limit"]
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
