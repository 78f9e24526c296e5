from datetime import date, timedelta

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRolloverTour(HttpCase):
    """The demo Production Manager (login ``pm``) rolls an edition over from its form."""

    def test_production_manager_rolls_over(self):
        pm = self.env.ref("crm_event_products.user_demo_pm")
        producer = self.env.ref("crm_event_products.user_demo_p")
        production = self.env.ref("crm_event_products.crm_department_production")
        series = self.env["crm.event.series"].create({"name": "Tour Summit"})
        today = date.today()
        past, new = self.env["event.event"].create([{
            "name": name, "crm_series_id": series.id, "crm_edition_year": year,
            "crm_cycle_start": start, "date_begin": start + timedelta(days=80),
            "date_end": start + timedelta(days=82),
        } for name, year, start in (
            ("Tour Summit (past)", 1991, today - timedelta(days=500)),
            ("Tour Summit (new)", 1992, today - timedelta(days=10)),
        )])
        self.env["crm.product.assignment"].create([
            {"product_id": edition.id, "user_id": user.id}
            for edition in (past, new) for user in (pm, producer)])
        self.env["crm.lead"].create([{
            "name": f"Tour lead {kind}", "type": "lead", "event_id": past.id,
            "department_id": production.id, "user_id": producer.id, "team_id": False,
            "email_from": f"tour.{kind}@example.com", "crm_contact_kind": kind,
        } for kind in ("speaker", "sponsor", "delegate", "prospect_sponsor")])
        past.action_crm_lock()
        self.start_tour(f"/odoo/action-crm_event_products.action_crm_products/{new.id}",
                        "crm_event_editions_rollover_tour", login="pm")
        self.env.invalidate_all()
        job = self.env["crm.edition.rollover.job"].search([("target_event_id", "=", new.id)])
        self.assertEqual((job.user_id, job.state, job.created_count), (pm, "done", 3))
        leads = self.env["crm.lead"].search([("event_id", "=", new.id)])
        self.assertEqual(leads.create_uid, pm)
        self.assertEqual(sorted(leads.mapped("crm_contact_kind")),
                         ["prospect_delegate", "prospect_speaker", "prospect_sponsor"])
        self.assertEqual(new.crm_rollover_job_count, 1)
