import secrets

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..lib.actionurl import ActionUrlError, normalize_mac
from ..lib.phone_client import PhoneError, dial

ADMIN_GROUPS = "base.group_system,crm_event_products.group_crm_conf_admin"
# fields of ``_yealink_auth_row`` and ``_yealink_ring_row``: a change clears the cache of every worker
CACHED_FIELDS = {"mac", "secret", "active", "allowed_ip", "user_id", "country_id"}


def _new_secret():
    return secrets.token_urlsafe(32)


class YealinkPhone(models.Model):
    """A Yealink desk phone of a user: it reports its calls by Action URL (authenticated by
    ``secret``) and dials on request (web credentials)."""

    _name = "yealink.phone"
    _description = "Yealink Phone"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one("res.users", string="User", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="user_id.company_id", store=True)
    country_id = fields.Many2one(
        "res.country", string="Country",
        help="Country of numbers dialed or received in local format; default: the company's country.")
    model = fields.Char(help="e.g. T54W, as the phone reports it ($model).")
    mac = fields.Char(string="MAC Address", required=True, copy=False, index=True,
                      help="The phone's MAC address ($mac); requests are bound to it.")
    address = fields.Char(help="Host or IP address (and :port) of the phone's web server, for click-to-dial.")
    scheme = fields.Selection([("http", "HTTP"), ("https", "HTTPS")], default="http", required=True)
    legacy_firmware = fields.Boolean(help="Older firmware: use /cgi-bin/ConfigManApp.com instead of /servlet.")
    account = fields.Char(string="SIP Account", help="Line to dial from, e.g. 1001@pbx.example (outgoing_uri).")
    extension = fields.Char(index=True, help="The user's extension on the PBX (matches PBX call records).")
    pbx_backend_id = fields.Many2one("crm.pbx.backend", string="PBX", ondelete="set null")
    web_username = fields.Char(groups=ADMIN_GROUPS, copy=False)
    web_password = fields.Char(groups=ADMIN_GROUPS, copy=False)
    verify_tls = fields.Boolean(string="Verify TLS Certificate", default=True, groups=ADMIN_GROUPS)
    dial_timeout = fields.Integer(string="Dial Timeout (s)", default=5, groups=ADMIN_GROUPS)
    secret = fields.Char(groups=ADMIN_GROUPS, copy=False, default=lambda self: _new_secret(), readonly=True,
                         help="Random secret in the Action URL path: it authenticates the phone's requests.")
    allowed_ip = fields.Char(
        string="Allowed Source IP", groups=ADMIN_GROUPS,
        help="If set, Action URL requests are accepted only from this address.")
    call_ids = fields.One2many("crm.call", "phone_id", string="Calls")
    last_event_date = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        ("mac_unique", "unique(mac)", "Another phone already has this MAC address."),
        ("user_unique", "unique(user_id)", "A user has one phone."),
    ]

    @api.model
    def _normalize_vals(self, vals):
        if vals.get("mac"):
            try:
                vals["mac"] = normalize_mac(vals["mac"])
            except ActionUrlError as exc:
                raise ValidationError(_("Invalid MAC address: %s", vals["mac"])) from exc
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        phones = super().create([self._normalize_vals(dict(vals)) for vals in vals_list])
        self.env.registry.clear_cache()  # _yealink_auth_row
        return phones

    def write(self, vals):
        res = super().write(self._normalize_vals(dict(vals)))
        if CACHED_FIELDS.intersection(vals):
            self.env.registry.clear_cache()  # _yealink_auth_row, _yealink_ring_row
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # _yealink_auth_row
        return res

    @api.model
    @tools.ormcache("mac")
    def _yealink_auth_row(self, mac):
        """``(id, secret, allowed IP)`` of the active phone of ``mac`` (normalised), or None:
        what authenticates an Action URL request, cached per worker (the registry's cache,
        cleared in every worker when a phone's MAC, secret, state or address changes)."""
        self.env.cr.execute("SELECT id, secret, allowed_ip FROM yealink_phone WHERE mac = %s AND active", (mac,))
        row = self.env.cr.fetchone()
        return tuple(row) if row else None

    @api.model
    @tools.ormcache("phone_id")
    def _yealink_ring_row(self, phone_id):
        """``(user id, the user's partner id, country code, calling code)`` of phone
        ``phone_id`` (the country of its local numbers, as ``_phone_country``), or None: what
        the pop-up of an incoming call needs of the phone, cached per worker (the registry's
        cache, cleared in every worker when a phone's user or country, a user's company, or
        a company's country changes: ``res_company``, ``res_partner``)."""
        self.flush_model(["user_id"])
        self.env.cr.execute("SELECT user_id FROM yealink_phone WHERE id = %s", (phone_id,))
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return None
        phone = self.browse(phone_id)
        country = phone._phone_country()
        return row[0], phone.user_id.partner_id.id, country.code or None, country.phone_code or None

    def _phone_country(self):
        self.ensure_one()
        return self.country_id or self.user_id.company_id.country_id or self.env.company.country_id

    # ------------------------------------------------------------------ actions
    def action_regenerate_secret(self):
        for phone in self:
            phone.secret = _new_secret()
        return True

    def action_show_action_urls(self):
        self.ensure_one()
        wizard = self.env["yealink.phone.provision.wizard"].create({"phone_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Action URL of %s", self.name),
        }

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_yealink.action_crm_call")
        action["domain"] = [("phone_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------ click-to-dial
    @api.model
    def _current_user_phone(self):
        phone = self.search([("user_id", "=", self.env.uid)], limit=1)
        if not phone:
            raise UserError(_("You have no Yealink phone: ask an administrator to add yours."))
        return phone

    def _dial(self, number):
        """Make this phone dial ``number``; raise UserError with the reason it could not.

        Reads the phone's credentials as superuser: callers pass the user's own phone
        (``_current_user_phone``, searched under the phone record rules)."""
        self.ensure_one()
        phone = self.sudo()  # credentials are admin-only fields; the phone is the caller's own
        messages = {
            "credentials": _("Your phone has no web address or credentials: ask an administrator."),
            "auth": _("Your phone refused the web user name or password stored in Odoo."),
            "refused": _("Your phone refused remote control: allow this server in features.action_uri_limit_ip "
                         "and accept the prompt on the phone."),
            "timeout": _("Your phone did not answer in time: is it switched on and reachable?"),
            "unreachable": _("Your phone is unreachable from the server: check its address."),
            "number": _("There is no number to dial."),
        }
        try:
            return dial(phone.address, number, account=phone.account or "", username=phone.web_username or "",
                        password=phone.web_password or "", scheme=phone.scheme, legacy=phone.legacy_firmware,
                        verify=phone.verify_tls, timeout=phone.dial_timeout or 5)
        except PhoneError as exc:
            raise UserError(messages.get(exc.reason) or _("The phone could not dial: %s", str(exc))) from exc
