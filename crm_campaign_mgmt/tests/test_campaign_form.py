from odoo.tests import Form, tagged

from .common import CampaignCommon


@tagged("post_install", "-at_install")
class TestCampaignForm(CampaignCommon):
    """The campaign form of the marketing manager: one audience count, one lifecycle,
    the suite's campaigns only."""

    def test_no_audience_before_a_segment_is_set(self):
        self._create_leads(5)
        campaign = self._create_campaign()
        # "[]" is no segment (it would be the whole CRM): nothing counted, no stat button
        self.assertFalse(campaign.audience_has_segment)
        self.assertEqual(campaign.audience_lead_count, 0)
        campaign.audience_domain = "[('city', '=', 'Kolkata')]"
        self.assertTrue(campaign.audience_has_segment)
        self.assertEqual(campaign.audience_lead_count, 0)

    def test_one_audience_count_on_the_campaign_conference(self):
        self._create_leads(3, city="Kolkata")
        self._create_leads(2, city="Mumbai")
        other = self.env["event.event"].create({
            "name": "Other Summit", "date_begin": self.now, "date_end": self.now})
        self.env["crm.lead"].create({"name": "Elsewhere", "city": "Kolkata", "event_id": other.id})
        campaign = self._create_campaign(audience_domain="[('city', '=', 'Kolkata')]")
        # the count is the segment on the campaign's conference, as the audience action lists it
        self.assertEqual(campaign.audience_lead_count, 3)
        action = campaign.action_view_audience()
        self.assertEqual(self.env["crm.lead"].search_count(action["domain"]), 3)
        # a list audience has no segment count
        campaign.audience_type = "list"
        self.assertFalse(campaign.audience_has_segment)
        self.assertEqual(campaign.audience_lead_count, 0)

    def test_audience_count_is_the_readers(self):
        self._create_leads(3, city="Kolkata")
        campaign = self._create_campaign(audience_domain="[('city', '=', 'Kolkata')]")
        self.assertEqual(campaign.with_user(self.manager).audience_lead_count, 3)
        # a rep of the product sees none of the manager's unassigned leads
        self.assertEqual(campaign.with_user(self.rep1).audience_lead_count, 0)

    def test_new_campaign_form_shows_no_segment(self):
        self._create_leads(4)
        view = self.env.ref("crm_campaign_mgmt.utm_campaign_view_form_mgmt")
        with Form(self.env["utm.campaign"].with_user(self.manager), view=view) as form:
            form.title = "Form Campaign"
            self.assertEqual(form.audience_lead_count, 0)
            self.assertFalse(form.audience_has_segment)
            self.assertEqual(form.state, "draft")
        # the suite's lifecycle is its status; Odoo's UTM stage is not on the form
        arch = self.env["utm.campaign"].get_view(view.id, "form")["arch"]
        self.assertNotIn('name="stage_id"', arch)
        self.assertIn('name="state"', arch)

    def test_suite_campaigns_filter(self):
        campaign = self._create_campaign()
        self.assertTrue(campaign.code)
        stock = self.env["utm.campaign"].create({"title": "Stock UTM", "is_auto_campaign": True})
        self.assertFalse(stock.code)
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_campaign_mgmt.action_utm_campaign_mgmt")
        self.assertIn("search_default_filter_conference", action["context"])
        suite = self.env["utm.campaign"].search([("code", "!=", False)])
        self.assertIn(campaign, suite)
        self.assertNotIn(stock, suite)
        for xmlid in ("utm.utm_campaign_christmas_special", "utm.utm_campaign_fall_drive"):
            demo = self.env.ref(xmlid, raise_if_not_found=False)
            if demo:
                self.assertNotIn(demo, suite, f"{xmlid} is Odoo's demo campaign, not the suite's")
