from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestLeadActions(ConferenceCrmCase):
    """Issue 13: lead actions per role, refused on locked products whatever the client."""

    def test_locked_product_refuses_lost_convert_enrich(self):
        for role in ("pd", "pm"):
            lead = self.leads["prod_locked"].with_user(self.users[role])
            lead.check_access("read")
            with self.subTest(role=role, action="lost"), self.assertRaises(UserError):
                lead.action_set_lost()
            with self.subTest(role=role, action="convert"), self.assertRaises(UserError):
                lead.convert_opportunity(self.env["res.partner"])
            with self.subTest(role=role, action="enrich"), self.assertRaises(UserError):
                lead.iap_enrich()
        self.assertTrue(self.leads["prod_locked"].active)
        self.assertEqual(self.leads["prod_locked"].type, "lead")
        # the administrator is refused too (he unlocks the product first)
        with self.assertRaises(UserError):
            self.leads["phone_locked"].with_user(self.admin).action_set_lost()

    def test_unlocked_product_lost_and_convert_still_work(self):
        lead = self.leads["own_pd"].with_user(self.users["pd"])
        lead.convert_opportunity(self.env["res.partner"])
        self.assertEqual(lead.type, "opportunity")
        lead.action_set_lost()
        self.assertFalse(lead.active)

    def test_locked_form_hides_lead_actions(self):
        arch = self.env["crm.lead"].with_user(self.users["pd"]).get_views([(False, "form")])["views"]["form"]["arch"]
        for marker in ("Make Speaker", "Share with Sales and Marketing", "Stop Sharing"):
            self.assertIn(marker, arch)
        self.assertNotIn("Convert to Speaker", arch)
        # every Convert / Lost / Won / Enrich button is hidden on a locked product
        for button in ("crm.action_crm_lead2opportunity_partner", "crm.crm_lead_lost_action"):
            action_id = self.env.ref(button).id
            self.assertRegex(arch, rf'name="{action_id}"[^>]*invisible="[^"]*product_locked')
        self.assertRegex(arch, r'name="iap_enrich"[^>]*invisible="[^"]*product_locked')
        self.assertRegex(arch, r'name="action_set_won_rainbowman"[^>]*invisible="[^"]*product_locked')

    def test_shared_speaker_badge(self):
        shared = self.leads["speaker_unlocked"]
        for role in ("jre", "se", "jme"):
            lead = shared.with_user(self.users[role])
            self.assertTrue(lead.is_shared_speaker, role)
            self.assertEqual(lead.speaker_badge, "Shared speaker")
        pd_lead = shared.with_user(self.users["pd"])
        self.assertFalse(pd_lead.is_shared_speaker)
        self.assertEqual(pd_lead.speaker_badge, "Speaker (shared)")
        self.assertEqual(self.leads["speaker_locked"].with_user(self.users["pd"]).speaker_badge, "Speaker")
        self.assertFalse(self.leads["own_jre"].with_user(self.users["jre"]).speaker_badge)
        # a researcher reads the badge of no lead he may not read
        jre_leads = self.env["crm.lead"].with_user(self.users["jre"]).search([("id", "in", self.leads["prod_a"].ids)])
        self.assertFalse(jre_leads)

    def test_phone_sales_activity_defaults_to_call(self):
        call = self.env.ref("mail.mail_activity_data_call")
        for role, expect_call in (("se", True), ("sm", True), ("pd", False), ("jre", False)):
            activity = self.env["mail.activity"].with_user(self.users[role])
            default = activity._default_activity_type_for_model("crm.lead")
            self.assertEqual(default == call, expect_call, role)
        # other documents keep Odoo's default
        todo = self.env.ref("mail.mail_activity_data_todo")
        self.assertEqual(
            self.env["mail.activity"].with_user(self.users["se"])._default_activity_type_for_model("res.partner"), todo
        )

    def test_actions_menu_per_role(self):
        def bindings(role):
            actions = self.env["ir.actions.actions"].with_user(self.users[role]).get_bindings("crm.lead")
            return {action["name"] for action in actions.get("action", [])}

        self.assertNotIn("Send SMS", bindings("pd"))
        self.assertNotIn("Send SMS", bindings("p"))
        self.assertIn("Send SMS", bindings("se"))

    def test_production_export_preset(self):
        preset = self.env.ref("crm_event_products.ir_exports_production_director_speakers")
        self.assertEqual(preset.resource, "crm.lead")
        names = preset.export_fields.mapped("name")
        self.assertIn("is_speaker", names)
        fields = self.env["crm.lead"]._fields
        self.assertFalse([name for name in names if name not in fields])
        # the dialog lists it for the Production Director, who may export
        lead = self.leads["own_pd"].with_user(self.users["pd"])
        rows = lead.export_data(names)["datas"]
        self.assertEqual(len(rows), 1)

    def _lead_trackings(self, lead, field_name):
        """Tracking values of ``lead`` for ``field_name``, once its pending tracking is
        written (Odoo writes it at commit, in the precommit hooks)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id.model", "=", "crm.lead"), ("mail_message_id.res_id", "=", lead.id),
             ("field_id.name", "=", field_name)]
        )

    def test_mail_to_partnerless_lead_names_contact_without_tracking_line(self):
        # the tracking left pending by the case's setup (under its ``tracking_disable``
        # context) is written first: pending values of every lead are finalized together,
        # in the context of the first pending write, which would hide this test's tracking
        self.env.cr.precommit.run()
        # a plain context, one request per step as in the web client: the salesman sets
        # the contact, then sends a mail from the chatter
        lead = self.leads["own_se"].with_env(self.env(context={}, user=self.users["se"]))
        lead.write({"email_from": "ravi.k@example.com", "contact_name": "Ravi Kumar"})
        self.assertTrue(self._lead_trackings(lead, "email_from"), "the lead's changes are tracked")
        self.assertFalse(lead.partner_id)
        suggested = [r for r in lead._message_get_suggested_recipients() if r.get("reason") == "Customer Email"]
        self.assertEqual(suggested[0]["email"], '"Ravi Kumar" <ravi.k@example.com>')
        self.assertEqual(suggested[0]["create_values"]["name"], "Ravi Kumar")
        partner = self.env["res.partner"].create(
            {"name": "Ravi Kumar", "email": "ravi.k@example.com"}
        )
        lead.message_post(
            body="Hello", partner_ids=partner.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(lead.partner_id, partner)
        self.assertEqual(lead.contact_name, "Ravi Kumar")
        self.assertEqual(lead.partner_name, "Company own_se")
        self.assertFalse(self._lead_trackings(lead, "partner_id"), "no 'None -> <partner>' line in the chatter")
