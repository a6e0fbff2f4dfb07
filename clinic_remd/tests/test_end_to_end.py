import base64

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..semd import signer
from .common import SemdCase
from .remd_common import FakeRemdMixin


@tagged("post_install", "-at_install")
class TestVisitToRegistered(FakeRemdMixin, SemdCase, HttpCase):
    """The issue's «done»: the doctor finishes a visit, builds and signs its SEMD, and sees it registered.

    Everything real but REMD: the builder's XML validated by XSD and Schematron, RSA signatures of the doctor's
    and the clinic's keys, the registration job of queue_job, REMD (the fake) fetching the file and calling back.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_fake_remd(cls.env.company.frmo_oid)

    def ensure_russian(self):
        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.env["res.lang"]._activate_lang("ru_RU")
            self.env["ir.module.module"].search([("name", "=", "clinic_remd")])._update_translations("ru_RU")
        self.doctor_user.lang = "ru_RU"

    def assert_registered_once(self, visit):
        """The document signing queued goes out once, REMD fetches its frozen bytes and registers it once."""
        document = visit.semd_document_id
        self.assertEqual(document.state, "sending", "signing queues the registration by itself")
        self.assertEqual(self.run_jobs(), ["sent"])
        self.assertEqual(document.state, "sent")
        self.fake.deliver()
        document.invalidate_recordset()
        visit.invalidate_recordset()
        self.assertEqual(document.state, "registered")
        self.assertEqual(visit.with_user(self.doctor_user).semd_state, "registered")
        self.assertTrue(document.remd_registry_number.startswith("16.62.23.09."))
        self.assertEqual(self.fake.registrations, {document.local_uid: 1})
        self.assertEqual(self.fake.file_requests, [(document.local_uid, 200)])
        # what REMD got is what was validated and signed: the frozen bytes, both signatures over them
        xml = self.xml(document)
        self.assertEqual(self.fake.files[document.local_uid], xml)
        self.assertIn(b"urn:hl7-org:v3", xml)
        request = self.exchanges(document, direction="out", operation="registerDocument").request
        for field in ("doctor_signature", "org_signature"):
            signature = document.sudo()[field]
            self.assertIn(signature.decode(), request, f"the {field} went to REMD as signed")
            signer.Signer.verify(self.fake.files[document.local_uid], base64.b64decode(signature))
        # nothing is sent twice: no job left, a repeated callback changes nothing, signing again is refused
        self.assertFalse(self.run_jobs())
        self.assertEqual(self.fake.calls, [("registerDocument", document.local_uid)])
        with self.assertRaises(UserError):
            visit.with_user(self.doctor_user).action_semd_sign()
        with self.assertRaises(UserError):
            document.with_user(self.doctor_user).action_register()
        self.assertTrue(visit.semd_locked)
        return document

    def test_doctor_finishes_visit_and_document_is_registered(self):
        visit = self.make_visit()
        doctor_visit = visit.with_user(self.doctor_user)
        doctor_visit.action_semd_generate()
        self.assertFalse(visit.semd_errors)
        self.assertEqual(visit.semd_document_id.state, "validated")
        doctor_visit.action_semd_sign()
        document = self.assert_registered_once(visit)
        self.assertEqual(document.doctor_key_id, self.doctor_key)
        self.assertEqual(document.version, 1)

    def test_tour_doctor_builds_and_signs_in_the_browser(self):
        """In Russian, in Chromium: the finished visit, «Сформировать СЭМД», «Подписать», the document."""
        self.ensure_russian()
        visit = self.make_visit()
        self.start_tour(
            f"/odoo/action-clinic_scheduling.clinic_visit_action/{visit.id}",
            "clinic_remd_doctor_signs_visit",
            login=self.doctor_user.login,
            timeout=300,
        )
        # the browser is closed: REMD's own requests (the file, the callback) carry no browser cookie
        self.http_request_strict_check = False
        visit.invalidate_recordset()
        self.assert_registered_once(visit)

    def test_medical_conclusion_is_registered(self):
        """The conclusion (kind 204) goes the protocol's way: built, signed by both keys, registered once."""
        visit = self.make_visit(medical_conclusion="Годна к занятиям физической культурой.")
        doctor_visit = visit.with_user(self.doctor_user).with_context(semd_kind="204")
        doctor_visit.action_semd_generate()
        self.assertEqual((visit.semd_document_id.kind_code, visit.semd_document_id.state), ("204", "validated"))
        doctor_visit.action_semd_sign()
        document = self.assert_registered_once(visit)
        request = etree.fromstring(
            self.exchanges(document, direction="out", operation="registerDocument").request.encode()
        )
        self.assertEqual(request.xpath("//*[local-name()='kind']/text()"), ["204"])
        self.assertIn("Годна к занятиям".encode(), self.fake.files[document.local_uid])

    def test_tour_doctor_issues_a_medical_conclusion(self):
        """In Russian, in Chromium: «Медицинское заключение» on a visit without the conclusion's text shows the
        error at that field; written, the conclusion is built, signed and registered."""
        self.ensure_russian()
        visit = self.make_visit()
        self.start_tour(
            f"/odoo/action-clinic_scheduling.clinic_visit_action/{visit.id}",
            "clinic_remd_doctor_issues_conclusion",
            login=self.doctor_user.login,
            timeout=300,
        )
        self.http_request_strict_check = False
        visit.invalidate_recordset()
        self.assertEqual(visit.medical_conclusion, "Годен к работе без ограничений.")
        document = self.assert_registered_once(visit)
        self.assertEqual(document.kind_code, "204")

    def test_laboratory_protocol_is_registered(self):
        """The laboratory protocol (kind 186) goes the protocol's way: built, signed by both keys, registered once."""
        visit = self.make_visit()
        self.env["clinic.visit.lab.result"].with_user(self.doctor_user).create(
            {
                "visit_id": visit.id,
                "test_id": self.row("clinic.nsi.lab.test", "1017128").id,
                "specimen_id": self.row("clinic.nsi.biomaterial", "2").id,
                "value_numeric": 148,
                "unit_id": self.env["clinic.nsi.unit"].search([("code", "=", "60")]).id,
                "range_low": 120,
                "range_high": 160,
                "interpretation_id": self.row("clinic.nsi.lab.interpretation", "N").id,
            }
        )
        doctor_visit = visit.with_user(self.doctor_user).with_context(semd_kind="186")
        doctor_visit.action_semd_generate()
        self.assertEqual((visit.semd_document_id.kind_code, visit.semd_document_id.state), ("186", "validated"))
        doctor_visit.action_semd_sign()
        document = self.assert_registered_once(visit)
        request = etree.fromstring(
            self.exchanges(document, direction="out", operation="registerDocument").request.encode()
        )
        self.assertEqual(request.xpath("//*[local-name()='kind']/text()"), ["186"])
        self.assertIn(b'code="1017128"', self.fake.files[document.local_uid])

    def test_tour_doctor_records_a_lab_result_and_issues_the_lab_protocol(self):
        """In Russian, in Chromium: «Протокол лабораторного исследования» on a visit without results shows the error
        at the laboratory tests; a result entered on the tab, the protocol is built, signed and registered."""
        self.ensure_russian()
        visit = self.make_visit()
        self.start_tour(
            f"/odoo/action-clinic_scheduling.clinic_visit_action/{visit.id}",
            "clinic_remd_doctor_issues_lab_protocol",
            login=self.doctor_user.login,
            timeout=300,
        )
        self.http_request_strict_check = False
        visit.invalidate_recordset()
        line = visit.lab_result_ids
        self.assertEqual(
            (line.test_id.code, line.specimen_id.code, line.value_type, line.value_text, line.performer_id),
            ("1017359", "2", "text", "в пределах нормы", self.doctor),
        )
        document = self.assert_registered_once(visit)
        self.assertEqual(document.kind_code, "186")
        self.assertIn("в пределах нормы".encode(), self.fake.files[document.local_uid])
