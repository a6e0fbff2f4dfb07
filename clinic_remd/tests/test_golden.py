import json

from lxml import etree

from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_path

from ..semd import builder, validator
from ..semd import edition as editions
from . import payloads

GOLDEN = {
    ("119", "4"): ("clinic_remd/tests/golden/consultation_119_4.xml", payloads.CONSULTATION),
    ("204", "1"): ("clinic_remd/tests/golden/conclusion_204_1.xml", payloads.CONCLUSION),
    ("186", "5"): ("clinic_remd/tests/golden/laboratory_186_5.xml", payloads.LAB),
}
NS = {"cda": builder.CDA}


def _resolved(key):
    """The edition with its references to unshipped books resolved (the golden editions need no database)."""
    missing = []
    edition = editions.resolve(editions.editions()[key], editions.unshipped_code, missing)
    assert not missing, missing
    return edition


@tagged("post_install", "-at_install")
class TestGoldenDocuments(BaseCase):
    """Each supported edition has a golden document that passes its XSD and schematron, and the builder
    reproduces it byte for byte from the fixed payload."""

    def _golden(self, key):
        with open(file_path(GOLDEN[key][0]), "rb") as golden_file:
            return golden_file.read()

    def _schematron_messages(self, key, document):
        xml = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        sch = editions.schema_path(editions.editions()[key], "schematron")
        return [message for _location, message in validator.schematron_errors(sch, xml)]

    def test_every_edition_has_a_passing_golden(self):
        self.assertEqual(set(editions.editions()), set(GOLDEN), "a supported edition has no golden document")
        for key, edition in editions.editions().items():
            xml = self._golden(key)
            self.assertEqual(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml), [], key)
            self.assertEqual(validator.schematron_errors(editions.schema_path(edition, "schematron"), xml), [], key)

    def test_builder_reproduces_golden(self):
        for key, (_path, payload) in GOLDEN.items():
            self.assertEqual(builder.build(_resolved(key), payload), self._golden(key), key)

    def test_conclusion_carries_its_kind_and_the_doctors_words(self):
        """Medical conclusion Ред.1: code 105 of 1079 translated into kind 204 of 1520, the document kind 480 of 1522
        in DOCINFO and as the encounter's DocType, the conclusion as text (nullFlavor OTH), the diagnosis in DGN."""
        document = etree.fromstring(builder.build(_resolved(("204", "1")), payloads.CONCLUSION))
        code = document.find("cda:code", NS)
        self.assertEqual((code.get("code"), code.get("codeSystem")), ("105", "1.2.643.5.1.13.13.99.2.1079"))
        translation = code.find("cda:translation", NS)
        self.assertEqual((translation.get("code"), translation.get("codeSystem")), ("204", "1.2.643.5.1.13.13.11.1520"))
        kind = document.xpath(".//cda:observation[cda:code/@code='11005']/cda:value", namespaces=NS)[0]
        self.assertEqual((kind.get("code"), kind.get("codeSystem")), ("480", "1.2.643.5.1.13.13.11.1522"))
        doc_type = document.find("cda:componentOf/cda:encompassingEncounter/medService:DocType", builder.NSMAP | NS)
        self.assertEqual(doc_type.get("code"), "480")
        conclusion = document.xpath(".//cda:observation[cda:code/@code='837']/cda:value", namespaces=NS)[0]
        self.assertEqual(conclusion.get("nullFlavor"), "OTH")
        self.assertEqual(
            conclusion.findtext("cda:originalText", namespaces=NS), payloads.CONCLUSION["values"]["medical_conclusion"]
        )
        diagnosis = document.xpath(".//cda:section[cda:code/@code='DGN']//cda:observation", namespaces=NS)[0]
        self.assertEqual(diagnosis.find("cda:code", NS).get("codeSystem"), "1.2.643.5.1.13.13.11.1077")
        self.assertEqual(diagnosis.find("cda:value", NS).get("code"), "J06.9")
        self.assertFalse(document.xpath(".//cda:section/cda:text", namespaces=NS), "Ред.1 sections carry no narrative")

    def test_schematron_catches_a_broken_conclusion(self):
        """Without the conclusion entry and without the kind's translation the 204 schematron names both rules."""
        document = etree.fromstring(self._golden(("204", "1")))
        conclusion = document.xpath(".//cda:entry[cda:observation/cda:code/@code='837']", namespaces=NS)[0]
        conclusion.getparent().remove(conclusion)
        translation = document.find("cda:code/cda:translation", NS)
        translation.getparent().remove(translation)
        messages = self._schematron_messages(("204", "1"), document)
        self.assertTrue(any(m.startswith("(Требование: У3-1) Элемент section ОБЯЗАН") for m in messages), messages)
        self.assertTrue(any("ОБЯЗАН содержать один [1..1] элемент translation" in m for m in messages), messages)

    def test_vitals_organizers_follow_the_edition(self):
        """The consultation's Ред.4 takes every parameter in one organizer; the conclusion's Ред.1 allows an organizer
        at most two components (У3-7.1.4, and its XSD) and 1..* entries: one entry per parameter, and the
        consultation's shape there fails both its schematron and its XSD."""

        def components_per_entry(xml):
            entries = etree.fromstring(xml).xpath(
                ".//cda:section[cda:code/@code='VITALPARAM']/cda:entry", namespaces=NS
            )
            return [len(entry.findall("cda:organizer/cda:component", NS)) for entry in entries]

        consultation_vitals = len(payloads.CONSULTATION["vitals"]["items"])
        conclusion_vitals = len(payloads.CONCLUSION["vitals"]["items"])
        self.assertGreater(conclusion_vitals, 2)
        self.assertEqual(components_per_entry(self._golden(("119", "4"))), [consultation_vitals])
        self.assertEqual(components_per_entry(self._golden(("204", "1"))), [1] * conclusion_vitals)
        edition = _resolved(("204", "1"))
        edition["layout"] = {**edition["layout"], "vitals_in_one_organizer": True}
        one_organizer = builder.build(edition, payloads.CONCLUSION)
        self.assertEqual(components_per_entry(one_organizer), [conclusion_vitals])
        messages = self._schematron_messages(("204", "1"), etree.fromstring(one_organizer))
        self.assertTrue(any(m.startswith("(Требование: У3-7.1.4) Элемент organizer") for m in messages), messages)
        self.assertTrue(validator.xsd_errors(editions.schema_path(edition, "xsd"), one_organizer))

    def test_laboratory_protocol_carries_results_specimens_and_devices(self):
        """Laboratory protocol Ред.5: code 7 of 1522, the service event «Лабораторное исследование»; each result an
        FSLI-coded observation with its value (UCUM unit translated into 1358), reference range and interpretation,
        pointing at its sample in SPECIMENS (….66), its performer (….70) and its analyser in ANALYSERS (….67), an
        unknown device where none is named; no DocType in the encounter (the 186 schematron allows it for kind 3
        only)."""
        document = etree.fromstring(builder.build(_resolved(("186", "5")), payloads.LAB))
        base = payloads.LAB["ids"]["base"]
        code = document.find("cda:code", NS)
        self.assertEqual((code.get("code"), code.get("codeSystem")), ("7", "1.2.643.5.1.13.13.11.1522"))
        self.assertEqual(document.find("cda:documentationOf/cda:serviceEvent/cda:code", NS).get("code"), "4")
        self.assertIsNone(
            document.find("cda:componentOf/cda:encompassingEncounter/medService:DocType", builder.NSMAP | NS)
        )
        sections = [
            c.get("code")
            for c in document.iterfind("cda:component/cda:structuredBody/cda:component/cda:section/cda:code", NS)
        ]
        self.assertEqual(sections, ["SPECIMENS", "ANALYSERS", "VITALPARAM", "RESLAB"])
        sample = document.xpath(".//cda:section[cda:code/@code='SPECIMENS']//cda:specimenRole", namespaces=NS)[0]
        self.assertEqual(
            (sample.find("cda:id", NS).get("root"), sample.find("cda:id", NS).get("extension")),
            (f"{base}.66", "ПР-001320-1"),
        )
        self.assertEqual(
            sample.find("cda:specimenPlayingEntity/cda:code", NS).get("codeSystem"), "1.2.643.5.1.13.13.99.2.1019"
        )
        device = document.xpath(
            ".//cda:section[cda:code/@code='ANALYSERS']//cda:participantRole/cda:id", namespaces=NS
        )[0]
        self.assertEqual((device.get("root"), device.get("extension")), (f"{base}.67", "3"))
        haemoglobin, haematocrit = document.xpath(
            ".//cda:section[cda:code/@code='RESLAB']//cda:observation", namespaces=NS
        )
        self.assertEqual(haemoglobin.find("cda:code", NS).get("code"), "1017128")
        value = haemoglobin.find("cda:value", NS)
        self.assertEqual((value.get("value"), value.get("unit")), ("153", "g/l"))
        self.assertEqual(value.find("cda:translation", NS).get("code"), "60")
        low, high = haemoglobin.find("cda:referenceRange/cda:observationRange/cda:value", NS)
        self.assertEqual((low.get("value"), high.get("value")), ("132", "173"))
        self.assertEqual(haemoglobin.find("cda:interpretationCode", NS).get("code"), "N")
        self.assertEqual(haemoglobin.find("cda:specimen/cda:specimenRole/cda:id", NS).get("extension"), "ПР-001320-1")
        self.assertEqual(haemoglobin.find("cda:performer/cda:assignedEntity/cda:id", NS).get("root"), f"{base}.70")
        self.assertEqual(haemoglobin.find("cda:participant/cda:participantRole/cda:id", NS).get("extension"), "3")
        self.assertEqual(haematocrit.findtext("cda:value", namespaces=NS), "в пределах нормы")
        self.assertEqual(haematocrit.find("cda:interpretationCode", NS).get("nullFlavor"), "NA")
        self.assertEqual(haematocrit.find("cda:participant/cda:participantRole", NS).get("nullFlavor"), "UNK")
        self.assertIsNone(haematocrit.find("cda:referenceRange", NS))

    def test_schematron_catches_a_broken_laboratory_protocol(self):
        """Without its interpretation a result fails У3-4; with the consultation's header (DocType for a case of
        kind 1, a period of service, the performer's SNILS) the 186 schematron or XSD refuse it."""
        key = ("186", "5")
        document = etree.fromstring(self._golden(key))
        interpretation = document.xpath(
            ".//cda:observation[cda:code/@code='1017128']/cda:interpretationCode", namespaces=NS
        )[0]
        interpretation.getparent().remove(interpretation)
        messages = self._schematron_messages(key, document)
        self.assertTrue(any(m.startswith("У3-4.") and "interpretationCode" in m for m in messages), messages)
        edition = _resolved(key)
        edition["layout"] = {**edition["layout"], "encounter_doc_type": True}
        messages = self._schematron_messages(key, etree.fromstring(builder.build(edition, payloads.LAB)))
        self.assertTrue(any(m.startswith("У1-22.") and "DocType" in m for m in messages), messages)
        edition["layout"] = {**edition["layout"], "service_period": True, "performer_snils": True}
        xml = builder.build(edition, payloads.LAB)
        self.assertTrue(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml))
        messages = self._schematron_messages(key, etree.fromstring(xml))
        self.assertTrue(any(m.startswith("Main08-1.") and "1 элемент id" in m for m in messages), messages)

    def test_conclusion_xsd_refuses_the_consultations_typed_extensions(self):
        """The 204 XSD declares identity:* with their own types: xsi:type there (which Ред.4 requires) is an error."""
        golden = self._golden(("204", "1"))
        typed = golden.replace(b"<identity:Number>", b'<identity:Number xsi:type="ST">', 1)
        self.assertNotEqual(typed, golden)
        sch = editions.schema_path(editions.editions()["204", "1"], "xsd")
        self.assertTrue(validator.xsd_errors(sch, typed))

    def test_schematron_catches_a_broken_document(self):
        """Without the patient's SNILS and without a title the schematron names both rules."""
        document = etree.fromstring(self._golden(("119", "4")))
        snils = document.find("cda:recordTarget/cda:patientRole/cda:id[@root='1.2.643.100.3']", NS)
        snils.getparent().remove(snils)
        title = document.find("cda:title", NS)
        title.getparent().remove(title)
        messages = self._schematron_messages(("119", "4"), document)
        self.assertTrue(any("patientRole должен иметь 2 элемента id" in m for m in messages), messages)
        self.assertTrue(any(m.startswith("У1-14.") and "title" in m for m in messages), messages)

    def test_xsd_catches_a_foreign_element(self):
        edition = editions.editions()["119", "4"]
        broken = self._golden(("119", "4")).replace(b"<title>", b"<titel>x</titel><title>")
        self.assertTrue(validator.xsd_errors(editions.schema_path(edition, "xsd"), broken))

    def test_edition_is_data(self):
        """A new edition is a description file: the builder takes templateId, code and sections from it."""
        edition = json.loads(json.dumps(_resolved(("119", "4"))))
        edition["template_id"] = "1.2.643.5.1.13.13.15.13.99"
        edition["sections"] = [s for s in edition["sections"] if s["code"] != "LANAM"]
        document = etree.fromstring(builder.build(edition, payloads.CONSULTATION))
        ns = {"cda": builder.CDA}
        self.assertEqual(document.find("cda:templateId", ns).get("root"), "1.2.643.5.1.13.13.15.13.99")
        codes = [c.get("code") for c in document.iterfind(".//cda:section/cda:code", ns)]
        self.assertNotIn("LANAM", codes)
        self.assertIn("ANAM", codes)
