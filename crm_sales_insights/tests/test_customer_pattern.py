from datetime import timedelta

from odoo.tests import tagged

from .common import InsightsCase


@tagged("post_install", "-at_install")
class TestCustomerPattern(InsightsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.key = Partner.create({"name": "Pattern Key", "is_company": True})
        cls.key_contact = Partner.create({"name": "Key Buyer", "parent_id": cls.key.id})
        cls.lapsing = Partner.create({"name": "Pattern Lapsing", "is_company": True})
        cls.newcomer = Partner.create({"name": "Pattern New", "is_company": True})
        cls.regular = Partner.create({"name": "Pattern Regular", "is_company": True})
        cls.key_leads = cls.env["crm.lead"]
        for index, (days, revenue) in enumerate(((600, 600000), (300, 300000), (100, 300000), (30, 300000))):
            cls.key_leads |= cls._won_lead(f"key_{index}", "phone_sales", cls.product_a, "se", revenue, days,
                                           partner=cls.key_contact if index else cls.key, team=cls.team_a)
        cls.lapsing_lead = cls._won_lead("lapsing_1", "phone_sales", cls.product_b, "se3", 50000, 500,
                                         partner=cls.lapsing, team=cls.team_b)
        cls.new_lead = cls._won_lead("new_1", "phone_sales", cls.product_b, "se3", 20000, 10,
                                     partner=cls.newcomer, team=cls.team_b)
        for index, days in enumerate((200, 150)):
            cls._won_lead(f"regular_{index}", "phone_sales", cls.product_b, "se3", 60000, days,
                          partner=cls.regular, team=cls.team_b)
        Param = cls.env["ir.config_parameter"].sudo()
        for key, value in (("window_days", 730), ("volume_high", 500000), ("volume_medium", 100000),
                           ("frequency_high", 2), ("frequency_low", 1), ("lapsed_days", 365), ("new_days", 90)):
            Param.set_param(f"crm_sales_insights.pattern_{key}", value)
        cls.Pattern = cls.env["crm.customer.pattern"]

    def _pattern(self, partner):
        return self.Pattern.search([("partner_id", "=", partner.id)])

    def test_batch_keeps_previous_and_current(self):
        self.Pattern._compute_patterns(as_of=self.today - timedelta(days=400))
        key = self._pattern(self.key)
        self.assertEqual((key.pattern_class, key.won_count, key.won_revenue), ("big_ticket", 1, 600000))
        self.assertEqual(self._pattern(self.lapsing).pattern_class, "occasional")
        self.assertFalse(self._pattern(self.newcomer))
        self.Pattern._compute_patterns()
        self.assertEqual((key.previous_class, key.pattern_class), ("big_ticket", "key_account"))
        self.assertEqual((key.won_count, key.won_revenue, key.purchases_per_year), (4, 1500000, 2.0))
        self.assertEqual(key.volume_class, "high")
        self.assertEqual(key.frequency_class, "frequent")
        self.assertEqual(key.date_changed, self.today)
        self.assertTrue(key.changed)
        lapsing = self._pattern(self.lapsing)
        self.assertEqual((lapsing.previous_class, lapsing.pattern_class), ("occasional", "lapsed"))
        self.assertEqual(lapsing.recency_days, 500)
        newcomer = self._pattern(self.newcomer)
        self.assertEqual((newcomer.previous_class, newcomer.pattern_class), (False, "new"))
        regular = self._pattern(self.regular)
        self.assertEqual(regular.pattern_class, "regular")
        self.assertIn("Key account", key.explanation)
        self.assertIn("1500000", key.explanation)
        # a second run changes nothing: the previous class stays
        self.Pattern._compute_patterns()
        self.assertEqual((key.previous_class, key.pattern_class), ("big_ticket", "key_account"))

    def test_thresholds_are_configurable_and_reopened_wins_drop(self):
        self.Pattern._compute_patterns()
        self.env["ir.config_parameter"].sudo().set_param("crm_sales_insights.pattern_volume_high", 2000000)
        self.new_lead.write({"stage_id": self.open_stage.id})
        self.Pattern._compute_patterns()
        key = self._pattern(self.key)
        self.assertEqual((key.previous_class, key.pattern_class), ("key_account", "loyal"))
        self.assertEqual(key.volume_class, "medium")
        newcomer = self._pattern(self.newcomer)
        self.assertEqual((newcomer.previous_class, newcomer.pattern_class), ("new", "none"))

    def test_batch_is_set_based(self):
        self.Pattern._compute_patterns()
        self.env.flush_all()
        # two statements whatever the number of accounts (no query per partner)
        with self.assertQueryCount(2):
            self.Pattern._compute_patterns()

    def test_non_managers_see_the_accounts_of_their_leads(self):
        self.Pattern._compute_patterns()
        ours = (self.key | self.lapsing | self.newcomer | self.regular).ids
        for role, expected in (("se", {self.key}), ("se3", {self.lapsing, self.newcomer, self.regular}),
                               ("p", set()), ("stl", {self.key, self.lapsing, self.newcomer, self.regular}),
                               ("pm", {self.key, self.lapsing, self.newcomer, self.regular})):
            with self.subTest(role=role):
                found = self.Pattern.with_user(self.users[role]).search([("partner_id", "in", ours)])
                self.assertEqual(set(found.partner_id), expected)
