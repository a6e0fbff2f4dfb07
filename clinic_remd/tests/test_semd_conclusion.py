from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..semd import edition as editions
from ..semd import validator
from .common import SemdCase

NS = {"cda": "urn:hl7-org:v3"}
CONCLUSION_TEXT = "Противопоказаний к занятиям физической культурой не выявлено."


@tagged("post_install", "-at_install")
class TestMedicalConclusion(SemdCase):
    """The medical conclusion (kind 204) built from a finished visit next to the consultation protocol (119)."""

    def conclude(self, visit, **context):
        return visit.with_user(self.doctor_user).with_context(semd_kind="204", **context).action_semd_generate()

    def kind(self, visit, kind):
        return visit.semd_document_ids.filtered(lambda d: d.kind_code == kind)

    def test_conclusion_is_built_validated_and_frozen(self):
        visit = self.make_visit(medical_conclusion=CONCLUSION_TEXT)
        self.conclude(visit)
        document = visit.semd_document_ids
        self.assertEqual((document.kind_code, document.edition, document.version), ("204", "1", 1))
        self.assertEqual(document.state, "validated")
        self.assertFalse(visit.semd_errors)
        xml = self.xml(document)
        edition = editions.editions()["204", "1"]
        self.assertEqual(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml), [])
        self.assertEqual(validator.schematron_errors(editions.schema_path(edition, "schematron"), xml), [])
        root = etree.fromstring(xml)
        self.assertEqual(root.find("cda:templateId", NS).get("root"), "1.2.643.5.1.13.13.15.105.1")
        self.assertEqual(root.find("cda:code/cda:translation", NS).get("code"), "204")
        conclusion = root.xpath(".//cda:observation[cda:code/@code='837']/cda:value/cda:originalText", namespaces=NS)
        self.assertEqual(conclusion[0].text, CONCLUSION_TEXT)
        diagnosis = root.xpath(".//cda:section[cda:code/@code='DGN']//cda:value", namespaces=NS)[0]
        self.assertEqual((diagnosis.get("code"), diagnosis.get("codeSystemVersion")), ("J06.9", self.diagnosis.version))
        # the performer's role is coded by the row ID of the shipped book of signer roles, and checked against it
        role = root.find("cda:documentationOf/cda:serviceEvent/cda:performer/cda:functionCode", NS)
        row = self.env["clinic.nsi.signer.role"].search([("nsi_id", "=", "1")])
        self.assertEqual(
            (role.get("code"), role.get("displayName"), role.get("codeSystemVersion")), ("1", row.name, row.version)
        )
        self.assertNotIn("Болеет три дня", etree.tostring(root, encoding="unicode"), "no anamnesis in a conclusion")

    def test_broken_visit_gives_field_errors_in_russian_and_no_document(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"].search([("name", "=", "clinic_remd")])._update_translations("ru_RU")
        self.patient.snils = False
        visit = self.make_visit()
        self.conclude(visit, lang="ru_RU")  # as the web client calls it for a doctor working in Russian
        self.assertFalse(visit.semd_document_ids)
        self.assertEqual(set(visit.semd_error_fields.split(",")), {"patient_id", "medical_conclusion"})
        self.assertIn("Медицинское заключение: не заполнено.", visit.semd_errors)
        self.assertIn("нет СНИЛС", visit.semd_errors)
        # Written and fixed, the conclusion builds and the errors go away.
        self.patient.snils = "112-233-445 95"
        visit.with_user(self.doctor_user).medical_conclusion = CONCLUSION_TEXT
        self.conclude(visit)
        self.assertEqual(visit.semd_document_ids.state, "validated")
        self.assertFalse(visit.semd_errors)

    def test_a_reference_the_books_lack_is_named(self):
        """A code the edition needs that its book lacks (here 1522:480, retired) is named, nothing is built."""
        visit = self.make_visit(medical_conclusion=CONCLUSION_TEXT)
        self.row("clinic.nsi.medical.doc.kind", "480").active = False
        self.conclude(visit)
        self.assertFalse(visit.semd_document_ids)
        self.assertIn("1.2.643.5.1.13.13.11.1522:480", visit.semd_errors)
        self.assertEqual(visit.semd_error_fields, "company_id")

    def test_conclusion_after_the_signed_protocol(self):
        """A signed protocol locks the visit but not the conclusion's text; the conclusion is a kind of its own
        (version 1, its own set), and once signed its text is locked too."""
        visit = self.make_visit()
        doctor_visit = visit.with_user(self.doctor_user)
        doctor_visit.action_semd_generate()
        doctor_visit.action_semd_sign()
        protocol = self.kind(visit, "119")
        self.assertEqual(visit.semd_signed_kinds, "119")
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            doctor_visit.write({"diagnosis_note": "Иначе."})
        doctor_visit.write({"medical_conclusion": CONCLUSION_TEXT})
        with self.assertRaisesRegex(UserError, "already has a signed SEMD"):
            doctor_visit.action_semd_generate()
        self.conclude(visit)
        conclusion = self.kind(visit, "204")
        self.assertEqual(
            (conclusion.version, conclusion.previous_id, conclusion.state), (1, protocol.browse(), "validated")
        )
        self.assertEqual(visit.semd_document_id, conclusion, "the current document is the one to sign")
        root = etree.fromstring(self.xml(conclusion))
        self.assertEqual(root.find("cda:setId", NS).get("extension"), conclusion.local_uid)
        doctor_visit.action_semd_sign()
        self.assertEqual((protocol.state, conclusion.state), ("signed", "signed"))
        self.assertEqual(visit.semd_signed_kinds, "119,204")
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            doctor_visit.write({"medical_conclusion": "Другое заключение."})
        # A correction makes the next conclusion a second version of the first, the protocol untouched.
        doctor_visit.action_semd_correct()
        doctor_visit.write({"medical_conclusion": "Другое заключение."})
        self.conclude(visit)
        second = self.kind(visit, "204") - conclusion
        self.assertEqual((second.version, second.previous_id), (2, conclusion))
        self.assertEqual(
            etree.fromstring(self.xml(second)).find("cda:setId", NS).get("extension"), conclusion.local_uid
        )
        self.assertEqual(self.kind(visit, "119"), protocol)

    def test_conclusion_before_the_protocol_leaves_the_protocol_buildable(self):
        visit = self.make_visit(medical_conclusion=CONCLUSION_TEXT)
        self.conclude(visit)
        visit.with_user(self.doctor_user).action_semd_sign()
        self.assertEqual(visit.semd_signed_kinds, "204")
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertEqual(self.kind(visit, "119").state, "validated")
        self.assertEqual(self.kind(visit, "204").state, "signed", "building the protocol keeps the signed conclusion")

    def test_rebuild_replaces_only_the_unsigned_version_of_its_kind(self):
        visit = self.make_visit(medical_conclusion=CONCLUSION_TEXT)
        visit.with_user(self.doctor_user).action_semd_generate()
        protocol = self.kind(visit, "119")
        self.conclude(visit)
        first = self.kind(visit, "204")
        self.conclude(visit)
        self.assertEqual(self.kind(visit, "119"), protocol)
        self.assertEqual(len(self.kind(visit, "204")), 1)
        self.assertNotEqual(self.kind(visit, "204"), first)

    def test_unknown_kind_is_refused(self):
        visit = self.make_visit(medical_conclusion=CONCLUSION_TEXT)
        with self.assertRaisesRegex(UserError, "SEMD kind 999 is not supported"):
            visit.with_user(self.doctor_user).with_context(semd_kind="999").action_semd_generate()
        self.assertFalse(visit.semd_document_ids)
