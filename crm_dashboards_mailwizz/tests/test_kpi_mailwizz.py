from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestKpiMailwizz(ConferenceCrmCase):
    """MailWizz campaigns in the KPI roll-up: emails sent and leads contacted by email,
    for the campaign's manager on its sending day, seen like the leads they count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("crm_dashboards.kpi_watermark_overlap_minutes", 0)
        cls.Kpi = cls.env["crm.kpi.daily"]
        cls.today = fields.Date.context_today(cls.Kpi)
        # no network: nothing here calls the backend
        backend = cls.env["mailwizz.backend"].sudo().create(
            {"name": "MW", "base_url": "http://127.0.0.1:9", "api_version": "2"})
        cls.mw_list = cls.env["mailwizz.list"].sudo().create(
            {"backend_id": backend.id, "list_uid": "list-1", "name": "Delegates"})
        Campaign = cls.env["utm.campaign"].sudo()
        cls.manager = cls.users["jre2"]
        cls.campaign = Campaign.create({
            "title": "MailWizz campaign", "event_id": cls.product_a.id, "audience_domain": "[]",
            "manager_id": cls.manager.id})
        cls.campaign.write({"mailwizz_sent": 250, "date_sent": fields.Datetime.now()})
        # pushed but not sent yet: counts for nobody
        cls.unsent = Campaign.create({
            "title": "MailWizz draft", "event_id": cls.product_a.id, "audience_domain": "[]",
            "manager_id": cls.manager.id})
        leads = cls.leads
        cls.subscriber = cls.env["mailwizz.subscriber"].sudo()
        cls.subscriber.create([
            cls._sub("a@example.com", leads["email_a_research"], cls.campaign),
            cls._sub("b@example.com", leads["prod_a"], cls.campaign),
            cls._sub("c@example.com", leads["phone_a_team"], cls.campaign),
            cls._sub("d@example.com", False, cls.campaign),  # a list member without lead
            cls._sub("e@example.com", leads["own_jre"], cls.campaign, push_state="failed"),
            cls._sub("f@example.com", leads["own_se"], cls.unsent),
        ])
        cls.Kpi._refresh(full=True)

    @classmethod
    def _sub(cls, email, lead, campaign, push_state="synced"):
        return {"list_id": cls.mw_list.id, "email": email, "lead_id": lead.id if lead else False,
                "campaign_id": campaign.id, "push_state": push_state}

    def _rows(self, kpi, user=None):
        return self.Kpi.sudo().search([("user_id", "=", (user or self.manager).id), ("kpi", "=", kpi)])

    def test_emails_sent(self):
        rows = self._rows("emails_sent")
        self.assertEqual(sum(rows.mapped("value")), 250)
        self.assertEqual((rows.date, rows.event_id, rows.department_id),
                         (self.today, self.product_a, self.departments["email_sales"]))
        # the campaign's new statistics move its manager's figure at the next refresh
        self.campaign.write({"mailwizz_sent": 300})
        self.Kpi._refresh()
        self.assertEqual(sum(self._rows("emails_sent").mapped("value")), 300)
        # the campaign of the responsible when it has no manager
        self.campaign.write({"manager_id": False, "user_id": self.users["jme"].id})
        self.Kpi._refresh()
        self.assertEqual(sum(self._rows("emails_sent", self.users["jme"]).mapped("value")), 300)

    def test_leads_contacted_by_email(self):
        rows = self._rows("leads_contacted_email")
        # the three leads pushed for the sent campaign: not the failed push, the address
        # without lead, nor the campaign not sent yet
        self.assertEqual(sum(rows.mapped("value")), 3)
        self.assertEqual(sum(rows.filtered(lambda r: r.team_id == self.team_a).mapped("value")), 1)
        self.assertEqual(set(rows.event_id), {self.product_a})
        self.subscriber.create(self._sub("g@example.com", self.leads["own_sse"], self.campaign))
        self.Kpi._refresh()
        self.assertEqual(sum(self._rows("leads_contacted_email").mapped("value")), 4)

    def test_roles_see_their_rows_only(self):
        """The rows of a marketer's campaign (email sales department, product A): himself, his
        department's managers on product A, the Head of Marketing, the administrators; the
        team leader of team A only the contacts of his team's leads; no one else."""
        mine = [("user_id", "=", self.manager.id)]
        everything = self.Kpi.sudo().search(mine)
        team_rows = everything.filtered(lambda r: r.team_id == self.team_a)
        self.assertTrue(team_rows and team_rows != everything)
        expected = dict.fromkeys(("jme", "sme", "mm", "hm"), everything)
        expected.update(dict.fromkeys(("p", "pm", "jre", "se", "sse", "stl2"), self.Kpi))
        expected["stl"] = team_rows
        for role, rows in expected.items():
            with self.subTest(role=role):
                self.assertEqual(self.Kpi.with_user(self.users[role]).search(mine), rows)
        self.assertEqual(self.Kpi.with_user(self.manager).search(mine), everything)
        self.assertEqual(self.Kpi.with_user(self.admin).search(mine), everything)
