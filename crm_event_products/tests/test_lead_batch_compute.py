from contextlib import ExitStack
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import ConferenceCrmCase

# the pipeline kanban's card fields (crm.crm_case_kanban_view_leads and the kanban_activity
# widget's dependencies), as the web client asks for them
KANBAN_SPEC = {
    name: {"fields": {"display_name": {}}} if many2one else {}
    for name, many2one in (
        ("probability", False),
        ("active", False),
        ("company_currency", True),
        ("recurring_revenue_monthly", False),
        ("team_id", True),
        ("color", False),
        ("name", False),
        ("is_shared_speaker", False),
        ("expected_revenue", False),
        ("partner_id", True),
        ("lead_properties", False),
        ("priority", False),
        ("activity_ids", False),
        ("activity_exception_decoration", False),
        ("activity_exception_icon", False),
        ("activity_state", False),
        ("activity_summary", False),
        ("activity_type_icon", False),
        ("activity_type_id", True),
        ("user_id", True),
    )
}
KANBAN_SPEC["tag_ids"] = {"fields": {"display_name": {}, "color": {}}}


@tagged("post_install", "-at_install", "crm_visibility")
class TestLeadBatchCompute(ConferenceCrmCase):
    """The list's and kanban's computed fields, assigned one value at a time: the stock values,
    one write per distinct value instead of one per lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create(
            {"name": "Other Conference Co", "currency_id": cls.env.ref("base.EUR").id}
        )
        cls.warning_type = cls.env["mail.activity.type"].create(
            {"name": "Deadline", "decoration_type": "warning", "icon": "fa-clock-o"}
        )

    def test_values(self):
        other = self.env["crm.lead"].create(
            {
                "name": "Other company's lead",
                "company_id": self.other_company.id,
                "event_id": self.product_a.id,
                "department_id": self.departments["production"].id,
                "user_id": False,
                "team_id": False,
            }
        )
        leads = self.env["crm.lead"].browse([lead.id for lead in self.leads.values()]) | other
        leads[0].company_id = False
        today = fields.Date.context_today(self.env.user)
        self.leads["own_stl"].activity_schedule(
            activity_type_id=self.warning_type.id,
            date_deadline=today - timedelta(days=2),
            summary="Check the deadline",
            user_id=self.users["stl"].id,
        )
        self.leads["own_se"].activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            user_id=self.users["se"].id,
        )
        self.env.invalidate_all()
        all_companies = self.env["res.company"].search([])
        default_currency = self.env.company.currency_id
        for lead in leads:
            with self.subTest(lead=lead.name):
                company = lead.company_id
                self.assertEqual(lead.user_company_ids, company or all_companies)
                self.assertEqual(lead.company_currency, company.currency_id if company else default_currency)
                if lead not in (self.leads["own_stl"], self.leads["own_se"]):
                    self.assertFalse(lead.activity_state)
                    self.assertFalse(lead.activity_exception_decoration)
                    self.assertFalse(lead.activity_exception_icon)
                    self.assertFalse(lead.activity_type_id)
                    self.assertFalse(lead.activity_type_icon)
                    self.assertFalse(lead.activity_summary)
        self.assertEqual(other.company_currency, self.env.ref("base.EUR"))
        self.assertEqual(self.leads["own_stl"].activity_state, "overdue")
        self.assertEqual(self.leads["own_stl"].activity_exception_decoration, "warning")
        self.assertEqual(self.leads["own_stl"].activity_exception_icon, "fa-clock-o")
        self.assertEqual(self.leads["own_stl"].activity_type_id, self.warning_type)
        self.assertEqual(self.leads["own_stl"].activity_type_icon, "fa-clock-o")
        self.assertEqual(self.leads["own_stl"].activity_summary, "Check the deadline")
        self.assertEqual(self.leads["own_se"].activity_state, "today")
        self.assertEqual(self.leads["own_se"].activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertFalse(self.leads["own_se"].activity_exception_decoration)

    def test_needaction(self):
        """The viewer's unread notifications, as mail.thread counts them."""
        stl = self.users["stl"]
        stl.notification_type = "inbox"
        lead = self.leads["own_stl"]
        for body in ("first", "second"):
            lead.message_post(body=body, partner_ids=stl.partner_id.ids, message_type="comment")
        leads = self.env["crm.lead"].with_user(stl).search([])
        self.assertIn(lead, leads)
        for other in leads:
            with self.subTest(lead=other.name):
                self.assertEqual(other.message_needaction, other == lead)
                self.assertEqual(other.message_needaction_counter, 2 if other == lead else 0)
        self.env.invalidate_all()  # the field does not depend on the user (mail.thread's)
        self.assertFalse(lead.with_user(self.admin).message_needaction)

    def test_one_write_per_distinct_value(self):
        leads = self.env["crm.lead"].with_user(self.admin).search([])
        self.assertGreater(len(leads), 10)
        self.assertEqual(len(leads.company_id), 1)
        self.env["mail.activity"].search([("res_model", "=", "crm.lead")]).unlink()
        counted = (
            "user_company_ids",
            "company_currency",
            "is_shared_speaker",
            "speaker_badge",
            "activity_state",
            "activity_exception_decoration",
            "message_needaction",
            "activity_type_id",
            "activity_summary",
        )
        writes = dict.fromkeys(counted, 0)
        classes = {type(leads._fields[name]) for name in counted}
        originals = {cls: cls.write for cls in classes}

        def counting(cls):
            def write(field, records, value):
                if field.model_name == "crm.lead" and field.name in writes:
                    writes[field.name] += 1
                return originals[cls](field, records, value)

            return write

        self.env.invalidate_all()
        with ExitStack() as stack:
            for cls in classes:
                stack.enter_context(patch.object(cls, "write", counting(cls)))
            for name in counted:
                leads.mapped(name)
        # one company, no activity, three speaker states (not a speaker, speaker, shared)
        self.assertLessEqual(writes["user_company_ids"], 1)
        self.assertLessEqual(writes["company_currency"], 1)
        self.assertLessEqual(writes["activity_state"], 1)
        self.assertLessEqual(writes["activity_exception_decoration"], 1)
        self.assertLessEqual(writes["message_needaction"], 1)
        self.assertLessEqual(writes["activity_type_id"], 1)
        self.assertLessEqual(writes["activity_summary"], 1)
        self.assertLessEqual(writes["is_shared_speaker"], 3)
        self.assertLessEqual(writes["speaker_badge"], 3)

    def test_query_count_kanban_column(self):
        """Pinned: a kanban column's first 40 cards as the web client reads them."""
        stage = self.env["crm.stage"].search([], limit=1)
        self.env["crm.lead"].search([]).stage_id = stage
        today = fields.Date.context_today(self.env.user)
        self.leads["own_stl"].activity_schedule(
            activity_type_id=self.warning_type.id,
            date_deadline=today,
            user_id=self.users["stl"].id,
        )
        for role, queries in (("stl", 15), ("hm", 10)):
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                domain = [("stage_id", "=", stage.id)]
                Lead.web_search_read(domain, KANBAN_SPEC, limit=40, count_limit=10001)
                self.env.invalidate_all()
                with self.assertQueryCount(queries):
                    page = Lead.web_search_read(domain, KANBAN_SPEC, limit=40, count_limit=10001)
                self.assertEqual(page["length"], len(Lead.search(domain)))
