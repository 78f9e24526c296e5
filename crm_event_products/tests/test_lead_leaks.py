"""No path around the role table: every model of the suite that reaches a lead shows,
to every role, only what that role may read of the lead itself.

The test is generic: it finds every many2one to ``crm.lead`` that a suite addon
declares, makes one record of that model per lead of the fixture (a factory per
model, below; a model without one fails the test), then, as a user of every role,
reads them through every RPC path a client has (search, search_read, read_group,
name_search, read, export_data, web_read) and checks that no lead outside the
role's own visible set appears, by id or by a copied value.
"""

from odoo.exceptions import AccessError, UserError
from odoo.modules.module import get_manifest
from odoo.tests import tagged

from .common import ALL_ROLES, ConferenceCrmCase

SUITE_AUTHOR = "Conference CRM developers"
SECRET = "leak-{}@example.com"


def _campaign(env):
    return env["utm.campaign"].create({"title": "Leak test campaign"})


def _mailwizz_list(env):
    backend = env["mailwizz.backend"].create({"name": "Leak test", "base_url": "http://127.0.0.1:9/api"})
    return env["mailwizz.list"].create({"backend_id": backend.id, "list_uid": "leak", "name": "Leak"})


# model -> (shared fixture, values of a record for ``lead`` given that fixture)
FACTORIES = {
    "crm.lead.assignment": (_campaign, lambda ctx, lead, user: {
        "lead_id": lead.id, "user_id": user.id, "campaign_id": ctx.id}),
    "crm.campaign.target": (_campaign, lambda ctx, lead, user: {
        "lead_id": lead.id, "campaign_id": ctx.id, "email": lead.email_from}),
    "crm.mail.trace": (_campaign, lambda ctx, lead, user: {
        "lead_id": lead.id, "campaign_id": ctx.id, "email": lead.email_from, "user_id": user.id}),
    "crm.campaign.response": (_campaign, lambda ctx, lead, user: {
        "lead_id": lead.id, "campaign_id": ctx.id, "email": lead.email_from, "user_id": user.id}),
    "mailwizz.subscriber": (_mailwizz_list, lambda ctx, lead, user: {
        "lead_id": lead.id, "list_id": ctx.id, "email": lead.email_from}),
    "crm.call": (lambda env: None, lambda ctx, lead, user: {
        "lead_id": lead.id, "user_id": user.id, "direction": "out", "state": "answered"}),
    # transient: created by the superuser here, so hidden from every user by the
    # create_uid rule whatever its lead
    "crm.lead.template.wizard": (lambda env: None, lambda ctx, lead, user: {"lead_id": lead.id}),
}


def suite_modules(env):
    names = env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
    return {name for name in names if get_manifest(name).get("author") == SUITE_AUTHOR}


@tagged("post_install", "-at_install", "crm_visibility")
class TestNoLeadLeaks(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.all_leads = cls.env["crm.lead"].browse([lead.id for lead in cls.leads.values()])
        for lead in cls.all_leads:
            lead.email_from = SECRET.format(lead.id)
        cls.lead_fields = cls._lead_fields()
        cls.records = {}
        for model_name in {model for model, _field in cls.lead_fields}:
            if model_name not in FACTORIES:
                continue
            make_fixture, make_values = FACTORIES[model_name]
            fixture = make_fixture(cls.env)
            cls.records[model_name] = cls.env[model_name].create([
                make_values(fixture, lead, cls.users["se2"]) for lead in cls.all_leads])

    @classmethod
    def _lead_fields(cls):
        """(model, field) of every many2one to crm.lead a suite addon declares, crm.lead's own
        fields aside."""
        suite = suite_modules(cls.env)
        found = []
        for model_name in cls.env.registry:
            if model_name == "crm.lead":
                continue
            Model = cls.env[model_name]
            if Model._abstract:
                continue
            for name, field in Model._fields.items():
                if field.type == "many2one" and field.comodel_name == "crm.lead" \
                        and field._module in suite:
                    found.append((model_name, name))
        return found

    def test_every_model_has_a_factory(self):
        if not self.lead_fields:
            self.skipTest("no installed suite addon has a model that reaches leads")
        missing = sorted({model for model, _field in self.lead_fields} - set(FACTORIES))
        self.assertFalse(
            missing, f"models reaching crm.lead without a leak-test factory: {missing}; add one "
            "to FACTORIES and scope the model by its lead (crm.lead.scoped.mixin)")

    def test_no_role_reaches_a_hidden_lead(self):
        for role in ALL_ROLES:
            user = self.users[role]
            visible = set(self.all_leads.with_user(user).with_context(active_test=False)
                          ._filtered_access("read").ids)
            hidden = self.all_leads.filtered(lambda lead, visible=visible: lead.id not in visible)
            self.assertTrue(hidden, f"{role} cannot read every lead of the fixture")
            for model_name, field_name in self.lead_fields:
                with self.subTest(role=role, model=model_name, field=field_name):
                    self._check_model(user, visible, hidden, model_name, field_name)

    def _check_model(self, user, visible, hidden, model_name, field_name):
        Model = self.env[model_name].with_user(user)
        if not Model.has_access("read"):
            return
        records = self.records[model_name]
        secret_of_hidden = {SECRET.format(lead.id) for lead in hidden}

        found = Model.search([("id", "in", records.ids)])
        leaked = set(found.sudo()[field_name].ids) - visible
        self.assertFalse(leaked, f"search returns records of hidden leads {leaked}")

        # every field the user may read (fields_get leaves out those of groups he lacks)
        readable_fields = [
            name for name, desc in Model.fields_get(attributes=["type", "relation"]).items()
            if desc.get("relation") is None
            or self.env[desc["relation"]].with_user(user).has_access("read")
        ]
        rows = Model.search_read([("id", "in", records.ids)], readable_fields)
        for row in rows:
            value = row.get(field_name)
            self.assertTrue(not value or value[0] in visible, f"search_read shows lead {value}")
            self.assertFalse(secret_of_hidden & {str(v) for v in row.values()},
                             f"search_read copies a hidden lead's data: {row}")

        groups = Model.read_group([("id", "in", records.ids)], [field_name], [field_name])
        grouped = {group[field_name][0] for group in groups if group[field_name]}
        self.assertFalse(grouped - visible, "read_group shows hidden leads")

        searchable_name = Model._rec_name or Model._rec_names_search
        for lead in hidden[:3]:
            self.assertFalse(Model.search([(field_name, "=", lead.id)]))
            if searchable_name:
                self.assertFalse(Model.name_search(SECRET.format(lead.id)))
        record_of_hidden = records.filtered(lambda r: r[field_name] in hidden)[:1]
        with self.assertRaises(AccessError):
            record_of_hidden.with_user(user).read([field_name])
        with self.assertRaises(UserError):  # AccessError, or no export right at all
            record_of_hidden.with_user(user).export_data([field_name, f"{field_name}/email_from"])
        with self.assertRaises(AccessError):
            record_of_hidden.with_user(user).web_read({field_name: {"fields": {"display_name": {}}}})

    def test_related_lead_fields_are_read_as_the_user(self):
        """A related field that copies a lead's data is computed as the reader (never as
        superuser): reading it on a record of a hidden lead fails like the lead itself."""
        suite = suite_modules(self.env)
        offenders = []
        for model_name, field_name in self.lead_fields:
            for name, field in self.env[model_name]._fields.items():
                if field.related and field.related.split(".")[0] == field_name \
                        and not field.store and field.compute_sudo and field._module in suite:
                    offenders.append(f"{model_name}.{name}")
        self.assertFalse(offenders, "related lead fields computed as superuser: add compute_sudo=False")

    def test_messages_activities_and_attachments_follow_the_lead(self):
        """Odoo's own records of a lead (chatter, activities, attachments) check the lead's
        access: what the role table hides stays hidden there too."""
        for lead in self.all_leads:
            lead.message_post(body=f"note on {lead.id}", subtype_xmlid="mail.mt_note")
            lead.activity_schedule("mail.mail_activity_data_todo", user_id=self.users["se2"].id,
                                   summary=f"call {lead.id}")
            self.env["ir.attachment"].create({
                "name": f"doc-{lead.id}.txt", "raw": b"x", "res_model": "crm.lead", "res_id": lead.id})
        for role in ALL_ROLES:
            user = self.users[role]
            visible = set(self.all_leads.with_user(user).with_context(active_test=False)
                          ._filtered_access("read").ids)
            for model_name in ("mail.message", "mail.activity", "ir.attachment"):
                res_field = "model" if model_name == "mail.message" else "res_model"
                found = self.env[model_name].with_user(user).search(
                    [(res_field, "=", "crm.lead"), ("res_id", "in", self.all_leads.ids)])
                leaked = set(found.sudo().mapped("res_id")) - visible
                self.assertFalse(leaked, f"{role} reaches {model_name} of hidden leads {leaked}")
