import os
import shutil
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .common import FiscalCase, fake_terminal


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


@tagged("post_install", "-at_install")
class TestCardApprovalOutlivesTheRequest(BaseCase):
    """The request that charged the card dies afterwards (a worker killed, a serialization failure): the approval,
    committed on its own, stays on the wizard the browser saved, and confirming again charges nothing.

    Real transactions, so the data is committed, and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder, agent = fake_terminal()
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            register = env["clinic.fiscal.register"].create(
                {"name": "Касса со сбоем", "terminal": "sberbank", "terminal_path": agent, "terminal_timeout": 20}
            )
            service = env["product.product"].create(
                {"name": "Приём хирурга", "is_medical_service": True, "type": "service", "list_price": 900}
            )
            patient = env["res.partner"].create({"is_patient": True, "surname": "Сбоев", "first_name": "Пётр"})
            visit = env["clinic.visit"].create(
                {
                    "patient_id": patient.id,
                    "line_ids": [fields.Command.create({"product_id": service.id, "price_unit": 900.0})],
                }
            )
            wizard = env["clinic.fiscal.payment.wizard"].create(
                {"visit_id": visit.id, "amount": 900.0, "method": "card", "register_id": register.id}
            )  # saved by the browser before its button runs
            cls.ids = {"register": register.id, "service": service.id, "patient": patient.id, "visit": visit.id}
            cls.wizard_id = wizard.id
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM clinic_fiscal_payment_wizard WHERE id = %s", [cls.wizard_id])
            cr.execute(
                "DELETE FROM clinic_fiscal_receipt WHERE payment_id IN "
                "(SELECT id FROM clinic_visit_payment WHERE visit_id = %s)",
                [cls.ids["visit"]],
            )
            cr.execute("DELETE FROM clinic_visit_payment WHERE visit_id = %s", [cls.ids["visit"]])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["clinic.visit"].browse(cls.ids["visit"]).unlink()
            env["product.product"].browse(cls.ids["service"]).product_tmpl_id.unlink()
            env["res.partner"].browse(cls.ids["patient"]).unlink()
            env["queue.job.channel"].search([("name", "=", f"register_{cls.ids['register']}")]).unlink()
            env["clinic.fiscal.register"].browse(cls.ids["register"]).unlink()

    def confirm(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["clinic.fiscal.payment.wizard"].browse(self.wizard_id).action_confirm()

    def committed(self, query, record_id):
        with self.registry.cursor() as cr:
            cr.execute(query, [record_id])
            return cr.fetchall()

    def calls(self):
        with open(os.path.join(self.folder, "calls.log"), encoding="utf-8") as calls:
            return calls.read().splitlines()

    def test_confirming_after_the_request_died_records_the_approval_without_a_second_charge(self):
        died = RuntimeError("the worker was killed after the terminal approved")
        with patch.object(self.registry["clinic.visit.payment"], "_clinic_fiscal_queue", side_effect=died):
            with self.assertRaises(RuntimeError):
                self.confirm()
        self.assertEqual(self.calls(), ["1 90000"])
        payments = "SELECT amount, terminal_rrn, fiscal_state FROM clinic_visit_payment WHERE visit_id = %s"
        self.assertEqual(self.committed(payments, self.ids["visit"]), [])
        approval = "SELECT terminal_rrn, terminal_auth_code FROM clinic_fiscal_payment_wizard WHERE id = %s"
        self.assertEqual(
            self.committed(approval, self.wizard_id), [("400000000001", "A1B2C3")], "the approval outlived the request"
        )
        self.confirm()  # the cashier presses the button again
        self.assertEqual(self.calls(), ["1 90000"], "the card was charged once")
        self.assertEqual(self.committed(payments, self.ids["visit"]), [(900.0, "400000000001", "queued")])
