from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import YealinkCase

PHONE_ROLES = ["se", "sse", "stl", "asm", "sm"]


@tagged("post_install", "-at_install", "crm_visibility")
class TestCallVisibility(YealinkCase):
    """Each Phone Sales role sees the calls of the leads it may read, and calls without a lead
    of its own (SE, SSE) or of its teams (STL, ASM, SM)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_calls = cls.Call.create([
            {"user_id": cls.users["se2"].id, "lead_id": lead.id, "direction": "out", "state": "answered",
             "remote_number": f"+91 90000 {i:05d}"}
            for i, lead in enumerate(cls.leads.values())
        ])
        cls.leadless = {
            login: cls.Call.create({"user_id": cls.users[login].id, "direction": "in", "state": "missed",
                                    "remote_number": f"+91 91111 0000{i}"})
            for i, login in enumerate(["se", "sse", "se2", "se3", "stl2", "p"])
        }

    def expected(self, role):
        user = self.users[role]
        readable = self.lead_calls.lead_id.with_user(user).with_context(active_test=False)._filtered_access("read")
        calls = self.lead_calls.filtered(lambda c: c.lead_id in readable)
        own = {"se": ["se"], "sse": ["sse"], "stl": ["se", "sse", "se2"], "asm": ["se", "sse", "se2"],
               "sm": ["se", "sse", "se2"]}[role]
        for login in own:
            calls |= self.leadless[login]
        return calls

    def _check_role(self, role):
        user = self.users[role]
        Call = self.env["crm.call"].with_user(user)
        found = Call.search([("id", "in", (self.lead_calls | self.Call.browse(
            [c.id for c in self.leadless.values()])).ids)])
        self.assertEqual(found, self.expected(role), role)
        self.assertTrue(found.lead_id, f"{role} sees calls of leads")
        rows = Call.search_read([("id", "in", found.ids)], ["lead_id", "user_id", "state"])
        self.assertEqual(len(rows), len(found))
        groups = Call.read_group([], ["talk_seconds:sum"], ["user_id"])
        self.assertEqual(sum(g["user_id_count"] for g in groups), Call.search_count([]))
        hidden = (self.lead_calls - found)[:1]
        self.assertTrue(hidden, f"{role} sees every lead call: the fixture tests nothing")
        with self.assertRaises(AccessError):
            hidden.with_user(user).read(["lead_id"])
        other_leadless = self.leadless["se3"]
        with self.assertRaises(AccessError):
            other_leadless.with_user(user).read(["remote_number"])

    def test_se(self):
        self._check_role("se")

    def test_sse(self):
        self._check_role("sse")

    def test_stl(self):
        self._check_role("stl")

    def test_asm(self):
        self._check_role("asm")

    def test_sm(self):
        self._check_role("sm")

    def test_stl_never_sees_a_team_members_call_on_a_lead_hidden_from_him(self):
        hidden_lead = self.leads["prod_a"]  # a Production lead: not the team leader's
        call = self.lead_calls.filtered(lambda c: c.lead_id == hidden_lead)
        self.assertEqual(call.user_id, self.users["se2"])
        self.assertFalse(self.env["crm.call"].with_user(self.users["stl"]).search([("id", "=", call.id)]))

    def test_credentials_are_for_administrators(self):
        phone = self.phone.with_user(self.se)
        self.assertEqual(phone.name, self.phone.name, "a user reads his own phone")
        with self.assertRaises(AccessError):
            phone.read(["web_password"])
        with self.assertRaises(AccessError):
            phone.read(["secret"])
        other = self.env["yealink.phone"].sudo().create({"name": "x", "user_id": self.users["se2"].id,
                                                         "mac": "001565aa00ff"})
        with self.assertRaises(AccessError):
            other.with_user(self.se).read(["name"])
        self.assertTrue(self.phone.with_user(self.admin).read(["secret"])[0]["secret"])
        with self.assertRaises(AccessError):
            self.env["crm.pbx.backend"].with_user(self.users["sm"]).search([])
        with self.assertRaises(AccessError):
            self.env["crm.call"].with_user(self.se).create({"user_id": self.se.id})

    def test_action_url_lines_for_administrators(self):
        action = self.phone.with_user(self.admin).action_show_action_urls()
        wizard = self.env[action["res_model"]].with_user(self.admin).browse(action["res_id"])
        lines = wizard.action_url_text.splitlines()
        self.assertEqual(len(lines), 17)
        self.assertIn(f"/yealink/action/{self.phone.secret}/incoming_call?mac=$mac&call_id=$call_id", lines[0])
        self.assertIn("action_url.call_terminated = ", wizard.snippet)
        with self.assertRaises(AccessError):
            self.phone.with_user(self.se).action_show_action_urls()
        with self.assertRaises(AccessError):
            wizard.with_user(self.users["sm"]).read(["snippet"])
