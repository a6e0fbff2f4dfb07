import threading
from datetime import date, datetime

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

YEAR = 2025


@tagged("post_install", "-at_install")
class TestTaxCertificateRace(BaseCase):
    """Two accountants issue the same taxpayer's certificate at once, each in their own transaction: one certificate.

    The data is committed (the other connection must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            product = env["product.product"].create(
                {"name": "Приём (гонка)", "is_medical_service": True, "type": "service", "list_price": 2000}
            )
            payer = env["res.partner"].create(
                {"is_patient": True, "surname": "Гонщикова", "first_name": "Анна", "inn": "667100000298"}
            )
            visit = env["clinic.visit"].create(
                {
                    "patient_id": payer.id,
                    "date": datetime(YEAR, 5, 5, 6),
                    "line_ids": [(0, 0, {"product_id": product.id, "price_unit": 2000})],
                }
            )
            env["clinic.visit.payment"].create(
                {
                    "visit_id": visit.id,
                    "amount": 2000,
                    "date": date(YEAR, 5, 5),
                    "payer_id": payer.id,
                    "fiscal_state": "done",
                }  # fmt: skip
            )
            cls.ids = {"product": product.id, "payer": payer.id, "visit": visit.id}

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # in SQL: printed payments and issued certificates are not deleted through the ORM
            cr.execute("DELETE FROM clinic_tax_certificate WHERE taxpayer_id = %s", [cls.ids["payer"]])
            cr.execute("DELETE FROM clinic_visit_payment WHERE visit_id = %s", [cls.ids["visit"]])
            cr.execute("DELETE FROM clinic_visit_line WHERE visit_id = %s", [cls.ids["visit"]])
            cr.execute("DELETE FROM clinic_visit WHERE id = %s", [cls.ids["visit"]])
            env["res.partner"].browse(cls.ids["payer"]).unlink()
            env["product.product"].browse(cls.ids["product"]).unlink()
        super().tearDownClass()

    def thread_env(self, cr):
        """An environment for another thread: the test runner holds the registry lock, so hand the registry over."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_two_accountants_at_once_get_one_certificate(self):
        first_holds = threading.Event()
        second_done = threading.Event()
        outcomes = {}

        def first():
            try:
                with self.registry.cursor() as cr:
                    env = self.thread_env(cr)
                    payer = env["res.partner"].browse(self.ids["payer"])
                    outcomes["first"] = env["clinic.tax.certificate"]._issue(payer, YEAR).ids
                    first_holds.set()
                    second_done.wait(30)  # commit only after the second one tried
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes["first"] = repr(error)
                first_holds.set()

        def second():
            first_holds.wait(30)
            with self.registry.cursor() as cr:
                env = self.thread_env(cr)
                payer = env["res.partner"].browse(self.ids["payer"])
                try:
                    outcomes["second"] = env["clinic.tax.certificate"]._issue(payer, YEAR).ids
                except UserError as error:
                    outcomes["second"] = str(error)
                finally:
                    second_done.set()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertIsInstance(outcomes["first"], list, outcomes["first"])
        self.assertEqual(len(outcomes["first"]), 1)
        self.assertIn("being issued by someone else", outcomes["second"])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payer = env["res.partner"].browse(self.ids["payer"])
            again = env["clinic.tax.certificate"]._issue(payer, YEAR)
            self.assertEqual(again.ids, outcomes["first"], "afterwards: the certificate in force, not a second one")
            cr.rollback()
