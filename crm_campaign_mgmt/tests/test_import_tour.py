from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.manager = new_test_user(
            cls.env, login="cmp_import_tour_mgr", password="cmp_import_tour_mgr",
            name="Import Tour Manager",
            # a role implying the campaign manager group (it gives event.event read
            # access, which the bare technical group does not)
            groups="base.group_user,crm_event_products.group_email_sme")
        cls.product = cls.env["event.event"].create({
            "name": "Import Tour Summit",
            "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61),
        })
        cls.env["crm.product.assignment"].create(
            {"product_id": cls.product.id, "user_id": cls.manager.id})
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Import Tour Campaign",
            "event_id": cls.product.id,
            "manager_id": cls.manager.id,
        })

    def test_manager_imports_targets_from_campaign_form(self):
        self.assertTrue(self.manager.has_group("crm_campaign_mgmt.group_campaign_manager"))
        self.assertEqual(self.campaign.state, "draft")
        self.start_tour(
            f"/odoo/action-crm_campaign_mgmt.action_utm_campaign_mgmt/{self.campaign.id}",
            "crm_campaign_mgmt_import_targets_tour", login="cmp_import_tour_mgr")
        self.env.invalidate_all()
        job = self.env["crm.campaign.import.job"].search(
            [("campaign_id", "=", self.campaign.id)])
        self.assertEqual(len(job), 1)
        self.assertEqual(job.user_id, self.manager)
        self.assertEqual(job.state, "done")
        self.assertEqual(
            (job.count_read, job.count_imported, job.count_duplicate, job.count_invalid),
            (5, 3, 1, 1))
        self.assertTrue(job.error_attachment_id)
        targets = self.env["crm.campaign.target"].search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(targets.job_id, job)
        self.assertEqual(targets.event_id, self.product)
        self.assertEqual(
            sorted(targets.mapped("email")),
            ["asha.tour@example.com", "meera.tour@example.com", "rahul.tour@example.in"])
        asha = targets.filtered(lambda t: t.email == "asha.tour@example.com")
        self.assertEqual(asha.phone, "+919876543210")
        self.assertEqual(asha.company_name, "Acme Pharma")
        # the targets became the campaign's leads (no reps yet: in its pool)
        self.assertEqual(set(targets.mapped("state")), {"converted"})
        self.assertEqual(targets.lead_id.campaign_id, self.campaign)
        self.assertFalse(targets.lead_id.user_id)
        self.assertEqual(job.count_leads, 3)


@tagged("post_install", "-at_install")
class TestImportLeadsTour(HttpCase):
    def test_researcher_imports_his_leads(self):
        now = fields.Datetime.now()
        researcher = new_test_user(
            self.env, login="cmp_lead_tour_jre", password="cmp_lead_tour_jre",
            name="Tour Researcher", email="tour.jre@example.com",
            groups="base.group_user,crm_event_products.group_email_jre")
        marketer = new_test_user(
            self.env, login="cmp_lead_tour_jme", name="Tour Marketer",
            groups="base.group_user,crm_event_products.group_email_jme")
        product = self.env["event.event"].create({
            "name": "Lead Tour Summit",
            "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61),
        })
        self.env["crm.product.assignment"].create([
            {"product_id": product.id, "user_id": user.id} for user in researcher | marketer])
        self.start_tour("/odoo", "crm_campaign_mgmt_import_leads_tour",
                        login="cmp_lead_tour_jre")
        self.env.invalidate_all()
        job = self.env["crm.campaign.import.job"].search([("user_id", "=", researcher.id)])
        self.assertEqual((job.import_type, job.count_leads, job.count_invalid), ("leads", 3, 1))
        leads = job.lead_ids
        self.assertEqual(leads.create_uid, researcher)
        self.assertEqual(sorted(leads.mapped("phone")),
                         ["+442079460958", "+919830012345", "+919876543210"])
        tom = leads.filtered(lambda lead: lead.partner_name == "Hill Ltd")
        self.assertEqual(tom.country_id, self.env.ref("base.uk"))
        self.assertEqual(
            self.env["crm.lead"].with_user(marketer).search_count([("id", "in", leads.ids)]), 3)
