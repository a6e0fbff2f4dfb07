from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.clinic_base.tests.concurrency import race

from .fake_atol import FakeAtol

WORKERS = 4


@tagged("post_install", "-at_install")
class TestSendRace(BaseCase):
    """Several workers, each in its own committed transaction, send the same receipt at once: it prints once.

    The data is committed (other connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeAtol(latency=0.2).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            register = env["clinic.fiscal.register"].create(
                {"name": "Гонка", "connection": "direct", "base_url": cls.fake.url, "poll_timeout": 3.0}
            )
            receipts = env["clinic.fiscal.receipt"].create(
                [
                    {
                        "register_id": register.id,
                        "operation": "sell",
                        "payment_type": "cash",
                        "amount": 500.0,
                        "line_ids": [
                            fields.Command.create(
                                {"name": "Приём терапевта", "price": 500.0, "quantity": 1, "amount": 500.0}
                            )
                        ],
                    }
                    for _i in range(2)
                ]
            )
            receipts._freeze_request()
            cls.register_id, cls.receipt_ids = register.id, receipts.ids
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["queue.job"].search([("model_name", "=", "clinic.fiscal.receipt")]).filtered(
                lambda job: set(job.records.ids) & set(cls.receipt_ids)
            ).unlink()
            env["clinic.fiscal.receipt"].browse(cls.receipt_ids).unlink()
            env["queue.job.channel"].search([("name", "=", f"register_{cls.register_id}")]).unlink()
            env["clinic.fiscal.register"].browse(cls.register_id).unlink()

    def race(self, receipt_id):
        outcomes = race(
            self.registry, WORKERS, lambda env, _i: env["clinic.fiscal.receipt"].browse(receipt_id)._process()
        )
        self.assertEqual([o for o in outcomes if isinstance(o, Exception)], [])
        return outcomes

    def state(self, receipt_id):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, name FROM clinic_fiscal_receipt WHERE id = %s", [receipt_id])
            return cr.fetchone()

    def test_concurrent_attempts_print_one_receipt(self):
        receipt_id = self.receipt_ids[0]
        outcomes = self.race(receipt_id)
        self.assertEqual(outcomes.count("done"), 1, outcomes)
        state, name = self.state(receipt_id)
        self.assertEqual(state, "done")
        self.assertEqual(self.fake.printed(name), 1)

    def test_retries_racing_after_a_lost_answer_print_one_receipt(self):
        receipt_id = self.receipt_ids[1]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            receipt = env["clinic.fiscal.receipt"].browse(receipt_id)
            receipt.register_id._client().run(receipt.uuid, receipt._tasks())  # POSTed, then the worker died
        self.race(receipt_id)
        state, name = self.state(receipt_id)
        self.assertEqual(state, "done")
        self.assertEqual(self.fake.printed(name), 1)
