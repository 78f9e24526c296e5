from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

# set only by Production (the speaker buttons) and administrators: the record rule
# ``rule_crm_lead_unlocked_speakers`` shows unlocked speakers to Sales and Marketing
SPEAKER_FIELDS = ("is_speaker", "speaker_unlocked")


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

    def init(self):
        res = super().init()
        # "own leads" rules test create_uid as well as user_id
        tools.create_index(self.env.cr, "crm_lead_create_uid_index", self._table, ["create_uid"])
        # the lists' default order (priority desc, id desc): with it, the first page of a role's
        # leads among 1M reads a few index pages instead of sorting every visible lead
        tools.create_index(
            self.env.cr, "crm_lead_priority_id_desc_index", self._table, ["priority DESC", "id DESC"]
        )
        return res

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
