import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import FiscalCase

ONE_RECORD = "this action works on exactly one record, not 0"
# (model, method, login allowed to call it): the cash desk's and the accountants' buttons
ACTIONS = [
    ("clinic.fiscal.cash.wizard", "action_confirm", "fiscal_cashier"),
    ("clinic.fiscal.payment.wizard", "action_confirm", "fiscal_cashier"),
    ("clinic.fiscal.correction.wizard", "action_confirm", "fiscal_accountant"),
    ("clinic.tax.certificate.wizard", "action_issue", "fiscal_accountant"),
    ("clinic.tax.certificate.annul.wizard", "action_confirm", "fiscal_accountant"),
    ("clinic.visit", "action_clinic_fiscal_take_payment", "fiscal_cashier"),
    ("clinic.visit", "action_clinic_fiscal_refund", "fiscal_cashier"),
    ("clinic.visit.payment", "action_clinic_fiscal_correct", "fiscal_accountant"),
    ("clinic.fiscal.register", "action_open_shift", "fiscal_cashier"),
    ("clinic.fiscal.register", "action_report_x", "fiscal_cashier"),
]


@tagged("post_install", "-at_install")
class TestFiscalEmptyRecordsets(FiscalCase, HttpCase):
    """Public actions called over RPC on no record: refused by rights first, then with a clear error, no traceback."""

    def call_kw(self, model, method, ids):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "model": model, "method": method, "args": [ids], "kwargs": {}}}),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        return response.json().get("error") or {}

    def test_empty_recordsets_are_refused_cleanly(self):
        new_test_user(self.env, "fiscal_portal", groups="base.group_portal")
        for model, method, login in ACTIONS:
            with self.subTest(model=model, method=method):
                self.authenticate("fiscal_portal", "fiscal_portal")
                error = self.call_kw(model, method, [])
                self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError", error)
                self.authenticate(login, login)
                error = self.call_kw(model, method, [])
                self.assertEqual(error["data"]["name"], "odoo.exceptions.UserError", error)
                self.assertIn(ONE_RECORD, error["data"]["message"])
