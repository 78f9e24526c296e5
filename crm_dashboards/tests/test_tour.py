from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTours(HttpCase):
    """A role user logs in (demo logins, password = login) and lands on his department's
    dashboard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the bundles a dashboard loads lazily, generated once for the class (else every
        # tour regenerates them in its rolled-back transaction: 10 s on a loaded machine)
        qweb = cls.env["ir.qweb"]
        for bundle in ("web.chartjs_lib", "spreadsheet.o_spreadsheet", "bus.websocket_worker_assets"):
            assets = qweb._get_asset_bundle(bundle)
            assets.js()
            assets.css()

    def _tour(self, login, key):
        if not self.env["res.users"].search_count([("login", "=", login)]):
            self.skipTest("no demo data")
        self.start_tour("/odoo", f"crm_dashboards_home_{key}_tour", login=login, timeout=180)

    def test_production(self):
        self._tour("pm", "production")

    def test_research(self):
        self._tour("jre", "research")

    def test_marketing(self):
        self._tour("mm", "marketing")

    def test_phone_sales_team(self):
        self._tour("stl", "phone_team")

    def test_phone_sales_own(self):
        self._tour("se", "phone_own")
