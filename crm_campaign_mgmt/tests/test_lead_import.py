"""Import leads (issue 8): the researcher's list becomes his leads, campaign lists
become assigned leads, in the background as the requester, through the fast
lead creation of ``crm.lead._bulk_create``."""

import base64
import functools
from contextlib import nullcontext
from datetime import timedelta
from unittest.mock import patch

from markupsafe import Markup

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import split_every

from ..lib.html_list import SanitizedHtml, plain_html_list
from ..lib.lanes import OrderedLanes
from ..models import crm_campaign_import_job, crm_lead_bulk
from .test_target_import import csv_file

HEADER = ["Name", "Email", "Mobile", "Company", "City", "State", "Country", "Platform"]


def rows(count, start=0, country="India"):
    return [
        [f"Person {i}", f"person{i}@company{i}.example.com", f"98{i:08d}", f"Company {i}",
         "Kolkata", "West Bengal", country, "IndiaMart" if i % 2 else "LinkedIn"]
        for i in range(start, start + count)
    ]


@tagged("post_install", "-at_install")
class LeadImportCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.product = cls.env["event.event"].create({
            "name": "Lead Import Summit",
            "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61),
        })
        cls.other_product = cls.env["event.event"].create({
            "name": "Somebody Else's Summit",
            "date_begin": now + timedelta(days=90),
            "date_end": now + timedelta(days=91),
        })

        def user(login, group):
            return new_test_user(cls.env, login=login, name=login.upper(),
                                 email=f"{login}@example.com",
                                 groups=f"base.group_user,crm_event_products.{group}")
        cls.researcher = user("li_jre", "group_email_jre")
        cls.marketer = user("li_jme", "group_email_jme")
        cls.other_marketer = user("li_jme2", "group_email_jme")
        cls.manager = user("li_stl", "group_phone_stl")
        cls.asm = user("li_asm", "group_phone_asm")
        cls.reps = user("li_se1", "group_phone_se") | user("li_se2", "group_phone_se")
        cls.env["crm.product.assignment"].create([
            {"product_id": cls.product.id, "user_id": member.id}
            for member in cls.researcher | cls.marketer | cls.manager | cls.asm | cls.reps])
        cls.env["crm.product.assignment"].create(
            {"product_id": cls.other_product.id, "user_id": cls.other_marketer.id})
        cls.team = cls.env["crm.team"].create({
            "name": "Lead Import Phone Team",
            "user_id": cls.asm.id,
            "member_ids": [fields.Command.set((cls.manager | cls.reps).ids)],
        })
        cls.india = cls.env.ref("base.in")

    def _wizard(self, user, data, filename="leads.csv", **vals):
        wizard = self.env["crm.campaign.import.wizard"].with_user(user).create(dict({
            "file": base64.b64encode(data),
            "file_name": filename,
            "event_id": self.product.id,
        }, **vals))
        wizard.action_read_columns()
        return wizard

    def _import(self, user, data, **vals):
        wizard = self._wizard(user, data, **vals)
        action = wizard.action_import()
        job = self.env["crm.campaign.import.job"].search(
            [("user_id", "=", user.id)], order="id desc", limit=1)
        return job, action

    def _visible(self, user, domain):
        return self.env["crm.lead"].with_user(user).search_count(domain)


@tagged("post_install", "-at_install")
class TestBulkCreateEqualsCreate(LeadImportCase):
    """A lead made by ``_bulk_create`` is the lead ``create`` makes, stored field by
    stored field, with the same followers and the same creation message."""

    SKIP = {"id", "create_date", "write_date", "date_open", "date_last_stage_update"}
    CHATTER = {"message_ids", "message_follower_ids", "activity_ids", "website_message_ids",
               "message_partner_ids", "rating_ids"}

    def _vals(self, index, tag, **extra):
        vals = {
            "name": f"Company {index} - Person {index}",
            "type": "lead",
            "event_id": self.product.id,
            "department_id": self.researcher.crm_department_id.id,
            "contact_name": f"Person {index}",
            "email_from": f"Person{index}{tag}@Company{index}.example.com",
            "phone": f"98{index:08d}" if index % 2 else False,
            "partner_name": f"Company {index}",
            "city": "Kolkata",
            "country_id": self.india.id if index % 3 else False,
            "website": "company.example.com",
            "description": self.DESCRIPTIONS.get(index, False),
            "source_id": self.env.ref("utm.utm_source_newsletter").id,
            "user_id": self.researcher.id if index % 2 else False,
        }
        vals.update(self.EMAIL_PHONE_CASES.get(index, {}))
        vals.update(extra)
        return vals

    # a free description, and the import's lists (sanitized in one call for the batch)
    DESCRIPTIONS = {
        1: "<p>met at <b>expo</b><script>alert(1)</script></p>",
        2: "<ul><li>Notes: it's &amp; \"quoted\" <script>alert(2)</script></li>"
           "<li>Size: 5\xa0000 -- </li></ul>",
        3: "<ul><li>Ünïcødé: ₹ 😀 &lt;/ul&gt;&lt;ul&gt;</li><li onclick=\"x()\">b</li></ul>",
        4: "<ul><li>Notes: it's &amp; \"quoted\" <script>alert(2)</script></li>"
           "<li>Size: 5\xa0000 -- </li></ul>",
        5: "<ul><li>Notes: line\nbreak</li></ul>",
    }

    # the normalisations the bulk path computes itself, on the inputs that matter
    EMAIL_PHONE_CASES = {
        2: {"email_from": "Person Two <Person2@Company2.Example.com>", "phone": "+44 20 7946 0958"},
        3: {"email_from": "person3@gmail.com", "phone": "12345"},
        4: {"email_from": "not-an-email", "phone": "+91 98300 12345"},
        5: {"email_from": "a@one.example.com, b@two.example.com", "phone": "0091 98300 12346"},
        6: {"email_from": False, "phone": "98300 12347", "country_id": False},
        7: {"email_from": "Ünïcode@Example.com", "phone": "(033) 2345 6789"},
    }

    def _stored_values(self, lead):
        values = {}
        for name, field in lead._fields.items():
            if not field.store or name in self.SKIP or name in self.CHATTER:
                continue
            value = lead[name]
            if field.type in ("one2many", "many2many"):
                value = sorted(value.ids) if field.type == "many2many" else len(value)
            elif field.type == "many2one":
                value = value.id
            values[name] = value
        return values

    def _chatter(self, lead):
        followers = sorted(
            (follower.partner_id.id, tuple(sorted(follower.subtype_ids.ids)))
            for follower in lead.message_follower_ids)
        messages = [
            (str(message.body), message.message_type, message.subtype_id.id,
             message.author_id.id, message.email_from, message.record_name, message.reply_to,
             message.record_company_id.id, message.is_internal, message.create_uid.id,
             bool(message.message_id))
            for message in lead.message_ids]
        return followers, messages

    def _assert_same(self, stock, bulk):
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(len(stock), len(bulk))
        for expected, got in zip(stock.sudo(), bulk.sudo(), strict=True):
            self.assertEqual(self._stored_values(got), self._stored_values(expected))
            self.assertEqual(self._chatter(got), self._chatter(expected))

    def test_researcher_leads(self):
        Lead = self.env["crm.lead"].with_user(self.researcher)
        stock = Lead.create([self._vals(i, "") for i in range(8)])
        bulk = Lead._bulk_create([self._vals(i, "") for i in range(8)])
        self._assert_same(stock, bulk)
        # what the comparison covers (it could fail)
        lead = bulk[1].sudo()
        self.assertEqual(lead.email_normalized, "person1@company1.example.com")
        self.assertEqual(lead.phone_sanitized, "+919800000001")
        self.assertEqual(lead.create_uid, self.researcher)
        self.assertTrue(lead.stage_id)
        self.assertIn("created", str(lead.message_ids.body))
        self.assertNotIn("script", str(lead.description))
        self.assertNotIn("script", str(bulk[2].sudo().description))
        self.assertIn("&lt;/ul&gt;&lt;ul&gt;", str(bulk[3].sudo().description))

    def test_lists_sanitized_in_one_call_as_one_by_one(self):
        Lead = self.env["crm.lead"]
        field = Lead._fields["description"]
        values = [self.DESCRIPTIONS[index] for index in (2, 3, 5)] + ["<p>not a list</p>"]
        with patch.object(crm_lead_bulk, "html_sanitize", wraps=crm_lead_bulk.html_sanitize) \
                as sanitize:
            pairs = crm_lead_bulk.sanitize_lists(field, Lead, values)
        self.assertEqual(sanitize.call_count, 1)
        self.assertEqual([value for value, _column in pairs], values[:3])
        for value, column in pairs:
            self.assertEqual(column, field.convert_to_column_insert(value, Lead))

    def test_plain_lists_are_what_the_sanitizer_returns(self):
        """The import's descriptions skip the sanitizer only when it would return them
        unchanged: checked for every code point of the BMP and a sample of the others
        (one list item each, a sanitizer call per 2,000), and for the import's lists."""
        field = self.env["crm.lead"]._fields["description"]
        sanitize = functools.partial(
            field.convert_to_column_insert, record=self.env["crm.lead"])
        codes = [code for code in [*range(0x10000), *range(0x10000, 0x110000, 97)]
                 if not 0xD800 <= code <= 0xDFFF]
        refused = []
        for chunk in split_every(2000, codes):
            items = [("L", f"x{chr(code)}y") for code in chunk]
            plain = [item for item in items if plain_html_list([item]) is not None]
            refused += [item[1][1] for item in items if item not in plain]
            html = plain_html_list(plain)
            self.assertEqual(sanitize(str(html)), html, f"code points from {chunk[0]:#x}")
        self.assertEqual(len(refused), 32)  # control characters, no-break space, non-characters
        job = self.env["crm.campaign.import.job"]
        labels = job._lead_description_labels()
        for record in (
            {"industry": "IT & Services", "employees": 250, "region": "West Bengal",
             "extra": {"Notes": "it's <b>\"quoted\"</b> -- line\nbreak", "Rank": "₹ 5,00,000"}},
            {"industry": "Size 5\xa0000", "extra": {"Bell": "x\x07y"}},
        ):
            items = [(label, record[key]) for key, label in labels if record.get(key)]
            items += list(record["extra"].items())
            before = Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li>%s: %s</li>") % item for item in items)
            description = job._lead_description(record, labels)
            plain = isinstance(description, SanitizedHtml)
            self.assertEqual(plain, "Bell" not in record["extra"])
            stored = str(description) if plain else sanitize(description)
            self.assertEqual(stored, sanitize(before))

    def test_bulk_followers_lookup_gives_what_odoo_gives(self):
        """The auto-subscription's (new, updates) of the bulk path equal
        ``_add_followers``' with ``check_existing``: a new follower, one missing a subtype
        (update only), one with them all, for both policies."""
        leads = self.env["crm.lead"].create(
            [{"name": f"Followed {i}", "event_id": self.product.id} for i in range(3)])
        partners = (self.researcher | self.marketer | self.manager).partner_id
        subtypes = self.env["mail.message.subtype"].search(
            [("res_model", "in", (False, "crm.lead"))], limit=3)
        leads.message_follower_ids.unlink()
        leads[0].message_subscribe(partners[0].ids, subtype_ids=subtypes[:1].ids)
        leads[1].message_subscribe(partners[0].ids, subtype_ids=subtypes.ids)
        leads[1].message_subscribe(partners[1].ids, subtype_ids=subtypes[1:2].ids)
        wanted = {partner.id: set(subtypes[:2].ids) for partner in partners}
        Followers = self.env["mail.followers"]
        for policy in ("skip", "update"):
            expected = Followers._add_followers(
                "crm.lead", leads.ids, partners.ids, wanted, check_existing=True,
                existing_policy=policy)
            got = Followers._bulk_add_followers("crm.lead", leads.ids, partners.ids, wanted, policy)
            self.assertEqual(got[0], expected[0], policy)
            self.assertEqual({fid: sorted(cmd[1] for cmd in values["subtype_ids"])
                              for fid, values in got[1].items()},
                             {fid: sorted(cmd[1] for cmd in values["subtype_ids"])
                              for fid, values in expected[1].items()}, policy)
            self.assertEqual(len(got[1]), 2 if policy == "update" else 0)

    def test_campaign_leads_with_a_team_and_without_salesperson(self):
        extra = {"team_id": self.team.id, "user_id": False}
        Lead = self.env["crm.lead"].with_user(self.manager)
        stock = Lead.create([self._vals(i, "", **extra) for i in range(4)])
        bulk = Lead._bulk_create([self._vals(i, "", **extra) for i in range(4)])
        self._assert_same(stock, bulk)
        self.assertEqual(bulk.sudo().team_id, self.team)
        self.assertIn(self.team.name, str(bulk[0].sudo().message_ids.body))

    def test_team_follower_is_notified_as_create_does(self):
        subtype = self.env.ref("crm.mt_salesteam_lead")
        self.team.message_subscribe(partner_ids=self.asm.partner_id.ids, subtype_ids=subtype.ids)
        extra = {"team_id": self.team.id, "user_id": False}
        Lead = self.env["crm.lead"].with_user(self.manager)
        stock = Lead.create([self._vals(i, "", **extra) for i in range(2)])
        bulk = Lead._bulk_create([self._vals(i, "", **extra) for i in range(2)])
        self._assert_same(stock, bulk)
        self.assertIn(self.asm.partner_id, bulk.sudo().message_follower_ids.partner_id)
        self.assertEqual(bulk.sudo().message_ids.notification_ids.res_partner_id, self.asm.partner_id)

    def test_rules_and_constraints_hold(self):
        """No lead in a locked product (a record rule), none without product (a
        constraint): the bulk path refuses what create refuses."""
        Lead = self.env["crm.lead"].with_user(self.researcher)
        self.product.crm_locked = True
        with self.assertRaises(UserError):
            Lead.create([self._vals(0, "")])
        with self.assertRaises(UserError):
            Lead._bulk_create([self._vals(0, "")])
        self.product.crm_locked = False
        with self.assertRaises(UserError):
            Lead._bulk_create([self._vals(0, "", event_id=False)])


@tagged("post_install", "-at_install")
class TestImportLeads(LeadImportCase):

    def test_researcher_imports_leads_seen_by_product_marketers_only(self):
        data = csv_file([HEADER] + rows(30) + [["Bad", "not-an-email", "9800000001", "X",
                                                 "", "", "", ""]])
        wizard = self._wizard(self.researcher, data)
        self.assertEqual(wizard.import_type, "leads")
        self.assertEqual(wizard.total_rows, 31)
        self.assertEqual(wizard.allowed_event_ids, self.product)
        job, _action = self._import(self.researcher, data)
        self.assertEqual((job.state, job.import_type), ("done", "leads"))
        self.assertEqual((job.count_read, job.count_imported, job.count_invalid,
                          job.count_leads), (31, 30, 1, 30))
        leads = self.env["crm.lead"].search([("crm_import_job_id", "=", job.id)])
        self.assertEqual(len(leads), 30)
        self.assertEqual(leads.create_uid, self.researcher)
        self.assertEqual(leads.user_id, self.researcher)
        self.assertEqual(leads.event_id, self.product)
        self.assertEqual(leads.department_id.code, "email_sales")
        self.assertEqual(leads.country_id, self.india)
        self.assertEqual(leads.state_id, self.env.ref("base.state_in_wb"))
        self.assertEqual(set(leads.source_id.mapped("name")), {"IndiaMart", "LinkedIn"})
        self.assertEqual(leads[0].phone_sanitized[:3], "+91")
        domain = [("crm_import_job_id", "=", job.id)]
        self.assertEqual(self._visible(self.researcher, domain), 30)
        self.assertEqual(self._visible(self.marketer, domain), 30)
        self.assertEqual(self._visible(self.other_marketer, domain), 0)
        for phone_user in self.reps | self.manager | self.asm:
            self.assertEqual(self._visible(phone_user, domain), 0, phone_user.login)
        # a re-import makes no lead twice
        again, _action = self._import(self.researcher, data)
        self.assertEqual((again.count_imported, again.count_duplicate), (0, 30))

    def test_only_own_products(self):
        wizard = self._wizard(self.researcher, csv_file([HEADER] + rows(2)),
                              event_id=self.other_product.id)
        with self.assertRaisesRegex(UserError, "do not work product"):
            wizard.action_import()

    def test_large_import_runs_in_background_as_requester(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "10")
        job, action = self._import(self.researcher, csv_file([HEADER] + rows(25)))
        self.assertEqual(job.state, "queued")
        self.assertEqual(action["params"]["title"], "Import queued")
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual((job.state, job.count_leads, job.progress), ("done", 25, 100.0))
        leads = job.lead_ids
        self.assertEqual(leads.create_uid, self.researcher)
        self.assertEqual(self._visible(self.researcher, [("id", "in", leads.ids)]), 25)
        self.assertIn("25 leads created", job.message_ids[0].body)
        self.assertIn(self.researcher.partner_id, job.message_ids[0].partner_ids)

    def test_default_country_and_phone_preview(self):
        self.product.address_id = self.env["res.partner"].create(
            {"name": "Venue", "country_id": self.env.ref("base.ae").id})
        wizard = self._wizard(self.researcher, csv_file([HEADER] + rows(3)))
        self.assertEqual(wizard.default_country_id, self.env.ref("base.ae"))
        wizard.default_country_id = self.india
        self.assertIn("+919800000000", wizard.phone_preview)
        self.assertIn("India (+91)", wizard.phone_preview)
        self.product.address_id = False
        fresh = self._wizard(self.researcher, csv_file([HEADER] + rows(1)))
        self.assertEqual(fresh.default_country_id, self.env.company.country_id or self.india)

    def test_campaign_manager_defaults_to_targets(self):
        wizard = self._wizard(self.manager, csv_file([HEADER] + rows(1)))
        self.assertEqual(wizard.import_type, "targets")


@tagged("post_install", "-at_install")
class TestCampaignListBecomesAssignedLeads(LeadImportCase):

    def _campaign(self, **vals):
        return self.env["utm.campaign"].with_user(self.manager).create(dict({
            "title": "Phone Push",
            "event_id": self.product.id,
            "manager_id": self.manager.id,
        }, **vals))

    def test_targets_become_leads_of_the_reps_with_their_team(self):
        campaign = self._campaign(rep_ids=[fields.Command.set(self.reps.ids)])
        job, _action = self._import(self.manager, csv_file([HEADER] + rows(12)),
                                    import_type="targets", campaign_id=campaign.id)
        self.assertTrue(job.assign_leads)
        self.assertEqual((job.state, job.count_imported, job.count_leads, job.count_assigned),
                         ("done", 12, 12, 12))
        leads = job.lead_ids
        self.assertEqual(leads.user_id, self.reps)
        self.assertEqual(leads.team_id, self.team)
        self.assertEqual(leads.campaign_id, campaign)
        self.assertEqual(self._visible(self.asm, [("id", "in", leads.ids)]), 12)
        self.assertEqual(self._visible(self.reps[0], [("id", "in", leads.ids)]), 6)
        # the assignments written in batch are those create() makes
        assignments = leads.campaign_assignment_ids
        self.assertEqual(len(assignments), 12)
        self.assertEqual(set(assignments.mapped("state")), {"pending"})
        self.assertEqual(set(assignments.mapped("progress")), {"pending"})
        self.assertEqual(set(assignments.mapped("lead_status")), {"prospect"})
        self.assertEqual(assignments.manager_id, self.manager)
        self.assertEqual(assignments.event_id, self.product)
        self.assertEqual(assignments.create_uid, self.manager)
        other = self._campaign(title="Reference")  # one live assignment per lead and campaign
        mine = assignments.filtered(lambda a, lead=leads[0]: a.lead_id == lead)
        reference = self.env["crm.lead.assignment"].with_user(self.manager).create({
            "lead_id": leads[0].id, "user_id": mine.user_id.id, "campaign_id": other.id,
            "date_assigned": mine.date_assigned, "method": mine.method})
        for name, field in reference._fields.items():
            if field.store and name not in ("id", "campaign_id", "create_date", "write_date"):
                self.assertEqual(mine[name], reference[name], name)
        self.assertEqual(self._visible(self.reps[0], [("campaign_assignment_ids.user_id", "=",
                                                       self.reps[0].id)]), 6)
        # declined: back in the pool, still the team's (its managers see it)
        assignment = leads[0].campaign_assignment_ids
        assignment.with_user(assignment.user_id)._decline("Wrong number")
        self.assertFalse(leads[0].user_id)
        self.assertEqual(leads[0].team_id, self.team)
        self.assertEqual(self._visible(self.asm, [("id", "=", leads[0].id)]), 1)

    def test_batches_written_by_lanes_as_by_the_job(self):
        """The lane path (each batch written in a transaction of its own, consumed in
        order; run in this thread here: the threads are tested in tests/) gives the
        same leads, targets, assignments, counters and rotation as the job alone."""
        Job = type(self.env["crm.campaign.import.job"])
        inline_lanes = []
        # a lane's cursor is this test's transaction (as an HTTP request's in HttpCase)
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)

        def open_inline_lanes(job, table, commit, context):
            lanes = OrderedLanes(job.with_context(
                crm_import_lane_context=context)._write_batch_in_lane, 0)
            inline_lanes.append(lanes)
            return lanes

        results = []
        for lanes in (False, True):
            campaign = self._campaign(title=f"Lanes {lanes}",
                                      rep_ids=[fields.Command.set(self.reps.ids)])
            start = 100 if lanes else 0
            data = [HEADER] + rows(11, start=start) + rows(1, start=start)  # + a repeat
            with patch.object(crm_campaign_import_job, "BATCH_SIZE", 3), \
                    patch.object(Job, "_open_lanes", open_inline_lanes) if lanes else nullcontext():
                job, _action = self._import(self.manager, csv_file(data),
                                            import_type="targets", campaign_id=campaign.id)
            leads = job.lead_ids.sorted("id")
            results.append((
                (job.state, job.count_read, job.count_imported, job.count_duplicate,
                 job.count_leads, job.count_assigned, job.rows_done),
                leads.mapped("user_id.login"), leads.campaign_assignment_ids.mapped("user_id.login"),
                len(self.env["crm.campaign.target"].search([("job_id", "=", job.id),
                                                             ("lead_id", "in", leads.ids)])),
                campaign.last_assigned_user_id.login,
            ))
        self.assertEqual(len(inline_lanes), 1)
        self.assertEqual(results[0], results[1])
        self.assertEqual(results[1][0], ("done", 12, 11, 1, 11, 11, 12))
        self.assertEqual(results[1][3], 11)

    def test_no_reps_conversion_still_done_assignment_refused(self):
        campaign = self._campaign()
        job, _action = self._import(self.manager, csv_file([HEADER] + rows(5)),
                                    import_type="targets", campaign_id=campaign.id)
        self.assertFalse(job.assign_leads)
        self.assertEqual((job.count_leads, job.count_assigned), (5, 0))
        self.assertEqual(job.lead_ids.create_uid, self.manager)
        with self.assertRaisesRegex(UserError, "no reps and no sales team"):
            campaign.with_user(self.manager).action_assign_leads()

    def test_large_pool_is_assigned_in_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "3")
        campaign = self._campaign()
        job, _action = self._import(self.manager, csv_file([HEADER] + rows(8)),
                                    import_type="targets", campaign_id=campaign.id)
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual(job.count_leads, 8)
        campaign.rep_ids = [fields.Command.set(self.reps.ids)]
        action = campaign.with_user(self.manager).action_assign_leads()
        self.assertEqual(action["params"]["type"], "info")
        assign_job = self.env["crm.campaign.import.job"].search(
            [("import_type", "=", "assign"), ("campaign_id", "=", campaign.id)])
        self.assertEqual((assign_job.state, assign_job.user_id), ("queued", self.manager))
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual((assign_job.state, assign_job.count_assigned), ("done", 8))
        self.assertEqual(job.lead_ids.user_id, self.reps)
        self.assertEqual(job.lead_ids.team_id, self.team)


@tagged("post_install", "-at_install")
class TestAnalyzeGrownTables(LeadImportCase):
    """A long import analyzes the tables it grows once they have doubled (autovacuum may
    be off, and autoanalyze lags behind a bulk load)."""

    def _probe(self, rows_count, start=0):
        self.env.cr.execute(
            "INSERT INTO crm_bulk_probe SELECT i, repeat('x', 100) "
            "FROM generate_series(%s, %s) AS i", [start + 1, start + rows_count])

    def _reltuples(self):
        self.env.cr.execute("SELECT reltuples FROM pg_class WHERE relname = 'crm_bulk_probe' "
                            "AND pg_table_is_visible(oid)")
        return self.env.cr.fetchone()[0]

    def test_a_table_is_analyzed_each_time_it_doubles(self):
        self.env.cr.execute(
            "CREATE TEMPORARY TABLE crm_bulk_probe (id int, label text) ON COMMIT DROP")
        self._probe(100)
        analyze = crm_lead_bulk.analyze_grown_tables
        self.assertEqual(analyze(self.env.cr, ["crm_bulk_probe"], 20), [],
                         "too small to be worth analyzing")
        self._probe(4900, start=100)
        self.assertEqual(analyze(self.env.cr, ["crm_bulk_probe"], 20), ["crm_bulk_probe"])
        self.assertEqual(self._reltuples(), 5000)
        self._probe(1000, start=5000)
        self.assertEqual(analyze(self.env.cr, ["crm_bulk_probe"], 20), [], "not doubled yet")
        self._probe(5000, start=6000)
        self.assertEqual(analyze(self.env.cr, ["crm_bulk_probe", "no_such_table"], 20),
                         ["crm_bulk_probe"])
        self.assertEqual(self._reltuples(), 11000)

    def test_the_rule_columns_are_analyzed_as_the_job_leads_double(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "10")
        job, _action = self._import(self.researcher, csv_file([HEADER] + rows(45)))
        with patch.object(crm_campaign_import_job, "BATCH_SIZE", 10), \
                patch.object(crm_campaign_import_job, "SCOPE_ANALYZE_LEADS", 10), \
                patch.object(crm_campaign_import_job, "analyze_columns",
                             wraps=crm_lead_bulk.analyze_columns) as analyze:
            self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual((job.state, job.count_leads), ("done", 45))
        # after the batches ending at 10 leads (the first threshold), 20 and 40 (doubled),
        # not at 30
        self.assertEqual([call.args[1] for call in analyze.call_args_list],
                         ["crm_lead", "crm_campaign_target"] * 3)
        self.assertEqual(analyze.call_args.args[2],
                         crm_campaign_import_job.SCOPE_COLUMNS["crm_campaign_target"])
        self.assertIn("user_id", crm_campaign_import_job.SCOPE_COLUMNS["crm_lead"])

    def test_the_job_checks_its_tables_after_each_batch(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "10")
        job, _action = self._import(self.researcher, csv_file([HEADER] + rows(25)))
        with patch.object(crm_campaign_import_job, "BATCH_SIZE", 10), \
                patch.object(crm_campaign_import_job, "analyze_grown_tables",
                             wraps=crm_lead_bulk.analyze_grown_tables) as analyze:
            self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual((job.state, job.count_leads), ("done", 25))
        self.assertEqual(analyze.call_count, 2, "after each full batch")
        self.assertEqual(analyze.call_args.args[1], crm_campaign_import_job.GROWN_TABLES)
