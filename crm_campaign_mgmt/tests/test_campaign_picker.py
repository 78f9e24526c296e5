"""Issue 13: the campaign pickers offer, and the server accepts, only the campaigns the
user may use: the suite's campaigns of his products and those he runs or works as a rep;
administrators, all of the suite's."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase

PICKERS = [
    ("crm.lead", "campaign_id"),
    ("crm.campaign.target", "campaign_id"),
    ("crm.lead.assignment", "campaign_id"),
    ("crm.message.template", "campaign_id"),
]


@tagged("post_install", "-at_install")
class TestCampaignPicker(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Campaign = cls.env["utm.campaign"]
        cls.campaign_a = Campaign.create(
            {"title": "Picker A", "event_id": cls.product_a.id, "manager_id": cls.users["stl"].id})
        cls.campaign_b = Campaign.create(
            {"title": "Picker B", "event_id": cls.product_b.id, "manager_id": cls.users["stl2"].id})
        # product B's campaign on which the SE of product A is a rep
        cls.campaign_b_rep = Campaign.create({
            "title": "Picker B with rep", "event_id": cls.product_b.id,
            "manager_id": cls.users["stl2"].id, "rep_ids": [(6, 0, cls.users["se"].ids)]})
        # product B's campaign run by marketing: the Head of Marketing's too (he sees the
        # leads of every running product but Phone Sales')
        cls.campaign_b_email = Campaign.create(
            {"title": "Picker B Email", "event_id": cls.product_b.id, "manager_id": cls.admin.id})
        # Odoo's own kind of campaign (stock demo, utm links): no campaign ID
        cls.stock = Campaign.create({"title": "Picker Stock", "name": "Picker Stock"})
        cls.stock.code = False
        cls.picked = cls.campaign_a | cls.campaign_b | cls.campaign_b_rep | cls.campaign_b_email | cls.stock

    def _offered(self, user, model="crm.lead", field="campaign_id"):
        """The campaigns the picker offers ``user``: the field's domain, as the web client
        sends it with the name_search of the many2one."""
        Model = self.env[model].with_user(user)
        domain = safe_eval(Model.fields_get([field])[field]["domain"])
        found = Model.env["utm.campaign"].name_search("Picker", domain, limit=None)
        return self.env["utm.campaign"].browse([cid for cid, _name in found]) & self.picked

    def test_pickers_offer_the_campaigns_of_ones_products(self):
        for model, field in PICKERS:
            for role in ("p2", "pm", "jre", "mm", "se", "stl", "sm"):
                expected = self.campaign_a | self.campaign_b_rep if role == "se" else self.campaign_a
                self.assertEqual(self._offered(self.users[role], model, field), expected, f"{model} {role}")
            for role in ("se3", "stl2"):  # product B's
                self.assertEqual(self._offered(self.users[role], model, field),
                                 self.campaign_b | self.campaign_b_rep | self.campaign_b_email, model)
            self.assertEqual(self._offered(self.users["hm"], model, field),
                             self.campaign_a | self.campaign_b_email, model)
            self.assertEqual(self._offered(self.admin, model, field),
                             self.picked - self.stock,
                             "administrators: every campaign of the suite, no stock UTM one")

    def test_a_campaign_one_creates_is_offered(self):
        own = self.env["utm.campaign"].with_user(self.users["se3"]).create({"title": "Picker own"})
        usable = [("crm_usable", "=", True)]
        self.assertIn(own, self.env["utm.campaign"].with_user(self.users["se3"]).search(usable))
        self.assertNotIn(own, self.env["utm.campaign"].with_user(self.users["se2"]).search(usable))
        self.assertIn(own, self.env["utm.campaign"].with_user(self.users["se2"]).search(
            [("crm_usable", "=", False)]))

    def test_server_refuses_another_campaign_on_a_lead(self):
        lead = self.leads["own_se"].with_user(self.users["se"])
        with self.assertRaises(AccessError):
            lead.write({"campaign_id": self.campaign_b.id})
        with self.assertRaises(AccessError):
            lead.write({"campaign_id": self.stock.id})
        lead.write({"campaign_id": self.campaign_a.id})
        lead.write({"campaign_id": self.campaign_b_rep.id})
        self.assertEqual(lead.campaign_id, self.campaign_b_rep)
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.users["se"]).create({
                "name": "Picker lead", "event_id": self.product_a.id, "campaign_id": self.campaign_b.id})
        # administrators use any campaign; the superuser's flows are not checked
        self.leads["own_se"].with_user(self.admin).write({"campaign_id": self.campaign_b.id})
        self.leads["own_se"].write({"campaign_id": self.stock.id})

    def test_server_refuses_another_campaign_on_targets_templates_assignments(self):
        Target = self.env["crm.campaign.target"].with_user(self.users["se"])
        with self.assertRaises(AccessError):
            Target.create({"campaign_id": self.campaign_b.id, "email": "t@example.com", "phone": "+919876543210"})
        target = Target.create({"campaign_id": self.campaign_a.id, "email": "t@example.com",
                                "phone": "+919876543210"})
        with self.assertRaises(AccessError):
            target.write({"campaign_id": self.campaign_b.id})
        Template = self.env["crm.message.template"].with_user(self.users["stl2"])
        with self.assertRaises(AccessError):
            Template.create({"name": "Picker", "body": "Hello", "campaign_id": self.campaign_a.id})
        Template.create({"name": "Picker", "body": "Hello", "campaign_id": self.campaign_b.id})
        Assignment = self.env["crm.lead.assignment"].with_user(self.users["stl"])
        with self.assertRaises(AccessError):
            Assignment.create({"lead_id": self.leads["own_se"].id, "user_id": self.users["se"].id,
                               "campaign_id": self.campaign_b.id})
        Assignment.create({"lead_id": self.leads["own_se"].id, "user_id": self.users["se"].id,
                           "campaign_id": self.campaign_a.id})
