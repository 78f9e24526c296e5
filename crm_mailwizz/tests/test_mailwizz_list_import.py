import csv
import io
import logging
import os
import time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import MailwizzCommon

_logger = logging.getLogger(__name__)
THRESHOLD_PARAM = "crm_campaign_mgmt.import_background_threshold"
# subscribers of the big-list test (the figure: MW_LIST_IMPORT_COUNT=10000)
BIG_LIST = int(os.environ.get("MW_LIST_IMPORT_COUNT") or 2500)


@tagged("post_install", "-at_install")
class TestMailwizzListImport(MailwizzCommon):
    """A MailWizz list into the CRM through the import pipeline, then pushed back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prospects_uid = cls.server.add_list(
            "Prospects", fields=[("PHONE", "Phone", "no"), ("COMPANY", "Company", "no"), ("CITY", "City", "no")])
        cls.backend._import_lists()
        cls.prospects = cls.backend.list_ids.filtered(lambda lst: lst.list_uid == cls.prospects_uid)
        cls.researcher = new_test_user(
            cls.env, login="mw_jre", name="MW Researcher", email="mw_jre@example.com",
            groups="base.group_user,crm_event_products.group_email_jre")
        cls.manager = new_test_user(
            cls.env, login="mw_cm", name="MW Campaign Manager", email="mw_cm@example.com",
            groups="base.group_user,crm_event_products.group_email_jme,crm_campaign_mgmt.group_campaign_manager")
        cls.env["crm.product.assignment"].create([
            {"product_id": cls.product.id, "user_id": user.id} for user in cls.researcher | cls.manager])

    def _seed(self, count, start=0, list_uid=None):
        return self.server.add_subscribers(list_uid or self.prospects_uid, [{
            "EMAIL": f"prospect{i}@example.com",
            "FNAME": f"First{i}",
            "LNAME": f"Last{i}",
            "PHONE": f"+91 9{i:09d}",
            "COMPANY": f"Company {i}",
            "CITY": "Mumbai",
        } for i in range(start, start + count)])

    def _import(self, user, **vals):
        wizard = self.env["mailwizz.list.import.wizard"].with_user(user).create(dict({
            "list_id": self.prospects.id,
            "event_id": self.product.id,
        }, **vals))
        wizard.action_import()
        return self.env["crm.campaign.import.job"].search(
            [("mailwizz_list_id", "=", self.prospects.id)], limit=1)

    def test_big_list_as_leads_in_background_then_repush_without_duplicate(self):
        count = BIG_LIST
        uids = self._seed(count)
        self.server.add_subscribers(self.prospects_uid, [
            {"EMAIL": "not-an-email", "FNAME": "Bad", "PHONE": "+91 9876500001"},
            {"EMAIL": "nophone@example.com", "FNAME": "NoPhone"},
        ])
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "1000")
        job = self._import(self.researcher)
        self.assertEqual(job.state, "queued")
        self.assertEqual(job.total_rows, count + 2)
        self.assertEqual(job.user_id, self.researcher)
        self.server.reset_calls()
        started = time.monotonic()
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        import_seconds = time.monotonic() - started
        self.assertEqual(job.state, "done", job.log)
        self.assertEqual((job.count_read, job.count_imported, job.count_invalid, job.count_duplicate),
                         (count + 2, count, 2, 0))
        # paged: the count, then pages of 50 (per_page), never the whole list at once
        self.assertEqual(len(self.server.calls("GET", r"/subscribers$")), 1 + -(-(count + 2) // 50))
        leads = self.env["crm.lead"].search([("crm_import_job_id", "=", job.id)])
        self.assertEqual(len(leads), count)
        self.assertEqual(leads.user_id, self.researcher)
        self.assertEqual(leads.event_id, self.product)
        lead0 = leads.filtered(lambda lead: lead.email_from == "prospect0@example.com")
        self.assertEqual((lead0.contact_first_name, lead0.partner_name, lead0.city),
                         ("First0", "Company 0", "Mumbai"))
        self.assertNotIn("SUBSCRIBER_UID", lead0.description or "")
        # the researcher sees his leads
        self.assertEqual(self.env["crm.lead"].with_user(self.researcher).search_count(
            [("crm_import_job_id", "=", job.id)]), count)
        # every lead has its subscriber, with MailWizz's uid
        subs = self._subs(self.prospects)
        self.assertEqual(len(subs), count)
        self.assertEqual(subs.lead_id, leads)
        self.assertEqual(set(subs.mapped("push_state")), {"synced"})
        self.assertEqual(set(subs.mapped("subscriber_uid")), set(uids))
        self.assertEqual(subs.filtered(lambda s: s.email == "prospect0@example.com").subscriber_uid, uids[0])
        # the rejected rows are in the error file, with the reason
        self.assertTrue(job.error_attachment_id)
        errors = list(csv.reader(io.StringIO(job.error_attachment_id.raw.decode("utf-8-sig"))))
        self.assertEqual(errors[0][-2:], ["SUBSCRIBER_UID", errors[0][-1]])
        self.assertEqual(len(errors), 3)
        reasons = " ".join(row[-1] for row in errors[1:])
        self.assertIn("not a valid email", reasons)
        self.assertIn("Phone: missing", reasons)

        # a re-push of the leads updates the same MailWizz subscribers, creates none
        leads[0].partner_name = "Renamed Co"
        self.server.reset_calls()
        self.prospects._enqueue(leads=leads)
        started = time.monotonic()
        ok, message, _auth = self.prospects._push_pending()
        push_seconds = time.monotonic() - started
        self.assertTrue(ok, message)
        _logger.info("MailWizz list import: %s subscribers imported as leads in %.1f s (%.0f rows/s), "
                     "re-pushed (updates only) in %.1f s", count, import_seconds,
                     (count + 2) / import_seconds, push_seconds)
        self.assertFalse(self.server.calls("POST", r"/subscribers/bulk$"))
        self.assertFalse(self.server.calls("POST", r"/subscribers$"))
        self.assertEqual(len(self.server.calls("PUT", r"/subscribers/[^/]+$")), count)
        server_subs = self._server_subs(self.prospects_uid)
        self.assertEqual(len(server_subs), count + 2)
        self.assertEqual(server_subs[leads[0].email_from]["COMPANY"], "Renamed Co")
        self.assertEqual(len(self._subs(self.prospects)), count)

        # imported again: every subscriber is a duplicate of the product's leads
        job2 = self._import(self.researcher)
        self.assertNotEqual(job2, job)
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual(job2.state, "done", job2.log)
        self.assertEqual((job2.count_imported, job2.count_duplicate, job2.count_invalid), (0, count, 2))
        self.assertEqual(self.env["crm.lead"].search_count([("event_id", "=", self.product.id),
                                                            ("email_from", "like", "prospect%")]), count)

    def test_interrupted_import_resumes_after_the_committed_batches(self):
        self._seed(1500)
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "1000")
        job = self._import(self.researcher)
        self.assertEqual(job.state, "queued")
        # MailWizz fails from the 26th page on (the count, 25 pages of 50 answered): the
        # first batch of 1,000 rows is in, the next 250 rows were not yet a batch
        self.server.add_fault("status", method="GET", path=r"/subscribers$", times=10, after=26)
        with mute_logger("odoo.addons.crm_campaign_mgmt.models.crm_campaign_import_job"):
            self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual(job.state, "failed")
        self.assertEqual((job.rows_done, job.count_imported), (1000, 1000))
        self.assertEqual(len(self._subs(self.prospects)), 1000)
        self.server.clear_faults()
        job.with_user(self.researcher).action_retry()
        self.assertEqual(job.state, "queued")
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual(job.state, "done", job.log)
        self.assertIn("Resumed after 1000 rows", job.log)
        self.assertEqual((job.count_read, job.count_imported, job.count_duplicate), (1500, 1500, 0))
        leads = self.env["crm.lead"].search([("crm_import_job_id", "=", job.id)])
        self.assertEqual(len(leads), 1500)
        self.assertEqual(len(set(leads.mapped("email_from"))), 1500)
        subs = self._subs(self.prospects)
        self.assertEqual(len(subs), 1500)
        self.assertEqual(subs.lead_id, leads)
        self.assertTrue(all(subs.mapped("subscriber_uid")))

    def test_small_list_as_campaign_targets_at_once(self):
        uids = self._seed(30)
        self.server.add_subscribers(self.prospects_uid, [
            {"EMAIL": "left@example.com", "PHONE": "+91 9876500002"}], status="unsubscribed")
        job = self._import(self.manager, import_type="targets", campaign_id=self.campaign.id,
                           subscriber_status="all")
        self.assertEqual(job.state, "done", job.log)
        self.assertEqual((job.count_imported, job.count_leads), (31, 31))
        targets = self.env["crm.campaign.target"].search([("job_id", "=", job.id)])
        self.assertEqual(len(targets), 31)
        self.assertTrue(all(targets.mapped("lead_id")))
        subs = self._subs(self.prospects)
        self.assertEqual(len(subs), 31)
        self.assertEqual(subs.target_id, targets)
        self.assertEqual(subs.lead_id, targets.lead_id)
        self.assertEqual(subs.campaign_id, self.campaign)
        self.assertTrue(set(uids) <= set(subs.mapped("subscriber_uid")))
        # who left the list in MailWizz is not mailed again
        left = subs.filtered(lambda s: s.email == "left@example.com")
        self.assertEqual((left.status, left.push_state), ("unsubscribed", "excluded"))
        self.assertTrue(left.lead_id.mailwizz_opt_out)
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", "left@example.com")]))

    def test_only_own_products_and_protected_fields(self):
        self._seed(3)
        other = self.product.copy({"name": "Not his summit"})
        with self.assertRaises(UserError):
            self._import(self.researcher, event_id=other.id)
        job = self._import(self.researcher)
        self.assertEqual((job.state, job.count_imported), ("done", 3))
        with self.assertRaises(AccessError):
            job.with_user(self.researcher).write({"mailwizz_list_id": self.mw_list.id})
        with self.assertRaises(AccessError):
            self.env["crm.campaign.import.job"].with_user(self.researcher).create({
                "name": "forged", "mailwizz_list_id": self.prospects.id})
        forged = self.env["crm.campaign.import.job"].with_user(self.researcher).with_context(
            default_mailwizz_list_id=self.prospects.id, default_mailwizz_status="confirmed").create(
            {"name": "forged"})
        self.assertFalse(forged.mailwizz_list_id or forged.mailwizz_status)
        # a list without a phone field cannot feed leads (the CRM needs one)
        with self.assertRaises(UserError):
            self.env["mailwizz.list.import.wizard"].with_user(self.researcher).create({
                "list_id": self.mw_list.id, "event_id": self.product.id}).action_import()
        # somebody else's wizard is not his
        wizard = self.env["mailwizz.list.import.wizard"].with_user(self.manager).create({
            "list_id": self.prospects.id, "event_id": self.product.id})
        self.assertFalse(self.env["mailwizz.list.import.wizard"].with_user(self.researcher).search(
            [("id", "=", wizard.id)]))
