import os

from odoo.tests import HttpCase, tagged

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestCashDeskTour(HttpCase, FiscalCase):
    """The receptionist's clicks at the desk end as receipts printed on the (fake) ATOL register."""

    def setUp(self):
        super().setUp()
        self.terminal_calls = os.path.join(self.install_fake_terminal(), "calls.log")

    def printed(self, payment):
        """The documents the fake register closed for ``payment``'s receipts: (task type, total)."""
        names = set(payment.receipt_ids.mapped("name"))
        return [(doc[0], doc[3]) for doc in self.fake.documents if doc[2] in names]

    def test_cash_and_card_payment_then_card_refund(self):
        visit = self.visit()
        self.start_tour(f"/odoo/clinic.visit/{visit.id}", "clinic_fiscal_cash_desk_payments", login="fiscal_cashier")
        cash, card = visit.payment_ids.sorted("id")
        self.assertEqual((cash.method, cash.amount, card.method, card.amount), ("cash", 1000.0, "card", 2150.0))
        self.assertEqual((cash.fiscal_state, card.fiscal_state), ("queued", "queued"), "queued, not printed yet")
        self.assertFalse(self.fake.documents, "nothing reached the register before the job ran")
        with open(self.terminal_calls, encoding="utf-8") as calls:
            self.assertEqual(calls.read().splitlines(), ["1 215000"], "the terminal charged the card once")
        self.assertEqual((card.terminal_rrn, card.terminal_auth_code), ("400000000001", "A1B2C3"))
        card_task = self.task(card.receipt_ids)
        self.assertEqual(card_task["payments"][0]["type"], "electronically")
        self.assertIn({"type": "text", "text": "RRN: 400000000001"}, card_task["payments"][0]["printItems"])
        self.assertEqual(self.task(cash.receipt_ids)["payments"], [{"type": "cash", "sum": 1000.0}])

        self.run_jobs()
        self.assertEqual((cash.fiscal_state, card.fiscal_state), ("done", "done"))
        self.assertEqual(self.printed(cash), [("sell", 1000.0)])
        self.assertEqual(self.printed(card), [("sell", 2150.0)])
        self.assertTrue(card.receipt_ids.fd_number and card.receipt_ids.fiscal_sign)

        self.start_tour(f"/odoo/clinic.visit/{visit.id}", "clinic_fiscal_cash_desk_refund", login="fiscal_cashier")
        refund = visit.payment_ids.filtered(lambda p: p.kind == "refund")
        self.assertEqual((refund.refund_of_id, refund.method, refund.amount), (card, "card", 2150.0))
        with open(self.terminal_calls, encoding="utf-8") as calls:
            self.assertEqual(calls.read().splitlines()[-1], "3 215000 0 QSELECT 400000000001", "refund by the RRN")
        self.assertEqual(refund.terminal_rrn, "400000000002")
        self.run_jobs()
        self.assertEqual(refund.fiscal_state, "done")
        self.assertEqual(self.printed(refund), [("sellReturn", 2150.0)])
        self.assertEqual(visit.amount_paid, 1000.0)
