import json

from lxml import etree

from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_path

from ..semd import builder, validator
from ..semd import edition as editions
from . import payloads

GOLDEN = {("119", "4"): "clinic_remd/tests/golden/consultation_119_4.xml"}


@tagged("post_install", "-at_install")
class TestGoldenDocuments(BaseCase):
    """Each supported edition has a golden document that passes its XSD and schematron, and the builder
    reproduces it byte for byte from the fixed payload."""

    def _golden(self, key):
        with open(file_path(GOLDEN[key]), "rb") as golden_file:
            return golden_file.read()

    def test_every_edition_has_a_passing_golden(self):
        self.assertEqual(set(editions.editions()), set(GOLDEN), "a supported edition has no golden document")
        for key, edition in editions.editions().items():
            xml = self._golden(key)
            self.assertEqual(validator.xsd_errors(editions.schema_path(edition, "xsd"), xml), [], key)
            self.assertEqual(validator.schematron_errors(editions.schema_path(edition, "schematron"), xml), [], key)

    def test_builder_reproduces_golden(self):
        edition = editions.editions()["119", "4"]
        self.assertEqual(builder.build(edition, payloads.CONSULTATION), self._golden(("119", "4")))

    def test_schematron_catches_a_broken_document(self):
        """Without the patient's SNILS and without a title the schematron names both rules."""
        edition = editions.editions()["119", "4"]
        document = etree.fromstring(self._golden(("119", "4")))
        ns = {"cda": builder.CDA}
        snils = document.find("cda:recordTarget/cda:patientRole/cda:id[@root='1.2.643.100.3']", ns)
        snils.getparent().remove(snils)
        title = document.find("cda:title", ns)
        title.getparent().remove(title)
        broken = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        messages = [
            message
            for _location, message in validator.schematron_errors(editions.schema_path(edition, "schematron"), broken)
        ]
        self.assertTrue(any("patientRole должен иметь 2 элемента id" in m for m in messages), messages)
        self.assertTrue(any(m.startswith("У1-14.") and "title" in m for m in messages), messages)

    def test_xsd_catches_a_foreign_element(self):
        edition = editions.editions()["119", "4"]
        broken = self._golden(("119", "4")).replace(b"<title>", b"<titel>x</titel><title>")
        self.assertTrue(validator.xsd_errors(editions.schema_path(edition, "xsd"), broken))

    def test_edition_is_data(self):
        """A new edition is a description file: the builder takes templateId, code and sections from it."""
        edition = json.loads(json.dumps(editions.editions()["119", "4"]))
        edition["template_id"] = "1.2.643.5.1.13.13.15.13.99"
        edition["sections"] = [s for s in edition["sections"] if s["code"] != "LANAM"]
        document = etree.fromstring(builder.build(edition, payloads.CONSULTATION))
        ns = {"cda": builder.CDA}
        self.assertEqual(document.find("cda:templateId", ns).get("root"), "1.2.643.5.1.13.13.15.13.99")
        codes = [c.get("code") for c in document.iterfind(".//cda:section/cda:code", ns)]
        self.assertNotIn("LANAM", codes)
        self.assertIn("ANAM", codes)
