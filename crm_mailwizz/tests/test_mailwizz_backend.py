from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .fake_mailwizz import FakeMailWizz


@tagged("post_install", "-at_install")
class TestMailwizzBackend(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeMailWizz(api_version="both").start()
        cls.addClassCleanup(cls.server.stop)
        cls.list_uid = cls.server.add_list(
            "Delegates 2025", fields=[("COMPANY", "Company", "no")], segments=["EU", "US"]
        )
        Backend = cls.env["mailwizz.backend"]
        cls.backend_v1 = Backend.create({
            "name": "MW 1.x",
            "base_url": cls.server.url,
            "api_version": "1",
            "public_key": cls.server.public_key,
            "private_key": cls.server.private_key,
            "timeout": 5,
        })
        cls.backend_v2 = Backend.create({
            "name": "MW 2.x",
            "base_url": cls.server.url,
            "api_version": "2",
            "api_key": cls.server.api_key,
            "timeout": 5,
        })
        cls.manager = new_test_user(
            cls.env, login="mw_manager", groups="sales_team.group_sale_manager"
        )

    def test_connection_both_versions(self):
        for backend in self.backend_v1 | self.backend_v2:
            action = backend.action_test_connection()
            self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
            self.assertIn("1 list(s)", action["params"]["message"])
            self.assertEqual(backend.state, "ok")
            log = backend.sync_log_ids[:1]
            self.assertEqual((log.operation, log.state), ("test", "success"))

    def test_wrong_key_gives_clear_message(self):
        self.backend_v2.api_key = "wrong-key"
        action = self.backend_v2.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Authentication refused by MailWizz", action["params"]["message"])
        # MailWizz answers authentication failures with HTTP 400 and a fixed message
        self.assertIn("HTTP 400: Invalid API key", action["params"]["message"])
        self.assertIn("Check the API version and the key(s)", action["params"]["message"])
        self.assertEqual(self.backend_v2.state, "error")
        self.assertEqual(self.backend_v2.sync_log_ids[:1].state, "failed")

        self.backend_v1.private_key = "wrong-private"
        action = self.backend_v1.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("signature", action["params"]["message"])

    def test_expired_request_points_to_the_clock(self):
        self.server.max_clock_skew = -1  # every 1.x request too old
        try:
            action = self.backend_v1.action_test_connection()
        finally:
            self.server.max_clock_skew = None
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Your request expired", action["params"]["message"])
        self.assertIn("server clock", action["params"]["message"])

    def test_max_input_vars_setting(self):
        self.assertEqual(self.backend_v1.max_input_vars, 1000)
        self.assertEqual(self.backend_v1._get_client().max_input_vars, 1000)
        self.backend_v1.max_input_vars = 5000
        self.assertEqual(self.backend_v1._get_client().max_input_vars, 5000)
        arch = self.env["mailwizz.backend"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="max_input_vars"', arch)

    def test_missing_key_is_user_error_not_traceback(self):
        self.backend_v1.public_key = False
        action = self.backend_v1.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("not fully configured", action["params"]["message"])

    def test_outage_is_reported(self):
        self.server.add_fault("status", "GET", r"/lists$", times=10, status=503)
        self.backend_v2.max_retries = 1
        try:
            action = self.backend_v2.action_test_connection()
        finally:
            self.server.clear_faults()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("HTTP 503", action["params"]["message"])

    def test_import_lists_fields_segments_idempotent(self):
        self.backend_v1.action_import_lists()
        mw_list = self.backend_v1.list_ids
        self.assertEqual(len(mw_list), 1)
        self.assertEqual(mw_list.list_uid, self.list_uid)
        self.assertEqual(mw_list.field_ids.mapped("tag"), ["EMAIL", "FNAME", "LNAME", "COMPANY"])
        self.assertEqual(sorted(mw_list.segment_ids.mapped("name")), ["EU", "US"])
        # a second import updates in place
        self.server.lists[self.list_uid]["general"]["name"] = "Delegates 2025 (renamed)"
        self.backend_v1.action_import_lists()
        self.assertEqual(len(self.backend_v1.list_ids), 1)
        self.assertEqual(self.backend_v1.list_ids.name, "Delegates 2025 (renamed)")
        self.assertEqual(self.backend_v1.sync_log_ids[:1].operation, "import_lists")

    def test_import_failure_raises_user_error(self):
        self.server.add_fault("malformed", "GET", r"/lists$", times=1)
        action = self.backend_v1.action_import_lists()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Importing MailWizz lists failed", action["params"]["message"])
        self.assertIn("not a JSON status envelope", action["params"]["message"])
        log = self.backend_v1.sync_log_ids[:1]
        self.assertEqual((log.operation, log.state), ("import_lists", "failed"))

    def test_keys_readable_only_by_administrators(self):
        backend = self.backend_v1.with_user(self.manager)
        self.assertEqual(backend.name, "MW 1.x")
        with self.assertRaises(AccessError):
            backend.read(["private_key"])
        with self.assertRaises(AccessError):
            backend.write({"name": "hijack"})
        # managers may still run the connection test (keys are used as superuser)
        action = backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
