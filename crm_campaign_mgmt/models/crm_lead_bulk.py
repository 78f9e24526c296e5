"""Fast creation of many leads with the result of ``crm.lead.create``.

Profiled on 2,000 leads of an import, stock ``create`` spends its time in
per-record work: a ``crm.team`` search per lead for the default team
(``_compute_team_id``), a ``crm.stage`` search per lead (``_compute_stage_id``),
a naive-Bayes probability per batch, and one full ``message_post`` (with its
notification pass) per lead for the "lead created" message. It runs at about
50-160 leads/s here. :meth:`CrmLead._bulk_create` computes those values once
per distinct key (user, team, PLS values), inserts the rows with one
``INSERT`` per batch, and writes followers and creation messages in batch; the
cheap per-record computations (email and phone normalisation) call Odoo's own
helpers. Every other stored computed field is left to the ORM (computed in
batch after the insert), so a field added by another addon is never missed.
``tests/test_lead_bulk_create.py`` compares, field by field, a lead made this
way with the same lead made by ``create``.
"""

import io
import logging
from collections import defaultdict

import phonenumbers
from markupsafe import Markup
from psycopg2.extras import execute_values

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, split_every
from odoo.tools.mail import _normalize_email, email_split, generate_tracking_message_id, html_sanitize

from odoo.addons.iap.tools import iap_tools
from odoo.addons.mail.tools import mail_validation
from odoo.addons.phone_validation.tools import phone_validation

from ..lib.copy_text import copy_lines
from ..lib.html_list import SanitizedHtml

_logger = logging.getLogger(__name__)

# stored fields computed by _bulk_compute (when not given)
BULK_COMPUTED = frozenset((
    "team_id", "company_id", "stage_id", "date_open", "day_open", "day_close",
    "date_last_stage_update", "email_normalized", "email_domain_criterion", "email_state",
    "phone_sanitized", "phone_state", "probability", "automated_probability",
    "prorated_revenue", "recurring_revenue_monthly", "recurring_revenue_monthly_prorated",
    "recurring_revenue_prorated", "lead_properties",
))
# computed from the partner only: a lead created without partner keeps the given value
PARTNER_COMPUTED = frozenset((
    "name", "contact_name", "email_from", "phone", "mobile", "function", "website", "title",
    "partner_name", "lang_id", "street", "street2", "city", "state_id", "zip", "country_id",
))
LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")
# without flanker (not a dependency), mail_validate(email) is email_normalize(email)
FLANKER = hasattr(mail_validation, "address")
# field types whose column value of an empty (False/None) create value is NULL
NULL_WHEN_EMPTY = frozenset(("many2one", "char", "text", "html", "selection", "date",
                             "datetime"))
# fields whose column value may depend on the rest of the row (currency, definition)
# or is large: converted for each row, never shared
CONVERTED_PER_ROW = frozenset(("monetary", "properties", "properties_definition", "binary",
                               "json"))
# a table is analyzed once it has this many pages (1 MB) and twice its size at its
# last statistics (see analyze_grown_tables)
ANALYZE_MIN_PAGES = 128
# field types whose cache value is their create value converted by the field, as the
# database gives it back: put in the cache after a bulk insert (see cache_scalars); not
# html (sanitized), monetary (rounded in the row's currency), json and binary
CACHED_AFTER_INSERT = frozenset((
    "many2one", "integer", "boolean", "selection", "char", "text", "float", "date", "datetime",
))
# statistics target of those analyses: a sample of 3,000 rows (instead of 30,000 for the
# default 100) gives the planner the row counts and main values at an eighth of the cost
# (0.3 s instead of 2.6 s for crm_lead at 100k leads, machine loaded)
ANALYZE_STATISTICS_TARGET = 10


def _parse_phone(number, country_code, memo):
    """``phone_validation.phone_parse`` (None when it refuses the number), once per
    number and region: a number written with its ``+`` country code is parsed the
    same in every region."""
    key = (number, None if number.startswith("+") else (country_code or None))
    if key not in memo:
        try:
            memo[key] = phone_validation.phone_parse(number, key[1])
        except UserError:
            memo[key] = None
    return memo[key]


def _pls_key(field, value):
    """A hashable form of a create value of a field read by the lead scoring."""
    if field.type == "many2many":
        return ()  # only commands could set it; _bulk_create gets no x2many value
    if isinstance(value, models.BaseModel):
        return value.id
    return value or False


def _is_single_list(value):
    return (isinstance(value, str) and value.startswith("<ul>") and value.endswith("</ul>")
            and value.count("<ul") == 1 and value.count("</ul>") == 1)


def sanitize_lists(field, model, values):
    """``(value, column value)`` of the HTML values of ``field`` that are each one
    ``<ul>`` list (the import's descriptions), sanitized by ONE ``html_sanitize`` call
    on their concatenation instead of one call each (0.2 ms per call): the sanitizer
    handles each top-level element on its own, and its output is split back at the
    lists' boundaries (a ``<ul>`` tag cannot come out of a value's text, which stays
    escaped). When the output does not split into as many lists, nothing is returned
    and each value is converted on its own by the caller, as ``create`` does."""
    if (not field.sanitize or field.sanitize_overridable or field.translate
            or field.company_dependent):
        return []
    lists = list(dict.fromkeys(value for value in values
                               if _is_single_list(value) and not isinstance(value, SanitizedHtml)))
    if len(lists) < 2:
        return []
    sanitized = html_sanitize("".join(lists), **{
        "silent": True,
        "sanitize_tags": field.sanitize_tags,
        "sanitize_attributes": field.sanitize_attributes,
        "sanitize_style": field.sanitize_style,
        "sanitize_form": field.sanitize_form,
        "sanitize_conditional_comments": field.sanitize_conditional_comments,
        "output_method": field.sanitize_output_method,
        "strip_style": field.strip_style,
        "strip_classes": field.strip_classes,
    })
    parts = str(sanitized).split("</ul><ul>")
    if len(parts) != len(lists) or not parts[0].startswith("<ul>") \
            or not parts[-1].endswith("</ul>"):
        return []
    parts = [parts[0][4:], *parts[1:-1], parts[-1][:-5]]
    column = super(fields.Html, field).convert_to_column
    return [(value, column(Markup(f"<ul>{part}</ul>"), model, None, validate=False))
            for value, part in zip(lists, parts, strict=True)]


def insert_rows(model, rows):
    """Insert ``rows`` (dicts of stored column values, the same keys in each) into
    ``model``'s table with one INSERT, the values converted by their fields as
    ``BaseModel._create`` does (HTML sanitized, JSON adapted...); a value shared by
    many rows (a default, a message body) is converted once. Returns the records."""
    columns = [name for name in rows[0]
               if name in model._fields and model._fields[name].store
               and model._fields[name].column_type]
    fields_ = [model._fields[name] for name in columns]
    converted = {}

    def convert(field, value, row):
        if (value is None or value is False) and field.type in NULL_WHEN_EMPTY:
            return None
        if isinstance(value, SanitizedHtml) and field.type == "html" and not field.translate:
            return super(fields.Html, field).convert_to_column(value, model, row, validate=False)
        if not value and field.type == "monetary":
            return 0.0  # float(value or 0.0), rounded in any currency
        if field.type in CONVERTED_PER_ROW:
            return field.convert_to_column_insert(value, model, row)
        # the same value of a field is converted once (defaults, the batch's constants)
        key = (field.name, value.__class__, value)
        try:
            return converted[key]
        except KeyError:
            column = converted[key] = field.convert_to_column_insert(value, model, row)
            return column
        except TypeError:  # not hashable
            return field.convert_to_column_insert(value, model, row)

    for field in fields_:
        if field.type == "html":
            converted.update(((field.name, value.__class__, value), column)
                             for value, column in sanitize_lists(
                                 field, model, [row[field.name] for row in rows]))
    values = [tuple(convert(field, row[field.name], row) for field in fields_) for row in rows]
    model.env.flush_all()
    ids = copy_rows(model, columns, values)
    records = model.browse(ids)
    cache_scalars(records, rows, fields_)
    return records


def copy_rows(model, columns, values):
    """Insert ``values`` (tuples of column values of ``columns``) into ``model``'s table
    with one ``COPY`` (ids reserved from the table's sequence first); values of a type
    ``COPY`` text is not written for (binary) go through one ``INSERT``. Returns the
    ids, in order. See ``lib/copy_text.py`` for why."""
    cr = model.env.cr
    table = model._table
    try:
        lines = copy_lines(values)
    except TypeError:
        quoted = ", ".join(f'"{name}"' for name in columns)
        rows = execute_values(
            cr._obj, f'INSERT INTO "{table}" ({quoted}) VALUES %s RETURNING id',
            values, page_size=len(values), fetch=True)
        return [row[0] for row in rows]
    cr.execute(SQL("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                   table, len(values)))
    ids = [row[0] for row in cr.fetchall()]
    quoted = ", ".join(f'"{name}"' for name in ("id", *columns))
    text = "".join(f"{res_id}\t{line}\n" for res_id, line in zip(ids, lines, strict=True))
    cr._obj.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', io.StringIO(text))
    return ids


def cache_scalars(records, rows, fields_):
    """Put the inserted values of the plain fields of ``fields_`` (types
    :data:`CACHED_AFTER_INSERT`, not translated) in the cache, as ``create`` does: the
    constraints, computes and messages that read them right after the insert then need
    no query. Without it, the first read of such a field fetches every column of the
    batch through the user's record rules, e.g. 295 ms per 1,000 lead assignments at
    240k leads (the rule's sub-query on crm_lead), and about 9 % of a lead batch's time
    (the creation messages' record names)."""
    env = records.env
    for field in fields_:
        if field.type not in CACHED_AFTER_INSERT or field.company_dependent or field.translate:
            continue
        converted = {}
        values = []
        for row in rows:
            value = row[field.name]
            key = (value.__class__, value)
            if key not in converted:
                converted[key] = field.convert_to_cache(value, records, validate=False)
            values.append(converted[key])
        env.cache.update(records, field, values)


def analyze_grown_tables(cr, tables, min_pages=None):
    """``ANALYZE`` those of ``tables`` (names, constants of the caller) whose size in
    pages is at least ``min_pages`` (default :data:`ANALYZE_MIN_PAGES`) and twice the
    size recorded by their last statistics (``pg_class.relpages``, 0 when never
    analyzed); returns their names.

    PostgreSQL's advice for bulk loads is to analyze after loading: autovacuum may be
    off, and autoanalyze lags behind a load, so without this the per-batch queries of
    a long import (record rules, duplicate search) are planned with the statistics of
    a table a fraction of its size. Called after committed batches, this analyzes a
    table about log2(growth) times during a load.
    """
    min_pages = ANALYZE_MIN_PAGES if min_pages is None else min_pages
    cr.execute(
        """SELECT c.relname FROM pg_class c
            WHERE c.relname = ANY(%s) AND c.relkind = 'r' AND pg_table_is_visible(c.oid)
              AND pg_relation_size(c.oid) / current_setting('block_size')::int
                  >= GREATEST(2 * c.relpages, %s)
            ORDER BY c.relname""",
        [list(tables), min_pages])
    grown = [row[0] for row in cr.fetchall()]
    if not grown:
        return grown
    cr.execute(SQL("SET LOCAL default_statistics_target = %s", ANALYZE_STATISTICS_TARGET))
    for name in grown:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(name)))
    cr.execute("SET LOCAL default_statistics_target TO DEFAULT")
    _logger.info("Analyzed %s (grown by a bulk load)", ", ".join(grown))
    return grown


def analyze_columns(cr, table, columns):
    """``ANALYZE`` ``columns`` of ``table`` (constants of the caller) with the bulk
    loads' statistics target (0.5 s for two columns of crm_lead at 300k leads)."""
    cr.execute(SQL("SET LOCAL default_statistics_target = %s", ANALYZE_STATISTICS_TARGET))
    cr.execute(SQL("ANALYZE %s (%s)", SQL.identifier(table),
                   SQL(", ").join(SQL.identifier(column) for column in columns)))
    cr.execute("SET LOCAL default_statistics_target TO DEFAULT")


def complete_rows(model, rows):
    """``rows`` completed with ``model``'s defaults and audit columns (as
    ``_prepare_create_values``); the defaults are computed once."""
    given = set(rows[0])
    stored = [name for name, field in model._fields.items()
              if field.store and field.column_type and name != "id"
              and name not in LOG_COLUMNS and name not in given]
    defaults = model.default_get(stored)
    now = model.env.cr.now()
    uid = model.env.uid
    audit = {"create_uid": uid, "write_uid": uid, "create_date": now, "write_date": now} \
        if model._log_access else {}
    return [dict(defaults, **row, **audit) for row in rows]


def insert_followers(env, new):
    """Insert the followers ``new`` computed by ``mail.followers._add_followers``
    (``{res_id: [values]}``, each with a ``subtype_ids`` command), in two INSERTs."""
    Followers = env["mail.followers"].sudo()
    pairs = [(res_id, values) for res_id, values_list in new.items() for values in values_list]
    if not pairs:
        return Followers
    rows = complete_rows(Followers, [
        {"res_model": values["res_model"], "res_id": res_id,
         "partner_id": values["partner_id"]}
        for res_id, values in pairs])
    followers = insert_rows(Followers, rows)
    links = [
        (follower_id, subtype_id)
        for follower_id, (_res_id, values) in zip(followers.ids, pairs, strict=True)
        for command in values.get("subtype_ids") or ()
        for subtype_id in command[2]
    ]
    if links:
        execute_values(
            env.cr._obj,
            "INSERT INTO mail_followers_mail_message_subtype_rel "
            "(mail_followers_id, mail_message_subtype_id) VALUES %s", links,
            page_size=len(links))
    return followers


def finish_insert(records, rows, given, computed=()):
    """What ``create`` does after its INSERT: the ORM computes the stored computed
    fields that were neither given nor in ``computed`` (in batch, at the next
    flush), the records' dependents elsewhere are marked to recompute, and
    constraints and record rules are checked."""
    model = records.browse()
    stored = [name for name in rows[0] if name in model._fields]
    for name, field in model._fields.items():
        if field.store and field.compute and name not in given and name not in computed:
            model.env.add_to_compute(field, records)
    # the records' own fields are computed (above, or by the caller): only fields of
    # other records that depend on them are marked, as create() does
    with model.env.protecting(list(model._fields.values()), records):
        records.modified(stored, create=True)
    records._validate_fields(stored)
    check_create_rules(records)


def check_create_rules(records):
    """``records.check_access("create")``, the record rules checked by one SQL search
    (``check_access`` evaluates their domains in Python, about 0.2 ms per record and
    rule), or one per ``_rule_check_chunk`` ids when the model sets it (the lead-scoped
    models: see ``crm.lead.scoped.mixin``); on a refusal, ``check_access`` itself raises
    its usual error."""
    model = records.browse()
    model.check_access("create")  # access rights of the model
    if model.env.su:
        return
    domain = model.env["ir.rule"]._compute_domain(model._name, "create")
    if not domain:
        return
    # sudo: the create rules of the real user, computed above, are the search domain
    Model = model.sudo().with_context(active_test=False)
    chunk = getattr(model, "_rule_check_chunk", None) or len(records)
    allowed = sum(
        Model.search_count(expression.AND([[("id", "in", ids)], domain]))
        for ids in split_every(chunk, records.ids, list))
    if allowed != len(records):
        records.check_access("create")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _bulk_create(self, vals_list, cache=None):
        """Create leads as :meth:`create` does, in batch.

        :param vals_list: dicts with the same keys (the values an import gives:
            no ``partner_id``, no ``stage_id``)
        :param cache: a dict kept by the caller across the batches of one import:
            teams, stages, companies and probabilities found for a key are reused
        :return: the leads, in the order of ``vals_list``

        Same rights (access rights, record rules, constraints) and same
        result as ``create``, stored field by stored field, including the
        creator and salesperson as followers and the "lead created" message.
        """
        if not vals_list:
            return self.browse()
        self = self.browse()  # noqa: PLW0642 - a model method, as create()
        self.check_access("create")
        keys = set(vals_list[0])
        if any(set(vals) != keys for vals in vals_list):
            raise ValueError("_bulk_create: every dict must have the same keys")
        if "partner_id" in keys or "stage_id" in keys:
            # won/lost handling and partner syncing: the record-by-record way
            return self.create(vals_list)
        cache = {} if cache is None else cache
        vals_list = self._bulk_prepare_vals([dict(vals) for vals in vals_list])
        given = set(vals_list[0])
        rows = self._bulk_rows(vals_list, given, cache)
        leads = self._bulk_insert_rows(rows)
        leads._bulk_after_insert(rows, given, cache)
        return leads

    # ------------------------------------------------------------------
    # values
    # ------------------------------------------------------------------

    @api.model
    def _bulk_prepare_vals(self, vals_list):
        """What the ``create`` overrides do to the values (crm: website cleaning;
        crm_event_products: product and department of the team, contact names)."""
        teams = self.env["crm.team"].browse(
            {vals["team_id"] for vals in vals_list if vals.get("team_id")})
        for vals in vals_list:
            if vals.get("website"):
                vals["website"] = self.env["res.partner"]._clean_website(vals["website"])
            self._complete_from_team(vals, teams)
            self._sync_contact_names(vals)
        if any(vals.get(fname) for vals in vals_list for fname in ("is_speaker",)):
            self._check_production_member()
        # keys added for some rows only (team product...) are added to all
        keys = set().union(*vals_list)
        for vals in vals_list:
            for key in keys - set(vals):
                vals[key] = False
        return vals_list

    @api.model
    def _bulk_rows(self, vals_list, given, cache):
        rows = complete_rows(self, vals_list)
        self._bulk_compute(rows, given, rows[0]["create_date"], cache)
        return rows

    @api.model
    def _bulk_compute(self, rows, given, now, cache):
        """The computed stored fields of :data:`BULK_COMPUTED` not in ``given``,
        as the ORM would compute them for a new lead without partner."""
        todo = BULK_COMPUTED - given
        team_of = self._bulk_team_getter(cache.setdefault("team", {}))
        company_of = self._bulk_company_getter(cache.setdefault("company", {}))
        stage_of = self._bulk_stage_getter(cache.setdefault("stage", {}))
        countries = self.env["res.country"].browse(
            {row["country_id"] for row in rows if row.get("country_id")})
        country_by_id = {country.id: country for country in countries}
        default_country = self.env.company.country_id
        for row in rows:
            user_id = row.get("user_id") or False
            if "team_id" in todo:
                row["team_id"] = team_of(user_id, row.get("type")) if user_id else False
            if "company_id" in todo:
                row["company_id"] = company_of(row.get("team_id"), user_id)
            if "stage_id" in todo:
                row["stage_id"] = stage_of(row.get("team_id"))
            if "date_open" in todo:
                row["date_open"] = now if user_id else False
            if "day_open" in todo:
                row["day_open"] = 0.0 if row.get("date_open") else None
            if "day_close" in todo:
                row["day_close"] = None
            if "date_last_stage_update" in todo:
                row["date_last_stage_update"] = now
            self._bulk_compute_contact(row, todo, country_by_id, default_country)
            for fname in ("prorated_revenue", "recurring_revenue_monthly",
                          "recurring_revenue_monthly_prorated", "recurring_revenue_prorated"):
                if fname in todo:
                    row[fname] = 0.0
        if "lead_properties" in todo:
            for row in rows:
                row["lead_properties"] = False
        if "probability" in todo and "automated_probability" in todo:
            self._bulk_cached_probabilities(rows, cache.setdefault("probability", {}))

    @api.model
    def _bulk_pls_key(self, row, fnames):
        return tuple(_pls_key(self._fields[fname], row.get(fname)) for fname in fnames)

    @api.model
    def _bulk_pls_fields(self):
        return ["stage_id", "team_id"] + self._pls_get_safe_fields()

    @api.model
    def _bulk_cached_probabilities(self, rows, cache):
        """Probabilities already known for the rows' scoring values (``None``: to
        compute once the lead exists, see :meth:`_bulk_set_probabilities`)."""
        fnames = self._bulk_pls_fields()
        for row in rows:
            probability = cache.get(self._bulk_pls_key(row, fnames))
            row["probability"] = row["automated_probability"] = probability

    @api.model
    def _bulk_compute_contact(self, row, todo, country_by_id, default_country):
        self._bulk_compute_email(row, todo)
        country = country_by_id.get(row.get("country_id")) or self.env["res.country"]
        memo = {}
        if "phone_sanitized" in todo:
            row["phone_sanitized"] = self._bulk_sanitize_phone(
                row, country or default_country, memo)
        if "phone_state" in todo:
            state = False
            if row.get("phone"):
                state = "correct" if _parse_phone(row["phone"], country.code, memo) \
                    else "incorrect"
            row["phone_state"] = state

    @api.model
    def _bulk_compute_email(self, row, todo):
        """``email_normalized``, ``email_domain_criterion`` and ``email_state`` as
        their computes make them. A bare address (the import's case) is parsed once:
        its normalisation is then what ``email_normalize``, ``mail_validate`` (without
        flanker) and ``mail_prepare_for_domain_search`` each parse again to find."""
        email = row.get("email_from") or False
        parts = email_split(email) if email else []
        bare = not FLANKER and parts == [email]
        if bare:
            normalized = _normalize_email(email)
        else:
            normalized = tools.email_normalize(email, strict=False) if email else False
        if "email_normalized" in todo:
            row["email_normalized"] = normalized
        if "email_domain_criterion" in todo:
            normalized = row.get("email_normalized")
            if not normalized:
                criterion = False
            elif bare and normalized == _normalize_email(email):
                domain = normalized.rsplit("@", 1)[1] if "@" in normalized else None
                criterion = normalized if domain is None or domain in \
                    iap_tools._MAIL_DOMAIN_BLACKLIST else "@" + domain
            else:
                criterion = iap_tools.mail_prepare_for_domain_search(normalized)
            row["email_domain_criterion"] = criterion
        if "email_state" in todo:
            state = False
            if email:
                if bare:
                    valid = bool(normalized)
                else:
                    valid = any(mail_validation.mail_validate(part) for part in parts)
                state = "correct" if valid else "incorrect"
            row["email_state"] = state

    @api.model
    def _bulk_sanitize_phone(self, row, country, memo):
        """``_phone_format``: the first number field that formats in ``country``."""
        for fname in self._phone_get_number_fields():
            number = row.get(fname)
            if number:
                parsed = _parse_phone(number, country.code, memo)
                if parsed:
                    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return False

    @api.model
    def _bulk_team_getter(self, cache):
        """``(user id, type) -> team id``: ``_compute_team_id`` once per key."""
        Team = self.env["crm.team"]

        def team_of(user_id, lead_type):
            key = (user_id, lead_type)
            if key not in cache:
                domain = [("use_leads", "=", True)] if lead_type == "lead" else [
                    ("use_opportunities", "=", True)]
                cache[key] = Team._get_default_team_id(user_id=user_id, domain=domain).id or False
            return cache[key]
        return team_of

    @api.model
    def _bulk_company_getter(self, cache):
        """``(team id, user id) -> company id``: ``_compute_company_id`` of a new
        lead (no partner) once per key."""

        def company_of(team_id, user_id):
            key = (team_id, user_id)
            if key not in cache:
                team = self.env["crm.team"].browse(team_id)
                user = self.env["res.users"].browse(user_id)
                if team.company_id:
                    company = team.company_id
                elif user:
                    company = self.env.company if self.env.company in user.company_ids \
                        else user.company_id & self.env.companies
                else:
                    company = self.env["res.company"]
                cache[key] = company.id or False
            return cache[key]
        return company_of

    @api.model
    def _bulk_stage_getter(self, cache):

        def stage_of(team_id):
            if team_id not in cache:
                cache[team_id] = self._stage_find(
                    team_id=team_id, domain=[("fold", "=", False)]).id or False
            return cache[team_id]
        return stage_of

    # ------------------------------------------------------------------
    # insert and what follows
    # ------------------------------------------------------------------

    @api.model
    def _bulk_insert_rows(self, rows):
        return insert_rows(self, rows)

    def _bulk_after_insert(self, rows, given, cache):
        """Everything ``create`` does once the rows exist: the ORM computes the
        remaining computed fields, dependents elsewhere are marked, constraints and
        record rules checked, then probabilities, followers and messages."""
        leads = self
        finish_insert(leads, rows, given, BULK_COMPUTED | PARTNER_COMPUTED)
        if "probability" not in given:
            leads._bulk_set_probabilities(rows, cache.setdefault("probability", {}))
        leads._check_has_product()
        context = self.env.context
        if not context.get("tracking_disable"):
            leads._bulk_subscribe(rows)
            if not context.get("mail_create_nolog"):
                leads._bulk_log_creation()
        cron = self.env.ref("crm_iap_enrich.ir_cron_lead_enrichment", raise_if_not_found=False)
        if cron and self.env["ir.config_parameter"].sudo().get_param(
                "crm.iap.lead.enrich.setting", "auto") == "auto":
            cron._trigger()

    def _bulk_set_probabilities(self, rows, cache):
        """Naive-Bayes probability (``_compute_probabilities``) of the leads whose
        scoring values (stage, team, PLS fields) had none in ``cache``: computed once
        per distinct values on one lead, then one UPDATE per value. The cache is
        kept across the batches of an import: the frequency tables change only when
        leads are won or lost."""
        groups = defaultdict(list)
        fnames = self._bulk_pls_fields()
        for lead_id, row in zip(self.ids, rows, strict=True):
            if row.get("probability") is None:
                groups[self._bulk_pls_key(row, fnames)].append(lead_id)
        if not groups:
            return
        self.flush_recordset()
        samples = self.browse([ids[0] for ids in groups.values()])
        probabilities = samples._pls_get_naive_bayes_probabilities()
        by_value = defaultdict(list)
        for key, ids in groups.items():
            cache[key] = probabilities.get(ids[0], 0.0)
            by_value[cache[key]].extend(ids)
        for probability, ids in by_value.items():
            self.env.cr.execute(
                f'UPDATE "{self._table}" SET automated_probability = %s, probability = %s '
                "WHERE id = ANY(%s)", [probability, probability, ids])
        self.invalidate_recordset(["automated_probability", "probability"])

    def _bulk_subscribe(self, rows):
        """Followers as ``mail.thread.create``: the creator, then auto-subscription
        (salesperson, followers of the team) once per (salesperson, team)."""
        if not self.env.context.get("mail_create_nosubscribe") and self.env.user.active:
            new, _update = self.env["mail.followers"]._add_default_followers(
                self._name, self.ids, self.env.user.partner_id.ids, customer_ids=[],
                check_existing=False)
            insert_followers(self.env, new)
        groups = defaultdict(list)
        for lead, row in zip(self, rows, strict=True):
            groups[(row.get("user_id") or False, row.get("team_id") or False)].append(lead.id)
        leads = self.with_context(crm_bulk_followers=True)
        for (user_id, team_id), lead_ids in groups.items():
            leads.browse(lead_ids)._message_auto_subscribe(
                {"user_id": user_id, "team_id": team_id}, followers_existing_policy="update")

    def _bulk_log_creation(self):
        """The "lead created" message of ``mail.thread.create`` (subtype
        ``crm.mt_lead_create``, posted as the creator), in batch. Leads whose
        followers would be notified of it get it from ``message_post`` itself."""
        subtype = self._creation_subtype()
        notified = self._bulk_notified_leads(subtype)
        for lead in notified:
            lead.sudo().message_post(
                subtype_id=subtype.id, author_id=self.env.user.partner_id.id,
                body=Markup('<div summary="o_mail_notification"><p>%s</p></div>')
                % lead._creation_message())
        quiet = (self - notified).sudo()
        if not quiet:
            return
        author_id, email_from = quiet._message_compute_author(
            self.env.user.partner_id.id, None, raise_on_email=True)
        alias_domains = quiet._mail_get_alias_domains(default_company=self.env.company)
        companies = quiet._mail_get_companies(default=self.env.company)
        reply_tos = quiet._notify_get_reply_to(default=email_from)
        bodies = {}
        values = []
        for lead in quiet:
            team = lead.team_id
            if team not in bodies:
                bodies[team] = Markup(
                    '<div summary="o_mail_notification"><p>%s</p></div>'
                ) % lead._creation_message()
            values.append({
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": self._name,
                "res_id": lead.id,
                "body": bodies[team],
                "message_type": "notification",
                "parent_id": False,
                "subject": False,
                "subtype_id": subtype.id,
                "email_add_signature": True,
                "record_name": lead.display_name,
                "record_alias_domain_id": alias_domains[lead.id].id,
                "record_company_id": companies[lead.id].id,
                "reply_to": reply_tos[lead.id],
                "message_id": generate_tracking_message_id("message-notify"),
            })
        messages = self.env["mail.message"].sudo()
        rows = complete_rows(messages, values)
        finish_insert(insert_rows(messages, rows), rows, set(values[0]))

    def _bulk_notified_leads(self, subtype):
        """Leads with a follower, other than the author, subscribed to ``subtype``."""
        self.env["mail.followers"].flush_model()
        self.env.cr.execute(
            """SELECT DISTINCT f.res_id
                 FROM mail_followers f
                 JOIN mail_followers_mail_message_subtype_rel r
                   ON r.mail_followers_id = f.id AND r.mail_message_subtype_id = %s
                WHERE f.res_model = %s AND f.res_id = ANY(%s) AND f.partner_id != %s""",
            [subtype.id, self._name, self.ids, self.env.user.partner_id.id])
        return self.browse([row[0] for row in self.env.cr.fetchall()])
