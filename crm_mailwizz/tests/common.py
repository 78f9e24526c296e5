from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase

from .fake_mailwizz import FakeMailWizz


class MailwizzCommon(TransactionCase):
    """A fake MailWizz on loopback, a backend talking to it (2.x key), an imported
    list with a COMPANY field and two segments, a conference and a campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True,
                                       mail_notrack=True))
        cls.server = FakeMailWizz(api_version="both").start()
        cls.addClassCleanup(cls.server.stop)
        cls.list_uid = cls.server.add_list(
            "Delegates 2026", fields=[("COMPANY", "Company", "no")], segments=["EU", "US"]
        )
        cls.backend = cls.env["mailwizz.backend"].create({
            "name": "MW test",
            "base_url": cls.server.url,
            "api_version": "2",
            "api_key": cls.server.api_key,
            "timeout": 3,
            "max_retries": 1,
        })
        cls.backend._import_lists()
        cls.mw_list = cls.backend.list_ids
        cls.now = fields.Datetime.now()
        cls.product = cls.env["event.event"].create({
            "name": "MailWizz Test Summit",
            "date_begin": cls.now + timedelta(days=60),
            "date_end": cls.now + timedelta(days=61),
        })
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Spring delegates",
            "event_id": cls.product.id,
            "audience_type": "list",
            "message_subject": "Join the summit",
            "message_body": "<p>Hello [FNAME], see you at the summit!</p>",
            "mailwizz_backend_id": cls.backend.id,
            "mailwizz_list_id": cls.mw_list.id,
            "mailwizz_from_name": "Summit team",
            "mailwizz_from_email": "team@summit.example.com",
        })

    def setUp(self):
        super().setUp()
        # fresh server state for every test (lists stay, subscribers/campaigns go)
        self.server.clear_faults()
        self.server.bulk_reject = None
        self.server.max_input_vars = 1000
        self.server.bulk_limit = 100
        self.server.max_campaigns = None
        self.server.blocked_methods = set()
        self.server.truncated_requests = 0
        with self.server.lock:
            for lst in self.server.lists.values():
                lst["subscribers"].clear()
                lst["by_email"].clear()
            self.server.campaigns.clear()
        self.server.reset_calls()

    def _targets(self, count, campaign=None, **vals):
        campaign = campaign or self.campaign
        return self.env["crm.campaign.target"].create([
            dict({
                "campaign_id": campaign.id,
                "event_id": self.product.id,
                "email": f"target{i}@example.com",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "name": f"First{i} Last{i}",
                "company_name": f"Company {i}",
            }, **vals)
            for i in range(count)
        ])

    def _leads(self, count, prefix="lead"):
        return self.env["crm.lead"].create([{
            "name": f"{prefix} {i}",
            "type": "lead",
            "event_id": self.product.id,
            "email_from": f"{prefix}{i}@example.com",
            "contact_name": f"Contact {prefix}{i}",
            "partner_name": f"Lead Company {i}",
        } for i in range(count)])

    def _server_subs(self, list_uid=None):
        return {s["EMAIL"]: s for s in self.server.subscribers(list_uid or self.list_uid)}

    def _subs(self, mw_list=None):
        return self.env["mailwizz.subscriber"].search([("list_id", "=", (mw_list or self.mw_list).id)])

    def _last_log(self, operation):
        return self.env["mailwizz.sync.log"].search([("operation", "=", operation)], limit=1)
