from datetime import timedelta

from odoo import fields

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


class DashboardCase(ConferenceCrmCase):
    """The conference company of crm_event_products plus some activity: mail traces,
    responses, an import and a won lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kpi = cls.env["crm.kpi.daily"]
        cls.today = fields.Date.context_today(cls.Kpi)
        cls.yesterday = cls.today - timedelta(days=1)
        now = fields.Datetime.now()
        leads = cls.leads
        trace_vals = []
        for key, owner, count, when in (
            ("prod_a", "p2", 3, now),
            ("email_a_research", "jre2", 2, now),
            ("phone_a_team", "se2", 4, now),
            ("phone_b_team", "se3", 1, now),
            ("phone_a_team", "se2", 2, now - timedelta(days=1)),
        ):
            lead = leads[key]
            trace_vals += [{
                "lead_id": lead.id, "event_id": lead.event_id.id, "user_id": cls.users[owner].id,
                "email": f"{key}-{i}@example.com", "state": "sent", "sent_datetime": when,
            } for i in range(count)]
        # not sent: not counted
        trace_vals.append({"lead_id": leads["prod_a"].id, "event_id": cls.product_a.id,
                           "user_id": cls.users["p2"].id, "email": "x@example.com", "state": "outgoing"})
        cls.traces = cls.env["crm.mail.trace"].sudo().create(trace_vals)
        cls.campaign = cls.env["utm.campaign"].sudo().create(
            {"title": "Dashboard campaign", "event_id": cls.product_a.id, "audience_domain": "[]"})
        cls.responses = cls.env["crm.campaign.response"].sudo().create([
            {"lead_id": leads["phone_a_team"].id, "event_id": cls.product_a.id, "user_id": cls.users["se2"].id,
             "email": "r1@example.com", "date": now, "campaign_id": cls.campaign.id},
            {"lead_id": leads["own_sse"].id, "event_id": cls.product_a.id, "user_id": cls.users["se2"].id,
             "email": "r2@example.com", "date": now, "state": "converted", "date_converted": now,
             "campaign_id": cls.campaign.id},
        ])
        job = cls.env["crm.campaign.import.job"].sudo().create({"name": "research.csv"})
        cls.imported = cls.env["crm.lead"].with_user(cls.users["jre2"]).sudo(False).create([
            cls._lead_vals(f"imp_{i}", "email_sales", cls.product_a, "jre2") for i in range(3)
        ])
        cls.imported.sudo().write({"crm_import_job_id": job.id})
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        leads["phone_a_team"].sudo().write({"stage_id": won_stage.id})
        cls.Kpi._refresh(full=True)

    def kpi_value(self, user, kpi, date=None, records=None):
        domain = [("user_id", "=", user.id), ("kpi", "=", kpi)]
        if date:
            domain.append(("date", "=", date))
        rows = (records or self.Kpi.sudo()).search(domain)
        return sum(rows.mapped("value"))
