from collections import defaultdict

from odoo import api, fields, models

CONTACT_KINDS = [
    ("prospect_speaker", "Prospect Speaker"),
    ("speaker", "Speaker"),
    ("prospect_delegate", "Prospect Delegate"),
    ("delegate", "Delegate"),
    ("prospect_sponsor", "Prospect Sponsor"),
    ("sponsor", "Sponsor"),
]
# what a contact of a past edition is for the next one: to be converted again
NEXT_EDITION_KIND = {
    "speaker": "prospect_speaker",
    "prospect_speaker": "prospect_speaker",
    "delegate": "prospect_delegate",
    "prospect_delegate": "prospect_delegate",
    "sponsor": "prospect_sponsor",
    "prospect_sponsor": "prospect_sponsor",
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    crm_contact_kind = fields.Selection(
        CONTACT_KINDS,
        string="Contact Kind",
        index=True,
        tracking=True,
        compute="_compute_crm_contact_kind",
        store=True,
        readonly=False,
        copy=False,
        help="What the contact is (or may become) for this conference. Speaker follows "
        "the speaker conversion of Production: a speaker lead is of kind Speaker, and "
        "choosing the kind Speaker converts the lead (Production and administrators only).",
    )
    crm_series_id = fields.Many2one(related="event_id.crm_series_id", string="Conference Series")
    crm_edition_year = fields.Integer(related="event_id.crm_edition_year", string="Edition Year")
    crm_origin_lead_id = fields.Many2one(
        "crm.lead",
        string="Rolled Over From",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The lead of a past edition this lead was brought forward from.",
    )
    crm_edition_history_ids = fields.Many2many(
        "crm.lead",
        string="Other Editions",
        compute="_compute_crm_edition_history_ids",
        compute_sudo=False,
        help="The contact's leads (same email) in the other editions of the series, "
        "among the leads you may read.",
    )

    # ------------------------------------------------------------------
    # kinds <-> speaker flag
    # ------------------------------------------------------------------
    @api.depends("is_speaker")
    def _compute_crm_contact_kind(self):
        for lead in self:
            if lead.is_speaker:
                lead.crm_contact_kind = "speaker"
            elif lead.crm_contact_kind == "speaker":
                lead.crm_contact_kind = "prospect_speaker"

    @api.model
    def _sync_kind_speaker_vals(self, vals):
        """A kind written without the speaker flag sets the flag (the flag's own checks
        then apply: only Production converts speakers)."""
        if "crm_contact_kind" in vals and "is_speaker" not in vals:
            vals["is_speaker"] = vals["crm_contact_kind"] == "speaker"
            if not vals["is_speaker"] and "speaker_unlocked" not in vals:
                vals["speaker_unlocked"] = False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sync_kind_speaker_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        if "crm_contact_kind" in vals and "is_speaker" not in vals:
            # only the leads whose flag changes: writing "delegate" on non-speakers
            # must not count as a change of the speaker fields
            is_speaker = vals["crm_contact_kind"] == "speaker"
            changing = self.filtered(lambda lead: lead.is_speaker != is_speaker)
            if changing and changing != self:
                return (self - changing).write(vals) and changing.write(vals)
            if changing:
                vals = self._sync_kind_speaker_vals(dict(vals))
        return super().write(vals)

    @api.model
    def _bulk_prepare_vals(self, vals_list):
        if vals_list and "crm_contact_kind" in vals_list[0]:
            for vals in vals_list:
                self._sync_kind_speaker_vals(vals)
        return super()._bulk_prepare_vals(vals_list)

    # ------------------------------------------------------------------
    # history across editions
    # ------------------------------------------------------------------
    @api.depends_context("uid")
    @api.depends("email_normalized", "event_id.crm_series_id")
    def _compute_crm_edition_history_ids(self):
        """One search as the reader (never sudo): only leads the reader may read."""
        by_series = defaultdict(set)
        for lead in self:
            if lead.email_normalized and lead.crm_series_id:
                by_series[lead.crm_series_id.id].add(lead.email_normalized)
        found = defaultdict(list)
        Lead = self.env["crm.lead"].with_context(active_test=False)
        for series_id, emails in by_series.items():
            others = Lead.search(
                [("crm_series_id", "=", series_id), ("email_normalized", "in", list(emails))],
            )
            for other in others.sorted(lambda o: (-o.event_id.crm_edition_year, -o.id)):
                found[(series_id, other.email_normalized)].append(other)
        for lead in self:
            others = found.get((lead.crm_series_id.id, lead.email_normalized), [])
            lead.crm_edition_history_ids = [
                other.id for other in others
                if other.id != lead.id and other.event_id != lead.event_id
            ]

    # ------------------------------------------------------------------
    # automations (base_automation runs them as superuser)
    # ------------------------------------------------------------------
    def _crm_automation_follow_up(self, days=7):
        """Automation "contacted, no answer": a follow-up activity on each lead for its
        own salesperson, only where he may read the lead (his rules, checked as him),
        never twice while one is open. Nothing is sent, nobody else is told."""
        activity_type = self.env.ref("crm_event_editions.mail_activity_type_follow_up")
        Activity = self.env["mail.activity"].sudo()
        open_ids = set(Activity.search_fetch([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", activity_type.id)], ["res_id"]).mapped("res_id"))
        by_user = defaultdict(self.browse)
        for lead in self:
            if lead.user_id and lead.user_id.active and lead.id not in open_ids:
                by_user[lead.user_id] |= lead
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = []
        for user, leads in by_user.items():
            for lead in leads.with_user(user)._filtered_access("read"):
                vals_list.append({
                    "res_model_id": model_id,
                    "res_id": lead.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("No answer for %(days)s days: follow up", days=days),
                    "user_id": user.id,
                    "date_deadline": today,
                })
        return Activity.create(vals_list)
