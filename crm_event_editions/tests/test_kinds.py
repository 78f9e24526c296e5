from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestContactKinds(EditionsCase):
    def test_speaker_conversion_sets_kind(self):
        lead = self._lead("conv", self.new, self.p)
        self.assertFalse(lead.crm_contact_kind)
        lead.with_user(self.p).action_convert_to_speaker()
        self.assertEqual(lead.crm_contact_kind, "speaker")

    def test_kind_speaker_converts_and_back(self):
        lead = self._lead("kind", self.new, self.p, kind="prospect_speaker")
        self.assertFalse(lead.is_speaker)
        lead.with_user(self.p).crm_contact_kind = "speaker"
        self.assertTrue(lead.is_speaker)
        lead.with_user(self.p).action_speaker_unlock()
        lead.with_user(self.p).crm_contact_kind = "delegate"
        self.assertFalse(lead.is_speaker)
        self.assertFalse(lead.speaker_unlocked)
        self.assertEqual(lead.crm_contact_kind, "delegate")

    def test_unflag_speaker_makes_prospect(self):
        lead = self._lead("unflag", self.new, self.p, kind="speaker")
        self.assertTrue(lead.is_speaker)
        lead.with_user(self.p).is_speaker = False
        self.assertEqual(lead.crm_contact_kind, "prospect_speaker")

    def test_only_production_makes_speakers(self):
        lead = self._lead("mkt", self.new, self.jme, department=self.email_sales)
        # any other kind is anybody's to set on leads they may write
        lead.with_user(self.jme).crm_contact_kind = "delegate"
        self.assertEqual(lead.crm_contact_kind, "delegate")
        with self.assertRaises(AccessError):
            lead.with_user(self.jme).crm_contact_kind = "speaker"
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.jme).create({
                "name": "x", "event_id": self.new.id, "department_id": self.email_sales.id,
                "crm_contact_kind": "speaker"})

    def test_bulk_create_syncs_speaker(self):
        leads = self.env["crm.lead"].with_user(self.p)._bulk_create([
            {"name": "b1", "event_id": self.new.id, "department_id": self.production.id,
             "crm_contact_kind": "speaker"},
            {"name": "b2", "event_id": self.new.id, "department_id": self.production.id,
             "crm_contact_kind": "sponsor"},
        ])
        self.assertEqual(leads.mapped("is_speaker"), [True, False])
        self.assertEqual(leads.mapped("crm_contact_kind"), ["speaker", "sponsor"])

    def test_kind_search_and_group(self):
        self._lead("g1", self.new, self.p, kind="sponsor")
        self._lead("g2", self.new, self.p, kind="sponsor")
        groups = self.env["crm.lead"].read_group(
            [("event_id", "=", self.new.id)], ["crm_contact_kind"], ["crm_contact_kind"])
        counts = {g["crm_contact_kind"]: g["crm_contact_kind_count"] for g in groups}
        self.assertEqual(counts.get("sponsor"), 2)
