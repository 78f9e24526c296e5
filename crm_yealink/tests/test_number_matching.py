from odoo.tests import tagged

from .common import YealinkCase, event

SHARED = "+919800000001"  # many leads of every department, owners and products
HIDDEN = "+919800000002"  # a production lead of product B, and a contact
ARCHIVED = "+919800000003"  # an archived lead of the SE only
WITH_CONTACT = "+919800000004"  # a lead linked to a contact of another number
CONTACTS = "+919800000005"  # two contacts (one archived), no lead
UNKNOWN = "+919800000009"


@tagged("post_install", "-at_install")
class TestNumberMatching(YealinkCase):
    """``crm.call._yealink_match`` probes the ``phone_sanitized`` indexes, then applies the
    user's record rules to the candidates only: the same lead and contact as the user's own
    search of the number (the implementation it replaced), for every role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        leads, Partner = cls.leads, cls.env["res.partner"].sudo()
        for key in ("prod_a", "phone_a_team", "own_se", "own_sse", "own_stl", "email_b", "speaker_unlocked",
                    "phone_locked", "own_p"):
            leads[key].sudo().phone = SHARED
        leads["prod_b"].sudo().phone = HIDDEN
        cls.hidden_contact = Partner.create({"name": "Hidden lead's caller", "phone": HIDDEN})
        archived = leads["own_se"].sudo().copy({"phone": ARCHIVED})
        archived.active = False
        linked = Partner.create({"name": "Linked contact", "phone": "+919800000099"})
        leads["phone_b_team"].sudo().write({"phone": WITH_CONTACT, "partner_id": linked.id})
        Partner.create([{"name": "Old contact", "phone": CONTACTS},
                        {"name": "Archived contact", "phone": CONTACTS, "active": False},
                        {"name": "New contact", "phone": CONTACTS}])
        cls.numbers = [SHARED, HIDDEN, ARCHIVED, WITH_CONTACT, CONTACTS, UNKNOWN]

    def reference_match(self, e164, user):
        """The former implementation: the user's search on ``phone_sanitized``."""
        leads = self.env["crm.lead"].with_user(user).search(
            [("phone_sanitized", "=", e164)], order="write_date desc, id desc", limit=20)
        lead = leads.filtered(lambda lead: lead.user_id == user)[:1] or leads[:1]
        partner = lead.partner_id or self.env["res.partner"].with_user(user).search(
            [("phone_sanitized", "=", e164)], order="id desc", limit=1)
        return lead.id, partner.id

    def test_index_probe_equals_the_users_search(self):
        matched_leads = set()
        for role, user in self.users.items():
            for number in self.numbers:
                with self.subTest(role=role, number=number):
                    lead, partner = self.Call._yealink_match(number, user)
                    self.assertEqual((lead.id, partner.id), self.reference_match(number, user))
                    matched_leads.add(lead.id)
        # the set is meaningful: the roles see different leads of the shared number, or none
        self.assertGreaterEqual(len(matched_leads - {False}), 4, matched_leads)
        self.assertIn(False, matched_leads)
        self.assertEqual(self.Call._yealink_match(SHARED, self.se)[0], self.leads["own_se"], "own lead first")
        self.assertEqual(self.Call._yealink_match(HIDDEN, self.se), (self.env["crm.lead"], self.hidden_contact),
                         "a lead the user may not read is not matched, the contact is")

    def test_the_fold_and_the_pop_up_match_alike(self):
        self.leads["own_se"].sudo().phone = "+919800000011"
        popup = self.Call._yealink_incoming_popup(self.phone, event("incoming_call", "m1", remote="09800000011"))
        self.assertEqual(popup["lead_id"], self.leads["own_se"].id)
        call = self.Call._yealink_ingest(self.phone, event("incoming_call", "m1", remote="09800000011"))[1]
        self.assertEqual(call.lead_id, self.leads["own_se"])

    def test_rules_translated_once_follow_a_rule_change(self):
        """The user's rule condition is translated once per worker; a new rule (or any change
        that clears Odoo's cache of the rules' domains) is applied to the next match at once."""
        self.assertEqual(self.Call._yealink_match(SHARED, self.se)[0], self.leads["own_se"])
        self.assertIsNotNone(self.Call._yealink_readable_leads_condition(self.se.id))
        self.env["ir.rule"].sudo().create({  # global: restricts every user (group rules widen)
            "name": "The shared number's leads are hidden (test)",
            "model_id": self.env.ref("crm.model_crm_lead").id,
            "domain_force": f"[('phone_sanitized', '!=', '{SHARED}')]",
        })
        self.env.cr.postcommit.data.pop("crm_yealink.match", None)  # a new transaction's match
        lead, _partner = self.Call._yealink_match(SHARED, self.se)
        self.assertFalse(lead, "the new rule hides the number's leads")
        self.assertEqual(self.reference_match(SHARED, self.se)[0], False)

    def test_local_numbers_follow_the_company_country(self):
        """A phone without a country reads local numbers in its user's company's country,
        cached per worker and cleared when that country changes."""
        phone = self.phone.sudo()
        phone.country_id = False
        self.assertEqual(self.env["yealink.phone"]._yealink_ring_row(phone.id)[2:], ("IN", 91))
        self.se.company_id.country_id = self.env.ref("base.fr")
        self.assertEqual(self.env["yealink.phone"]._yealink_ring_row(phone.id)[2:], ("FR", 33))
        context = self.Call._yealink_ringing_context(phone.id, "fr-1")
        self.assertEqual(self.Call._yealink_e164_in("01 23 45 67 89", context["country_code"],
                                                    context["country_phone_code"]), "+33123456789")
        self.se.company_id.partner_id.country_id = self.env.ref("base.in")  # the company's address
        self.assertEqual(self.env["yealink.phone"]._yealink_ring_row(phone.id)[2:], ("IN", 91))
        phone.country_id = self.env.ref("base.fr")
        self.assertEqual(self.env["yealink.phone"]._yealink_ring_row(phone.id)[2:], ("FR", 33))

    def test_rules_expanded_from_data_are_searched_each_time(self):
        """A rule whose translation reads data (``child_of``, a computed field's search) is not
        translated once: the match searches as the user, and still equals his search."""
        linked = self.leads["phone_b_team"].sudo().partner_id
        self.env["ir.rule"].sudo().create({
            "name": "Leads of no contact or of the linked contact's company (test)",
            "model_id": self.env.ref("crm.model_crm_lead").id,
            "domain_force": f"['|', ('partner_id', '=', False), ('partner_id', 'child_of', [{linked.id}])]",
        })
        self.assertIsNone(self.Call._yealink_readable_leads_condition(self.se.id))
        for role, user in self.users.items():
            for number in self.numbers:
                with self.subTest(role=role, number=number):
                    self.env.cr.postcommit.data.pop("crm_yealink.match", None)
                    lead, partner = self.Call._yealink_match(number, user)
                    self.assertEqual((lead.id, partner.id), self.reference_match(number, user))
