from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..semd import edition as editions
from ..semd import validator
from .common import SemdCase

NS = {"cda": "urn:hl7-org:v3"}


@tagged("post_install", "-at_install")
class TestLaboratoryProtocol(SemdCase):
    """The laboratory protocol (kind 186) built from the results the doctor records on a finished visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        units = cls.env["clinic.nsi.unit"].search([("code", "in", ("60", "195"))])
        cls.gram_per_litre = units.filtered(lambda unit: unit.code == "60")
        cls.mmol_per_litre = units.filtered(lambda unit: unit.code == "195")

    def lab_visit(self, lines=None):
        visit = self.make_visit()
        taken = visit.date
        common = {
            "visit_id": visit.id,
            "specimen_id": self.row("clinic.nsi.biomaterial", "2").id,
            "sampled_at": taken,
            "result_at": taken,
        }
        default_lines = [
            {
                "test_id": self.row("clinic.nsi.lab.test", "1017128").id,
                "value_numeric": 153,
                "unit_id": self.gram_per_litre.id,
                "range_low": 132,
                "range_high": 173,
                "interpretation_id": self.row("clinic.nsi.lab.interpretation", "N").id,
                "analyser": "Sysmex XN-350",
            },
            {
                "test_id": self.row("clinic.nsi.lab.test", "1018045").id,
                "value_numeric": 6.4,
                "unit_id": self.mmol_per_litre.id,
                "range_low": 3.9,
                "range_high": 6.1,
                "interpretation_id": self.row("clinic.nsi.lab.interpretation", "H").id,
                "analyser": "Sysmex XN-350",
            },
            {
                "test_id": self.row("clinic.nsi.lab.test", "1017359").id,
                "value_type": "text",
                "value_text": "в пределах нормы",
            },
        ]
        self.env["clinic.visit.lab.result"].with_user(self.doctor_user).create(
            [{**common, **line} for line in (default_lines if lines is None else lines)]
        )
        return visit

    def issue(self, visit, **context):
        return visit.with_user(self.doctor_user).with_context(semd_kind="186", **context).action_semd_generate()

    def test_lab_protocol_is_built_validated_and_frozen(self):
        visit = self.lab_visit()
        self.issue(visit)
        document = visit.semd_document_ids
        self.assertEqual((document.kind_code, document.edition, document.state), ("186", "5", "validated"))
        self.assertFalse(visit.semd_errors)
        xml = self.xml(document)
        edition = editions.editions()["186", "5"]
        self.assertEqual(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml), [])
        self.assertEqual(validator.schematron_errors(editions.schema_path(edition, "schematron"), xml), [])
        root = etree.fromstring(xml)
        self.assertEqual(root.find("cda:templateId", NS).get("root"), "1.2.643.5.1.13.13.14.7.9.5")
        results = root.xpath(".//cda:section[cda:code/@code='RESLAB']//cda:observation", namespaces=NS)
        self.assertEqual([r.find("cda:code", NS).get("code") for r in results], ["1017128", "1018045", "1017359"])
        glucose = results[1].find("cda:value", NS)
        self.assertEqual((glucose.get("value"), glucose.get("unit")), ("6.4", "mmol/l"))
        unit = glucose.find("cda:translation", NS)
        self.assertEqual(
            (unit.get("code"), unit.get("codeSystemVersion"), unit.get("displayName")),
            ("195", self.mmol_per_litre.version, self.mmol_per_litre.name),
        )
        self.assertEqual(results[1].find("cda:interpretationCode", NS).get("code"), "H")
        # three results of one blood sample: one specimen, every result pointing at it; one analyser named twice
        samples = root.xpath(".//cda:section[cda:code/@code='SPECIMENS']//cda:specimenRole/cda:id", namespaces=NS)
        self.assertEqual([s.get("extension") for s in samples], [f"{visit.name}-1"])
        self.assertEqual(
            {r.find("cda:specimen/cda:specimenRole/cda:id", NS).get("extension") for r in results}, {f"{visit.name}-1"}
        )
        devices = root.xpath(".//cda:section[cda:code/@code='ANALYSERS']//cda:manufacturerModelName", namespaces=NS)
        self.assertEqual([d.text for d in devices], ["Sysmex XN-350"])
        performer = results[0].find("cda:performer/cda:assignedEntity/cda:id", NS)
        self.assertEqual(performer.get("extension"), str(self.doctor.id), "the visit's doctor when none is named")
        self.assertNotIn("Болеет три дня", etree.tostring(root, encoding="unicode"), "no anamnesis in a lab protocol")

    def test_incomplete_lab_lines_give_field_errors_in_russian_and_no_document(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"].search([("name", "=", "clinic_remd")])._update_translations("ru_RU")
        visit = self.lab_visit(lines=[])
        self.issue(visit, lang="ru_RU")
        self.assertFalse(visit.semd_document_ids)
        self.assertEqual(visit.semd_error_fields, "lab_result_ids")
        self.assertIn("Лабораторные исследования: не заполнено.", visit.semd_errors)
        line = (
            self.env["clinic.visit.lab.result"]
            .with_user(self.doctor_user)
            .create(
                {"visit_id": visit.id, "test_id": self.row("clinic.nsi.lab.test", "1017128").id, "value_numeric": 153}
            )
        )
        self.issue(visit, lang="ru_RU")
        self.assertFalse(visit.semd_document_ids)
        self.assertEqual(visit.semd_error_fields, "lab_result_ids")
        self.assertIn(
            "Лабораторные исследования: строка 1 (Гемоглобин общий, массовая концентрация в крови): не заполнено: "
            "биоматериал, единица измерения.",
            visit.semd_errors,
        )
        # Fixed on the line, the protocol builds and the errors go away.
        line.with_user(self.doctor_user).write(
            {"specimen_id": self.row("clinic.nsi.biomaterial", "2").id, "unit_id": self.gram_per_litre.id}
        )
        self.issue(visit)
        self.assertEqual(visit.semd_document_ids.state, "validated")
        self.assertFalse(visit.semd_errors)

    def test_a_reference_range_upside_down_is_refused(self):
        visit = self.lab_visit()
        line = visit.lab_result_ids[0].with_user(self.doctor_user)
        with self.assertRaisesRegex(ValidationError, "Гемоглобин общий.*swap them"):
            line.write({"range_low": 180})

    def test_signed_lab_protocol_locks_the_results_until_a_correction(self):
        visit = self.lab_visit()
        doctor_visit = visit.with_user(self.doctor_user)
        self.issue(visit)
        doctor_visit.action_semd_sign()
        self.assertEqual(visit.semd_signed_kinds, "186")
        line = visit.lab_result_ids[0].with_user(self.doctor_user)
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            line.write({"value_numeric": 150})
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "Correct SEMD"):
            self.env["clinic.visit.lab.result"].with_user(self.doctor_user).create(
                {
                    "visit_id": visit.id,
                    "test_id": self.row("clinic.nsi.lab.test", "1017359").id,
                    "value_type": "text",
                    "value_text": "норма",
                }
            )
        doctor_visit.action_semd_correct()
        line.write({"value_numeric": 150})
        self.issue(visit)
        documents = visit.semd_document_ids.sorted("version")
        self.assertEqual(documents.mapped("version"), [1, 2], visit.semd_errors)
        self.assertIn(b'value="150"', self.xml(documents[-1]))

    def test_a_signed_visits_lock_names_its_patient_only_to_who_may_read_the_visit(self):
        visit = self.lab_visit()
        self.issue(visit)
        visit.with_user(self.doctor_user).action_semd_sign()
        line = {"visit_id": visit.id, "value_type": "text", "value_text": "норма"}
        for user in (self.other_user, self.receptionist_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError) as caught:
                self.env["clinic.visit.lab.result"].with_user(user).create(line)
            self.assertNotIn(visit.patient_id.name, str(caught.exception))

    def test_lab_results_are_the_treating_doctors_and_managers_only(self):
        visit = self.lab_visit()
        lines = visit.lab_result_ids
        self.assertEqual(len(lines.with_user(self.manager_user).read(["test_id"])), 3)
        with self.assertRaises(AccessError):
            lines.with_user(self.other_user).read(["test_id"])
        with self.assertRaises(AccessError):
            lines.with_user(self.receptionist_user).read(["test_id"])
        with self.assertRaises(AccessError):
            self.env["clinic.visit.lab.result"].with_user(self.other_user).create(
                {
                    "visit_id": visit.id,
                    "test_id": self.row("clinic.nsi.lab.test", "1017359").id,
                    "value_type": "text",
                    "value_text": "норма",
                }
            )
