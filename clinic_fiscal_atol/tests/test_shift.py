from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestShiftAndCorrections(FiscalCase):
    def operation(self, method, **context):
        action = getattr(self.register.with_user(self.cashier).with_context(**context), method)()
        self.run_jobs()
        return self.env["clinic.fiscal.receipt"].browse(action["res_id"])

    def test_shift_cycle_x_report_cash_and_z(self):
        self.fake.auto_open = False
        self.addCleanup(setattr, self.fake, "auto_open", True)
        payment = self.pay(self.visit(), 3150.0)
        self.run_jobs()
        self.assertEqual((payment.receipt_ids.state, payment.receipt_ids.error_code), ("error", 73))
        opening = self.operation("action_open_shift")
        self.assertEqual(opening.state, "done")
        self.assertEqual((self.register.shift_state, self.register.shift_number), ("opened", 1))
        payment.receipt_ids.with_user(self.cashier).action_retry()
        self.run_jobs()
        self.assertEqual(payment.fiscal_state, "done")
        self.assertEqual(self.operation("action_report_x").state, "done")
        cash = (
            self.env["clinic.fiscal.cash.wizard"]
            .with_user(self.cashier)
            .create({"register_id": self.register.id, "operation": "cashIn", "amount": 5000.0})
        )
        receipt = self.env["clinic.fiscal.receipt"].browse(cash.action_confirm()["res_id"])
        self.run_jobs()
        self.assertEqual((receipt.state, self.task(receipt)["cashSum"]), ("done", 5000.0))
        closing = self.operation("action_close_shift")
        self.assertEqual(closing.state, "done")
        self.assertEqual(self.register.shift_state, "closed")
        self.assertEqual([doc[0] for doc in self.fake.documents], ["openShift", "sell", "closeShift"])
        again = self.operation("action_close_shift")
        self.assertEqual((again.state, again.error_code), ("error", 73))
        status = self.operation("action_refresh_status")
        self.assertEqual((status.state, self.register.shift_state), ("done", "closed"))
        self.assertEqual([task["type"] for task in status._tasks()], ["getShiftStatus", "getDeviceStatus"])
        self.assertIn("Paper: yes", self.register.status_note)

    def test_shift_older_than_24_hours_blocks_sales(self):
        self.operation("action_open_shift")
        self.fake.shift["opened_at"] = datetime.now() - timedelta(hours=25)
        self.register.shift_opened_at = fields.Datetime.now() - timedelta(hours=25)
        self.assertTrue(self.register.shift_warning)
        with self.assertRaisesRegex(UserError, "24"):
            self.pay(self.visit(), 3150.0)
        self.operation("action_refresh_status")
        self.assertEqual(self.register.shift_state, "expired")
        self.assertEqual(self.operation("action_open_shift").error_code, 83)
        self.operation("action_close_shift")
        self.operation("action_open_shift")
        self.assertFalse(self.register.shift_warning)
        self.assertEqual(self.pay(self.visit(), 3150.0).receipt_ids.register_id, self.register)

    def test_a_register_refusing_an_expired_shift_blocks_further_sales(self):
        """Odoo thought the shift young; the register says over 24 h (error 68): sales stop until Z and reopen."""
        self.operation("action_open_shift")
        self.fake.shift["opened_at"] = datetime.now() - timedelta(hours=25)
        payment = self.pay(self.visit(), 3150.0)
        self.run_jobs()
        self.assertEqual((payment.receipt_ids.error_code, payment.fiscal_state), (68, "failed"))
        self.assertEqual(self.register.shift_state, "expired")
        self.assertTrue(self.register.shift_warning)
        visit = self.visit()
        with self.assertRaisesRegex(UserError, "24"):
            self.pay(visit, 650.0)
        self.operation("action_close_shift")
        self.operation("action_open_shift")
        payment.receipt_ids.with_user(self.cashier).action_retry()
        self.run_jobs()
        self.assertEqual(payment.fiscal_state, "done")
        self.assertEqual(self.fake.printed(payment.receipt_ids.name), 1)
        self.assertEqual([doc[0] for doc in self.fake.documents], ["openShift", "closeShift", "openShift", "sell"])

    def cash(self, operation, amount):
        wizard = (
            self.env["clinic.fiscal.cash.wizard"]
            .with_user(self.cashier)
            .create({"register_id": self.register.id, "operation": operation, "amount": amount})
        )
        return self.env["clinic.fiscal.receipt"].browse(wizard.action_confirm()["res_id"])

    def test_x_report_and_cash_in_out_reach_the_register_as_the_cashier(self):
        self.operation("action_open_shift")
        cash_in, cash_out = self.cash("cashIn", 5000.0), self.cash("cashOut", 1200.5)
        self.run_jobs()
        report = self.operation("action_report_x")
        self.assertEqual((cash_in.state, cash_out.state, report.state), ("done", "done", "done"))
        self.assertEqual(
            self.fake.operations,
            [
                ("cashIn", 5000.0, "Петрова Анна Алексеевна"),
                ("cashOut", 1200.5, "Петрова Анна Алексеевна"),
                ("reportX", None, "Петрова Анна Алексеевна"),
            ],
            "in the order taken, with the sums and the cashier; the X report leaves the shift open",
        )
        self.assertEqual([doc[0] for doc in self.fake.documents], ["openShift"], "none of them is a fiscal document")
        self.assertEqual(self.register.shift_state, "opened")
        with self.assertRaisesRegex(ValidationError, "Amount"):
            self.cash("cashOut", 0.0)
        self.register.shift_opened_at = fields.Datetime.now() - timedelta(hours=25)
        with self.assertRaisesRegex(UserError, "24"):
            self.cash("cashOut", 100.0)
        self.assertEqual(len(self.fake.operations), 3)

    def test_correction_for_a_payment_without_receipt(self):
        self.register.active = False
        visit = self.visit()
        payment = self.env["clinic.visit.payment"].create({"visit_id": visit.id, "amount": 3150.0, "method": "cash"})
        self.assertEqual((payment.fiscal_state, payment.receipt_ids.ids), ("none", []))
        self.register.active = True
        wizard = (
            self.env["clinic.fiscal.correction.wizard"]
            .with_user(self.accountant)
            .create({"payment_id": payment.id, "register_id": self.register.id, "correction_type": "self"})
        )
        wizard.action_confirm()
        self.run_jobs()
        correction = payment.receipt_ids
        self.assertEqual(
            (correction.operation, correction.state, payment.fiscal_state), ("sellCorrection", "done", "done")
        )
        task = self.task(correction)
        self.assertEqual(task["correctionType"], "self")
        self.assertNotIn("correctionBaseNumber", task)
        with self.assertRaises(UserError):
            self.env["clinic.fiscal.correction.wizard"].with_user(self.cashier).create(
                {"payment_id": payment.id, "register_id": self.register.id}
            ).action_confirm()

    def test_wrong_receipt_is_reversed_then_corrected(self):
        payment = self.pay(self.visit(), 3150.0)
        self.run_jobs()
        wrong = payment.receipt_ids
        wizard = (
            self.env["clinic.fiscal.correction.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "payment_id": payment.id,
                    "receipt_id": wrong.id,
                    "register_id": self.register.id,
                    "method": "electronically",
                    "correction_type": "instruction",
                    "correction_number": "12-34/567",
                }
            )
        )
        wizard.action_confirm()
        self.run_jobs()
        reversal = payment.receipt_ids.filtered(lambda r: r.operation == "sellReturnCorrection")
        right = payment.receipt_ids.filtered(lambda r: r.operation == "sellCorrection")
        self.assertEqual((reversal.state, right.state), ("done", "done"), reversal.error or right.error)
        self.assertLess(reversal.fd_number, right.fd_number)
        self.assertEqual(self.task(reversal)["payments"], [{"type": "cash", "sum": 3150.0}])
        self.assertEqual(self.task(reversal)["items"], self.task(wrong)["items"], "the reversal repeats the wrong one")
        self.assertEqual((reversal.corrected_id, right.corrected_id), (wrong, wrong))
        self.assertEqual(self.task(right)["payments"], [{"type": "electronically", "sum": 3150.0}])
        self.assertEqual(self.task(right)["correctionBaseNumber"], "12-34/567")
        self.assertEqual([doc[0] for doc in self.fake.documents][-2:], ["sellReturnCorrection", "sellCorrection"])
