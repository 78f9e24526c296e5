from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from odoo.addons.crm_campaign_mgmt.tools import commit_batch, notify_users

from ..models.crm_lead import NEXT_EDITION_KIND

BATCH_SIZE = 1000
# contact data carried from a past edition's lead to the new edition's
CARRIED_FIELDS = [
    "name", "contact_name", "contact_first_name", "contact_last_name", "partner_name",
    "function", "email_from", "phone", "mobile", "website", "street", "street2", "city",
    "zip", "state_id", "country_id", "lang_id", "title", "department_id",
]
MANY2ONE_CARRIED = ("state_id", "country_id", "lang_id", "title", "department_id")


class CrmEditionRolloverWizard(models.TransientModel):
    """Start an edition from a past edition of its series: the past edition's people,
    by kind and outcome, become new leads of the new edition.

    Everything runs as the user who starts it: the past leads are the ones they may
    read, the new leads are created with their rights (record rules checked), the
    duplicates are searched among the new edition's leads they may read. The past
    edition is only read (it may be locked). Each new lead remembers its origin
    (``crm_origin_lead_id``): a second run creates nothing new.
    """

    _name = "crm.edition.rollover.wizard"
    _description = "Start an Edition from a Past Edition"

    target_event_id = fields.Many2one(
        "event.event", string="New Edition", required=True, ondelete="cascade",
        domain="[('crm_series_id', '!=', False), ('crm_locked', '=', False), "
        "('crm_state', '=', 'active')]",
    )
    series_id = fields.Many2one(related="target_event_id.crm_series_id")
    source_event_id = fields.Many2one(
        "event.event", string="Past Edition", required=True, ondelete="cascade",
        domain="[('crm_series_id', '=', series_id), ('id', '!=', target_event_id)]",
    )
    carry_speakers = fields.Boolean(string="Speakers", default=True)
    carry_sponsors = fields.Boolean(string="Sponsors", default=True)
    carry_delegates = fields.Boolean(
        string="Delegates Who Attended", default=True,
        help="Leads of kind Delegate, and won leads that are not speakers or sponsors.",
    )
    carry_prospects = fields.Boolean(
        string="Open Prospects", help="Prospects of any kind that were neither won nor lost."
    )
    owner_rule = fields.Selection(
        [("keep", "Keep each lead's salesperson"), ("user", "Assign every lead to")],
        string="Owners", default="keep", required=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    created_count = fields.Integer(string="Leads Created", readonly=True)
    skipped_count = fields.Integer(
        string="Already in the New Edition", readonly=True,
        help="Contacts skipped: rolled over before, or already a lead of the new edition "
        "(same email or phone).",
    )

    # ------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------
    def _check_rollover(self):
        self.ensure_one()
        source, target = self.source_event_id, self.target_event_id
        if source == target:
            raise UserError(_("Choose a past edition other than the new one."))
        if not target.crm_series_id or source.crm_series_id != target.crm_series_id:
            raise UserError(_("Both editions must belong to the same conference series."))
        if target.crm_locked or target.crm_state != "active":
            raise UserError(_("The new edition %s is locked or disabled.", target.display_name))
        if self.owner_rule == "user" and not self.user_id:
            raise UserError(_("Choose the salesperson of the new leads."))
        if not (self.carry_speakers or self.carry_sponsors or self.carry_delegates
                or self.carry_prospects):
            raise UserError(_("Choose at least one kind of contact to bring forward."))
        user = self.env.user
        if self.env.su or user.has_group("crm_event_products.group_crm_conf_admin"):
            return
        worked = self.env["crm.product.assignment"].search(
            [("user_id", "=", user.id), ("product_id", "in", (source | target).ids)]
        ).product_id
        if worked != source | target:
            raise AccessError(
                _("You can only roll over between editions you are assigned to.")
            )

    # ------------------------------------------------------------------
    # what to carry
    # ------------------------------------------------------------------
    def _source_domain(self):
        won = [("stage_id.is_won", "=", True)]
        kinds = []
        if self.carry_speakers:
            kinds.append([("crm_contact_kind", "=", "speaker")])
        if self.carry_sponsors:
            kinds.append([("crm_contact_kind", "=", "sponsor")])
        if self.carry_delegates:
            kinds.append([("crm_contact_kind", "=", "delegate")])
            kinds.append(expression.AND([
                won, [("crm_contact_kind", "in", [False, "prospect_delegate"])]]))
        if self.carry_prospects:
            kinds.append(expression.AND([
                [("crm_contact_kind", "in",
                  ["prospect_speaker", "prospect_delegate", "prospect_sponsor"])],
                [("stage_id.is_won", "=", False)],
            ]))
        return expression.AND([
            [("event_id", "=", self.source_event_id.id), ("active", "=", True)],
            expression.OR(kinds),
        ])

    def _team_getter(self):
        """The new edition's team of an owner (Phone Sales teams work one product)."""
        teams = self.target_event_id.crm_team_ids
        memo = {}

        def team_of(user_id):
            if user_id not in memo:
                team = teams.filtered(
                    lambda t: t.user_id.id == user_id or user_id in t.crm_team_member_ids.user_id.ids
                )[:1]
                memo[user_id] = team.id or False
            return memo[user_id]
        return team_of

    def _existing_keys(self):
        """Origins, emails and phones of the new edition's leads (those the user may read)."""
        existing = self.env["crm.lead"].with_context(active_test=False).search_read(
            [("event_id", "=", self.target_event_id.id)],
            ["crm_origin_lead_id", "email_normalized", "phone_sanitized"], load=None,
        )
        origins = {row["crm_origin_lead_id"] for row in existing if row["crm_origin_lead_id"]}
        emails = {row["email_normalized"] for row in existing if row["email_normalized"]}
        phones = {row["phone_sanitized"] for row in existing if row["phone_sanitized"]}
        return origins, emails, phones

    def _lead_values(self, row, team_of):
        vals = {fname: row[fname] for fname in CARRIED_FIELDS}
        for fname in MANY2ONE_CARRIED:
            vals[fname] = vals[fname] or False
        user_id = (row["user_id"] or False) if self.owner_rule == "keep" else self.user_id.id
        vals.update({
            "type": "lead",
            "event_id": self.target_event_id.id,
            "user_id": user_id,
            "team_id": team_of(user_id) if user_id else False,
            "crm_contact_kind": NEXT_EDITION_KIND.get(row["crm_contact_kind"], "prospect_delegate"),
            "crm_origin_lead_id": row["id"],
        })
        return vals

    # ------------------------------------------------------------------
    # run
    # ------------------------------------------------------------------
    def action_rollover(self):
        self.ensure_one()
        self._rollover()
        notify_users(
            self.env.user, _("Edition rollover done"),
            _("%(created)s leads created in %(edition)s, %(skipped)s already there.",
              created=self.created_count, edition=self.target_event_id.display_name,
              skipped=self.skipped_count),
            notif_type="success",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _rollover(self, commit=False):
        """Create the new edition's leads, by batches of :data:`BATCH_SIZE`.

        :param commit: commit after each batch (a scheduled or scripted run; never in
            tests); the run is idempotent, so an interrupted run is finished by running
            it again
        """
        self._check_rollover()
        # no "lead created" message nor "assigned to you" mail per lead: the owners would
        # each get one per lead (75,000 mails for a large edition), sent one by one;
        # the new lead's origin (crm_origin_lead_id) and the end notification tell what
        # happened
        Lead = self.env["crm.lead"].with_context(
            mail_create_nolog=True, mail_auto_subscribe_no_notify=True)
        source_ids = Lead.search(self._source_domain(), order="id").ids
        origins, emails, phones = self._existing_keys()
        team_of = self._team_getter()
        read_fields = CARRIED_FIELDS + ["user_id", "crm_contact_kind", "email_normalized",
                                        "phone_sanitized"]
        cache = {}
        created = skipped = 0
        for start in range(0, len(source_ids), BATCH_SIZE):
            batch = Lead.browse(source_ids[start:start + BATCH_SIZE])
            vals_list = []
            for row in batch.read(read_fields, load=None):
                email, phone = row["email_normalized"], row["phone_sanitized"]
                if row["id"] in origins or (email and email in emails) \
                        or (phone and phone in phones):
                    skipped += 1
                    continue
                emails.add(email)
                phones.add(phone)
                vals_list.append(self._lead_values(row, team_of))
            if vals_list:
                created += len(Lead._bulk_create(vals_list, cache))
            batch.invalidate_recordset()
            commit_batch(self.env, commit)
        self.write({"state": "done", "created_count": created, "skipped_count": skipped})
        return created

    @api.model
    def _demo_rollover(self, source_id, target_id, user_xmlid):
        """Demo data: ``user_xmlid`` starts the new edition from the past one."""
        user = self.env.ref(user_xmlid)
        wizard = self.with_user(user).create({
            "source_event_id": source_id, "target_event_id": target_id,
        })
        return wizard._rollover()
