import base64
import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.clinic_fiscal_atol.proxy.clinic_fiscal_proxy.atol import AtolClient

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestReceipts(FiscalCase):
    def test_cash_sale_prints_once_with_fiscal_data_and_qr(self):
        visit = self.visit()
        payment = self.pay(visit, 3150.0, email_or_phone="+79120000001")
        receipt = payment.receipt_ids
        self.assertEqual((receipt.state, payment.fiscal_state), ("draft", "queued"))
        self.assertTrue(receipt.uuid)
        task = self.task(receipt)
        self.assertEqual(task["type"], "sell")
        self.assertEqual(task["taxationType"], "usnIncome")
        self.assertEqual(task["operator"], {"name": "Петрова Анна Алексеевна", "vatin": "500100732259"})
        self.assertEqual(task["clientInfo"], {"emailOrPhone": "+79120000001"})
        self.assertEqual(task["payments"], [{"type": "cash", "sum": 3150.0}])
        self.assertEqual(
            [
                (
                    i["name"],
                    i["price"],
                    i["amount"],
                    i["tax"]["type"],
                    i["paymentMethod"],
                    i["paymentObject"],
                    i["measurementUnit"],
                )
                for i in task["items"]
            ],
            [
                ("Приём терапевта", 2500.0, 2500.0, "none", "fullPayment", "service", 0),
                ("Общий анализ крови", 650.0, 650.0, "none", "fullPayment", "service", 0),
            ],
        )
        self.run_jobs()
        self.assertEqual((receipt.state, payment.fiscal_state), ("done", "done"))
        self.assertEqual(self.fake.printed(receipt.name), 1)
        self.assertEqual(receipt.fn_number, "9999078900012345")
        self.assertTrue(receipt.fiscal_sign and receipt.fd_number and receipt.fiscal_datetime)
        self.assertEqual(receipt.registration_number, "0000000001012345")
        params = json.loads(receipt.result_json)["results"][0]["result"]["fiscalParams"]
        self.assertEqual(receipt.shift_number, params["shiftNumber"])
        printed_at = datetime.fromisoformat(params["fiscalDocumentDateTime"])  # the register's local time
        self.assertEqual(receipt.fiscal_datetime, (printed_at - printed_at.utcoffset()).replace(tzinfo=None))
        # the QR code carries the time printed on the receipt, whatever the zone of the one looking at it
        receipt.invalidate_recordset(["qr_code", "qr_image"])
        seen = receipt.with_user(self.cashier).with_context(tz="Europe/Moscow")
        self.assertEqual(
            seen.qr_code,
            f"t={printed_at:%Y%m%dT%H%M}&s=3150.00&fn=9999078900012345&i={receipt.fd_number}"
            f"&fp={receipt.fiscal_sign}&n=1",
        )
        self.assertTrue(base64.b64decode(seen.qr_image).startswith(b"\x89PNG"), "an image the form shows")
        self.assertEqual(json.loads(receipt.result_json)["results"][0]["status"], "ready")
        with self.assertRaises(UserError):
            payment.with_user(self.cashier).write({"amount": 100.0})
        with self.assertRaises(UserError):
            payment.unlink()

    def test_taxable_service_carries_its_vat(self):
        visit = self.visit(lines=[(self.cosmetic, 3000.0, 1)])
        receipt = self.pay(visit, 3000.0, method="transfer").receipt_ids
        task = self.task(receipt)
        self.assertEqual(task["items"][0]["tax"], {"type": "vat20"})
        self.assertEqual(task["payments"][0]["type"], "electronically")

    def test_partial_advance_then_settlement_offsets_it(self):
        visit = self.visit(done=False)
        payment = self.pay(visit, 1000.0)
        task = self.task(payment.receipt_ids)
        self.assertEqual([i["amount"] for i in task["items"]], [793.65, 206.35])
        self.assertEqual({i["paymentMethod"] for i in task["items"]}, {"prepayment"})
        self.run_jobs()
        rest = self.pay(visit, 2150.0)
        self.assertEqual({i["paymentMethod"] for i in self.task(rest.receipt_ids)["items"]}, {"prepayment"})
        # each service in proportion: the two receipts add up to the services, kopeck for kopeck
        self.assertEqual([i["amount"] for i in self.task(rest.receipt_ids)["items"]], [1706.35, 443.65])
        self.run_jobs()
        visit.action_done()
        settlements = (payment | rest).receipt_ids.filtered("settlement")
        self.assertEqual(len(settlements), 2)
        first = settlements.filtered(lambda r: r.payment_id == payment)
        task = self.task(first)
        self.assertEqual(task["payments"], [{"type": "prepaid", "sum": 1000.0}])
        self.assertEqual({i["paymentMethod"] for i in task["items"]}, {"fullPayment"})
        self.run_jobs()
        self.assertEqual(set(settlements.mapped("state")), {"done"})
        self.assertEqual(len([doc for doc in self.fake.documents if doc[0] == "sell"]), 4)

    def test_advance_without_services_is_an_advance_line(self):
        visit = self.visit(done=False, lines=[])
        receipt = self.pay(visit, 5000.0).receipt_ids
        item = self.task(receipt)["items"][0]
        self.assertEqual((item["paymentMethod"], item["paymentObject"], item["amount"]), ("advance", "payment", 5000.0))

    def test_refund_returns_the_same_lines_and_payment_type(self):
        visit = self.visit()
        payment = self.pay(visit, 3150.0, method="transfer")
        self.run_jobs()
        refund = self.pay(visit, 650.0, method="transfer", kind="refund", refund_of_id=payment.id)
        self.assertEqual((refund.kind, refund.refund_of_id), ("refund", payment))
        self.assertEqual((visit.amount_paid, visit.balance_due), (2500.0, 650.0))
        task = self.task(refund.receipt_ids)
        self.assertEqual(task["type"], "sellReturn")
        self.assertEqual(task["payments"], [{"type": "electronically", "sum": 650.0}])
        self.assertEqual([i["amount"] for i in task["items"]], [515.87, 134.13])
        self.run_jobs()
        self.assertEqual(refund.fiscal_state, "done")
        self.assertIn("&n=2", refund.receipt_ids.qr_code)
        with self.assertRaisesRegex(Exception, "more than what is left"):
            self.pay(visit, 3000.0, kind="refund", refund_of_id=payment.id)

    def test_repeated_uuid_reads_the_first_result(self):
        """An earlier attempt's POST went through but its answer was lost: 409, read, no second receipt."""
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        AtolClient(self.fake.url).run(receipt.uuid, receipt._tasks())
        self.run_jobs()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.fake.printed(receipt.name), 1)
        self.assertEqual(self.fake.posts, 1)

    def test_crash_after_post_before_commit_is_retried_without_second_receipt(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            receipt._process()
            raise RuntimeError("worker killed before its commit")  # the register printed, Odoo forgot
        self.env.invalidate_all()
        self.assertEqual((receipt.state, receipt.posted), ("draft", False))
        self.assertEqual(self.fake.printed(receipt.name), 1)
        self.run_jobs()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.fake.printed(receipt.name), 1)

    def test_slow_server_leaves_the_receipt_sent_and_polls_later(self):
        self.fake.latency = 5.0
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        receipt._process()
        self.assertEqual((receipt.state, receipt.posted), ("sent", True))
        self.fake.latency = 0.0
        with self.fake.lock:
            for request in self.fake.requests.values():
                request["ready_at"] = 0
        self.run_jobs()
        self.assertEqual(receipt.state, "done")
        self.assertEqual((self.fake.posts, self.fake.printed(receipt.name)), (1, 1))

    def test_blocked_then_closed_resolves_to_done(self):
        self.fake.script("blocked_closed")
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        receipt._process()
        self.assertEqual(receipt.state, "blocked")
        self.fake.reconnect()
        self.run_jobs()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.fake.printed(receipt.name), 1)

    def test_blocked_by_the_fiscal_storage_waits_and_is_never_printed_again(self):
        self.fake.script("blocked_fn")
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        uuid = receipt.uuid
        receipt._process()
        self.assertEqual((receipt.state, receipt.error_code, receipt.error), ("blocked", 115, "Ошибка обмена с ФН"))
        queue = self.fake.handle("GET", "/api/v2/getRequestsQueueStatus", b"")[1]
        self.assertEqual((queue["isBlocked"], queue["blockReason"], queue["blockedUUID"]), (True, "fnError", uuid))
        self.run_jobs()  # still blocked: asked again under the same uuid, nothing posted again
        self.assertEqual((receipt.state, receipt.uuid, self.fake.posts), ("blocked", uuid, 1))
        self.fake.reconnect()
        self.run_jobs()
        self.assertEqual((receipt.state, receipt.uuid), ("done", uuid))
        self.assertEqual((self.fake.printed(receipt.name), self.fake.posts), (1, 1))

    def test_blocked_then_not_closed_prints_once_under_a_new_uuid(self):
        self.fake.script("blocked_open")
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        first_uuid = receipt.uuid
        receipt._process()
        self.assertEqual(receipt.state, "blocked")
        self.assertEqual(self.fake.printed(receipt.name), 0)
        self.fake.reconnect()
        self.run_jobs()
        self.assertEqual(receipt.state, "done")
        self.assertNotEqual(receipt.uuid, first_uuid)
        self.assertEqual(receipt.previous_uuids, first_uuid)
        self.assertEqual(self.fake.printed(receipt.name), 1)

    def test_paper_out_before_closing_is_retried(self):
        self.fake.script("paper_before")
        payment = self.pay(self.visit(), 3150.0)
        payment.receipt_ids._process()
        self.assertEqual(payment.receipt_ids.state, "draft")  # error 44: nothing closed, new uuid queued
        self.run_jobs()
        self.assertEqual(payment.fiscal_state, "done")
        self.assertEqual(self.fake.printed(payment.receipt_ids.name), 1)

    def test_paper_out_after_closing_marks_not_printed_and_holds_the_queue(self):
        """Closed in the FN but not printed: done (never again), and the next receipt waits for the paper."""
        self.fake.script("paper_after")
        first = self.pay(self.visit(), 3150.0).receipt_ids
        first._process()
        self.assertEqual((first.state, first.not_printed, first.payment_id.fiscal_state), ("done", True, "done"))
        second = self.pay(self.visit(lines=[(self.blood, 650.0, 1)]), 650.0).receipt_ids
        second._process()
        self.assertEqual((second.state, second.posted), ("sent", True))
        self.assertEqual(self.fake.printed(second.name), 0)
        self.fake.load_paper()
        self.run_jobs()
        self.assertEqual((second.state, second.not_printed), ("done", False))
        self.assertEqual((self.fake.printed(first.name), self.fake.printed(second.name), self.fake.posts), (1, 1, 2))

    def test_register_down_keeps_the_receipt_queued_then_prints(self):
        self.fake.down = True
        payment = self.pay(self.visit(), 3150.0)
        receipt = payment.receipt_ids
        receipt._process()
        self.assertEqual((receipt.state, payment.fiscal_state), ("draft", "queued"))
        self.assertTrue(receipt.error and receipt.next_try)
        pending = (
            self.env["clinic.fiscal.receipt"]
            .with_user(self.cashier)
            .search([("state", "in", ("draft", "sent", "blocked"))])
        )
        self.assertIn(receipt, pending)
        self.fake.down = False
        self.run_jobs()
        self.assertEqual((receipt.state, self.fake.printed(receipt.name)), ("done", 1))

    def test_cron_queues_again_what_is_due(self):
        """A worker that stopped (its job gone) leaves the receipt due: the cron queues it again."""
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        self.env["queue.job"].search([("model_name", "=", "clinic.fiscal.receipt")]).unlink()
        self.assertEqual(self.env["clinic.fiscal.receipt"]._cron_retry(), receipt)
        self.run_jobs()
        self.assertEqual((receipt.state, self.fake.printed(receipt.name)), ("done", 1))
        self.assertFalse(self.env["clinic.fiscal.receipt"]._cron_retry())

    def test_plain_payment_form_gets_a_receipt_on_the_first_register(self):
        payment = (
            self.env["clinic.visit.payment"]
            .with_user(self.cashier)
            .create({"visit_id": self.visit().id, "amount": 3150.0, "method": "cash"})
        )
        self.assertEqual((payment.register_id, payment.fiscal_state), (self.register, "queued"))
        self.assertEqual(payment.receipt_ids.cashier_id, self.cashier)

    def test_register_not_activated_is_retried_with_the_same_uuid(self):
        self.fake.activated = False
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        uuid = receipt.uuid
        receipt._process()
        self.assertEqual(receipt.state, "draft")
        self.fake.activated = True
        self.run_jobs()
        self.assertEqual((receipt.state, receipt.uuid), ("done", uuid))

    def test_rejected_request_waits_for_the_cashier(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        data = json.loads(receipt.request_json)
        del data["request"][0]["operator"]
        receipt.request_json = json.dumps(data)
        receipt._process()
        self.assertEqual((receipt.state, receipt.error_code, receipt.payment_id.fiscal_state), ("error", 501, "failed"))
        self.assertIn("operator.name", receipt.error)
        self.run_jobs()
        self.assertEqual(receipt.state, "error")  # not retried by itself: the request has to change
        receipt.with_user(self.cashier).action_retry()
        self.run_jobs()
        self.assertEqual((receipt.state, self.fake.printed(receipt.name)), ("done", 1))

    def test_one_channel_of_capacity_one_per_register_and_each_attempt_queued_once(self):
        channel = self.env["queue.job.channel"].search(
            [("complete_name", "=", f"root.fiscal.register_{self.register.id}")]
        )
        self.assertEqual(channel.capacity, 1, "the runner starts one task of a register at a time")
        self.fake.down = True
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        receipt._schedule()  # the cron and the payment queue the same attempt: one job (identity key)
        jobs = self.env["queue.job"].search([("model_name", "=", "clinic.fiscal.receipt")])
        jobs = jobs.filtered(lambda job: receipt in job.records)
        self.assertEqual((len(jobs), jobs.channel), (1, channel.complete_name))
        before = fields.Datetime.now()
        receipt._process()
        retry = self.env["queue.job"].search([("model_name", "=", "clinic.fiscal.receipt"), ("id", "not in", jobs.ids)])
        retry = retry.filtered(lambda job: receipt in job.records)
        self.assertEqual((len(retry), retry.eta, retry.channel), (1, receipt.next_try, channel.complete_name))
        self.assertGreaterEqual(receipt.next_try, before + timedelta(seconds=3), "backoff: 4 s after the 1st try")

    def test_history_imported_from_1c_gets_no_receipt(self):
        """Imported payments were fiscalized (or not) back then: no receipt now; certificates still count them."""
        visit = (
            self.env["clinic.visit"]
            .sudo()
            .create(
                {
                    "patient_id": self.patient.id,
                    "employee_id": self.doctor.id,
                    "is_imported": True,
                    "import_ref": "1C-000123",
                    "line_ids": [fields.Command.create({"product_id": self.blood.id, "price_unit": 650.0})],
                }
            )
        )
        payment = self.env["clinic.visit.payment"].sudo().create({"visit_id": visit.id, "amount": 650.0})
        self.run_jobs()
        self.assertEqual((payment.fiscal_state, payment.receipt_ids.ids, self.fake.posts), ("none", [], 0))

    def test_the_cashiers_inn_must_be_a_valid_personal_inn(self):
        employee = self.cashier.employee_id
        for wrong in ("500100732258", "7707083893"):  # a check digit off; a company's INN (10 digits)
            with self.assertRaisesRegex(ValidationError, f"Петрова Анна Алексеевна: INN {wrong} is not a valid"):
                employee.clinic_inn = wrong
        self.env.invalidate_all(flush=False)  # the refused values stay in the cache only
        employee.clinic_inn = "667100002200"  # another valid one is taken and printed
        self.assertEqual(self.task(self.pay(self.visit(), 3150.0).receipt_ids)["operator"]["vatin"], "667100002200")
