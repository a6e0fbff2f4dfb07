import json

from odoo.tests import HttpCase, tagged

from .common import FiscalCase


@tagged("post_install", "-at_install")
class TestFiscalProxyBadInput(FiscalCase, HttpCase):
    """A desk with a valid token sending malformed reports: a 400 naming the field, never a 500, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.register.connection = "proxy"

    def post(self, path, body):
        self.env.flush_all()
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return self.url_open(
            f"/clinic_fiscal/proxy/{path}",
            data=raw,
            headers={"Authorization": f"Bearer {self.register.proxy_token}", "Content-Type": "application/json"},
        )

    def test_malformed_jobs_and_results_are_a_400_naming_the_field(self):
        receipt = self.pay(self.visit(), 3150.0).receipt_ids
        own = {"id": receipt.id, "uuid": receipt.uuid}

        def done(result):
            return {**own, "outcome": {"kind": "done", "raw": {"results": [{"result": result}]}}}

        corpus = [
            ("jobs", [1], "body"),
            ("jobs", "serial", "body"),
            ("result", [1], "body"),
            ("result", {**own, "id": "²", "outcome": {"kind": "done"}}, "id"),
            ("result", {**own, "id": "99999999999999999999", "outcome": {"kind": "done"}}, "id"),
            ("result", {**own, "id": [receipt.id], "outcome": {"kind": "done"}}, "id"),
            ("result", {**own, "uuid": 5, "outcome": {"kind": "done"}}, "uuid"),
            ("result", {**own, "outcome": [1]}, "outcome"),
            ("result", {**own, "outcome": {"kind": "printed"}}, "outcome.kind"),
            ("result", {**own, "outcome": {"kind": "failed", "code": "²"}}, "outcome.code"),
            ("result", {**own, "outcome": {"kind": "failed", "code": 2**40}}, "outcome.code"),
            ("result", {**own, "outcome": {"kind": "failed", "code": 5, "text": [1]}}, "outcome.text"),
            ("result", {**own, "outcome": {"kind": "done", "raw": [1]}}, "outcome.raw"),
            ("result", {**own, "outcome": {"kind": "done", "raw": {"results": {"a": 1}}}}, "outcome.raw"),
            ("result", {**own, "outcome": {"kind": "done", "raw": {"results": [1]}}}, "outcome.raw.results"),
            ("result", done([1]), "outcome.raw.results"),
            ("result", done({"fiscalParams": [1]}), "fiscalParams"),
            ("result", done({"fiscalParams": {"fiscalDocumentNumber": "²"}}), "fiscalParams"),
            ("result", done({"fiscalParams": {"shiftNumber": 2**40}}), "fiscalParams"),
            ("result", done({"fiscalParams": {"fiscalDocumentDateTime": "вчера"}}), "fiscalDocumentDateTime"),
            ("result", done({"shiftStatus": {"number": [1]}}), "shiftStatus"),
            ("result", done({"warnings": "notPrinted"}), "warnings"),
        ]
        for number, (path, body, field) in enumerate(corpus):
            with self.subTest(number=number, path=path, field=field):
                response = self.post(path, body)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(field, response.json()["error"])
        receipt.invalidate_recordset()
        self.assertEqual((receipt.state, receipt.attempts, receipt.fd_number), ("draft", 0, 0))
        # the well-formed report still goes through
        ok = done(
            {
                "fiscalParams": {
                    "fiscalDocumentNumber": 7,
                    "fiscalDocumentSign": "1234567890",
                    "fiscalDocumentDateTime": "2026-12-07T10:00:00+05:00",
                }
            }
        )
        response = self.post("result", ok)
        self.assertEqual(response.status_code, 200, response.text)
        receipt.invalidate_recordset()
        self.assertEqual((receipt.state, receipt.fd_number), ("done", 7))
