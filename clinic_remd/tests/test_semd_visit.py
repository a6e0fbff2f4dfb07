import uuid
import zlib

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..semd import edition as editions
from ..semd import validator
from .common import SemdCase

NS = {"cda": "urn:hl7-org:v3"}


@tagged("post_install", "-at_install")
class TestSemdFromVisit(SemdCase):
    def test_build_validates_and_freezes(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        document = visit.semd_document_ids
        self.assertEqual(len(document), 1)
        self.assertEqual(document.state, "validated")
        self.assertFalse(visit.semd_errors)
        xml = self.xml(document)
        self.assertEqual(document.checksum, str(zlib.crc32(xml)))
        self.assertEqual(str(uuid.UUID(document.local_uid)), document.local_uid)
        edition = editions.editions()["119", "4"]
        self.assertEqual(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml), [])
        self.assertEqual(validator.schematron_errors(editions.schema_path(edition, "schematron"), xml), [])
        root = etree.fromstring(xml)
        self.assertEqual(root.find("cda:id", NS).get("extension"), document.local_uid)
        snils = root.xpath("cda:recordTarget/cda:patientRole/cda:id[@root='1.2.643.100.3']", namespaces=NS)[0]
        snils = snils.get("extension")
        self.assertEqual(snils, self.patient.snils.replace("-", "").replace(" ", ""))
        diagnosis = root.xpath(".//cda:observation[cda:code/@code='809']/cda:value", namespaces=NS)[0]
        self.assertEqual(diagnosis.get("code"), "J06.9")
        self.assertEqual(diagnosis.get("codeSystemVersion"), self.diagnosis.version)
        self.assertIn("124/78", etree.tostring(root, encoding="unicode"), "the vitals are in the protocol")

    def test_vitals_are_coded_with_their_units(self):
        """VITALPARAM carries every measured vital as a coded quantity: the parameter in 99.2.262, the value in
        UCUM with its unit coded in 1358 (the shipped book, its version); a visit without vitals has no section."""
        visit = self.make_visit(weight_kg=78.5, heart_rate=72, temperature=37.4)
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertEqual(visit.semd_document_ids.state, "validated", visit.semd_errors)
        root = etree.fromstring(self.xml(visit.semd_document_ids))
        section = root.xpath(".//cda:section[cda:code/@code='VITALPARAM']", namespaces=NS)
        self.assertEqual(len(section), 1)
        organizer = section[0].find("cda:entry/cda:organizer", NS)
        self.assertEqual(organizer.find("cda:statusCode", NS).get("code"), "completed")
        version = self.env["clinic.nsi.unit"].search([("code", "=", "3")]).version
        self.assertEqual(version, "3.23", "the shipped book of units")
        measured = {}
        for observation in organizer.iterfind("cda:component/cda:observation", NS):
            code, value = observation.find("cda:code", NS), observation.find("cda:value", NS)
            self.assertEqual(code.get("codeSystem"), "1.2.643.5.1.13.13.99.2.262")
            translation = value.find("cda:translation", NS)
            self.assertEqual(translation.get("codeSystem"), "1.2.643.5.1.13.13.11.1358")
            self.assertEqual(translation.get("codeSystemVersion"), version)
            self.assertEqual(translation.get("value"), value.get("value"))
            measured[code.get("code")] = (value.get("value"), value.get("unit"), translation.get("code"))
        self.assertEqual(
            measured,
            {
                "51": ("176", "cm", "3"),
                "50": ("78.5", "kg", "9"),
                "1": ("124", "mm[Hg]", "50"),
                "2": ("78", "mm[Hg]", "50"),
                "4": ("72", "1/min", "337"),
                "6": ("37.4", "Cel", "515"),
            },
        )
        bare = self.make_visit(height_cm=0, bp_systolic=0, bp_diastolic=0)
        bare.with_user(self.doctor_user).action_semd_generate()
        self.assertEqual(bare.semd_document_ids.state, "validated", bare.semd_errors)
        root = etree.fromstring(self.xml(bare.semd_document_ids))
        self.assertFalse(root.xpath(".//cda:section[cda:code/@code='VITALPARAM']", namespaces=NS))

    def test_broken_visit_gives_field_errors_and_no_document(self):
        self.patient.snils = False
        visit = self.make_visit(diagnosis_id=False, life_history=False)
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertFalse(visit.semd_document_ids)
        fields = set(visit.semd_error_fields.split(","))
        self.assertEqual(fields, {"patient_id", "diagnosis_id", "life_history"})
        self.assertIn("has no SNILS", visit.semd_errors)
        self.assertIn("Diagnosis (ICD-10)", visit.semd_errors)
        # Fixed, the visit builds and the errors go away.
        self.patient.snils = "112-233-445 95"
        visit.write({"diagnosis_id": self.diagnosis.id, "life_history": "Без особенностей."})
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertEqual(visit.semd_document_ids.state, "validated")
        self.assertFalse(visit.semd_errors)

    def test_retired_code_is_refused_by_the_reference_book_check(self):
        visit = self.make_visit()
        self.diagnosis.active = False
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertFalse(visit.semd_document_ids)
        self.assertIn("J06.9 is not current in reference book 1.2.643.5.1.13.13.11.1005", visit.semd_errors)

    def test_open_visit_is_not_built(self):
        visit = self.make_visit()
        visit.state = "open"
        with self.assertRaisesRegex(UserError, "Close visit"):
            visit.with_user(self.doctor_user).action_semd_generate()

    def test_rebuild_before_signing_replaces_the_unsigned_version(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        first_uid = visit.semd_document_ids.local_uid
        visit.with_user(self.doctor_user).action_semd_generate()
        self.assertEqual(len(visit.semd_document_ids), 1)
        self.assertEqual(visit.semd_document_ids.version, 1)
        self.assertNotEqual(visit.semd_document_ids.local_uid, first_uid)

    def test_doctor_and_clinic_sign(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        visit.with_user(self.doctor_user).action_semd_sign()
        document = visit.semd_document_ids
        self.assertEqual(document.state, "signed")
        self.assertEqual(document.doctor_key_id.employee_id, self.doctor)
        doctor_cert = self.verify(document, "doctor_signature")
        self.assertIn(self.doctor.sudo().snils, doctor_cert.subject.human_friendly)
        org_cert = self.verify(document, "org_signature")
        self.assertIn("Петрова", org_cert.subject.human_friendly)

    def test_gost_key_signs(self):
        self.doctor_key.active = False
        self._key(self.doctor, "gost")
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        visit.with_user(self.doctor_user).action_semd_sign()
        document = visit.semd_document_ids
        self.assertEqual(document.doctor_key_id.algorithm, "gost")
        self.verify(document, "doctor_signature")

    def test_practitioner_signs_only_own_documents(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        with self.assertRaises(AccessError):  # another doctor's visit is not even readable
            visit.with_user(self.other_user).action_semd_sign()
        # A head doctor who sees every visit still cannot sign a colleague's document.
        chief = new_test_user(
            self.env, "semd_chief", groups="clinic_base.group_clinic_doctor,clinic_base.group_clinic_manager"
        )
        with self.assertRaisesRegex(UserError, "only their own"):
            visit.with_user(chief).action_semd_sign()
        self.assertEqual(visit.semd_document_ids.state, "validated")

    def test_no_key_no_signature(self):
        self.doctor_key.active = False
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        with self.assertRaisesRegex(UserError, "no valid signature certificate"):
            visit.with_user(self.doctor_user).action_semd_sign()

    def test_signed_visit_is_locked_and_corrected_by_a_new_version(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        visit.with_user(self.doctor_user).action_semd_sign()
        first = visit.semd_document_ids
        first_bytes = self.xml(first)
        self.assertTrue(visit.semd_locked)
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            visit.with_user(self.doctor_user).write({"anamnesis": "Иначе."})
        with self.assertRaisesRegex(UserError, "cannot be reopened"):
            visit.with_user(self.manager_user).action_reopen()
        visit.with_user(self.doctor_user).action_semd_correct()
        visit.with_user(self.doctor_user).write({"anamnesis": "Болеет пять дней."})
        visit.with_user(self.doctor_user).action_semd_generate()
        second = visit.semd_document_ids - first
        self.assertEqual((second.version, second.previous_id), (2, first))
        self.assertNotEqual(second.local_uid, first.local_uid)
        root = etree.fromstring(self.xml(second))
        self.assertEqual(root.find("cda:setId", NS).get("extension"), first.local_uid)
        self.assertEqual(root.find("cda:versionNumber", NS).get("value"), "2")
        self.assertEqual(self.xml(first), first_bytes, "the signed version's bytes never change")
        visit.with_user(self.doctor_user).action_semd_sign()
        self.assertEqual(second.state, "signed")
        self.assertTrue(visit.semd_locked)

    def test_frozen_bytes_do_not_change(self):
        visit = self.make_visit()
        visit.with_user(self.doctor_user).action_semd_generate()
        document = visit.semd_document_ids
        with self.assertRaisesRegex(UserError, "frozen"):
            document.with_user(self.doctor_user).write({"xml_content": b"PHgvPg=="})
        with self.assertRaisesRegex(UserError, "frozen"):
            document.sudo().write({"checksum": "1"})
        with self.assertRaises(UserError):
            document.with_user(self.manager_user).unlink()
