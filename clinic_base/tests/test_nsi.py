import io
import json
import zipfile
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

GENDER = "1.2.643.5.1.13.13.11.1040"
ICD10 = "1.2.643.5.1.13.13.11.1005"
SERVICES = "1.2.643.5.1.13.13.11.1070"
ICD10_COLUMNS = ("ID", "MKB_CODE", "MKB_NAME", "ID_PARENT", "ACTUAL", "DATE")


def export(oid, version, columns, rows, **passport):
    """(passport, rows) in the FNSI export format; a row given as a dict becomes a list of cells."""
    passport = {
        "oid": oid,
        "version": version,
        "publishDate": "01.02.2025 10:00",
        "fields": [{"field": column} for column in columns],
        **passport,
    }
    cells = [
        [{"column": column, "value": value} for column, value in row.items()] if isinstance(row, dict) else row
        for row in rows
    ]
    return passport, cells


@tagged("post_install", "-at_install")
class TestNsi(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = cls.env["clinic.nsi.loader"]
        cls.Gender = cls.env["clinic.nsi.gender"].with_context(active_test=False)
        cls.Icd = cls.env["clinic.nsi.icd10"].with_context(active_test=False)
        cls.Service = cls.env["clinic.nsi.service.code"].with_context(active_test=False)
        cls.manager = new_test_user(cls.env, "nsi_manager", groups="clinic_base.group_clinic_manager")

    def test_shipped_books_are_loaded(self):
        cold = self.Icd.search([("code", "=", "J06.9")])
        self.assertEqual(cold.name, "Острая инфекция верхних дыхательных путей неуточненная")
        self.assertEqual(cold.display_name, "J06.9 Острая инфекция верхних дыхательных путей неуточненная")
        self.assertEqual((cold.version, cold.nsi_id), ("2.24", "4267"))
        self.assertTrue(cold.is_leaf)
        self.assertEqual(cold.parent_id.code, "J06")
        self.assertFalse(cold.parent_id.is_leaf, "a rubric with subdivisions is too coarse for a diagnosis")
        self.assertIn(cold.id, [found for found, _name in self.Icd.name_search("J06.9")])
        self.assertIn(cold.id, [found for found, _name in self.Icd.name_search("верхних дыхательных путей")])
        consultation = self.Service.search([("code", "=", "B01.047.001")])
        self.assertEqual(consultation.name, "Прием (осмотр, консультация) врача-терапевта первичный")
        self.assertEqual(self.env["clinic.nsi.region"].with_context(active_test=False).search_count([]), 90)
        self.assertEqual(self.Gender.search([]).mapped("name"), ["Мужской", "Женский", "Неопределенный"])
        self.assertEqual(self.Icd.search_count([]), 15038)
        self.assertEqual(self.Icd.search_count([("active", "=", False)]), 101)
        self.assertEqual(
            self.env["clinic.nsi.identity.document.type"].search([("code", "=", "1")]).name,
            "Паспорт гражданина Российской Федерации",
        )

    def test_shipped_service_book_is_cleaned(self):
        """Of two rows per code (retired and actual), or a code typed with Cyrillic letters, one code is kept."""
        self.assertEqual(self.Service.search_count([]), 10981 - 1 - 14 - 57)
        retyped = self.Service.search([("code", "=", "A16.30.084")])  # also «А16.30.084» with a Cyrillic А
        self.assertEqual((retyped.name, retyped.nsi_id), ("Селективная элиминация плода (фетоцид)", "12132"))
        self.assertTrue(retyped.active)
        self.assertFalse(self.Service.search([("code", "=", "А16.30.084")]))
        reused = self.Service.search([("code", "=", "A09.20.003")])
        self.assertTrue(reused.active)
        self.assertIn("цервикальной слизи", reused.name)
        retired = self.Service.search([("active", "=", False)], limit=1)
        self.assertTrue(retired.date_to)

    def test_reloading_the_same_exports_changes_nothing(self):
        summaries = {summary["model"]: summary for summary in self.loader.load_shipped_books()}
        self.assertEqual(len(summaries), 7)
        for summary in summaries.values():
            with self.subTest(book=summary["model"]):
                self.assertEqual((summary["created"], summary["updated"], summary["deactivated"]), (0, 0, 0))
        self.assertEqual(summaries["clinic.nsi.icd10"]["unchanged"], 15038)
        self.assertEqual(len(summaries["clinic.nsi.service.code"]["rejected"]), 72)

    def test_full_load_upserts_and_reports_a_broken_row(self):
        passport, rows = export(
            GENDER,
            "2.2",
            ("ID", "NAME"),
            [
                {"ID": "1", "NAME": "Мужской пол"},
                {"ID": "3", "NAME": "Неопределенный"},
                {"ID": "4", "NAME": "Иной"},
                {"ID": "", "NAME": "Без кода"},
                "not a row",
            ],
        )
        summary = self.loader.load_export(passport, rows)
        self.assertEqual(
            (summary["created"], summary["updated"], summary["unchanged"], summary["deactivated"]), (1, 1, 1, 1)
        )
        self.assertEqual(
            [(rejected["row"], rejected["reason"]) for rejected in summary["rejected"]],
            [(5, "Not a list of column/value cells"), (4, "No code in column ID")],
        )
        genders = {gender.code: gender for gender in self.Gender.search([])}
        self.assertEqual(genders["1"].name, "Мужской пол")
        self.assertEqual(genders["4"].name, "Иной")
        self.assertEqual((genders["2"].active, genders["2"].date_to), (False, date(2025, 2, 1)))
        versions = {code: gender.version for code, gender in genders.items()}
        self.assertEqual(versions, {"1": "2.2", "2": "2.1", "3": "2.2", "4": "2.2"}, "a dropped code keeps its version")

        # The next full export brings the code back: it is active again, without the end date.
        passport, rows = export(GENDER, "2.3", ("ID", "NAME"), [{"ID": "2", "NAME": "Женский"}])
        summary = self.loader.load_export(passport, rows)
        self.assertEqual((summary["updated"], summary["deactivated"]), (1, 3))
        self.assertEqual((genders["2"].active, genders["2"].date_to), (True, False))

    def test_rejected_values_name_the_column(self):
        passport, rows = export(
            SERVICES,
            "2.11",
            ("ID", "S_CODE", "NAME", "REL", "DATEOUT"),
            [
                {"ID": "1", "S_CODE": "A01.01.001", "NAME": "Сбор анамнеза", "REL": "1", "DATEOUT": "32.13.2020"},
                {"ID": "2", "S_CODE": "A01.01.002", "NAME": "Осмотр", "REL": "maybe", "DATEOUT": None},
                {"ID": "3", "S_CODE": "A01.01.003", "NAME": None, "REL": "1", "DATEOUT": None},
                {"ID": "4", "S_CODE": "Z99.99.999", "NAME": "Новая услуга", "REL": "1", "DATEOUT": None},
            ],
        )
        summary = self.loader.load_export(passport, rows, full=False)
        self.assertEqual(
            [(rejected["code"], rejected["reason"]) for rejected in summary["rejected"]],
            [
                ("A01.01.001", "Column DATEOUT: '32.13.2020' is not a date"),
                ("A01.01.002", "Column REL: 'maybe' is not a flag"),
                ("A01.01.003", "No name in column NAME"),
            ],
        )
        self.assertEqual((summary["created"], summary["deactivated"]), (1, 0))
        self.assertEqual(self.Service.search([("code", "=", "Z99.99.999")]).name, "Новая услуга")

    def test_full_load_keeps_codes_of_rejected_rows(self):
        passport, rows = export(
            GENDER,
            "2.2",
            ("ID", "NAME"),
            [
                {"ID": "1", "NAME": "Мужской"},
                {"ID": "2", "NAME": ""},
                {"ID": "3", "NAME": "Неопределенный"},
            ],
        )
        summary = self.loader.load_export(passport, rows)
        self.assertEqual((summary["deactivated"], len(summary["rejected"])), (0, 1))
        self.assertTrue(self.Gender.search([("code", "=", "2")]).active)

    def test_duplicate_codes_keep_the_actual_row(self):
        cyrillic_a = "\u0410"
        passport, rows = export(
            SERVICES,
            "2.11",
            ("ID", "S_CODE", "NAME", "REL", "DATEOUT"),
            [
                {"ID": "20001", "S_CODE": "A98.01.001", "NAME": "Новое название", "REL": "1", "DATEOUT": None},
                {"ID": "20000", "S_CODE": "A98.01.001", "NAME": "Старое название", "REL": "0", "DATEOUT": "01.01.2024"},
                {"ID": "20002", "S_CODE": "A98.01.002", "NAME": "Упразднена", "REL": "0", "DATEOUT": "01.01.2024"},
                {"ID": "20003", "S_CODE": "A98.01.002", "NAME": "Действует", "REL": "1", "DATEOUT": None},
                {"ID": "20004", "S_CODE": " A98.01.003 ", "NAME": "Латиница", "REL": "1", "DATEOUT": None},
                {"ID": "20005", "S_CODE": f"{cyrillic_a}98.01.003", "NAME": "Кириллица", "REL": "0", "DATEOUT": None},
            ],
        )
        summary = self.loader.load_export(passport, rows, full=False)
        self.assertEqual(summary["created"], 3)
        self.assertEqual(
            {(rejected["nsi_id"], rejected["reason"]) for rejected in summary["rejected"]},
            {
                ("20000", "Duplicate code A98.01.001: row ID 20001 is kept"),
                ("20002", "Duplicate code A98.01.002: row ID 20003 is kept"),
                ("20005", "Duplicate code A98.01.003: row ID 20004 is kept"),
            },
        )
        kept = self.Service.search([("code", "in", ("A98.01.001", "A98.01.002", "A98.01.003"))])
        self.assertEqual(kept.mapped("name"), ["Новое название", "Действует", "Латиница"])
        self.assertTrue(all(kept.mapped("active")))

    def test_cyrillic_letters_in_a_code_are_read_as_latin(self):
        passport, rows = export(
            SERVICES,
            "2.11",
            ("ID", "S_CODE", "NAME", "REL"),
            [
                {"ID": "30001", "S_CODE": "В97.01.001", "NAME": "Код с кириллической В", "REL": "1"},
            ],
        )
        self.loader.load_export(passport, rows, full=False)
        self.assertEqual(self.Service.search([("nsi_id", "=", "30001")]).code, "B97.01.001")

    def test_icd10_parents_resolved_within_and_across_loads(self):
        rubric = self.Icd.search([("code", "=", "J06")])
        passport, rows = export(
            ICD10,
            "2.25",
            ICD10_COLUMNS,
            [
                {
                    "ID": "90002",
                    "MKB_CODE": "J06.81",
                    "MKB_NAME": "Подрубрика новой рубрики",
                    "ID_PARENT": "90001",
                    "ACTUAL": "1",
                    "DATE": "01.01.2025",
                },
                {
                    "ID": "90001",
                    "MKB_CODE": "J06.8X",
                    "MKB_NAME": "Новая рубрика",
                    "ID_PARENT": rubric.nsi_id,
                    "ACTUAL": "1",
                    "DATE": None,
                },
                {
                    "ID": "90003",
                    "MKB_CODE": "J06.7",
                    "MKB_NAME": "Сирота",
                    "ID_PARENT": "99999999",
                    "ACTUAL": "1",
                    "DATE": None,
                },
                {
                    "ID": "90004",
                    "MKB_CODE": "J06.6",
                    "MKB_NAME": "Исключена",
                    "ID_PARENT": rubric.nsi_id,
                    "ACTUAL": "0",
                    "DATE": "01.03.2025",
                },
            ],
        )
        summary = self.loader.load_export(passport, rows, full=False)
        self.assertEqual((summary["created"], summary["deactivated"], summary["rejected"]), (4, 0, []))
        self.assertEqual(
            summary["warnings"], ["Code J06.7: its parent row ID 99999999 is not in the book, loaded without parent"]
        )
        loaded = self.Icd.search([("nsi_id", "in", ("90001", "90002", "90003", "90004"))])
        new = {record.code: record for record in loaded}
        self.assertEqual(new["J06.8X"].parent_id, rubric)
        self.assertEqual(new["J06.81"].parent_id, new["J06.8X"])
        self.assertFalse(new["J06.7"].parent_id)
        self.assertEqual((new["J06.8X"].is_leaf, new["J06.81"].is_leaf), (False, True))
        self.assertEqual(new["J06.81"].date_from, date(2025, 1, 1))
        # DATE of a retired row is its end date.
        retired = new["J06.6"]
        self.assertEqual((retired.active, retired.date_from, retired.date_to), (False, False, date(2025, 3, 1)))
        self.assertEqual(self.Icd.search([("code", "=", "J06.9")]).version, "2.24", "a partial load leaves the rest")

        # A later load moves an existing code under a parent created in that same load.
        passport, rows = export(
            ICD10,
            "2.26",
            ICD10_COLUMNS,
            [
                {
                    "ID": "90005",
                    "MKB_CODE": "J06.5",
                    "MKB_NAME": "Ещё рубрика",
                    "ID_PARENT": rubric.nsi_id,
                    "ACTUAL": "1",
                },
                {"ID": "90003", "MKB_CODE": "J06.7", "MKB_NAME": "Сирота", "ID_PARENT": "90005", "ACTUAL": "1"},
            ],
        )
        summary = self.loader.load_export(passport, rows, full=False)
        self.assertEqual((summary["created"], summary["updated"]), (1, 1))
        self.assertEqual(new["J06.7"].parent_id.code, "J06.5")

    def test_full_load_with_a_missing_part_is_refused(self):
        passport, rows = export(GENDER, "2.2", ("ID", "NAME"), [{"ID": "1", "NAME": "Мужской"}], rowsCount=3)
        with self.assertRaisesRegex(UserError, "holds 1 rows but its passport announces 3"):
            self.loader.load_export(passport, rows)
        self.assertEqual(self.Gender.search_count([("active", "=", True)]), 3)
        self.assertEqual(self.loader.load_export(passport, rows, full=False)["unchanged"], 1)

    def test_unknown_book_is_refused(self):
        # biomaterials of laboratory tests (FSLI): a book no clinic module loads
        passport, rows = export("1.2.643.5.1.13.13.11.1081", "3.1", ("ID", "NAME"), [{"ID": "1", "NAME": "Кровь"}])
        with self.assertRaisesRegex(UserError, "1.2.643.5.1.13.13.11.1081"):
            self.loader.load_export(passport, rows)

    def _wizard(self, *files):
        return (
            self.env["clinic.nsi.import.wizard"]
            .with_user(self.manager)
            .create({"attachment_ids": [Command.create({"name": name, "raw": raw}) for name, raw in files]})
        )

    def test_wizard_rejects_a_file_that_is_not_json(self):
        names_before = self.Gender.search([]).mapped("name")
        passport, rows = export(GENDER, "2.2", ("ID", "NAME"), [{"ID": "1", "NAME": "Изменено"}])
        wizard = self._wizard(
            ("1.2.643.5.1.13.13.11.1040_2.2_passport.json", json.dumps(passport).encode()),
            ("1.2.643.5.1.13.13.11.1040_2.2_part1.json", json.dumps({"list": rows}).encode()),
            ("scan.pdf", b"%PDF-1.4 not a reference book"),
        )
        with self.assertRaisesRegex(UserError, r"File scan\.pdf is not a valid FNSI export: it is not JSON"):
            wizard.action_import()
        self.assertEqual(self.Gender.search([]).mapped("name"), names_before)
        self.assertEqual(wizard.state, "upload")

    def test_wizard_rejects_json_that_is_no_export_and_parts_without_passport(self):
        wizard = self._wizard(("settings.json", b'{"theme": "dark"}'))
        with self.assertRaisesRegex(UserError, r"File settings\.json is not a valid FNSI export"):
            wizard.action_import()
        wizard = self._wizard(("1.2.643.5.1.13.13.11.1040_2.2_part1.json", b'{"list": []}'))
        with self.assertRaisesRegex(UserError, r"passport file .* is missing.*1040_2\.2_part1\.json"):
            wizard.action_import()

    def test_wizard_loads_a_zip_and_shows_rejected_rows(self):
        passport, rows = export(
            GENDER,
            "2.2",
            ("ID", "NAME"),
            [
                {"ID": "1", "NAME": "Мужской"},
                {"ID": "2", "NAME": "Женский"},
                {"ID": "3", "NAME": "Неопределенный"},
                {"ID": "4", "NAME": "Иной"},
                {"ID": "5", "NAME": None},
            ],
            rowsCount=5,
        )
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("1.2.643.5.1.13.13.11.1040_2.2_passport.json", json.dumps(passport))
            zipped.writestr("1.2.643.5.1.13.13.11.1040_2.2_part1.json", json.dumps({"list": rows[:3]}))
            zipped.writestr("1.2.643.5.1.13.13.11.1040_2.2_part2.json", json.dumps({"list": rows[3:]}))
        wizard = self._wizard(("1040.zip", archive.getvalue()))
        attachments = wizard.attachment_ids
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertIn("Created: 1, updated: 0, unchanged: 3, archived: 0, rejected: 1.", wizard.summary)
        self.assertIn("No name in column NAME", wizard.summary)
        self.assertEqual(self.Gender.search([("code", "=", "4")]).version, "2.2")
        self.assertFalse(attachments.exists(), "the uploaded files are dropped once loaded")
