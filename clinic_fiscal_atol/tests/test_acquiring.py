import os

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestCardAcquiring(FiscalCase):
    """Card payments through a Sberbank-style terminal agent (a stand-in ``sb_pilot`` writing ``e`` and ``p``)."""

    def setUp(self):
        super().setUp()
        self.folder = self.install_fake_terminal()

    def calls(self):
        path = os.path.join(self.folder, "calls.log")
        return open(path, encoding="utf-8").read().splitlines() if os.path.exists(path) else []

    def test_card_sale_records_rrn_and_prints_slip_with_electronic_payment(self):
        payment = self.pay(self.visit(), 3150.0, method="card")
        self.assertEqual(self.calls(), ["1 315000"])
        self.assertEqual((payment.terminal_rrn, payment.terminal_auth_code), ("400000000001", "A1B2C3"))
        self.assertIn("ОДОБРЕНО", payment.terminal_slip)
        task = self.task(payment.receipt_ids)
        self.assertEqual(task["payments"][0]["type"], "electronically")
        self.assertIn({"type": "text", "text": "RRN: 400000000001"}, task["payments"][0]["printItems"])
        self.run_jobs()
        self.assertEqual(payment.fiscal_state, "done")

    def test_declined_card_records_nothing(self):
        with open(os.path.join(self.folder, "mode"), "w", encoding="utf-8") as mode:
            mode.write("decline")
        visit = self.visit()
        with self.assertRaisesRegex(UserError, "НЕДОСТАТОЧНО"):
            self.pay(visit, 3150.0, method="card")
        self.assertFalse(visit.payment_ids)

    def test_receipt_failure_after_approval_never_charges_again(self):
        self.fake.script("paper_before")
        payment = self.pay(self.visit(), 3150.0, method="card")
        payment.receipt_ids._process()
        self.assertEqual(payment.fiscal_state, "queued")
        self.assertTrue(payment.terminal_rrn)
        self.run_jobs()
        self.assertEqual(payment.fiscal_state, "done")
        self.assertEqual(len(self.calls()), 1)
        self.assertEqual(self.fake.printed(payment.receipt_ids.name), 1)

    def test_approved_card_with_a_refused_receipt_stays_paid_and_is_retried_without_a_charge(self):
        """The register refuses the receipt (shift closed, error 73): the money taken stays recorded."""
        self.fake.auto_open = False
        self.addCleanup(setattr, self.fake, "auto_open", True)
        visit = self.visit()
        payment = self.pay(visit, 3150.0, method="card")
        self.run_jobs()
        receipt = payment.receipt_ids
        self.assertEqual((receipt.state, receipt.error_code, payment.fiscal_state), ("error", 73, "failed"))
        self.assertEqual((payment.amount, payment.terminal_rrn, visit.balance_due), (3150.0, "400000000001", 0.0))
        self.assertEqual(self.fake.printed(receipt.name), 0)
        self.register.with_user(self.cashier).action_open_shift()
        self.run_jobs()
        receipt.with_user(self.cashier).action_retry()
        self.run_jobs()
        self.assertEqual((receipt.state, payment.fiscal_state), ("done", "done"))
        self.assertEqual(self.task(receipt)["payments"][0]["type"], "electronically")
        self.assertEqual(self.fake.printed(receipt.name), 1)
        self.assertEqual(self.calls(), ["1 315000"], "the card was charged once")
        self.assertEqual(visit.payment_ids, payment)

    def test_confirming_again_after_approval_does_not_charge_twice(self):
        visit = self.visit()
        wizard = (
            self.env["clinic.fiscal.payment.wizard"]
            .with_user(self.cashier)
            .create({"visit_id": visit.id, "amount": 3150.0, "method": "card", "register_id": self.register.id})
        )
        wizard._charge_terminal()  # approved, then the browser lost the answer
        wizard.action_confirm()
        self.assertEqual(len(self.calls()), 1)
        self.assertEqual(visit.payment_ids.terminal_rrn, wizard.terminal_rrn)

    def test_card_refund_references_the_rrn(self):
        visit = self.visit()
        payment = self.pay(visit, 3150.0, method="card")
        self.run_jobs()
        refund = self.pay(visit, 650.0, method="card", kind="refund", refund_of_id=payment.id)
        self.assertEqual(self.calls()[-1], f"3 65000 0 QSELECT {payment.terminal_rrn}")
        self.assertTrue(refund.terminal_rrn)
        self.assertEqual(self.task(refund.receipt_ids)["type"], "sellReturn")
