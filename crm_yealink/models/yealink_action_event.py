import atexit
import logging
import os
import threading
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, sql_db, tools
from odoo.tools import SQL, frozendict

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

from ..lib.actionurl import ActionEvent

_logger = logging.getLogger(__name__)


class _PostgresNotifier:
    """``NOTIFY`` on the ``postgres`` database, where Odoo's cron workers (``cron_trigger``) and
    websocket workers (``imbus``) listen, from a sender thread over one kept connection per
    process.

    ``ir.cron._notifydb`` and ``bus.bus`` open a new connection for each notification (Odoo
    never pools connections to ``postgres``): that would cost every Action URL request a
    connection set-up. Here a request only queues its notifications once its transaction has
    committed (``notify_after_commit``) and answers the phone; the sender thread sends what
    has gathered in one statement, a repeated notification once: under load, one ``NOTIFY``
    wakes the cron workers for many events. Every notification is sent after the commit it
    announces, so the cron or websocket worker it wakes sees the event.

    The connection commits asynchronously (``synchronous_commit`` off). A notification lost in
    a crash of the PostgreSQL server, or of a worker killed before its thread sent it, only
    delays the fold to the cron's next poll (a minute) and loses a pop-up of a call that is
    ringing no more; a worker that exits normally sends what is left (``atexit``)."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a worker forked by the prefork server starts afresh
        atexit.register(self.flush)

    def _reset(self):
        self._cond = threading.Condition()  # guards _pending and _thread
        self._send_lock = threading.Lock()  # one sender on the connection at a time
        self._pending = []
        self._thread = None
        self._cnx = None

    def notify(self, notifications):
        """Have the sender thread send ``notifications``, ``[(channel, payload)]``, soon."""
        if not notifications:
            return
        with self._cond:
            for notification in notifications:
                if notification not in self._pending:
                    self._pending.append(notification)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="crm_yealink.notifier", daemon=True)
                self._thread.start()
            self._cond.notify()

    def flush(self):
        """Send what is waiting now, in the calling thread."""
        with self._cond:
            batch, self._pending = self._pending, []
        self._send(batch)

    def _run(self):
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                batch, self._pending = self._pending, []
            try:
                self._send(batch)
            except Exception:  # the thread must outlive one bad batch
                _logger.exception("could not notify the cron or websocket workers")

    def _send(self, notifications):
        """``NOTIFY`` each of ``notifications`` in one statement (errors are logged)."""
        if not notifications:
            return
        query = SQL("SELECT %s", SQL(", ").join(
            SQL("%s(%s, %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), channel, payload)
            for channel, payload in notifications
        ))
        with self._send_lock:
            try:
                if self._cnx is None or self._cnx.closed:
                    self._cnx = psycopg2.connect(**sql_db.connection_info_for("postgres")[1])
                    self._cnx.autocommit = True
                    with self._cnx.cursor() as cr:
                        cr.execute("SET synchronous_commit TO off")
                with self._cnx.cursor() as cr:
                    cr.execute(query.code, query.params)
            except psycopg2.Error:
                _logger.warning("could not notify the cron or websocket workers", exc_info=True)
                if self._cnx is not None and not self._cnx.closed:
                    self._cnx.close()
                self._cnx = None

    def wake(self, dbname):
        """Wake the cron workers now (they poll every minute otherwise)."""
        self.notify([("cron_trigger", dbname)])


NOTIFIER = _PostgresNotifier()
CRON_WAKER = NOTIFIER  # former name


def notify_after_commit(cr, channel, payload):
    """Have ``NOTIFIER`` send ``(channel, payload)`` once ``cr`` commits, in one statement with
    the transaction's other notifications (nothing is sent if it rolls back)."""
    pending = cr.postcommit.data.get("crm_yealink.notify")
    if pending is None:
        pending = cr.postcommit.data["crm_yealink.notify"] = []
        cr.postcommit.add(lambda: NOTIFIER.notify(pending))
    if (channel, payload) not in pending:
        pending.append((channel, payload))

# events folded per transaction by the scheduled action
FOLD_BATCH = 200
# Action URL requests a minute per phone and worker (crm_yealink.rate_limit overrides it)
DEFAULT_RATE_LIMIT = 600


class YealinkActionEvent(models.Model):
    """Action URL events received and not folded yet.

    The endpoint only authenticates a request and inserts its event here (one INSERT, which
    also drops a repeated request still waiting); the scheduled action *Yealink: fold call
    events*, triggered by the request, folds them in batches into their calls with
    ``crm.call._yealink_ingest`` (idempotent, order-independent) and deletes them. The time
    of reception is kept, so ring and talk times do not depend on when the fold runs."""

    _name = "yealink.action.event"
    _description = "Yealink Action URL Event (queued)"
    _order = "id"
    _log_access = False

    phone_id = fields.Many2one("yealink.phone", required=True, index=True, ondelete="cascade")
    event = fields.Char(required=True)
    call_key = fields.Char(required=True)
    mac = fields.Char()
    local = fields.Char()
    remote = fields.Char()
    display_remote = fields.Char()
    received_at = fields.Datetime(required=True)
    notified = fields.Boolean(help="The incoming-call pop-up was sent when the request came in.")

    _sql_constraints = [
        ("phone_call_event_unique", "unique(phone_id, call_key, event)", "This event is already queued."),
    ]

    @api.model
    def _yealink_fold_in_background(self):
        """True when the scheduled action folds the events (``crm_yealink.fold_in_background``),
        False when each request folds its own (the default)."""
        return self._yealink_endpoint_settings()["background"]

    @api.model
    def _yealink_async_commit(self):
        """True (the default) when an Action URL request's transaction commits without waiting
        for its WAL flush (``crm_yealink.async_commit``; ``0`` to turn it off): see the readme
        (Configure) for what a crash of the database server can lose and what recovers it."""
        return self._yealink_endpoint_settings()["async_commit"]

    @api.model
    @tools.ormcache()
    def _yealink_endpoint_settings(self):
        """What every Action URL request reads, once per worker (the registry's cache, cleared
        in every worker when a system parameter changes): ``rate_limit`` (requests a minute and
        phone, ``crm_yealink.rate_limit``), ``background``, ``async_commit`` and ``fold_cron_id``
        (the scheduled action that folds queued events)."""
        params = self.env["ir.config_parameter"].sudo()
        background = params.get_param("crm_yealink.fold_in_background", "").strip().lower()
        async_commit = params.get_param("crm_yealink.async_commit", "1").strip().lower()
        return frozendict({
            "rate_limit": int(params.get_param("crm_yealink.rate_limit", DEFAULT_RATE_LIMIT)),
            "background": background in ("1", "true", "yes"),
            "async_commit": async_commit not in ("0", "false", "no", ""),
            "fold_cron_id": self.env["ir.model.data"]._xmlid_to_res_id("crm_yealink.ir_cron_yealink_fold_events"),
        })

    @api.model
    def _yealink_enqueue(self, phone_id, event, notified=False, trigger=True, popup=None, settings=None):
        """Queue ``event`` (an authenticated :class:`ActionEvent`) of phone ``phone_id`` and have
        the fold run now (``trigger``); False if the same event of the same call is already
        waiting (a repeated request), and nothing is written.

        One statement inserts the event and, for a new one, a trigger of the fold's scheduled
        action (what ``ir.cron._trigger`` does) and the incoming-call pop-up ``popup`` (a
        ``bus.bus`` message, ``(channel, message)`` as ``crm.call._yealink_popup_message``
        gives it); the cron and websocket workers are notified once it is committed.

        It is the request's first write: with ``_yealink_async_commit``, the same round trip
        sets ``synchronous_commit`` off for the rest of the transaction (``SET LOCAL``).
        ``settings``: ``_yealink_endpoint_settings()``, if the caller has it already."""
        settings = settings or self._yealink_endpoint_settings()
        async_commit = "SET LOCAL synchronous_commit TO off; " if settings["async_commit"] else ""
        self.env.cr.execute(
            async_commit
            + """WITH queued AS (
                   INSERT INTO yealink_action_event (phone_id, event, call_key, mac, local, remote, display_remote,
                                                     received_at, notified)
                   VALUES (%(phone)s, %(event)s, %(call)s, %(mac)s, %(local)s, %(remote)s, %(display)s,
                           %(now)s, %(notified)s)
                   ON CONFLICT (phone_id, call_key, event) DO NOTHING RETURNING id
               ), triggered AS (
                   INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
                   SELECT %(cron)s, clock_timestamp() at time zone 'UTC', %(uid)s, %(uid)s,
                          now() at time zone 'UTC', now() at time zone 'UTC'
                     FROM queued WHERE %(trigger)s
               ), popped AS (
                   INSERT INTO bus_bus (channel, message, create_uid, write_uid, create_date, write_date)
                   SELECT %(channel)s, %(message)s, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
                     FROM queued WHERE %(popup)s
               )
               SELECT id FROM queued""",
            {
                "phone": phone_id,
                "event": event.event,
                "call": event.call_id,
                "mac": event.mac,
                "local": event.local or None,
                "remote": event.remote or None,
                "display": event.display_remote or None,
                "now": fields.Datetime.now(),
                "notified": notified,
                "cron": settings["fold_cron_id"],
                "uid": self.env.uid,
                "trigger": trigger,
                "popup": bool(popup),
                "channel": popup and popup[0],
                "message": popup and popup[1],
            },
        )
        if not self.env.cr.fetchone():
            return False
        if popup:
            notify_after_commit(self.env.cr, "imbus", popup[2])
        if trigger:
            notify_after_commit(self.env.cr, "cron_trigger", self.env.cr.dbname)
        return True

    @api.model
    def _yealink_fold_pending(self, limit=FOLD_BATCH, phone_id=None):
        """Fold up to ``limit`` queued events (of phone ``phone_id`` only, if given), oldest
        first, into their calls (as superuser: the events were authenticated by the endpoint;
        leads are matched with the phone user's rights). Returns the number of events taken."""
        cr = self.env.cr
        cr.execute(
            """SELECT id, phone_id, event, call_key, mac, local, remote, display_remote, received_at, notified
                 FROM yealink_action_event WHERE %s IS NULL OR phone_id = %s
                ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
            (phone_id, phone_id, limit),
        )
        rows = cr.fetchall()
        if not rows:
            return 0
        Call = self.env["crm.call"].sudo()
        phones = self.env["yealink.phone"].sudo().browse({row[1] for row in rows})
        phones.fetch(["user_id", "country_id", "last_event_date"])
        for _row_id, phone_id, name, call_key, mac, local, remote, display_remote, received_at, notified in rows:
            event = ActionEvent(
                event=name,
                mac=mac or "",
                call_id=call_key,
                local=local or "",
                remote=remote or "",
                display_remote=display_remote or "",
            )
            try:
                with cr.savepoint():
                    Call._yealink_ingest(phones.browse(phone_id), event, received_at=received_at, notified=notified)
            except Exception:
                _logger.exception(
                    "Yealink event %s of call %s (phone %s) could not be folded; dropped", name, call_key, phone_id
                )
        cr.execute("DELETE FROM yealink_action_event WHERE id = ANY(%s)", ([row[0] for row in rows],))
        return len(rows)

    @api.model
    def _cron_fold_events(self, max_seconds=50):
        """Scheduled action: fold the queue batch after batch, a commit each."""
        deadline = fields.Datetime.now() + timedelta(seconds=max_seconds)
        done = 0
        while fields.Datetime.now() < deadline:
            taken = self._yealink_fold_pending()
            if not taken:
                break
            done += taken
            self.env.cr.commit()  # pylint: disable=invalid-commit  # a batch is folded for good
        self.env.cr.execute("SELECT count(*) FROM yealink_action_event")
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
