import logging
import time

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.crm_campaign_mail.tools import can_commit

from ..lib.client import (
    DEFAULT_MAX_INPUT_VARS,
    MailWizzAuthError,
    MailWizzClient,
    MailWizzConnectionError,
    MailWizzError,
    MailWizzForbidden,
    MailWizzMalformedResponse,
    MailWizzTimeout,
    make_auth,
)

_logger = logging.getLogger(__name__)

# who may test a backend's connection and import its lists: administrators (Settings, CRM, Sales),
# and the marketing manager and head of marketing, who read the backends but do not configure
# them (write access and the API keys stay with base.group_system)
CONNECT_GROUPS = (
    "base.group_system",
    "sales_team.group_sale_manager",
    "crm_event_products.group_crm_conf_admin",
    "crm_event_products.group_email_mm",
)


class MailwizzBackend(models.Model):
    _name = "mailwizz.backend"
    _description = "MailWizz Backend"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    base_url = fields.Char(
        string="API URL",
        required=True,
        help="Root of the MailWizz API, e.g. https://mailwizz.example.com/api "
        "(2.x installs without URL rewriting: https://mailwizz.example.com/api/index.php).",
    )
    api_version = fields.Selection(
        [("1", "1.x (public/private key, signed requests)"), ("2", "2.x (API key header)")],
        string="API Version",
        required=True,
        default="1",
    )
    public_key = fields.Char(groups="base.group_system", copy=False)
    private_key = fields.Char(groups="base.group_system", copy=False)
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    timeout = fields.Integer(string="Timeout (s)", default=30, required=True)
    max_retries = fields.Integer(
        default=3, help="Retries with exponential backoff for safe calls (reads, idempotent writes)."
    )
    bulk_chunk_size = fields.Integer(
        default=100, help="Subscribers sent per bulk request (MailWizz >= 1.8.1 bulk endpoint)."
    )
    max_input_vars = fields.Integer(
        string="Server max_input_vars",
        default=DEFAULT_MAX_INPUT_VARS,
        required=True,
        help="PHP setting max_input_vars of the MailWizz server (PHP's default: 1000). PHP silently "
        "drops the form variables of a request beyond it: a bulk call carries one variable per field "
        "of each subscriber, so bulk requests are made smaller when the list has many fields "
        "(fields x subscribers + a margin stays under this value). Raise it only if the server's "
        "php.ini was raised too.",
    )
    timezone = fields.Selection(
        _tz_get,
        default="UTC",
        required=True,
        help="Timezone of the MailWizz customer account: campaign send times are sent in it.",
    )
    state = fields.Selection(
        [("draft", "Not tested"), ("ok", "Connected"), ("error", "Error")],
        default="draft",
        readonly=True,
        copy=False,
    )
    last_test_date = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    list_ids = fields.One2many("mailwizz.list", "backend_id", string="Lists")
    list_count = fields.Integer(compute="_compute_counts")
    sync_log_ids = fields.One2many("mailwizz.sync.log", "backend_id", string="Sync Log")
    sync_log_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("timeout_positive", "CHECK(timeout > 0)", "The timeout must be positive."),
        ("chunk_positive", "CHECK(bulk_chunk_size > 0)", "The bulk chunk size must be positive."),
        ("max_input_vars_positive", "CHECK(max_input_vars > 0)", "The server's max_input_vars must be positive."),
    ]

    @api.depends("list_ids", "sync_log_ids")
    def _compute_counts(self):
        for backend in self:
            backend.list_count = len(backend.list_ids)
            backend.sync_log_count = len(backend.sync_log_ids)

    # ------------------------------------------------------------------ client
    def _get_client(self):
        """A configured MailWizzClient. Keys are read as superuser: users who may run a
        sync (marketing managers) never see them in the UI."""
        self.ensure_one()
        backend = self.sudo()
        try:
            auth = make_auth(
                backend.api_version,
                public_key=backend.public_key,
                private_key=backend.private_key,
                api_key=backend.api_key,
            )
            return MailWizzClient(
                backend.base_url,
                auth,
                timeout=backend.timeout,
                max_retries=backend.max_retries,
                bulk_chunk_size=backend.bulk_chunk_size,
                max_input_vars=backend.max_input_vars,
            )
        except ValueError as exc:
            raise UserError(
                self.env._("MailWizz backend %(name)s is not fully configured: %(error)s", name=self.name, error=exc)
            ) from exc

    def _log(self, operation, state, message, failures=None, **values):
        """Write a sync log line. Operations catch MailWizz errors and return normally
        (with a notification), so the line is committed with the transaction.

        ``failures``: iterable of ``(email, error, subscriber_id)`` stored as lines."""
        self.ensure_one()
        vals = dict(values, backend_id=self.id, operation=operation, state=state, message=message)
        if failures:
            vals["line_ids"] = [
                fields.Command.create({"email": email, "error": error, "subscriber_id": sub_id or False})
                for email, error, sub_id in failures
            ]
        return self.env["mailwizz.sync.log"].sudo().create(vals)

    def _log_persistent(self, operation, state, message, **values):
        """Log line that survives the UserError about to be raised: written in its own
        transaction outside tests (inside tests the test transaction holds it)."""
        self.ensure_one()
        if not can_commit(self.env) or self.env.context.get("mailwizz_log_in_transaction"):
            return self._log(operation, state, message, **values)
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr))._log(operation, state, message, **values)
        return True

    def _error_message(self, exc):
        """A sentence a user understands for a MailWizz client error."""
        self.ensure_one()
        if isinstance(exc, MailWizzAuthError) and exc.reason == "expired":
            return self.env._(
                "MailWizz refused a request of backend %(backend)s as expired: %(detail)s "
                "The clock of the Odoo server and of the MailWizz server must agree (NTP).",
                backend=self.name, detail=exc,
            )
        if isinstance(exc, MailWizzAuthError):
            return self.env._(
                "MailWizz refused the credentials of backend %(backend)s: %(detail)s "
                "An administrator must check its API version and key(s) "
                "(Email Sales > MailWizz > Backends, Test connection).",
                backend=self.name, detail=exc,
            )
        if isinstance(exc, MailWizzForbidden):
            # a quota of the MailWizz customer, or the web server refusing PUT/DELETE
            return self.env._("MailWizz (%(backend)s) refused the operation: %(detail)s",
                              backend=self.name, detail=exc)
        if isinstance(exc, MailWizzTimeout):
            return self.env._(
                "MailWizz (%(backend)s) did not answer in time: %(detail)s. Try again later or raise "
                "the backend's timeout.", backend=self.name, detail=exc,
            )
        if isinstance(exc, MailWizzConnectionError):
            return self.env._("MailWizz (%(backend)s) cannot be reached: %(detail)s",
                              backend=self.name, detail=exc)
        if isinstance(exc, MailWizzMalformedResponse):
            return self.env._("MailWizz (%(backend)s) answered something unexpected: %(detail)s",
                              backend=self.name, detail=exc)
        return self.env._("MailWizz (%(backend)s) reported an error: %(detail)s",
                          backend=self.name, detail=exc)

    def _to_mailwizz_datetime(self, value):
        """UTC naive datetime -> 'Y-m-d H:i:s' in the MailWizz customer's timezone."""
        self.ensure_one()
        value = value or fields.Datetime.now()
        tz = pytz.timezone(self.timezone or "UTC")
        return pytz.utc.localize(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")

    @api.model
    def _notification(self, title, message, ok=True, warning=False, reload=True):
        params = {
            "title": title,
            "message": message,
            "type": "success" if ok else ("warning" if warning else "danger"),
            "sticky": not ok,
        }
        if reload:
            params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    # ------------------------------------------------------------------ actions
    def _check_can_connect(self):
        user = self.env.user
        if self.env.su or any(user.has_group(group) for group in CONNECT_GROUPS):
            return
        raise AccessError(self.env._(
            "Only an administrator, the marketing manager or the head of marketing can test a "
            "MailWizz backend or import its lists."))

    def action_test_connection(self):
        self.ensure_one()
        self._check_can_connect()
        started = time.monotonic()
        client = None
        try:
            client = self._get_client()
            result = client.ping()
        except UserError as exc:
            ok, message = False, str(exc.args[0])
        except MailWizzAuthError as exc:
            ok, message = False, self.env._("Authentication refused by MailWizz. %(detail)s", detail=exc)
        except MailWizzError as exc:
            ok, message = False, self.env._("MailWizz could not be reached or answered badly: %(detail)s", detail=exc)
        else:
            ok = True
            message = self.env._("Connected to MailWizz (API %(version)s): %(count)s list(s) visible.",
                        version=self.api_version, count=result["lists"])
        finally:
            if client:
                client.close()
        self.sudo().write({
            "state": "ok" if ok else "error",
            "last_test_date": fields.Datetime.now(),
            "last_error": False if ok else message,
        })
        self._log(
            "test",
            "success" if ok else "failed",
            message,
            http_calls=client.http_calls if client else 0,
            duration=time.monotonic() - started,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("MailWizz connection"),
                "message": message,
                "type": "success" if ok else "danger",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_import_lists(self):
        """Import (create or update) every MailWizz list with its fields and segments."""
        self._check_can_connect()
        messages, ok = [], True
        for backend in self:
            success, message = backend._import_lists()
            ok = ok and success
            messages.append(message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("MailWizz lists"),
                "message": "\n".join(messages),
                "type": "success" if ok else "danger",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _import_lists(self):
        """Returns ``(ok, message)``. Lists imported before an error are kept (each list
        is consistent on its own); the error is logged and reported, not raised."""
        self.ensure_one()
        started = time.monotonic()
        try:
            client = self._get_client()
        except UserError as exc:
            return False, str(exc.args[0])
        count = 0
        seen = self.env["mailwizz.list"]
        try:
            for record in client.iter_lists():
                mw_list = self._upsert_list(record)
                if not mw_list:
                    continue
                mw_list._sync_fields_and_segments(client)
                seen |= mw_list
                count += 1
        except MailWizzError as exc:
            message = self.env._(
                "Importing MailWizz lists failed after %(count)s list(s): %(error)s", count=count, error=exc
            )
            self._log("import_lists", "failed" if not count else "partial", message,
                      records_ok=count, http_calls=client.http_calls, duration=time.monotonic() - started)
            return False, message
        finally:
            client.close()
        # lists deleted in MailWizz are archived (their subscribers' history is kept)
        gone = self.env["mailwizz.list"].sudo().search([("backend_id", "=", self.id), ("id", "not in", seen.ids)])
        gone.write({"active": False})
        (seen - seen.filtered("active")).write({"active": True})
        message = self.env._("%(count)s MailWizz list(s) imported.", count=count)
        if gone:
            message += " " + self.env._("%(count)s list(s) no longer in MailWizz archived.", count=len(gone))
        self._log("import_lists", "success", message, records_total=count, records_ok=count,
                  http_calls=client.http_calls, duration=time.monotonic() - started)
        return True, message

    def _upsert_list(self, record):
        """Create or update the ``mailwizz.list`` of an API list record
        (``{general: {...}, defaults: {...}}``). Returns it (empty if no uid)."""
        self.ensure_one()
        List = self.env["mailwizz.list"].sudo()
        general = record.get("general") or {}
        list_uid = general.get("list_uid")
        if not list_uid:
            return List
        mw_list = List.with_context(active_test=False).search(
            [("backend_id", "=", self.id), ("list_uid", "=", list_uid)], limit=1
        )
        defaults = record.get("defaults") or {}
        vals = {
            "name": general.get("name") or list_uid,
            "display_name_mw": general.get("display_name") or False,
            "description": general.get("description") or False,
            "from_name": defaults.get("from_name") or False,
            "from_email": defaults.get("from_email") or False,
            "reply_to": defaults.get("reply_to") or False,
            "default_subject": defaults.get("subject") or False,
        }
        if mw_list:
            mw_list.write(vals)
        else:
            mw_list = List.create(dict(vals, backend_id=self.id, list_uid=list_uid))
        return mw_list

    def action_view_sync_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_mailwizz.mailwizz_sync_log_action")
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    def action_view_lists(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_mailwizz.mailwizz_list_action")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action
