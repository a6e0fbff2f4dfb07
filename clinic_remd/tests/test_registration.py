from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .remd_common import Plan, RemdCase


@tagged("post_install", "-at_install")
class TestRegistration(RemdCase):
    """Every scenario of the REMD contract against the fake: each ends in the right state, nothing sent twice."""

    def assert_registered_once(self, document):
        self.assertEqual(document.state, "registered")
        self.assertTrue(document.remd_registry_number.startswith("16.62.23.09."))
        self.assertEqual(self.fake.registrations, {document.local_uid: 1})
        self.assertEqual(self.fake.registry[document.local_uid]["emdrId"], document.remd_registry_number)

    def test_accepted_then_registered_by_callback(self):
        document = self.signed_document()
        self.assertEqual(self.send(document), ["sent"])
        self.assertEqual(document.state, "sent")
        self.assertTrue(document.remd_sent_at)
        sent = self.exchanges(document, direction="out")
        self.assertEqual(sent.operation, "registerDocument")
        self.assertEqual(sent.message_id, document.remd_message_id)
        # the raw request is kept as it went: signed with WS-Security, addressed, with the metadata
        for fragment in (
            "BinarySecurityToken",
            "SignatureValue",
            document.remd_message_id,
            "ReplyTo",
            document.local_uid,
            "11223344595",
            document.checksum,
        ):
            self.assertIn(fragment, sent.request)
        self.assertIn("success", sent.response)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)
        self.assertTrue(document.remd_registered_at)
        self.assertTrue(document.remd_store_till)
        self.assertEqual(self.fake.file_requests, [(document.local_uid, 200)])
        incoming = self.exchanges(document, direction="in")
        self.assertEqual(incoming.mapped("operation"), ["getDocumentFile", "registerDocumentResult"])
        self.assertEqual(incoming[1].relates_to, document.remd_message_id)
        self.assertEqual(incoming[1].outcome, "registered")

    def test_rejected_with_codes_explained_to_the_doctor(self):
        document = self.signed_document(plan=Plan(reject=["NO_SNILS", "PERSON_POST_IN_FRMR_MISMATCH"]))
        self.send(document)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assertEqual(document.state, "rejected")
        self.assertEqual(document.remd_error_codes, "NO_SNILS,PERSON_POST_IN_FRMR_MISMATCH")
        self.assertIn("The patient has no SNILS", document.error_text)
        self.assertIn("fake REMD: NO_SNILS", document.error_text)
        activity = document.activity_ids
        self.assertEqual(activity.user_id, self.doctor_user)
        self.assertIn("REMD did not register", activity.summary)
        self.assertFalse(self.fake.registrations)
        # a rejected document stays rejected: a correction is a new version
        self.fake.deliver()
        self.assertEqual(document.state, "rejected")

    def test_rejected_in_the_synchronous_answer(self):
        document = self.signed_document(plan=Plan(sync_errors=["NO_DOCUMENT_KIND_ON_DATE"]))
        self.assertEqual(self.send(document), ["rejected"])
        self.assertEqual(document.state, "rejected")
        self.assertIn("not valid on the document's date", document.error_text)
        self.assertFalse(self.fake.pending)

    def test_delayed_callback(self):
        document = self.signed_document()
        self.send(document)
        # nothing from REMD yet, and too early for the registry search: the cron leaves it alone
        self.env["clinic.semd.document"]._remd_cron()
        self.assertFalse(self.run_jobs())
        self.assertEqual(document.state, "sent")
        self.assertEqual(self.fake.calls, [("registerDocument", document.local_uid)])
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)

    def test_no_callback_then_reconciled_through_the_registry(self):
        document = self.signed_document(plan=Plan(callbacks=0))
        self.send(document)
        self.fake.deliver()  # registered in REMD, but its answer never comes
        document.invalidate_recordset()
        self.assertEqual(document.state, "sent")
        document.sudo().remd_state_since = fields.Datetime.now() - timedelta(hours=3)
        self.env["clinic.semd.document"]._remd_cron()
        self.assertEqual(self.run_jobs(), ["registered"])
        self.assert_registered_once(document)
        self.assertIn(("searchRegistryItem", ""), self.fake.calls)
        # the late callback changes nothing
        request = {"message_id": document.remd_message_id, "reply_to": self.company.remd_callback_url}
        self.fake._send_result(
            {**request, "local_uid": document.local_uid, "transport": "soap"},
            self.fake.registry[document.local_uid],
            [],
        )
        self.assertEqual(self.fake.results[-1][2], 200)
        self.assertEqual(self.exchanges(document, operation="registerDocumentResult").outcome, "duplicate")
        self.assert_registered_once(document)

    def test_no_callback_and_unknown_to_the_registry_goes_to_the_doctor(self):
        document = self.signed_document()
        self.send(document)  # accepted, but REMD loses it: never delivered
        self.fake.pending.clear()
        document.sudo().remd_state_since = fields.Datetime.now() - timedelta(hours=3)
        self.env["clinic.semd.document"]._remd_cron()
        self.assertEqual(self.run_jobs(), ["not found"])
        self.assertEqual(document.state, "error")
        self.assertEqual(document.activity_ids.user_id, self.doctor_user)
        # the doctor sends it again: same local id, registered once
        self.send(document)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)

    def test_duplicate_callback_is_applied_once(self):
        document = self.signed_document(plan=Plan(callbacks=2))
        self.send(document)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)
        results = self.exchanges(document, operation="registerDocumentResult")
        self.assertEqual(results.mapped("outcome"), ["registered", "duplicate"])
        self.assertEqual([r[2] for r in self.fake.results], [200, 200])
        notes = document.message_ids.filtered(lambda m: "Registered in REMD" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_soap_fault_and_5xx_retried_with_backoff(self):
        document = self.signed_document(plan=Plan(http_errors=1, faults=1))
        before = fields.Datetime.now()
        self.assertEqual(self.send(document), ["retry"])
        self.assertEqual(document.state, "sending")
        self.assertAlmostEqual((document.remd_next_attempt - before).total_seconds(), 60, delta=5)
        self.assertIn("HTTP 503", document.error_text)
        self.assertFalse(self.run_jobs(), "the retry waits for its time")
        before = fields.Datetime.now()
        self.assertEqual(self.run_jobs(advance=True), ["retry"])
        self.assertAlmostEqual((document.remd_next_attempt - before).total_seconds(), 240, delta=5)
        self.assertIn("SOAP Fault", self.exchanges(document, direction="out")[1].error)
        self.assertEqual(self.run_jobs(advance=True), ["sent"])
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)
        self.assertEqual(document.remd_attempts, 3)
        self.assertEqual(len(self.exchanges(document, operation="registerDocument")), 3)

    def test_timeout_then_retry_finds_it_already_accepted(self):
        """The answer came after our timeout although REMD took the request: the retry must not register it twice."""
        document = self.signed_document(plan=Plan(hangs=1))
        self.assertEqual(self.send(document), ["retry"])
        first = self.exchanges(document, operation="registerDocument")
        self.assertIn("Timeout", first.error)
        self.assertEqual(self.run_jobs(advance=True), ["sent earlier"])
        self.assertEqual(document.state, "sent")
        self.fake.deliver()  # the result answers the first request's message id
        document.invalidate_recordset()
        self.assert_registered_once(document)
        self.assertEqual(self.fake.results[0][0], first.message_id)

    def test_unreachable_remd_gives_up_and_tells_the_doctor(self):
        document = self.signed_document(plan=Plan(http_errors=10))
        self.send(document)
        for _attempt in range(3):
            self.run_jobs(advance=True)
        self.assertEqual(document.state, "error")
        self.assertEqual(document.remd_attempts, 4)
        self.assertIn("after 4 attempts", document.error_text)
        self.assertEqual(document.activity_ids.user_id, self.doctor_user)
        self.assertFalse(self.run_jobs(advance=True))

    def test_our_file_endpoint_failing_then_sent_again(self):
        document = self.signed_document()
        self.send(document)
        Document = type(self.env["clinic.semd.document"])
        with patch.object(Document, "_remd_file_bytes", side_effect=OSError("filestore unavailable")):
            self.fake.deliver()
        document.invalidate_recordset()
        self.assertEqual(self.fake.file_requests, [(document.local_uid, 500)])
        self.assertEqual(document.state, "sending")
        self.assertEqual(document.remd_error_codes, "MIS_NOT_AVAILABLE")
        self.assertEqual(self.run_jobs(advance=True), ["sent"])
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)
        self.assertEqual(self.fake.file_requests[-1], (document.local_uid, 200))

    def test_checksum_mismatch_rejected(self):
        document = self.signed_document(checksum="12345")
        self.send(document)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assertEqual(document.state, "rejected")
        self.assertEqual(document.remd_error_codes, "GET_DOCUMENT_FILE_ERROR")

    def test_forged_or_unsigned_callbacks_are_refused(self):
        document = self.signed_document()
        self.send(document)
        url = self.company.remd_callback_url
        response = self.fake.forged_result(url, document.remd_message_id)
        self.assertEqual(response.status_code, 403)
        response = self.url_open("/clinic_remd/soap", data=b"<x/>", headers={"Content-Type": "text/xml"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(document.state, "sent")
        self.assertFalse(self.exchanges(document, direction="in"))
        self.company.remd_allowed_ips = "10.0.0.1"
        self.env.flush_all()
        self.fake.deliver()
        self.company.remd_allowed_ips = False
        self.assertEqual(self.fake.file_requests, [(document.local_uid, 403)])

    def test_platform_rest_transport(self):
        self.company.remd_transport = "platform"
        document = self.signed_document()
        self.assertEqual(self.send(document), ["sent"])
        sent = self.exchanges(document, direction="out")
        self.assertIn('"localUid"', sent.request)
        self.assertEqual(sent.http_status, 200)
        self.fake.deliver()
        document.invalidate_recordset()
        self.assert_registered_once(document)
        self.assertFalse(self.fake.file_requests, "the platform got the file with the request")
        # a result lost on the way: the registry search goes through the platform too
        lost = self.signed_document(plan=Plan(callbacks=0))
        lost.sudo()._remd_queue()
        self.run_jobs()
        self.fake.deliver()
        lost.sudo().remd_state_since = fields.Datetime.now() - timedelta(hours=3)
        self.env["clinic.semd.document"]._remd_cron()
        self.assertEqual(self.run_jobs(), ["registered"])
        self.assertEqual(lost.remd_registry_number, self.fake.registry[lost.local_uid]["emdrId"])
        self.assertEqual(self.exchanges(lost, operation="searchRegistryItem").http_status, 200)
        response = self.url_open(
            "/clinic_remd/platform/result",
            data=b'{"relatesToMessage": "x", "status": "success"}',
            headers={"Content-Type": "application/json", "X-Signature": "forged"},
        )
        self.assertEqual(response.status_code, 403)
