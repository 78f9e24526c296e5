"""Region cluster of every lead (issue 11, part 3): set by both imports from the address
of the row, computed from the address for leads created otherwise."""

import json

from odoo import fields
from odoo.tests import tagged

from .test_lead_import import HEADER, LeadImportCase, rows
from .test_target_import import csv_file


@tagged("post_install", "-at_install")
class TestLeadRegionCluster(LeadImportCase):

    def _lead(self, **vals):
        return self.env["crm.lead"].create(dict({
            "name": "Region lead", "type": "lead", "event_id": self.product.id,
            "user_id": self.researcher.id,
        }, **vals))

    def test_lead_import_sets_region_cluster(self):
        data = csv_file([HEADER] + rows(4) + [
            ["Person M", "m@company-m.example.com", "9811111111", "Company M", "Andheri East, Mumbai",
             "", "India", "LinkedIn"],
            ["Person X", "x@company-x.example.com", "9822222222", "Company X", "Nowhere", "",
             "India", "LinkedIn"],
        ])
        job, _action = self._import(self.researcher, data)
        leads = job.lead_ids.sorted("id")
        self.assertEqual(len(leads), 6)
        self.assertEqual(leads[:4].mapped("region_cluster"), ["East"] * 4)
        self.assertEqual(leads[4].region_cluster, "West")
        self.assertFalse(leads[5].region_cluster)
        self.assertEqual(set(leads.source_id.mapped("name")), {"IndiaMart", "LinkedIn"})
        # the lead search view groups by it, as the importer
        groups = self.env["crm.lead"].with_user(self.researcher)._read_group(
            [("crm_import_job_id", "=", job.id)], ["region_cluster"], ["__count"])
        self.assertEqual(dict(groups), {"East": 4, "West": 1, False: 1})

    def test_target_import_sets_region_cluster(self):
        campaign = self.env["utm.campaign"].with_user(self.manager).create({
            "title": "Region campaign", "event_id": self.product.id,
            "manager_id": self.manager.id,
            "rep_ids": [fields.Command.set(self.reps.ids)],
        })
        data = csv_file([HEADER] + rows(3) + [
            ["Person C", "c@company-c.example.com", "9833333333", "Company C", "Chennai", "",
             "India", "IndiaMart"],
        ])
        job, _action = self._import(self.manager, data, import_type="targets",
                                    campaign_id=campaign.id)
        leads = job.lead_ids.sorted("id")
        self.assertEqual(len(leads), 4)
        self.assertEqual(leads.mapped("region_cluster"), ["East", "East", "East", "South"])
        self.assertEqual(leads.mapped("region_cluster"),
                         job.target_ids.sorted("id").mapped("region_cluster"))

    def test_computed_for_leads_created_otherwise(self):
        maharashtra = self.env.ref("base.state_in_mh")
        lead = self._lead(state_id=maharashtra.id, country_id=self.india.id)
        self.assertEqual(lead.region_cluster, "West")
        lead.write({"state_id": False, "city": "Bengaluru"})
        self.assertEqual(lead.region_cluster, "South")
        lead.city = "Atlantis"
        self.assertFalse(lead.region_cluster)
        # a value given at creation (an import's) is kept; the user may correct it
        given = self._lead(city="Kolkata", region_cluster="North East")
        self.assertEqual(given.region_cluster, "North East")
        given.region_cluster = "East"
        self.assertEqual(given.region_cluster, "East")
        # the configured clusters of the imports apply here too
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.region_clusters", json.dumps({"Bengal": ["West Bengal"]}))
        self.assertEqual(self._lead(city="Kolkata").region_cluster, "Bengal")

    def test_batch_compute_reads_no_state_per_lead(self):
        """The compute costs the same queries for 2 leads as for 20 (no query per lead)."""
        states = self.env["res.country.state"].search([("country_id", "=", self.india.id)], limit=20)
        leads = self.env["crm.lead"].create([
            {"name": f"Lead {i}", "type": "lead", "event_id": self.product.id,
             "state_id": state.id, "country_id": self.india.id}
            for i, state in enumerate(states)])
        self.assertEqual(len(leads), 20)

        def queries(records):
            self.env.invalidate_all()
            records = records.browse(records.ids)
            before = self.env.cr.sql_log_count
            records._compute_region_cluster()
            return self.env.cr.sql_log_count - before

        queries(leads[:2])  # warm the registry caches (configuration parameter)
        self.assertEqual(queries(leads), queries(leads[:2]))
        self.assertIn("East", leads.mapped("region_cluster"))
