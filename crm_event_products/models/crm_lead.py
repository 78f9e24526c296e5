import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, sql

from ..lib.rollup_sql import compact_sql, delta_insert_sql, delta_triggers_sql
from .crm_lead_batch_compute import assign_by_value

# set only by Production (the speaker buttons) and administrators: the record rule
# ``rule_crm_lead_unlocked_speakers`` shows unlocked speakers to Sales and Marketing
SPEAKER_FIELDS = ("is_speaker", "speaker_unlocked")

# Lead counts per combination of the columns the record rules read (crm_lead_rollup): a role's
# lead count and its kanban columns add up a few thousand roll-up rows instead of scanning the
# role's share of 1M leads. Kept by PostgreSQL triggers (insert-only deltas, compacted by a cron).
ROLLUP_TABLE = "crm_lead_rollup"
ROLLUP_DIMENSIONS = (
    ("active", "boolean"), ("type", "varchar"), ("company_id", "integer"), ("event_id", "integer"),
    ("department_id", "integer"), ("team_id", "integer"), ("user_id", "integer"),
    ("create_uid", "integer"), ("is_speaker", "boolean"), ("speaker_unlocked", "boolean"),
    ("stage_id", "integer"),
)
ROLLUP_DIMENSION_NAMES = frozenset(name for name, _type in ROLLUP_DIMENSIONS)
# measures the lead kanbans aggregate: (column, SQL type of its sum)
ROLLUP_MEASURES = (
    ("probability", "double precision"), ("expected_revenue", "numeric"),
    ("recurring_revenue_monthly", "numeric"), ("color", "bigint"),
)
ROLLUP_AGGREGATES = {"__count"} | {
    f"{name}:{func}" for name, _type in ROLLUP_MEASURES for func in ("sum", "avg")
}
# (roll-up column, what one lead adds to it; ``{sign}``: +1 or -1, see delta_insert_sql)
ROLLUP_SUMS = (("lead_count", "{sign}"),) + tuple(
    term
    for name, _type in ROLLUP_MEASURES
    for term in ((f"{name}_count", f"{{sign}} * ({name} IS NOT NULL)::int"), (f"{name}_sum", f"{{sign}} * {name}"))
)
COLUMN_REF = re.compile(r'"crm_lead"\."(\w+)"')


class CrmLead(models.Model):
    """Every lead belongs to a conference product and to a department.

    Visibility is enforced by record rules (``security/crm_event_products_rules.xml``);
    this class adds the fields they read, the speaker workflow and the server-side
    export check.
    """

    _inherit = "crm.lead"

    event_id = fields.Many2one(
        string="Conference",
        index=True,
        tracking=True,
        domain="[('crm_state', '=', 'active'), ('crm_locked', '=', False)]",
        help="The conference product this lead is worked for.",
    )
    department_id = fields.Many2one(
        "crm.department",
        string="Department",
        index=True,
        tracking=True,
        default=lambda self: self.env.user.crm_department_id,
    )
    product_locked = fields.Boolean(related="event_id.crm_locked", string="Product Locked")
    contact_first_name = fields.Char(string="First Name")
    contact_last_name = fields.Char(string="Last Name")
    is_speaker = fields.Boolean(string="Speaker", index=True, tracking=True, copy=False)
    speaker_unlocked = fields.Boolean(
        string="Shared with Sales and Marketing",
        tracking=True,
        copy=False,
        help="An unlocked speaker is visible (read-only) to the Email Sales and Phone Sales "
        "users assigned to the same product.",
    )

    is_shared_speaker = fields.Boolean(
        string="Shared Speaker",
        compute="_compute_is_shared_speaker",
        help="A speaker Production shares with Sales and Marketing: the reason a Sales or "
        "Marketing user sees this lead.",
    )

    speaker_badge = fields.Char(
        string="Speaker Status",
        compute="_compute_is_shared_speaker",
        help="Speaker, Speaker (shared) for Production; Shared speaker for Sales and Marketing.",
    )

    is_phone_sales_user = fields.Boolean(
        compute="_compute_is_phone_sales_user",
        help="The viewer is a Phone Sales user: the lead form shows the contact and the phone first.",
    )

    @api.depends_context("uid")
    def _compute_is_phone_sales_user(self):
        self.is_phone_sales_user = self.env.user.has_group("crm_event_products.group_phone_se")

    @api.depends("is_speaker", "speaker_unlocked")
    @api.depends_context("uid")
    def _compute_is_shared_speaker(self):
        """Read as the viewer (non-stored compute): only flags of a lead he already reads."""
        production = self.env.user.has_group("crm_event_products.group_production_p")
        labels = {
            (True, False): _("Speaker"),
            (True, True): _("Shared speaker") if not production else _("Speaker (shared)"),
        }
        assign_by_value(
            self,
            {
                "is_shared_speaker": lambda lead: bool(lead.is_speaker and lead.speaker_unlocked and not production),
                "speaker_badge": lambda lead: labels.get((lead.is_speaker, lead.speaker_unlocked), False),
            },
        )

    def init(self):
        res = super().init()
        # "own leads" rules test create_uid as well as user_id
        tools.create_index(self.env.cr, "crm_lead_create_uid_index", self._table, ["create_uid"])
        # the lists' default order (priority desc, id desc): with it, the first page of a role's
        # leads among 1M reads a few index pages instead of sorting every visible lead
        tools.create_index(
            self.env.cr, "crm_lead_priority_id_desc_index", self._table, ["priority DESC", "id DESC"]
        )
        self._rollup_init()
        return res

    # ------------------------------------------------------------------
    # Roll-up of lead counts (speed of counts and kanban columns at 1M leads)
    # ------------------------------------------------------------------
    def _rollup_init(self):
        """Create the roll-up table (filled from the leads) and the triggers that keep it."""
        cr = self.env.cr
        if not sql.table_exists(cr, ROLLUP_TABLE):
            columns = [f"{name} {sqltype}" for name, sqltype in ROLLUP_DIMENSIONS]
            columns.append("lead_count bigint NOT NULL")
            for name, sqltype in ROLLUP_MEASURES:
                columns += [f"{name}_count bigint NOT NULL", f"{name}_sum {sqltype}"]
            cr.execute(SQL(f"CREATE TABLE {ROLLUP_TABLE} ({', '.join(columns)})"))
            cr.execute(SQL(self._rollup_insert_sql(("crm_lead", 1))))
        cr.execute(SQL(delta_triggers_sql("crm_lead_rollup", "crm_lead", self._rollup_insert_sql)))

    @api.model
    def _rollup_insert_sql(self, *sources):
        """INSERT of the roll-up deltas of ``sources`` ((table, sign), ...): one row per
        combination of dimensions whose figures change."""
        dims = [name for name, _type in ROLLUP_DIMENSIONS]
        return delta_insert_sql(ROLLUP_TABLE, dims, ROLLUP_SUMS, sources)

    @api.model
    def _rollup_rebuild(self):
        """Recompute the roll-up from the leads (e.g. after SQL that bypassed the triggers,
        such as TRUNCATE)."""
        self._rollup_flush()
        self.env.cr.execute(SQL(f"DELETE FROM {ROLLUP_TABLE}"))
        self.env.cr.execute(SQL(self._rollup_insert_sql(("crm_lead", 1))))

    @api.model
    def _rollup_compact(self):
        """Fold the triggers' deltas into one row per combination (cron)."""
        dims = [name for name, _type in ROLLUP_DIMENSIONS]
        sums = [name for name, _template in ROLLUP_SUMS]
        self.env.cr.execute(SQL(compact_sql(ROLLUP_TABLE, dims, sums, "lead_count")))

    @api.model
    def _rollup_where(self, domain):
        """The user's search (record rules included) as a WHERE clause that reads only roll-up
        dimensions, or None when the domain needs another column (then the leads are counted).
        Context ``crm_lead_rollup=False`` counts the leads themselves (tests, benchmarks)."""
        if self.env.context.get("crm_lead_rollup") is False or expression.is_false(self, domain):
            return None
        query = self._search(domain)
        if query.is_empty() or query._joins or list(query._tables) != [self._table]:
            return None
        where = query.where_clause
        if not set(COLUMN_REF.findall(where.code)) <= ROLLUP_DIMENSION_NAMES:
            return None
        return where

    @api.model
    def _rollup_flush(self):
        self.env["crm.lead"].flush_model(
            [*ROLLUP_DIMENSION_NAMES, *(name for name, _type in ROLLUP_MEASURES)]
        )

    @api.model
    @api.readonly
    def search_count(self, domain, limit=None):
        where = self._rollup_where(domain)
        if where is None:
            return super().search_count(domain, limit=limit)
        self._rollup_flush()
        # execute_query flushes what the rules read on other models (assignments, teams...)
        [(count,)] = self.env.execute_query(SQL(
            'SELECT COALESCE(sum(lead_count), 0) FROM %s AS "crm_lead" WHERE %s',
            SQL.identifier(ROLLUP_TABLE), where,
        ))
        count = int(count)
        return min(count, limit) if limit else count

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        rows = self._rollup_read_group(domain, groupby, aggregates, having, offset, limit, order)
        if rows is None:
            return super()._read_group(
                domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
            )
        return rows

    @api.model
    def _rollup_read_group(self, domain, groupby, aggregates, having, offset, limit, order):
        """``_read_group`` from the roll-up, for at most one many2one dimension and the
        measures it keeps, in the groups' natural order; None when it does not apply."""
        groupby, aggregates = list(groupby), list(aggregates)
        if having or offset or limit or len(groupby) > 1 or not set(aggregates) <= ROLLUP_AGGREGATES:
            return None
        group = groupby[0] if groupby else None
        if group and (group not in ROLLUP_DIMENSION_NAMES or self._fields[group].type != "many2one"):
            return None
        if order and (not group or order.strip().lower() not in (group, f"{group} asc")):
            return None
        self.browse().check_access("read")
        where = self._rollup_where(domain)
        if where is None:
            return None
        self._rollup_flush()
        select = [SQL("sum(lead_count)")]
        for spec in aggregates:
            if spec == "__count":
                continue
            fname, func = spec.split(":")
            count, total = SQL.identifier(f"{fname}_count"), SQL.identifier(f"{fname}_sum")
            if func == "sum" and self._fields[fname].type == "integer":
                select.append(SQL("CASE WHEN sum(%s) > 0 THEN sum(%s)::bigint END", count, total))
            elif func == "sum":
                select.append(SQL("CASE WHEN sum(%s) > 0 THEN sum(%s) END", count, total))
            else:
                select.append(SQL("CASE WHEN sum(%s) > 0 THEN sum(%s) / sum(%s) END", count, total, count))
        group_sql = SQL.identifier(group) if group else SQL("NULL")
        raw = self.env.execute_query(SQL(
            'SELECT %s, %s FROM %s AS "crm_lead" WHERE %s GROUP BY 1 HAVING sum(lead_count) > 0',
            group_sql, SQL(", ").join(select), SQL.identifier(ROLLUP_TABLE), where,
        ))
        if not group:
            values = raw[0][1:] if raw else (0,) + (None,) * (len(select) - 1)
            raw = [(None, *values)]
        elif order:  # the comodel's order, as read_group sorts many2one groups
            comodel = self.env[self._fields[group].comodel_name].sudo().with_context(active_test=False)
            rank = {
                rec_id: index
                for index, rec_id in enumerate(comodel.search([("id", "in", [r[0] for r in raw if r[0]])]).ids)
            }
            raw.sort(key=lambda row: (row[0] is None, rank.get(row[0], 0)))
        else:
            raw.sort(key=lambda row: (row[0] is None, row[0] or 0))
        columns = list(zip(*raw)) if raw else []
        if not columns:
            return []
        measures = {}
        position = 2
        for spec in aggregates:
            if spec == "__count":
                measures[spec] = [int(v) for v in columns[1]]
            else:
                measures[spec] = [v if v is not None else False for v in columns[position]]
                position += 1
        result_columns = []
        if group:
            result_columns.append(list(self._read_group_postprocess_groupby(group, columns[0])))
        result_columns += [measures[spec] for spec in aggregates]
        return list(zip(*result_columns))

    def _check_access(self, operation):
        """The same record rules, checked in one SQL query instead of Python: Odoo 18 evaluates
        them with ``filtered_domain`` on every read, which for these rules (product assignments,
        team members, departments) loads those records and walks them lead by lead, half of a
        list page's time. The SQL is the one every lead search already applies; a refusal is
        left to Odoo's check (same error, MissingError for deleted leads)."""
        if not self._ids or not all(isinstance(id_, int) for id_ in self._ids):
            return super()._check_access(operation)
        if not self.env["ir.model.access"].check(self._name, operation, raise_exception=False):
            return super()._check_access(operation)
        Rule = self.env["ir.rule"]
        domain = Rule._compute_domain(self._name, operation)
        if not domain:
            return None
        ids = set(self._ids)
        allowed = set(
            self.sudo().with_context(active_test=False)._search(expression.AND([[("id", "in", list(ids))], domain]))
        )
        if allowed >= ids:
            return None
        # refused or deleted records: Odoo's own check, for its exact error
        return super()._check_access(operation)

    @api.model
    @api.readonly
    def read_progress_bar(self, domain, group_by, progress_bar):
        """The kanban's activity bar counts only leads with an activity: say so in the domain,
        so that PostgreSQL starts from the activities instead of grouping every visible lead.
        Same set as the ``activity_state`` grouping (active activities, record rules aside)."""
        if progress_bar.get("field") == "activity_state" and not any(
            value in (False, None) for value in progress_bar.get("colors", {})
        ):
            with_activity = SQL(
                "(SELECT res_id FROM mail_activity WHERE res_model = %s AND active)", self._name
            )
            domain = expression.AND([domain, [("id", "in", with_activity)]])
        return super().read_progress_bar(domain, group_by, progress_bar)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        teams = self.env["crm.team"].browse(
            {vals["team_id"] for vals in vals_list if vals.get("team_id")}
        )
        for vals in vals_list:
            self._complete_from_team(vals, teams)
            self._sync_contact_names(vals)
        if any(vals.get(fname) for vals in vals_list for fname in SPEAKER_FIELDS):
            self._check_production_member()
        leads = super().create(vals_list)
        leads._check_has_product()
        return leads

    def write(self, vals):
        if "event_id" in vals and not vals["event_id"]:
            raise ValidationError(_("A lead must belong to a conference product."))
        self._check_product_not_locked()
        self._check_speaker_fields_write(vals)
        if vals.get("event_id"):
            self.browse()._check_product_not_locked(self.env["event.event"].browse(vals["event_id"]))
        self._sync_contact_names(vals)
        return super().write(vals)

    def unlink(self):
        self._check_product_not_locked()
        return super().unlink()

    @api.model
    def _complete_from_team(self, vals, teams):
        """A lead created for a team (e.g. by the team's mail alias) gets its product."""
        team = teams.browse(vals.get("team_id")) if vals.get("team_id") else teams.browse()
        if team and not vals.get("event_id") and team.crm_product_id:
            vals["event_id"] = team.crm_product_id.id
        if team and not vals.get("department_id") and team.crm_department_id:
            vals["department_id"] = team.crm_department_id.id

    @api.model
    def _sync_contact_names(self, vals):
        """Keep ``contact_name`` and first/last names consistent in both directions."""
        has_parts = "contact_first_name" in vals or "contact_last_name" in vals
        if has_parts and "contact_name" not in vals:
            parts = (vals.get("contact_first_name"), vals.get("contact_last_name"))
            if all(key in vals for key in ("contact_first_name", "contact_last_name")):
                vals["contact_name"] = " ".join(p for p in parts if p) or False
        elif vals.get("contact_name") and not has_parts:
            first, _sep, last = vals["contact_name"].strip().partition(" ")
            vals["contact_first_name"] = first
            vals["contact_last_name"] = last.strip() or False

    def _check_has_product(self):
        missing = self.filtered(lambda lead: not lead.event_id)
        if missing:
            raise ValidationError(
                _(
                    "A lead must belong to a conference product; missing on: %(leads)s",
                    leads=", ".join(missing.mapped("name")),
                )
            )

    def _check_product_not_locked(self, products=None):
        """Refuse to change leads of (or move leads into) a locked product."""
        if self.env.su:
            return
        products = self.sudo().event_id if products is None else products.sudo()
        locked = products.filtered("crm_locked")
        if locked:
            raise UserError(
                _(
                    "The leads of locked product %(products)s are read-only.",
                    products=", ".join(locked.mapped("display_name")),
                )
            )

    @api.onchange("contact_first_name", "contact_last_name")
    def _onchange_contact_name_parts(self):
        if self.contact_first_name or self.contact_last_name:
            self.contact_name = " ".join(
                p for p in (self.contact_first_name, self.contact_last_name) if p
            )

    @api.onchange("team_id")
    def _onchange_team_id_product(self):
        if self.team_id.crm_product_id and not self.event_id:
            self.event_id = self.team_id.crm_product_id

    # ------------------------------------------------------------------
    # Lead actions refused on locked products (the view hides them too)
    # ------------------------------------------------------------------
    def action_set_lost(self, **additional_values):
        self._check_product_not_locked()
        return super().action_set_lost(**additional_values)

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        self._check_product_not_locked()
        return super().convert_opportunity(partner, user_ids=user_ids, team_id=team_id)

    def iap_enrich(self, from_cron=False):
        self._check_product_not_locked()
        return super().iap_enrich(from_cron=from_cron)

    # ------------------------------------------------------------------
    # Mail: a partner-less lead's recipient is its contact person
    # ------------------------------------------------------------------
    def _message_partner_info_from_emails(self, emails, link_mail=False):
        """Odoo names the partner it creates for a partner-less lead after the company
        (``partner_name``) first: the mail then goes to "<company>", the lead's contact
        name is overwritten with the company's and the chatter logs "None -> <company>".
        Name it after the contact person, as the company's contact."""
        result = super()._message_partner_info_from_emails(emails, link_mail=link_mail)
        if len(self) != 1 or not (self.contact_name and self.email_from):
            return result
        for email, partner_info in zip(emails, result, strict=False):
            if partner_info.get("partner_id") or not email:
                continue
            normalized = tools.email_normalize(email)
            if normalized and normalized == self.email_normalized:
                partner_info["full_name"] = tools.formataddr((self.contact_name, normalized))
        return result

    def _message_post_after_hook(self, message, msg_vals):
        """Odoo links the partner created for the mail's recipient to the lead; do it
        without the tracking line "Customer: None -> ..." that reads as the recipient."""
        leads = self
        if self.email_from and not self.partner_id:
            leads = self.with_context(mail_notrack=True)
        return super(CrmLead, leads)._message_post_after_hook(message, msg_vals)

    # ------------------------------------------------------------------
    # Speakers
    # ------------------------------------------------------------------
    def action_convert_to_speaker(self):
        self._check_production_member()
        self.write({"is_speaker": True})

    def action_speaker_unlock(self):
        self._check_production_member()
        not_speakers = self.filtered(lambda lead: not lead.is_speaker)
        if not_speakers:
            raise UserError(
                _(
                    "Only speakers can be shared with Sales and Marketing: %(leads)s",
                    leads=", ".join(not_speakers.mapped("name")),
                )
            )
        self.write({"speaker_unlocked": True})

    def action_speaker_lock(self):
        self._check_production_member()
        self.write({"speaker_unlocked": False})

    def _check_production_member(self):
        """Production roles, the suite and Odoo administrators and the superuser only."""
        user = self.env.user
        if self.env.su or any(
            user.has_group(xmlid)
            for xmlid in (
                "crm_event_products.group_production_p",
                "crm_event_products.group_crm_conf_admin",
                "base.group_system",
            )
        ):
            return
        raise AccessError(
            _(
                "Only Production converts leads into speakers and shares them (fields "
                "%(fields)s).",
                fields=", ".join(
                    self._fields[fname]._description_string(self.env) for fname in SPEAKER_FIELDS
                ),
            )
        )

    def _check_speaker_fields_write(self, vals):
        """The speaker flags decide who else sees a lead: whatever the client (buttons,
        form, RPC, import), only Production and administrators change them."""
        changed = [
            fname
            for fname in SPEAKER_FIELDS
            if fname in vals and any(lead[fname] != bool(vals[fname]) for lead in self)
        ]
        if changed:
            self._check_production_member()

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------
    def export_data(self, fields_to_export):
        """Full export is reserved to PD, HM and administrators, whatever the client."""
        self._check_lead_export_rights()
        return super().export_data(fields_to_export)

    @api.model
    def _check_lead_export_rights(self):
        """Export of leads (list export, ``export_data`` by RPC, pivot download)."""
        if not self.env.su and not self.env.user.has_group(
            "crm_event_products.group_crm_full_export"
        ):
            raise AccessError(
                _(
                    "Your role may not export leads. Phone Sales roles can download their "
                    "team's defined export; ask an administrator for anything else."
                )
            )
