from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ALL_ROLES, ROLES, ConferenceCrmCase

PRODUCTION, EMAIL, PHONE = ROLES["production"], ROLES["email_sales"], ROLES["phone_sales"]
LOCKED = {"prod_locked", "email_locked", "phone_locked"}
SHARED_SPEAKER_ONLY = {"speaker_unlocked"}  # read through the speaker rule, never written


def own(*roles):
    return {f"own_{role}" for role in roles}


def expected_read(role):
    """The role table of the specification, as lead keys of the fixture."""
    if role in ("p", "sp"):
        return own(role)
    if role in ("pm", "spm", "pd"):
        return own(*PRODUCTION) | {"prod_a", "prod_locked", "speaker_unlocked", "speaker_locked"}
    if role in ("jre", "sre", "se", "sse"):
        return own(role) | {"speaker_unlocked"}
    if role in ("jme", "sme", "mm"):
        return own(*EMAIL) | {"email_a_research", "email_locked", "speaker_unlocked"}
    if role == "hm":
        return own(*PRODUCTION, *EMAIL) | {
            "prod_a", "prod_b", "email_a_research", "email_b", "prod_locked", "email_locked",
            "phone_locked", "speaker_unlocked", "speaker_locked",
        }
    if role in ("stl", "asm", "sm"):
        return own(*PHONE) | {"phone_a_team", "phone_locked", "speaker_unlocked"}
    raise AssertionError(role)


def expected_write(role):
    readable = expected_read(role) - LOCKED
    if role in PRODUCTION or role == "hm":
        return readable
    return readable - SHARED_SPEAKER_ONLY


@tagged("post_install", "-at_install", "crm_visibility")
class TestVisibilityMatrix(ConferenceCrmCase):
    """Every line of the role table, checked as a user of that role, through RPC-level calls."""

    def _all_leads(self):
        return self.env["crm.lead"].browse([lead.id for lead in self.leads.values()])

    def _keys(self, leads):
        by_id = {lead.id: key for key, lead in self.leads.items()}
        return {by_id[lead.id] for lead in leads}

    def test_read_matrix(self):
        all_ids = self._all_leads().ids
        for role in ALL_ROLES:
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                expected = expected_read(role)
                found = Lead.search([("id", "in", all_ids)])
                self.assertEqual(self._keys(found), expected, f"search as {role}")
                self.assertEqual(Lead.search_count([("id", "in", all_ids)]), len(expected))
                grouped = Lead.read_group([("id", "in", all_ids)], ["event_id"], ["event_id"])
                self.assertEqual(sum(g["event_id_count"] for g in grouped), len(expected))
                for key, lead in self.leads.items():
                    if key in expected:
                        self.assertEqual(lead.with_user(self.users[role]).read(["name"])[0]["name"],
                                         f"Lead {key}")
                    else:
                        with self.assertRaises(AccessError, msg=f"{role} must not read {key}"):
                            lead.with_user(self.users[role]).read(["name"])

    def test_write_matrix(self):
        for role in ALL_ROLES:
            user = self.users[role]
            writable = expected_write(role)
            for key in expected_read(role):
                lead = self.leads[key].with_user(user)
                with self.subTest(role=role, lead=key):
                    if key in writable:
                        lead.write({"description": f"edited by {role}"})
                        self.assertIn(f"edited by {role}", str(lead.description))
                    else:
                        with self.assertRaises(UserError):  # AccessError is a UserError
                            lead.write({"description": f"edited by {role}"})

    def test_admin_sees_everything_and_writes_all_but_locked(self):
        Lead = self.env["crm.lead"].with_user(self.admin)
        self.assertEqual(Lead.search_count([("id", "in", self._all_leads().ids)]), len(self.leads))
        self.leads["disabled"].with_user(self.admin).write({"description": "ok"})
        with self.assertRaises(UserError):
            self.leads["prod_locked"].with_user(self.admin).write({"description": "no"})

    def test_disabled_product_hidden_from_roles(self):
        for role in ALL_ROLES:
            with self.subTest(role=role):
                products = self.env["event.event"].with_user(self.users[role]).search([])
                self.assertNotIn(self.product_disabled, products)
                self.assertIn(self.product_a, products)
        self.assertIn(
            self.product_disabled, self.env["event.event"].with_user(self.admin).search([])
        )

    def test_locked_rule_holds_without_python_check(self):
        """The global record rule alone refuses writes on a locked product's leads."""
        lead = self.leads["prod_locked"].with_user(self.users["pd"])
        with self.assertRaises(AccessError):
            lead.check_access("write")

    def test_reenabling_product_restores_visibility(self):
        Lead = self.env["crm.lead"].with_user(self.users["pm"])
        self.assertFalse(Lead.search([("id", "=", self.leads["disabled"].id)]))
        self.product_disabled.with_user(self.admin).action_crm_enable()
        self.assertTrue(Lead.search([("id", "=", self.leads["disabled"].id)]))

    def test_assignment_change_applies_immediately(self):
        Lead = self.env["crm.lead"].with_user(self.users["pm"])
        self.assertFalse(Lead.search([("id", "=", self.leads["prod_b"].id)]))
        self.env["crm.product.assignment"].create(
            {"product_id": self.product_b.id, "user_id": self.users["pm"].id}
        )
        self.assertTrue(Lead.search([("id", "=", self.leads["prod_b"].id)]))

    def test_leads_outside_the_suite_hidden_from_roles(self):
        """A lead without a conference (e.g. from before the suite) is no role's to see."""
        legacy = self.env["crm.lead"].create(
            {"name": "Legacy lead", "event_id": self.product_a.id, "user_id": False}
        )
        self.env.cr.execute("UPDATE crm_lead SET event_id = NULL WHERE id = %s", [legacy.id])
        legacy.invalidate_recordset(["event_id"])
        for role in ALL_ROLES:
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                self.assertFalse(Lead.search([("id", "=", legacy.id)]))
        self.assertTrue(self.env["crm.lead"].with_user(self.admin).search([("id", "=", legacy.id)]))

    def test_speaker_lock_hides_again(self):
        Lead = self.env["crm.lead"].with_user(self.users["se"])
        speaker = self.leads["speaker_unlocked"]
        self.assertTrue(Lead.search([("id", "=", speaker.id)]))
        speaker.with_user(self.users["p2"]).action_speaker_lock()
        self.assertFalse(Lead.search([("id", "=", speaker.id)]))
        speaker.with_user(self.users["p2"]).action_speaker_unlock()
        self.assertTrue(Lead.search([("id", "=", speaker.id)]))
