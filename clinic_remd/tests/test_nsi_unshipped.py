import json

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..semd import codes
from ..semd import edition as editions
from .common import SemdCase

LAB_TEST_OID = "1.2.643.5.1.13.13.11.1080"


def _export(oid, version, rows, publish_date="01.12.2026"):
    """An FNSI export as nsi.rosminzdrav.ru delivers it: a passport and one part file of ID/NAME cells."""
    passport = {
        "oid": oid,
        "version": version,
        "publishDate": publish_date,
        "rowsCount": len(rows),
        "fields": [{"field": "ID"}, {"field": "NAME"}],
    }
    part = {"list": [[{"column": "ID", "value": code}, {"column": "NAME", "value": name}] for code, name in rows]}
    return [
        (f"{oid}_{version}_passport.json", json.dumps(passport).encode()),
        (f"{oid}_{version}_part1.json", json.dumps(part, ensure_ascii=False).encode()),
    ]


@tagged("post_install", "-at_install")
class TestUnshippedBooks(SemdCase):
    """The books without an export at hand hold their hand-entered rows, flagged, until the real export is loaded
    over them; what references them stays valid."""

    def load(self, files):
        loader = self.env["clinic.nsi.loader"]
        return [loader.load_export(passport, rows) for passport, rows in loader._read_export_files(files)]

    def lab_line(self, visit, code):
        return (
            self.env["clinic.visit.lab.result"]
            .with_user(self.doctor_user)
            .create(
                {
                    "visit_id": visit.id,
                    "test_id": self.row("clinic.nsi.lab.test", code).id,
                    "specimen_id": self.row("clinic.nsi.biomaterial", "2").id,
                    "value_type": "text",
                    "value_text": "в пределах нормы",
                    "sampled_at": visit.date,
                    "result_at": visit.date,
                }
            )
        )

    def issue(self, visit):
        visit.with_user(self.doctor_user).with_context(semd_kind="186").action_semd_generate()
        return visit.semd_document_ids.filtered(lambda document: document.kind_code == "186")

    def test_install_fills_every_book_with_its_hand_entered_rows_as_the_documents_code_them(self):
        """Each book of codes_unshipped.json has its rows, flagged to verify, and the builder codes them exactly
        as the golden documents do from the JSON (name, book name and version)."""
        builder = self.env["clinic.semd.builder"]
        checked = 0
        for oid, book in editions.unshipped_codes().items():
            if oid.startswith("_"):
                continue
            rows = self.env[codes.BOOKS[oid][0]].search([])
            self.assertEqual(set(rows.mapped("code")), set(book["codes"]), oid)
            self.assertTrue(all(rows.mapped("hand_entered")), oid)
            for code in book["codes"]:
                self.assertEqual(builder._book_code(oid, code), editions.unshipped_code(oid, code), (oid, code))
                checked += 1
        self.assertGreater(checked, 20)
        # Run again, as an upgrade does: nothing is added twice.
        self.assertFalse(any(self.env["clinic.nsi.loader"].load_unshipped_books().values()))

    def test_the_real_export_replaces_the_hand_entered_rows_and_keeps_the_results_valid(self):
        Test = self.env["clinic.nsi.lab.test"].with_context(active_test=False)
        haemoglobin, glucose = self.row(Test._name, "1017128"), self.row(Test._name, "1018045")
        kept_visit, retired_visit = self.make_visit(), self.make_visit()
        kept_line, retired_line = self.lab_line(kept_visit, "1017128"), self.lab_line(retired_visit, "1018045")
        summary = self.load(
            _export(
                LAB_TEST_OID,
                "3.41",
                [
                    ("1017128", haemoglobin.name),
                    ("1017359", "Гематокрит крови"),
                    ("1017999", "Тест из настоящей выгрузки"),
                ],
            )
        )[0]
        self.assertEqual(
            (summary["created"], summary["updated"], summary["deactivated"], summary["rejected"]), (1, 2, 3, [])
        )
        # Matched by code: the same rows, now the book's own, at the export's version.
        self.assertEqual(kept_line.test_id, haemoglobin)
        self.assertEqual((haemoglobin.hand_entered, haemoglobin.version, haemoglobin.active), (False, "3.41", True))
        self.assertEqual(self.row(Test._name, "1017359").name, "Гематокрит крови")
        self.assertFalse(self.row(Test._name, "1017999").hand_entered)
        # A hand-entered code the book does not have is archived, ended on the export's date, still referenced.
        self.assertEqual(retired_line.test_id, glucose)
        self.assertEqual((glucose.active, str(glucose.date_to), glucose.hand_entered), (False, "2026-12-01", True))
        self.assertEqual(
            sorted(Test.search([("hand_entered", "=", True)]).mapped("code")), ["1017375", "1017441", "1018045"]
        )
        # The line on the kept code builds a valid protocol at the new version; the retired one is named.
        document = self.issue(kept_visit)
        self.assertEqual(document.state, "validated", kept_visit.semd_errors)
        coded = etree.fromstring(self.xml(document)).xpath("//*[@code='1017128']")
        self.assertEqual([(e.get("codeSystem"), e.get("codeSystemVersion")) for e in coded], [(LAB_TEST_OID, "3.41")])
        self.assertFalse(self.issue(retired_visit))
        self.assertIn(f"Code 1018045 is not current in reference book {LAB_TEST_OID}", retired_visit.semd_errors)
        # An upgrade does not bring the hand-entered rows back into a book loaded from its export.
        self.assertNotIn(LAB_TEST_OID, self.env["clinic.nsi.loader"].load_unshipped_books())
        self.assertFalse(self.row(Test._name, "1018045"))

    def test_clinic_users_read_the_books_managers_edit_them(self):
        test = self.row("clinic.nsi.lab.test", "1017128")
        self.assertEqual(test.with_user(self.doctor_user).read(["hand_entered"])[0]["hand_entered"], True)
        with self.assertRaises(AccessError):
            test.with_user(self.doctor_user).write({"name": "Гемоглобин"})
        test.with_user(self.manager_user).write({"name": "Гемоглобин"})
        self.assertEqual(test.name, "Гемоглобин")
