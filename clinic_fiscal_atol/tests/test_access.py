from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestFiscalAccess(FiscalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doctor_user = new_test_user(cls.env, "fiscal_doctor", groups="clinic_base.group_clinic_doctor")
        cls.nobody = new_test_user(cls.env, "fiscal_nobody", groups="base.group_user")
        cls.manager = new_test_user(cls.env, "fiscal_manager", groups="clinic_base.group_clinic_manager")

    def test_cashiers_see_receipts_others_nothing(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        for user in (self.cashier, self.accountant, self.manager):
            self.assertEqual(
                self.env["clinic.fiscal.receipt"].with_user(user).search([("id", "=", receipt.id)]), receipt
            )
        for user in (self.doctor_user, self.nobody):
            with self.assertRaises(AccessError):
                self.env["clinic.fiscal.receipt"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.register.with_user(user).action_open_shift()

    def test_receipts_are_written_by_the_register_only(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        with self.assertRaises(AccessError):
            receipt.with_user(self.cashier).write({"state": "done"})
        with self.assertRaises(AccessError):
            receipt.with_user(self.manager).unlink()

    def test_register_settings_are_the_managers(self):
        with self.assertRaises(AccessError):
            self.register.with_user(self.cashier).write({"base_url": "http://evil.example/api/v2"})
        with self.assertRaises(AccessError):
            self.register.with_user(self.cashier).read(["proxy_token"])
        self.register.with_user(self.manager).write({"name": "Ресепшн 2"})

    def test_corrections_are_for_accounting(self):
        payment = self.pay(self.visit(), 3150.0)
        with self.assertRaises(AccessError):
            payment.with_user(self.cashier).action_clinic_fiscal_correct()
        self.assertEqual(
            payment.with_user(self.accountant).action_clinic_fiscal_correct()["res_model"],
            "clinic.fiscal.correction.wizard",
        )
