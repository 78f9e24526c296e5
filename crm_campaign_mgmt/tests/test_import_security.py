"""Security issue 7, import side: each test performs an attack of the audit."""

import base64
import io
import os
import tempfile
import zipfile
from datetime import timedelta
from unittest.mock import patch

import xlsxwriter

from odoo import fields, tools
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import crm_campaign_import_job as job_module
from .test_target_import import HEADER, VALID_1, VALID_2, TargetImportCase, read_xlsx

SECRET = "h1-secret-hostname-content"


class Killed(Exception):
    """The process running the import dies."""


def xlsx_shared_strings(rows):
    """An .xlsx written like Excel writes it (shared strings), by xlsxwriter."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    return out.getvalue()


def with_external_entity(data, path, text):
    """``data`` whose shared strings declare an entity reading ``path``, used for ``text``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                end = content.index(b"?>") + 2
                content = (content[:end] + f'<!DOCTYPE sst [<!ENTITY x SYSTEM "file://{path}">]>'
                           .encode() + content[end:]).replace(f">{text}<".encode(), b">&x;<")
            dst.writestr(info, content)
    return out.getvalue()


@tagged("post_install", "-at_install")
class TestImportSecurity(TargetImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.users"].create({
            "name": "Other Researcher", "login": "imp_other",
            "groups_id": [fields.Command.set(cls.importer.groups_id.ids)],
        })
        cls.env["crm.product.assignment"].create(
            {"product_id": cls.product.id, "user_id": cls.other.id})
        cls.Job = cls.env["crm.campaign.import.job"]

    def _queue(self, data, filename, user):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_campaign_mgmt.import_background_threshold", "0")
        job, action = self._import(data, filename, user=user)
        self.assertEqual(job.state, "queued")
        return job

    # 1. XXE ------------------------------------------------------------

    def test_xxe_in_shared_strings_is_refused_by_the_wizard(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as secret:
            secret.write(SECRET)
        self.addCleanup(os.unlink, secret.name)
        data = with_external_entity(
            xlsx_shared_strings([["Email", "Phone", "Name"],
                                 ["a@example.com", "9876543210", "Ann Lee"]]),
            secret.name, "Ann Lee")
        wizard = self.env["crm.campaign.import.wizard"].with_user(self.importer).create({
            "campaign_id": self.campaign.id,
            "file": base64.b64encode(data),
            "file_name": "targets.xlsx",
        })
        with self.assertRaisesRegex(UserError, r"xl/sharedStrings\.xml") as caught:
            wizard.action_read_columns()
        self.assertNotIn(SECRET, str(caught.exception))
        self.assertNotIn(SECRET, " ".join(wizard.line_ids.mapped("sample")))

    # 2. sensitive data in clear ----------------------------------------

    def test_upload_is_deleted_after_the_import(self):
        job, _action = self._import(xlsx_shared_strings([HEADER, VALID_1]), "t.xlsx",
                                    user=self.importer)
        self.assertEqual(job.state, "done")
        self.assertFalse(job.attachment_id)
        uploads = self.env["ir.attachment"].search([
            ("res_model", "=", job._name), ("res_id", "=", job.id), ("name", "=", "t.xlsx")])
        self.assertFalse(uploads)

    def test_error_file_masks_sensitive_columns(self):
        bad = ["Bad", "Row", "not-an-email", "9876500001", "X", "Y", "", "", "",
               "987-65-4321", "1990-01-31", "5 Cr"]
        job, _action = self._import(xlsx_shared_strings([HEADER, VALID_1, bad]), "t.xlsx",
                                    user=self.importer)
        self.assertEqual(job.count_invalid, 1)
        rows = read_xlsx(job.error_attachment_id.raw)
        flat = " ".join(str(value) for row in rows for value in row)
        for clear in ("987-65-4321", "1990-01-31", "5 Cr"):
            self.assertNotIn(clear, flat)
        self.assertEqual(rows[1][2], "not-an-email")  # other columns as uploaded
        self.assertEqual(rows[1][HEADER.index("SSN")], "[hidden]")

    def test_sensitive_looking_unmapped_columns_are_sealed(self):
        header = ["Email", "Mobile", "Name", "SSN", "Aadhaar", "Passport No", "IBAN",
                  "Bank Account Number", "Notes"]
        row = ["z@example.com", "9876543219", "Zed Ray", "111-22-3333", "4444 5555 6666",
               "P1234567", "DE89370400440532013000", "90000", "met at expo"]
        job, _action = self._import(xlsx_shared_strings([header, row]), "t.xlsx",
                                    user=self.privileged)
        target = self.Target.search([("job_id", "=", job.id)])
        self.assertEqual(target.extra_data, {"Notes": "met at expo"})
        self.env.flush_all()
        self.env.cr.execute("SELECT extra_data::text, sensitive_data_enc FROM crm_campaign_target"
                            " WHERE id = %s", [target.id])
        extra, token = self.env.cr.fetchone()
        for clear in ("4444 5555 6666", "P1234567", "DE89370400440532013000", "90000"):
            self.assertNotIn(clear, extra)
            self.assertNotIn(clear, token)
        values = self.Target._unseal_sensitive(token, target.id)
        self.assertEqual(values["ssn"], "111-22-3333")
        self.assertEqual(values["other"], {"Aadhaar": "4444 5555 6666", "Passport No": "P1234567",
                                           "IBAN": "DE89370400440532013000",
                                           "Bank Account Number": "90000"})
        self.assertIn("Passport No: P1234567", target.with_user(self.privileged).sensitive_other)
        lead = target.lead_id  # converted by the import
        self.assertTrue(lead)
        self.assertIn("met at expo", str(lead.description))
        self.assertNotIn("P1234567", str(lead.description))
        self.assertNotIn("DE89370400440532013000", str(lead.description))

    # 3. another user's upload ------------------------------------------

    @mute_logger("odoo.addons.crm_campaign_mgmt.models.crm_campaign_import_job")
    def test_job_cannot_be_pointed_at_another_users_upload(self):
        attacker_job = self._queue(xlsx_shared_strings([HEADER, VALID_2]), "mine.xlsx",
                                   self.other)
        victim_job = self._queue(xlsx_shared_strings([HEADER, VALID_1]), "victim.xlsx",
                                 self.importer)
        victim_upload = victim_job.attachment_id
        self.assertTrue(victim_upload)
        with self.assertRaises(AccessError):
            attacker_job.with_user(self.other).write({"attachment_id": victim_upload.id})
        with self.assertRaises(AccessError):
            self.Job.with_user(self.other).create({
                "name": "x.xlsx", "campaign_id": self.campaign.id,
                "attachment_id": victim_upload.id})
        with self.assertRaises(AccessError):
            self.Job.with_user(self.other).create({
                "name": "x.xlsx", "campaign_id": self.campaign.id, "user_id": self.importer.id})
        # jobs are made by the wizard only
        with self.assertRaises(AccessError):
            self.Job.with_user(self.other).with_context(
                default_user_id=self.importer.id).create({
                    "name": "x.xlsx", "campaign_id": self.campaign.id})
        # even if it were set (data of an earlier version), the job does not read it
        attacker_job.sudo().write({"attachment_id": victim_upload.id})
        with self.assertRaisesRegex(AccessError, "not the file uploaded for it"):
            attacker_job.with_user(self.other)._get_file_source()
        self.Job._cron_process_jobs()
        self.assertEqual(attacker_job.state, "failed")
        self.assertIn("not the file uploaded for it", attacker_job.log)
        self.assertFalse(self.Target.search([("job_id", "=", attacker_job.id)]))
        self.assertEqual(victim_job.state, "done")
        self.assertEqual(self.Target.search([("job_id", "=", victim_job.id)]).create_uid,
                         self.importer)

    # 4. background imports run as the requester -------------------------

    def test_background_import_runs_as_the_requester(self):
        job = self._queue(xlsx_shared_strings([HEADER, VALID_1, VALID_2]), "bg.xlsx",
                          self.importer)
        self.Job._cron_process_jobs()  # as the scheduler's user (superuser)
        self.assertEqual(job.state, "done")
        targets = self.Target.search([("job_id", "=", job.id)])
        self.assertEqual(len(targets), 2)
        self.assertEqual(targets.create_uid, self.importer)
        self.assertEqual(targets.write_uid, self.importer)
        self.assertEqual(job.write_uid, self.importer)

    # 5. keys -------------------------------------------------------------

    def _two_targets(self):
        job, _action = self._import(xlsx_shared_strings([HEADER, VALID_1, VALID_2]), "t.xlsx",
                                    user=self.privileged)
        return self.Target.search([("job_id", "=", job.id)], order="row_number")

    def test_token_is_bound_to_its_target(self):
        asha, rahul = self._two_targets()
        rahul.sudo().sensitive_data_enc = asha.sudo().sensitive_data_enc
        with self.assertRaisesRegex(UserError, "cannot be decrypted"):
            rahul.with_user(self.privileged).read(["ssn"])

    def test_bad_token_fails_loudly_and_an_edit_destroys_nothing(self):
        asha, _rahul = self._two_targets()
        token = asha.sudo().sensitive_data_enc
        broken = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        asha.sudo().sensitive_data_enc = broken
        as_privileged = asha.with_user(self.privileged)
        with self.assertRaisesRegex(UserError, "cannot be decrypted"):
            as_privileged.read(["ssn"])
        asha.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "cannot be decrypted"):
            as_privileged.write({"income": "40 Lakh"})
        asha.invalidate_recordset()
        self.assertEqual(asha.sudo().sensitive_data_enc, broken)

    def test_keys_from_the_server_configuration_and_rotation(self):
        first = base64.urlsafe_b64encode(b"1" * 32).decode()
        second = base64.urlsafe_b64encode(b"2" * 32).decode()
        with patch.dict(tools.config.options, {"crm_sealing_keys": f"k1:{first}"}):
            asha, _rahul = self._two_targets()
            self.assertTrue(asha.sudo().sensitive_data_enc.startswith("g2:k1:"))
        # a token of the database fallback key, made before the keys were configured
        asha.invalidate_recordset()
        with patch.dict(tools.config.options, {"crm_sealing_keys": f"k2:{second},k1:{first}"}):
            self.assertEqual(self.Target.action_rotate_sensitive_keys(batch_size=1), 1)
            asha.invalidate_recordset()
            self.assertTrue(asha.sudo().sensitive_data_enc.startswith("g2:k2:"))
            self.assertEqual(asha.with_user(self.privileged).ssn, "123-45-6789")
            self.assertEqual(self.Target.action_rotate_sensitive_keys(), 0)
            with self.assertRaises(AccessError):
                self.Target.with_user(self.privileged).action_rotate_sensitive_keys()
        # the old key alone no longer opens the re-sealed tokens
        with patch.dict(tools.config.options, {"crm_sealing_keys": f"k1:{first}"}):
            asha.invalidate_recordset()
            with self.assertRaisesRegex(UserError, "k2"):
                asha.with_user(self.privileged).read(["ssn"])

    # 6. a crashed import resumes -----------------------------------------

    def test_crashed_import_is_recovered_and_resumed(self):
        rows = [HEADER] + [
            [f"P{i}", "Q", f"p{i}@example.com", f"98765{i:05d}", "Co", "T", "Pune",
             "Maharashtra", "LinkedIn", "", "", ""] for i in range(7)]
        rows.insert(2, ["Bad", "Row", "not-an-email", "9876500001"] + [""] * 8)
        job = self._queue(xlsx_shared_strings(rows), "crash.xlsx", self.importer)
        original = type(self.Job)._import_batch
        calls = []

        def crash_on_second_batch(self_job, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise Killed  # the process is killed mid-import
            return original(self_job, *args, **kwargs)

        # no assertRaises: it would roll back what the killed import had written
        with patch.object(job_module, "BATCH_SIZE", 2), \
                patch.object(type(self.Job), "_import_batch", crash_on_second_batch):
            killed = False
            try:
                job.with_user(self.importer)._run_import()
            except Killed:
                killed = True
            self.assertTrue(killed, "the import was not interrupted")
        self.assertEqual(job.state, "running")
        self.assertEqual(job.rows_done, 3)  # 2 valid rows committed, and the invalid one
        self.assertEqual(self.Target.search_count([("job_id", "=", job.id)]), 2)
        # a recent heartbeat: still running, left alone
        self.Job._recover_stale_jobs()
        self.assertEqual(job.state, "running")
        job._internal().write({"heartbeat": fields.Datetime.now() - timedelta(hours=1)})
        with patch.object(job_module, "BATCH_SIZE", 2):
            self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(self._counts(job), (8, 7, 0, 1))
        targets = self.Target.search([("job_id", "=", job.id)])
        self.assertEqual(len(targets), 7)
        self.assertEqual(len(set(targets.mapped("email"))), 7)
        self.assertEqual(targets.create_uid, self.importer)
        # the invalid row read before the crash is in the error file
        errors = read_xlsx(job.error_attachment_id.raw)
        self.assertEqual([row[2] for row in errors[1:]], ["not-an-email"])
