from odoo.tests import tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestHistory(EditionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        extra = {"email_from": "same.person@example.com"}
        cls.mine_past = cls._lead("mine_past", cls.past, cls.p, kind="speaker", **extra)
        cls.colleague_past = cls._lead("col_past", cls.past, cls.p2, kind="delegate", **extra)
        cls.marketing_past = cls._lead("mkt_past", cls.past, cls.jme, kind="sponsor",
                                       department=cls.email_sales, **extra)
        cls.current = cls._lead("current", cls.new, cls.p, kind="prospect_speaker", **extra)
        cls.elsewhere = cls._lead("elsewhere", cls.other, cls.p, **extra)

    def _history(self, user):
        return self.current.with_user(user).crm_edition_history_ids

    def test_history_per_role(self):
        # the producer reads his own leads only
        self.assertEqual(self._history(self.p), self.mine_past)
        # the production manager: the Production leads of his products
        self.assertEqual(self._history(self.pm), self.mine_past | self.colleague_past)
        # the marketer does not read the Production lead he is shown from... his own only
        self.assertEqual(self.current.with_user(self.jme)._filtered_access("read"),
                         self.current.browse())
        # the superuser sees every edition of the series, never another series
        self.assertEqual(self.current.crm_edition_history_ids,
                         self.mine_past | self.colleague_past | self.marketing_past)

    def test_history_shows_kind_and_edition(self):
        history = self._history(self.pm).with_user(self.pm)
        data = {(r.event_id, r.crm_contact_kind) for r in history}
        self.assertIn((self.past, "speaker"), data)
        self.assertEqual(history.mapped("crm_edition_year"), [2001, 2001])

    def test_no_series_no_history(self):
        self.assertFalse(self.elsewhere.crm_edition_history_ids)
