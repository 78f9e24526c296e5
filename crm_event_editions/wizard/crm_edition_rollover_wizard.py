from odoo import _, api, fields, models


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

    job_id = fields.Many2one("crm.edition.rollover.job", string="Rollover", readonly=True)

    def _job_values(self):
        self.ensure_one()
        return {
            "source_event_id": self.source_event_id.id,
            "target_event_id": self.target_event_id.id,
            "carry_speakers": self.carry_speakers,
            "carry_sponsors": self.carry_sponsors,
            "carry_delegates": self.carry_delegates,
            "carry_prospects": self.carry_prospects,
            "owner_rule": self.owner_rule,
            "owner_id": self.user_id.id if self.owner_rule == "user" else False,
        }

    # ------------------------------------------------------------------
    # run
    # ------------------------------------------------------------------
    def action_rollover(self):
        """Run the rollover now, or queue it when the past edition is large."""
        self.ensure_one()
        queued = self._rollover(background=True)
        if queued:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": _("Rollover queued"),
                    "message": _(
                        "%(count)s past leads to bring forward into %(edition)s: the rollover "
                        "runs in the background. You will be notified when it is done.",
                        count=self.job_id.total_count,
                        edition=self.target_event_id.display_name),
                    "next": self.job_id._action_open_form(),
                },
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_job(self):
        self.ensure_one()
        return self.job_id._action_open_form()

    def _rollover(self, commit=False, background=False):
        """Create the rollover job (checked as the user) and run it.

        :param commit: commit after each batch (a scripted run; never in tests)
        :param background: queue the job for the scheduled action when the past
            edition has more leads than the threshold
        :return: with ``background``, whether the job was queued; else the number of
            leads created
        """
        self.ensure_one()
        Job = self.env["crm.edition.rollover.job"]
        if commit:
            Job = Job.with_context(crm_edition_rollover_commit=True)
        job = Job._create_checked(self._job_values())
        self.job_id = job
        if background:
            if job._start():
                return True
        else:
            job._run()
        self.write({"state": "done", "created_count": job.created_count,
                    "skipped_count": job.skipped_count})
        return False if background else job.created_count

    @api.model
    def _demo_rollover(self, source_id, target_id, user_xmlid):
        """Demo data: ``user_xmlid`` starts the new edition from the past one."""
        user = self.env.ref(user_xmlid)
        wizard = self.with_user(user).create({
            "source_event_id": source_id, "target_event_id": target_id,
        })
        return wizard._rollover()
