import base64
import csv
import io
from datetime import timedelta

import openpyxl
import xlwt

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user

HEADER = ["First Name", "Last Name", "Email", "Mobile", "Company", "Designation", "City",
          "State", "Platform", "SSN", "Date of Birth", "Annual Turnover"]
VALID_1 = ["Asha", "Rao", "Asha.Rao@Example.com", "9876543210", "Acme Pharma", "CTO", "Pune",
           "Maharashtra", "IndiaMart", "123-45-6789", "1985-04-12", "12 Cr"]
VALID_2 = ["Rahul", "Sen", "rahul@example.in", "+91 98300 12345", "Zincox", "Buyer",
           "Kolkata", "", "LinkedIn", "", "", ""]
BAD_EMAIL = ["Bad", "Email", "not-an-email", "9876500001", "X", "Y", "", "", "", "", "", ""]
SHORT_PHONE = ["Short", "Phone", "short@example.com", "987654321", "X", "Y", "", "", "", "",
               "", ""]
DUPLICATE = ["Dup", "Email", "asha.rao@example.com", "9876500002", "X", "Y", "", "", "", "",
             "", ""]


def xlsx_file(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xls_file(rows):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Targets")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                ws.write(r, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_file(rows, delimiter=",", encoding="utf-8"):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def read_xlsx(data):
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


class TargetImportCase(TransactionCase):
    """Users, conference and campaign of the import tests, and the import as a user does it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        now = fields.Datetime.now()
        cls.product = cls.env["event.event"].create({
            "name": "Import Test Summit",
            "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61),
        })
        cls.importer = new_test_user(
            cls.env, login="imp_researcher", name="Researcher",
            groups="base.group_user,crm_event_products.group_email_jre")
        cls.privileged = new_test_user(
            cls.env, login="imp_privileged", name="Privileged",
            groups="base.group_user,crm_event_products.group_email_jre,"
                   "crm_campaign_mgmt.group_sensitive_data")
        # importers import into the products they work
        cls.env["crm.product.assignment"].create([
            {"product_id": cls.product.id, "user_id": user.id}
            for user in cls.importer | cls.privileged])
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Import Campaign",
            "event_id": cls.product.id,
            "manager_id": cls.importer.id,
        })
        cls.Target = cls.env["crm.campaign.target"]
        cls.india = cls.env.ref("base.in")

    def _import(self, data, filename, user=None, mapping=None, **vals):
        env = self.env(user=user) if user else self.env
        wizard = env["crm.campaign.import.wizard"].create(dict({
            "import_type": "targets",
            "campaign_id": self.campaign.id,
            "file": base64.b64encode(data),
            "file_name": filename,
            "default_country_id": self.india.id,
        }, **vals))
        wizard.action_read_columns()
        for line in wizard.line_ids:
            if mapping and line.header in mapping:
                line.field_key = mapping[line.header]
        action = wizard.action_import()
        job = env["crm.campaign.import.job"].search(
            [("campaign_id", "=", self.campaign.id)], order="id desc", limit=1)
        return job, action

    def _counts(self, job):
        return (job.count_read, job.count_imported, job.count_duplicate, job.count_invalid)


@tagged("post_install", "-at_install")
class TestTargetImport(TargetImportCase):

    # ------------------------------------------------------------------

    def test_xlsx_counts_targets_and_error_file(self):
        rows = [HEADER, VALID_1, [], VALID_2, BAD_EMAIL, SHORT_PHONE, DUPLICATE]
        job, action = self._import(xlsx_file(rows), "targets.xlsx")
        self.assertEqual(job.state, "done")
        self.assertEqual(action["res_model"], "crm.campaign.import.job")
        self.assertEqual(self._counts(job), (5, 2, 1, 2))
        self.assertEqual(job.progress, 100)
        targets = self.Target.search([("job_id", "=", job.id)], order="row_number")
        self.assertEqual(targets.mapped("email"), ["asha.rao@example.com", "rahul@example.in"])
        self.assertEqual(targets.mapped("phone"), ["+919876543210", "+919830012345"])
        asha, rahul = targets
        self.assertEqual((asha.first_name, asha.last_name, asha.name),
                         ("Asha", "Rao", "Asha Rao"))
        self.assertEqual((asha.company_name, asha.job_title), ("Acme Pharma", "CTO"))
        self.assertEqual((asha.region, asha.region_cluster), ("Maharashtra", "West"))
        self.assertEqual((rahul.region, rahul.region_cluster), ("West Bengal", "East"))
        self.assertEqual(asha.segment, "medium")  # 12 Cr turnover
        self.assertEqual(asha.platform_source, "IndiaMart")
        self.assertEqual(asha.country_id, self.india)
        self.assertEqual(asha.event_id, self.product)
        # the campaign's targets became its leads (in its pool: no reps)
        self.assertEqual(asha.state, "converted")
        self.assertEqual(job.count_leads, 2)
        self.assertEqual(asha.row_number, 2)
        # error file: same columns plus Error, the rejected rows as uploaded
        self.assertEqual(job.error_attachment_id.name, "targets_errors.xlsx")
        errors = read_xlsx(job.error_attachment_id.raw)
        self.assertEqual(list(errors[0]), HEADER + ["Error"])
        self.assertEqual(len(errors), 4)
        reasons = [row[-1] for row in errors[1:]]
        self.assertIn("Email: 'not-an-email' is not a valid email address", reasons[0])
        self.assertIn("Phone: '987654321' has 9 digits, expected 10 to 15", reasons[1])
        self.assertEqual(reasons[2], "Duplicate: same email as row 2 of this file")
        self.assertEqual(errors[1][2], "not-an-email")
        download = job.action_download_errors()
        self.assertIn(f"/web/content/{job.error_attachment_id.id}", download["url"])

    def test_reimport_creates_no_duplicates(self):
        data = xlsx_file([HEADER, VALID_1, VALID_2, DUPLICATE])
        first, _action = self._import(data, "t.xlsx")
        self.assertEqual(self._counts(first), (3, 2, 1, 0))
        second, _action = self._import(data, "t.xlsx")
        self.assertEqual(self._counts(second), (3, 0, 3, 0))
        self.assertEqual(self.Target.search_count([("campaign_id", "=", self.campaign.id)]), 2)
        reasons = sorted(row[-1] for row in read_xlsx(second.error_attachment_id.raw)[1:])
        in_crm = f"Duplicate: same email as a target or lead of {self.product.display_name}"
        self.assertEqual(reasons, [in_crm, in_crm, "Duplicate: same email as row 2 of this file"])

    def test_duplicate_of_existing_lead_by_email_or_phone(self):
        self.env["crm.lead"].create([
            {"name": "Known", "type": "lead", "event_id": self.product.id,
             "email_from": "ASHA.RAO@example.com"},
            {"name": "Known phone", "type": "lead", "event_id": self.product.id,
             "phone": "+91 98300 12345", "email_from": "other@example.com"},
        ])
        job, _action = self._import(xlsx_file([HEADER, VALID_1, VALID_2]), "t.xlsx")
        self.assertEqual(self._counts(job), (2, 0, 2, 0))
        reasons = [row[-1] for row in read_xlsx(job.error_attachment_id.raw)[1:]]
        self.assertIn("same email", reasons[0])
        self.assertIn("same phone", reasons[1])

    def test_xls_file(self):
        rows = [["Email", "Phone", "Name"], ["a@example.com", 9876543210.0, "Ann Lee"],
                ["b@example.com", "98765 43211", "Bob Roy"], ["bad", "1", "X"]]
        job, _action = self._import(xls_file(rows), "legacy.xls")
        self.assertEqual(self._counts(job), (3, 2, 0, 1))
        targets = self.Target.search([("job_id", "=", job.id)], order="row_number")
        self.assertEqual(targets.mapped("phone"), ["+919876543210", "+919876543211"])
        self.assertEqual(targets[0].first_name, "Ann")
        # an .xls upload gets an .xlsx error file
        self.assertEqual(job.error_attachment_id.name, "legacy_errors.xlsx")

    def test_csv_semicolon_latin1_with_corrected_mapping(self):
        rows = [["Nom", "Courriel", "Téléphone", "Société", "Pays"],
                ["Zoë Martin", "zoe@exemple.fr", "+33 1 23 45 67 89", "Crème SA", "France"],
                ["José Ruiz", "jose@exemple.fr", "01 23 45 67 88", "Café; Ltd", "France"],
                ["Éric", "eric@exemple.fr", "0123", "Société X", "France"]]
        data = csv_file(rows, delimiter=";", encoding="latin-1")
        # "Courriel" and "Nom" are no known header: the user maps them
        job, _action = self._import(data, "cibles.csv", mapping={
            "Courriel": "email", "Nom": "full_name", "Pays": "country", "Société": "company"})
        self.assertEqual(self._counts(job), (3, 2, 0, 1))
        jose = self.Target.search([("job_id", "=", job.id), ("email", "=", "jose@exemple.fr")])
        self.assertEqual(jose.phone, "+33123456788")  # read in France, the row's country
        self.assertEqual(jose.company_name, "Café; Ltd")
        self.assertEqual(jose.country_id, self.env.ref("base.fr"))
        error_text = job.error_attachment_id.raw.decode("latin-1").splitlines()
        self.assertEqual(error_text[0], "Nom;Courriel;Téléphone;Société;Pays;Error")
        self.assertTrue(error_text[1].startswith("Éric;eric@exemple.fr;0123;Société X;France;"))
        self.assertEqual(job.error_attachment_id.name, "cibles_errors.csv")

    def test_only_invalid_rows(self):
        rows = [["Email", "Phone"], ["bad", "123"], ["x@example.com", ""], ["", "9876543210"]]
        job, _action = self._import(csv_file(rows), "bad.csv")
        self.assertEqual(self._counts(job), (3, 0, 0, 3))
        self.assertFalse(self.Target.search_count([("job_id", "=", job.id)]))
        lines = job.error_attachment_id.raw.decode().splitlines()
        self.assertEqual(len(lines), 4)
        self.assertTrue(lines[2].endswith("Phone: missing"))
        self.assertTrue(lines[3].endswith("Email: missing"))

    def test_email_and_phone_columns_are_mandatory(self):
        wizard = self.env["crm.campaign.import.wizard"].create({
            "campaign_id": self.campaign.id,
            "file": base64.b64encode(csv_file([["Email", "Name"], ["a@b.co", "A"]])),
            "file_name": "x.csv",
        })
        wizard.action_read_columns()
        self.assertEqual(wizard.line_ids.mapped("field_key"), ["email", "full_name"])
        with self.assertRaisesRegex(UserError, "Phone"):
            wizard.action_import()
        wizard.line_ids[1].field_key = "email"
        with self.assertRaisesRegex(UserError, "both imported as Email"):
            wizard.action_import()

    def test_sensitive_data_encrypted_and_hidden(self):
        # imported by the privileged user; the importer sees the targets as the
        # campaign's manager
        job, _action = self._import(xlsx_file([HEADER, VALID_1, VALID_2]), "t.xlsx",
                                    user=self.privileged)
        self.assertEqual(job.count_imported, 2)
        asha = self.Target.search([("job_id", "=", job.id), ("first_name", "=", "Asha")])
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT sensitive_data_enc FROM crm_campaign_target WHERE id = %s", [asha.id])
        token = self.env.cr.fetchone()[0]
        self.assertTrue(token)
        self.assertNotIn("123-45-6789", token)
        self.assertNotIn("1985", token)
        clear = self.Target._unseal_sensitive(token, asha.id)
        self.assertEqual(clear, {"ssn": "123-45-6789", "date_of_birth": "1985-04-12",
                                 "revenue": "12 Cr"})
        # the privileged user reads and edits it
        as_privileged = asha.with_user(self.privileged)
        self.assertEqual(as_privileged.ssn, "123-45-6789")
        self.assertEqual(as_privileged.date_of_birth, "1985-04-12")
        as_privileged.income = "40 Lakh"
        self.assertEqual(
            self.Target._unseal_sensitive(asha.sudo().sensitive_data_enc, asha.id)["income"],
            "40 Lakh")
        # the importer (no sensitive group) cannot read it, nor the token
        as_importer = asha.with_user(self.importer)
        self.assertEqual(as_importer.email, "asha.rao@example.com")
        with self.assertRaises(AccessError):
            as_importer.read(["ssn"])
        with self.assertRaises(AccessError):
            as_importer.read(["sensitive_data_enc"])
        self.assertNotIn("ssn", as_importer.fields_get())
        self.assertIn("ssn", as_privileged.fields_get())

    def test_large_file_runs_in_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "3")
        rows = [HEADER] + [
            [f"P{i}", "Q", f"p{i}@example.com", f"98765{i:05d}", "Co", "T", "Pune",
             "Maharashtra", "LinkedIn", "", "", ""] for i in range(8)]
        job, action = self._import(xlsx_file(rows), "big.xlsx", user=self.importer)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(job.state, "queued")
        cron = self.env.ref("crm_campaign_mgmt.ir_cron_campaign_import")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))
        self.env["crm.campaign.import.job"]._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(self._counts(job), (8, 8, 0, 0))
        self.assertEqual(job.progress, 100)
        self.assertFalse(job.error_attachment_id)
        # the importer is told in the job's thread (and by a bus notification)
        message = job.message_ids.filtered(lambda m: "8 imported" in (m.body or ""))
        self.assertTrue(message)
        self.assertIn(self.importer.partner_id, message.partner_ids)

    def test_unreadable_file_fails_cleanly(self):
        wizard = self.env["crm.campaign.import.wizard"].create({
            "campaign_id": self.campaign.id,
            "file": base64.b64encode(b"this is no spreadsheet"),
            "file_name": "x.xlsx",
        })
        with self.assertRaisesRegex(UserError, "cannot be read"):
            wizard.action_read_columns()

    def test_convert_to_leads(self):
        job, _action = self._import(xlsx_file([HEADER, VALID_1, VALID_2]), "t.xlsx")
        targets = self.Target.search([("job_id", "=", job.id)], order="row_number")
        # converted by the import itself, as the importer
        leads = targets.lead_id
        self.assertEqual(len(leads), 2)
        self.assertEqual(leads.create_uid, self.env.user)
        self.assertEqual(leads.crm_import_job_id, job)
        self.assertEqual(targets.mapped("state"), ["converted", "converted"])
        self.assertEqual(targets.mapped("lead_id"), leads)
        lead = targets[0].lead_id
        self.assertEqual(lead.event_id, self.product)
        self.assertEqual(lead.campaign_id, self.campaign)
        self.assertEqual(lead.email_from, "asha.rao@example.com")
        self.assertEqual(lead.phone, "+919876543210")
        self.assertEqual((lead.contact_first_name, lead.contact_last_name), ("Asha", "Rao"))
        self.assertEqual(lead.partner_name, "Acme Pharma")
        self.assertEqual(lead.function, "CTO")
        self.assertEqual(lead.source_id.name, "IndiaMart")
        self.assertEqual(lead.department_id,
                         self.env.ref("crm_event_products.crm_department_email_sales"))
        self.assertFalse(lead.user_id)
        # converted targets are not converted twice, and block a re-import through the lead
        self.assertFalse(targets._convert_to_leads())
        again, _action = self._import(xlsx_file([HEADER, VALID_1]), "t.xlsx")
        self.assertEqual(self._counts(again), (1, 0, 1, 0))
