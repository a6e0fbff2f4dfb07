import threading
import time
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
            other_clinic = env["res.company"].create({"name": "Клиника на Ленина (гонка)"})
            visits = env["clinic.visit"]
            # paid at this clinic in YEAR and the year before, at the other clinic in YEAR
            for company, year in ((env.company, YEAR), (env.company, YEAR - 1), (other_clinic, YEAR)):
                visit = visits.create(
                    {
                        "patient_id": payer.id,
                        "company_id": company.id,
                        "date": datetime(year, 5, 5, 6),
                        "line_ids": [(0, 0, {"product_id": product.id, "price_unit": 2000})],
                    }
                )
                env["clinic.visit.payment"].create(
                    {
                        "visit_id": visit.id,
                        "amount": 2000,
                        "date": date(year, 5, 5),
                        "payer_id": payer.id,
                        "fiscal_state": "done",
                    }  # fmt: skip
                )
                visits |= visit
            sequences = env["ir.sequence"].search([("code", "=", "clinic.tax.certificate")])
            cls.ids = {
                "product": product.id,
                "payer": payer.id,
                "visits": tuple(visits.ids),
                "company": env.company.id,
                "other_clinic": other_clinic.id,
                "sequences": tuple(sequences.ids) or (0,),
            }

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # in SQL: printed payments and issued certificates are not deleted through the ORM
            cr.execute("DELETE FROM clinic_tax_certificate WHERE taxpayer_id = %s", [cls.ids["payer"]])
            cr.execute("DELETE FROM clinic_visit_payment WHERE visit_id IN %s", [cls.ids["visits"]])
            cr.execute("DELETE FROM clinic_visit_line WHERE visit_id IN %s", [cls.ids["visits"]])
            cr.execute("DELETE FROM clinic_visit WHERE id IN %s", [cls.ids["visits"]])
            cr.execute(
                "DELETE FROM ir_sequence WHERE code = 'clinic.tax.certificate' AND id NOT IN %s", [cls.ids["sequences"]]
            )
            env["res.partner"].browse(cls.ids["payer"]).unlink()
            env["product.product"].browse(cls.ids["product"]).unlink()
            env["res.company"].browse(cls.ids["other_clinic"]).unlink()
        super().tearDownClass()

    def thread_env(self, cr):
        """An environment for another thread: the test runner holds the registry lock, so hand the registry over."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def delete_certificates(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM clinic_tax_certificate WHERE taxpayer_id = %s", [self.ids["payer"]])

    def issue(self, cr, year, company_key="company"):
        env = self.thread_env(cr)
        payer = env["res.partner"].browse(self.ids["payer"])
        company = env["res.company"].browse(self.ids[company_key])
        return env["clinic.tax.certificate"]._issue(payer, year, company=company).number

    def test_numbers_per_clinic_without_gaps_across_transactions(self):
        """Three accountants at once: A (this clinic, last year) takes a number, then rolls back; B (this clinic,
        this year) waits for A's transaction and gets A's number, no gap; C (the other clinic) waits for nobody
        and starts its own register at 000001."""
        self.addCleanup(self.delete_certificates)
        a_holds, b_started = threading.Event(), threading.Event()
        times, outcomes = {}, {}

        def run(name, body):
            try:
                outcomes[name] = body()
            except Exception as error:  # noqa: BLE001 - reported by the assertions below
                outcomes[name] = repr(error)
                a_holds.set()

        def first():
            with self.registry.cursor() as cr:
                number = self.issue(cr, YEAR - 1)
                a_holds.set()
                b_started.wait(30)
                outcomes["c_done_while_a_held"] = c_thread_done.wait(30)
                time.sleep(0.5)  # B is waiting on the clinic's numbers by now
                times["a_released"] = time.monotonic()
                cr.rollback()  # the accountant's transaction fails: its number is not used
                return number

        def second():
            a_holds.wait(30)
            b_started.set()
            with self.registry.cursor() as cr:
                number = self.issue(cr, YEAR)
                times["b_numbered"] = time.monotonic()
                return number

        c_thread_done = threading.Event()

        def third():
            a_holds.wait(30)
            with self.registry.cursor() as cr:
                number = self.issue(cr, YEAR, "other_clinic")
            c_thread_done.set()
            return number

        threads = [
            threading.Thread(target=run, args=(name, body))
            for name, body in (("a", first), ("b", second), ("c", third))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertRegex(outcomes["a"], r"^\d{6}$", outcomes)
        self.assertEqual(outcomes["b"], outcomes["a"], "the number of the rolled-back issue is used next: no gap")
        self.assertGreater(times["b_numbered"], times["a_released"], "B was numbered after A's transaction ended")
        self.assertEqual(outcomes["c"], "000001", "the other clinic counts its own certificates")
        self.assertTrue(outcomes["c_done_while_a_held"], "one clinic's issuing does not wait for another's")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            certificates = env["clinic.tax.certificate"].search([("taxpayer_id", "=", self.ids["payer"])])
            self.assertEqual(
                sorted((c.company_id.id, c.year, c.number) for c in certificates),
                sorted([(self.ids["company"], YEAR, outcomes["a"]), (self.ids["other_clinic"], YEAR, "000001")]),
            )

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
