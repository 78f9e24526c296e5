from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models import crm_edition_rollover_job
from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestRolloverJob(EditionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls.env["crm.lead"]
        for index in range(5):
            cls.leads |= cls._lead(f"job{index}", cls.past, cls.p, kind="speaker")
        cls.hidden = cls._lead("jobhidden", cls.past, cls.jme, kind="speaker",
                               department=cls.email_sales)
        cls.past.action_crm_lock()
        cls.env["ir.config_parameter"].set_param(
            "crm_event_editions.rollover_background_threshold", "2")
        cls.Job = cls.env["crm.edition.rollover.job"]

    def _wizard(self, user=None):
        return self.env["crm.edition.rollover.wizard"].with_user(user or self.pm).create({
            "source_event_id": self.past.id, "target_event_id": self.new.id})

    def _new_leads(self):
        return self.env["crm.lead"].search([("event_id", "=", self.new.id)])

    def test_large_rollover_is_queued_then_run_as_requester(self):
        wizard = self._wizard()
        action = wizard.action_rollover()
        self.assertEqual(action["tag"], "display_notification")
        job = wizard.job_id
        self.assertEqual((job.state, job.total_count, job.user_id), ("queued", 5, self.pm))
        self.assertFalse(self._new_leads())
        # the scheduled action runs it, as the Production Manager
        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.progress, 100.0)
        self.assertEqual((job.created_count, job.skipped_count, job.done_count), (5, 0, 5))
        new_leads = self._new_leads()
        self.assertEqual(new_leads.crm_origin_lead_id, self.leads)  # not the hidden one
        self.assertEqual(new_leads.create_uid, self.pm)
        self.assertEqual(new_leads.with_user(self.p)._filtered_access("read"), new_leads)
        self.assertFalse(new_leads.with_user(self.jme)._filtered_access("read"))
        self.assertTrue(job.message_ids.filtered(lambda m: "5 leads created" in (m.body or "")))
        self.assertEqual(self.new.with_user(self.pm).crm_rollover_job_count, 1)
        # idempotent: a second (queued) run creates nothing
        again = self._wizard()
        again.action_rollover()
        self.Job._cron_process_jobs()
        self.assertEqual((again.job_id.state, again.job_id.created_count,
                          again.job_id.skipped_count), ("done", 0, 5))
        self.assertEqual(self._new_leads(), new_leads)
        # the past edition is untouched
        self.assertEqual(self.leads.event_id, self.past)
        self.assertTrue(self.past.crm_locked)

    def test_crashed_rollover_resumes_after_the_last_committed_lead(self):
        wizard = self._wizard()
        wizard.action_rollover()
        job = wizard.job_id
        # as if the first 2 past leads had been handled and committed before a crash
        first = self.leads.sorted("id")[:2]
        job.sudo().write({"state": "running", "heartbeat": "2000-01-01 00:00:00",
                   "done_count": 2, "created_count": 2, "last_source_id": first[-1].id})
        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual((job.done_count, job.created_count), (5, 5))
        self.assertEqual(self._new_leads().crm_origin_lead_id, self.leads - first)

    def test_small_rollover_runs_at_once(self):
        self.env["ir.config_parameter"].set_param(
            "crm_event_editions.rollover_background_threshold", "1000")
        wizard = self._wizard()
        action = wizard.action_rollover()
        self.assertEqual(action["res_model"], "crm.edition.rollover.wizard")
        self.assertEqual((wizard.job_id.state, wizard.created_count), ("done", 5))

    def test_jobs_are_their_requesters(self):
        wizard = self._wizard()
        wizard.action_rollover()
        job = wizard.job_id
        other_pm = self.pm_elsewhere
        self.assertFalse(self.Job.with_user(other_pm).search([("id", "=", job.id)]))
        self.assertEqual(self.Job.with_user(self.pm).search([("id", "=", job.id)]), job)
        # nobody writes a job's result but the job itself
        with self.assertRaises(AccessError):
            job.with_user(self.pm).write({"created_count": 1000})
        with self.assertRaises(AccessError):
            self.Job.with_user(self.pm).create({
                "source_event_id": self.past.id, "target_event_id": self.new.id})
        # a job only runs as the user who asked for it
        with self.assertRaises(AccessError):
            job.with_user(self.p)._run()

    def test_requester_without_the_editions_fails_the_job(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.pm_elsewhere).action_rollover()
        self.assertFalse(self._new_leads())
        self.assertFalse(self.Job.search([("target_event_id", "=", self.new.id)]))

    def test_failed_rollover_is_retried_by_its_requester(self):
        wizard = self._wizard()
        wizard.action_rollover()
        job = wizard.job_id
        job.sudo().write({"state": "failed", "log": "boom"})
        with self.assertRaises(AccessError):
            job.with_user(self.pm_elsewhere).action_retry()
        job.with_user(self.pm).action_retry()
        self.assertEqual(job.state, "queued")
        self.Job._cron_process_jobs()
        self.assertEqual((job.state, job.created_count), ("done", 5))

    def test_followers_are_those_of_create(self):
        """The followers added in batch are those ``create`` gives a lead: the creator
        with the default subtypes, the salesperson auto-subscribed."""
        self.env["ir.config_parameter"].set_param(
            "crm_event_editions.rollover_background_threshold", "1000")
        self._wizard().with_context(tracking_disable=False)._rollover()
        new_leads = self._new_leads()
        self.assertEqual(len(new_leads), 5)
        twin = self.env["crm.lead"].with_user(self.pm).with_context(
            tracking_disable=False, mail_create_nolog=True, mail_auto_subscribe_no_notify=True,
        ).create({"name": "Twin", "type": "lead", "event_id": self.new.id,
                  "department_id": self.production.id, "user_id": self.p.id, "team_id": False})

        def followers(lead):
            return {(follower.partner_id, frozenset(follower.subtype_ids.ids))
                    for follower in lead.sudo().message_follower_ids}
        expected = followers(twin)
        self.assertEqual({partner for partner, _subtypes in expected},
                         {self.pm.partner_id, self.p.partner_id})
        for lead in new_leads:
            self.assertEqual(followers(lead), expected)

    def test_batches_follow_each_other(self):
        """Each batch is read after the last past lead of the previous one."""
        self.env["ir.config_parameter"].set_param(
            "crm_event_editions.rollover_background_threshold", "1000")
        Job = type(self.Job)
        with patch.object(crm_edition_rollover_job, "BATCH_SIZE", 2), \
                patch.object(Job, "_rollover_batch", autospec=True,
                             side_effect=Job._rollover_batch) as batches:
            wizard = self._wizard()
            wizard.action_rollover()
        self.assertEqual([len(call.args[2]) for call in batches.call_args_list], [2, 2, 1])
        job = wizard.job_id
        self.assertEqual((job.done_count, job.created_count, job.progress), (5, 5, 100.0))
        self.assertEqual(job.last_source_id, self.leads.sorted("id")[-1].id)
        self.assertEqual(self._new_leads().crm_origin_lead_id, self.leads)
