from odoo.tests import HttpCase, tagged

from odoo.addons.clinic_fiscal_atol.proxy.clinic_fiscal_proxy.atol import AtolClient
from odoo.addons.clinic_fiscal_atol.proxy.clinic_fiscal_proxy.loop import ProxyLoop

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestFiscalProxy(FiscalCase, HttpCase):
    """The proxy loop end to end: Odoo's HTTP endpoints, the proxy's code, the fake ATOL server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.register.connection = "proxy"

    def proxy(self, token=None, atol=True):
        self.env.flush_all()  # the proxy's requests read what this test wrote
        client = AtolClient(self.fake.url, poll_timeout=1.0) if atol else None
        return ProxyLoop(self.base_url(), token or self.register.proxy_token, atol=client)

    def test_proxy_prints_pending_receipts_and_reports_back(self):
        payment = self.pay(self.visit(), 3150.0)
        receipt = payment.receipt_ids
        jobs = self.env["queue.job"].search([("model_name", "=", "clinic.fiscal.receipt")])
        self.assertFalse(jobs.filtered(lambda job: receipt in job.records))  # the proxy fetches it, no job
        self.assertEqual(self.proxy().run_once(), 1)
        self.env.invalidate_all()
        self.assertEqual((receipt.state, payment.fiscal_state), ("done", "done"))
        self.assertEqual(self.fake.printed(receipt.name), 1)
        self.assertEqual(self.proxy().run_once(), 0)

    def test_proxy_reports_a_lost_answer_without_a_second_receipt(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        AtolClient(self.fake.url).run(receipt.uuid, receipt._tasks())  # the proxy died after its POST
        self.proxy().run_once()
        self.env.invalidate_all()
        self.assertEqual(receipt.state, "done")
        self.assertEqual((self.fake.posts, self.fake.printed(receipt.name)), (1, 1))

    def test_register_offline_keeps_the_receipt_waiting(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        self.fake.down = True
        self.proxy().run_once()
        self.env.invalidate_all()
        self.assertEqual(receipt.state, "draft")
        self.assertTrue(receipt.next_try)
        receipt.next_try = False
        self.fake.down = False
        self.proxy().run_once()
        self.env.invalidate_all()
        self.assertEqual(receipt.state, "done")

    def test_wrong_token_is_refused_and_stale_results_change_nothing(self):
        self.pay(self.visit(), 3150.0)
        response = self.url_open(
            "/clinic_fiscal/proxy/jobs", data="{}", headers={"Authorization": "Bearer " + "x" * 40}
        )
        self.assertEqual(response.status_code, 401)
        receipt = self.env["clinic.fiscal.receipt"].search([("register_id", "=", self.register.id)], limit=1)
        response = self.url_open(
            "/clinic_fiscal/proxy/result",
            data='{"id": %d, "uuid": "other", "outcome": {"kind": "done"}}' % receipt.id,
            headers={"Authorization": f"Bearer {self.register.proxy_token}", "Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(receipt.state, "draft")

    def test_desk_without_atol_server_reports_the_serial_status(self):
        """No Web Requests server at the desk: the proxy reports the port's status, the receipt keeps waiting."""
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        loop = self.proxy(atol=False)
        loop.serial_port = "/dev/clinic-no-such-port"
        self.assertEqual(loop.run_once(), 1)
        self.env.invalidate_all()
        self.assertTrue(self.register.status_note.startswith("/dev/clinic-no-such-port: "), self.register.status_note)
        self.assertTrue(self.register.status_at)
        self.assertEqual((receipt.state, receipt.error), ("draft", "no ATOL Web Requests server at this desk"))
        self.assertTrue(receipt.next_try)
        self.assertEqual(self.fake.posts, 0)

    def test_a_body_that_is_not_a_json_object_is_refused(self):
        headers = {"Authorization": f"Bearer {self.register.proxy_token}", "Content-Type": "application/json"}
        for path in ("/clinic_fiscal/proxy/jobs", "/clinic_fiscal/proxy/result"):
            for body in ("[1]", "not json"):
                response = self.url_open(path, data=body, headers=headers)
                self.assertEqual(response.status_code, 400, f"{path} {body}")
