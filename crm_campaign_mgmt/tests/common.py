from datetime import timedelta

from odoo import fields
from odoo.tests.common import TransactionCase, new_test_user


class CampaignCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True,
                                       mail_create_nolog=True, mail_notrack=True))
        cls.now = fields.Datetime.now()
        # a Sales Team Leader: the Phone Sales role that runs campaigns
        cls.manager = new_test_user(
            cls.env, login="cmp_manager", name="Campaign Manager",
            groups="base.group_user,crm_event_products.group_phone_stl")
        cls.reps = cls.env["res.users"]
        for index in range(1, 5):
            cls.reps |= new_test_user(
                cls.env, login=f"cmp_rep{index}", name=f"Rep {index}",
                groups="base.group_user,crm_event_products.group_phone_se")
        cls.rep1, cls.rep2, cls.rep3, cls.rep4 = cls.reps
        cls.product = cls.env["event.event"].create({
            "name": "Campaign Test Summit",
            "date_begin": cls.now + timedelta(days=60),
            "date_end": cls.now + timedelta(days=61),
        })
        # everyone here works the product
        cls.env["crm.product.assignment"].create([
            {"product_id": cls.product.id, "user_id": user.id} for user in cls.manager | cls.reps])
        cls.team = cls.env["crm.team"].create({
            "name": "Campaign Test Team",
            "member_ids": [fields.Command.set((cls.rep1 | cls.rep2 | cls.rep3).ids)],
        })

    @classmethod
    def _create_campaign(cls, **vals):
        values = {
            "title": "Test Campaign",
            "event_id": cls.product.id,
            "manager_id": cls.manager.id,
            "audience_domain": "[]",
        }
        values.update(vals)
        return cls.env["utm.campaign"].create(values)

    @classmethod
    def _create_leads(cls, count, **vals):
        values = {"event_id": cls.product.id, "type": "lead", "user_id": False, "team_id": False}
        values.update(vals)
        # made by the campaign's manager (as an import or a conversion would), so that the
        # role table lets him assign them
        return cls.env["crm.lead"].with_user(cls.manager).create([
            dict(values, name=f"Lead {index}", email_from=f"lead{index}@example.com")
            for index in range(count)
        ]).with_env(cls.env)
