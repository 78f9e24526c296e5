"""Attribution report (issue 11, part 3): leads per region cluster and platform against
the spend per platform; figures equal direct counts, each role sees its own leads."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_event_products.tests.common import ALL_ROLES, ConferenceCrmCase

CITIES = ["Kolkata", "Mumbai", "Pune", "Chennai", False]


@tagged("post_install", "-at_install")
class TestAttributionReport(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.attribution.report"]
        Source = cls.env["utm.source"]
        cls.linkedin = cls.env.ref("utm.utm_source_linkedin")
        cls.indiamart = Source.search([("name", "=", "IndiaMart")], limit=1) \
            or Source.create({"name": "IndiaMart"})
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Attribution campaign", "event_id": cls.product_a.id,
            "manager_id": cls.users["stl"].id})
        cls.hidden_campaign = cls.env["utm.campaign"].create({
            "title": "Campaign of a disabled product", "event_id": cls.product_disabled.id})
        sources = [cls.linkedin, cls.indiamart, Source]
        cls.all_leads = cls.env["crm.lead"].browse([lead.id for lead in cls.leads.values()])
        for index, lead in enumerate(cls.all_leads.sorted("id")):
            lead.write({
                "city": CITIES[index % len(CITIES)],
                "source_id": sources[index % len(sources)].id,
                "campaign_id": cls.campaign.id,
            })
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.won = cls.leads["own_se"] | cls.leads["phone_a_team"] | cls.leads["own_jme"]
        cls.won.write({"stage_id": won_stage.id, "expected_revenue": 50000.0})
        channels = {
            "linkedin": cls.env.ref("crm_campaign_mgmt.platform_linkedin"),
            "indiamart": cls.env.ref("crm_campaign_mgmt.platform_indiamart"),
            "whatsapp": cls.env.ref("crm_campaign_mgmt.channel_whatsapp"),
        }
        cls.costs = cls.env["crm.campaign.cost"].create([
            {"campaign_id": cls.campaign.id, "channel_id": channels["linkedin"].id,
             "amount": 12000.0, "name": "LinkedIn ads"},
            {"campaign_id": cls.campaign.id, "channel_id": channels["indiamart"].id,
             "amount": 6000.0, "name": "IndiaMart listing"},
            {"campaign_id": cls.campaign.id, "channel_id": channels["whatsapp"].id,
             "amount": 500.0, "name": "WhatsApp (no lead of that platform)"},
            {"campaign_id": cls.hidden_campaign.id, "channel_id": channels["linkedin"].id,
             "amount": 999.0},
        ])
        cls.domain = [("campaign_id", "=", cls.campaign.id)]

    def _direct(self, leads, region, source):
        return leads.filtered(lambda lead: lead.region_cluster == (region or False)
                              and lead.source_id.id == (source.id if source else False))

    def test_figures_equal_direct_counts(self):
        self.assertEqual(set(self.all_leads.mapped("region_cluster")), {"East", "West", "South", False})
        figures = self.Report._get_figures(self.domain, ["region_cluster", "source_id"])
        leads = self.all_leads
        for (region, source), values in figures.items():
            direct = self._direct(leads, region, source)
            with self.subTest(region=region, source=source.name):
                self.assertEqual(values["lead_count"], len(direct))
                self.assertEqual(values["won_count"], len(direct & self.won))
                self.assertAlmostEqual(values["revenue"], 50000.0 * len(direct & self.won))
        self.assertEqual(sum(v["lead_count"] for v in figures.values()), len(leads))
        self.assertEqual(sum(v["won_count"] for v in figures.values()), 3)
        # spend: every cost once, split over the regions of the platform's leads
        self.assertAlmostEqual(sum(v["spend"] for v in figures.values()), 18500.0)
        linkedin_leads = leads.filtered(lambda lead: lead.source_id == self.linkedin)
        for region in set(linkedin_leads.mapped("region_cluster")):
            share = len(self._direct(leads, region, self.linkedin)) / len(linkedin_leads)
            values = figures[(region, self.linkedin)]
            self.assertAlmostEqual(values["spend"], 12000.0 * share, places=2)
            self.assertAlmostEqual(values["cost_per_lead"], values["spend"] / values["lead_count"],
                                   places=2)
        # a cost without lead of its platform stays unallocated (no region, no platform)
        self.assertAlmostEqual(figures[(False, self.env["utm.source"])]["spend"], 500.0)

    def test_pivot_ratios_are_ratios_of_sums(self):
        groups = self.Report.read_group(
            self.domain, ["lead_count", "spend", "revenue", "cost_per_lead", "roi"],
            ["source_id"], lazy=False)
        by_source = {group["source_id"] and group["source_id"][0]: group for group in groups}
        linkedin = by_source[self.linkedin.id]
        self.assertAlmostEqual(linkedin["spend"], 12000.0, places=2)
        self.assertAlmostEqual(linkedin["cost_per_lead"], 12000.0 / linkedin["lead_count"], places=2)
        self.assertAlmostEqual(
            linkedin["roi"], (linkedin["revenue"] - 12000.0) / 12000.0 * 100.0, places=2)
        total = self.Report.read_group(self.domain, ["lead_count", "spend", "roi"], [])[0]
        self.assertEqual(total["lead_count"], len(self.all_leads))
        self.assertAlmostEqual(total["roi"], (150000.0 - 18500.0) / 18500.0 * 100.0, places=2)
        self.assertNotIn("revenue", total)

    def test_each_role_sees_the_figures_of_its_leads(self):
        for role in ALL_ROLES:
            user = self.users[role]
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(user).with_context(active_test=False)
                visible = Lead.search(self.domain)
                self.assertTrue(visible, f"{role} reads no lead of the fixture")
                self.assertLess(len(visible), len(self.all_leads), f"{role} reads every lead")
                Report = self.Report.with_user(user)
                rows = Report.search(self.domain + [("row_type", "=", "lead")])
                self.assertEqual(set(rows.mapped("lead_ref")), set(visible.ids))
                figures = Report._get_figures(self.domain, ["region_cluster", "source_id"])
                self.assertEqual(sum(v["lead_count"] for v in figures.values()), len(visible))
                for (region, source), values in figures.items():
                    self.assertEqual(values["lead_count"],
                                     len(self._direct(visible, region, source)))
                    self.assertEqual(values["won_count"],
                                     len(self._direct(visible, region, source) & self.won))
                # spend rows follow the campaign: the disabled product's are hidden
                spend = Report.search([("row_type", "=", "spend")])
                self.assertIn(self.campaign, spend.campaign_id)
                self.assertNotIn(self.hidden_campaign, spend.campaign_id)
                read = Report.search_read(self.domain, ["lead_ref", "region_cluster"])
                self.assertTrue({r["lead_ref"] for r in read if r["lead_ref"]} <= set(visible.ids))

    def test_administrator_sees_everything(self):
        Report = self.Report.with_user(self.admin)
        rows = Report.search(self.domain + [("row_type", "=", "lead")])
        self.assertEqual(set(rows.mapped("lead_ref")), set(self.all_leads.ids))
        self.assertIn(self.hidden_campaign, Report.search([("row_type", "=", "spend")]).campaign_id)

    def test_lead_figures_from_crm_lead_equal_the_view(self):
        """Lead measures come from crm.lead's grouped read: same groups and figures as
        the view's lead rows, for every role, grouping and filter the pivot offers."""
        measures = ["lead_count", "won_count", "revenue", "spend", "cost_per_lead", "roi"]
        today = fields.Date.context_today(self.Report)
        domains = [
            [], self.domain, [("row_type", "=", "lead")], [("row_type", "=", "spend")],
            [("region_cluster", "!=", False), ("source_id", "!=", False)],
            ["|", ("date", ">=", today), ("date", "=", False)],
            [("date", "<", today - timedelta(days=1))],
            [("date", "=", today), ("campaign_id.event_id", "=", self.product_a.id)],
        ]
        groupings = [["region_cluster", "source_id"], ["date:month"], ["event_id", "user_id"],
                     ["campaign_id"], ["date:day", "team_id"], []]
        cases = [(domain, ["region_cluster", "source_id"]) for domain in domains]
        cases += [(domain, groupby) for groupby in groupings for domain in ([], self.domain)]
        for role in ("admin", *ALL_ROLES):
            user = self.admin if role == "admin" else self.users[role]
            Report = self.Report.with_user(user)
            for domain, groupby in cases:
                with self.subTest(role=role, domain=domain, groupby=groupby):
                    new = Report.read_group(domain, measures, groupby, lazy=False)
                    old = Report.with_context(attribution_from_view=True).read_group(
                        domain, measures, groupby, lazy=False)
                    self.assertEqual(self._comparable(new), self._comparable(old))

    def test_lead_figures_read_crm_lead_not_the_view(self):
        """The lead rows of the view are never read: the spend rows (JIT off and back), the
        won stages, one grouped read of the lead roll-up and the order of the platforms,
        whatever the number of leads."""
        Report = self.Report.with_user(self.users["stl"])
        Report.read_group([], ["lead_count", "spend"], ["region_cluster", "source_id"], lazy=False)
        with self.assertQueryCount(6):
            Report.read_group([], ["lead_count", "spend"], ["region_cluster", "source_id"], lazy=False)

    def test_lead_figures_from_the_rollup_equal_the_leads(self):
        """Every role's lead figures are served by the attribution roll-up (its rules read
        only the roll-up's columns) and equal the leads' own grouped read, also after leads
        are created, changed and deleted (triggers) and after the roll-up is compacted."""
        measures = ["lead_count", "won_count", "revenue", "spend"]
        groupings = [["region_cluster", "source_id"], ["date:month"], ["date:quarter"],
                     ["event_id"], ["campaign_id", "user_id"], ["team_id"], []]
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)

        def check(step):
            for role in ("admin", *ALL_ROLES):
                user = self.admin if role == "admin" else self.users[role]
                Lead = self.env["crm.lead"].with_user(user).with_context(active_test=False)
                self.assertIsNotNone(Lead._attribution_rollup_read([], ["event_id"]),
                                     f"{role}: the lead rules read a column the roll-up lacks")
                Report = self.Report.with_user(user)
                for groupby in groupings:
                    with self.subTest(step=step, role=role, groupby=groupby):
                        rolled = Report.read_group([], measures, groupby, lazy=False)
                        read = Report.with_context(crm_lead_rollup=False).read_group(
                            [], measures, groupby, lazy=False)
                        self.assertEqual(self._comparable(rolled), self._comparable(read))
                        self.assertEqual([type(group["__count"]) for group in rolled],
                                         [int] * len(rolled))

        check("initial")
        new = self.env["crm.lead"].create([
            {"name": f"Roll-up lead {index}", "event_id": self.product_a.id,
             "user_id": self.users["se"].id, "department_id": self.departments["phone_sales"].id,
             "source_id": self.linkedin.id, "campaign_id": self.campaign.id, "city": "Pune"}
            for index in range(3)])
        (new[0] | self.leads["phone_a_team"]).write(
            {"stage_id": won_stage.id, "expected_revenue": 1234.5, "city": "Kolkata"})
        self.leads["own_jme"].write({"source_id": self.indiamart.id})
        (new[1] | self.leads["own_se"]).unlink()
        check("after changes")
        self.env["crm.lead"]._rollup_compact()
        check("compacted")
        self.env["crm.lead"]._rollup_rebuild()
        check("rebuilt")

    @staticmethod
    def _comparable(groups):
        return [{key: round(value, 4) if isinstance(value, float) else value
                 for key, value in group.items() if key != "__domain"} for group in groups]
