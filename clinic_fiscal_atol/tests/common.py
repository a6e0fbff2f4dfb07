import json
import os
import shutil
import stat
import sys
import tempfile

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.clinic_base.tests.queue_jobs import run_queued_jobs
from odoo.addons.clinic_scheduling.tests.common import SchedulingCase

from .fake_atol import FakeAtol


def fake_terminal():
    """A stand-in Sberbank agent ``sb_pilot`` (``fake_sb_pilot.py``) in a new folder: (folder, agent path).

    The agent logs its calls in ``calls.log`` of the folder and reads ``mode`` there (e.g. ``decline``).
    """
    folder = tempfile.mkdtemp(prefix="sb_pilot_")
    agent = os.path.join(folder, "sb_pilot")
    source = os.path.join(os.path.dirname(__file__), "fake_sb_pilot.py")
    with open(source, encoding="utf-8") as src, open(agent, "w", encoding="utf-8") as dst:
        dst.write(f"#!{sys.executable}\n" + src.read())
    os.chmod(agent, os.stat(agent).st_mode | stat.S_IEXEC)
    return folder, agent


class FiscalCase(SchedulingCase):
    """A clinic with one direct register pointing at a fake ATOL Web Requests server on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeAtol().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.env["clinic.fiscal.register"].search([]).active = False
        cls.register = cls.env["clinic.fiscal.register"].create(
            {
                "name": "Ресепшн тест",
                "connection": "direct",
                "base_url": cls.fake.url,
                "timeout": 2.0,
                "poll_timeout": 1.0,
            }
        )
        cls.env.company.clinic_taxation_type = "usnIncome"
        cls.cashier = new_test_user(
            cls.env, "fiscal_cashier", groups="clinic_base.group_clinic_receptionist", name="Петрова Анна"
        )
        cls.env["hr.employee"].create(
            {"name": "Петрова Анна Алексеевна", "user_id": cls.cashier.id, "clinic_inn": "500100732259"}
        )
        cls.accountant = new_test_user(cls.env, "fiscal_accountant", groups="clinic_base.group_clinic_accountant")
        cls.blood = cls.env["product.product"].create(
            {"name": "Общий анализ крови", "is_medical_service": True, "type": "service", "list_price": 650}
        )
        cls.cosmetic = cls.env["product.product"].create(
            {
                "name": "Косметическая чистка лица",
                "is_medical_service": True,
                "type": "service",
                "list_price": 3000,
                "clinic_vat": "vat20",
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()

    def visit(self, done=True, lines=None):
        if lines is None:
            lines = [(self.service, 2500.0, 1), (self.blood, 650.0, 1)]
        visit = self.env["clinic.visit"].create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.doctor.id,
                "line_ids": [
                    fields.Command.create({"product_id": product.id, "price_unit": price, "quantity": qty})
                    for product, price, qty in lines
                ],
            }
        )
        if done:
            visit.action_done()
        return visit

    def pay(self, visit, amount, method="cash", user=None, **extra):
        env = self.env(user=user or self.cashier)
        wizard = env["clinic.fiscal.payment.wizard"].create(
            {"visit_id": visit.id, "amount": amount, "method": method, "register_id": self.register.id, **extra}
        )
        wizard.action_confirm()
        payment = self.env["clinic.visit.payment"].search([("visit_id", "=", visit.id)], order="id desc", limit=1)
        return payment

    def run_jobs(self):
        """The queue_job worker's part: perform every pending receipt job, due or not (backoff skipped)."""
        return run_queued_jobs(self.env, ["clinic.fiscal.receipt"], due_only=False)

    def install_fake_terminal(self):
        """The stand-in Sberbank agent set on the register; returns its folder (see ``fake_terminal``)."""
        folder, agent = fake_terminal()
        self.addCleanup(shutil.rmtree, folder, True)
        self.register.write({"terminal": "sberbank", "terminal_path": agent, "terminal_timeout": 20})
        return folder

    @staticmethod
    def task(receipt):
        return json.loads(receipt.request_json)["request"][0]
