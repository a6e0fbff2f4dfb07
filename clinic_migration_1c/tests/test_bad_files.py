import csv
import io
import os
import zipfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import tables
from ..tools.dbf import write_dbf
from ..tools.synthetic_1c import make_id
from .common import WATCHED_TABLES, MigrationCase


@tagged("post_install", "-at_install")
class TestBadFiles(MigrationCase):
    """A file the import cannot read stops it with a message naming the file, and nothing is written."""

    def assertRefused(self, files, message, **vals):
        before = self.table_counts()
        with self.assertRaisesRegex(UserError, message):
            self.wizard(files, **vals).action_dry_run()
        self.assertEqual(self.table_counts(), before)

    def test_not_a_dbf(self):
        files = dict(self.files, **{"SC101.DBF": "Клиенты;Телефон\nИванов;8912\n".encode("cp1251")})
        self.assertRefused(files, r"SC101\.DBF is not a DBF table")

    def test_truncated(self):
        files = dict(self.files, **{"DH135.DBF": self.files["DH135.DBF"][:-150]})
        self.assertRefused(files, r"DH135\.DBF is truncated: its header announces 12 records, the file holds only \d+")

    def test_wrong_encoding(self):
        wizard = self.wizard()
        wizard.file_ids.filtered(lambda line: line.filename == "SC101.DBF").encoding = "utf-8"
        before = self.table_counts()
        with self.assertRaisesRegex(UserError, r"SC101\.DBF: the text does not read as utf-8 but as cp866"):
            wizard.action_dry_run()
        self.assertEqual(self.table_counts(), before)

    def test_unreadable_text(self):
        # Names made of bytes that read as pseudo-graphics, signs or nothing in every candidate encoding.
        rows = [{"ID": make_id(number), "DESCR": "\xb0\xb1\xb2\xb3 \xb4\xb5\xb6"} for number in range(1, 4)]
        table = write_dbf([("ID", "C", 9, 0), ("DESCR", "C", 20, 0)], rows, encoding="latin-1")
        self.assertRefused(dict(self.files, **{"SC101.DBF": table}), r"SC101\.DBF: its text reads neither as cp866")

    def test_broken_zip(self):
        self.assertRefused({"base.zip": b"PK\x03\x04 not really a zip"}, r"base\.zip is not a readable zip archive")

    @staticmethod
    def _zip(members):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
        return buffer.getvalue()

    def test_hostile_uploads(self):
        """Abuse corpus of the 1C upload: each hostile file is refused with its reason, nothing is written."""
        corpus = [
            ("zip bomb (ratio)", {"bomb.zip": self._zip([("SC101.DBF", bytes(20 << 20))])},
             r"bomb\.zip: SC101\.DBF unpacks to more than 200 times its packed size"),
            ("too many members", {"many.zip": self._zip([(f"F{n}.TXT", b"") for n in range(5001)])},
             r"many\.zip holds 5001 files, more than 5000"),
            ("not a zip", {"base.zip": b"PK\x03\x04 not really a zip"}, r"base\.zip is not a readable zip archive"),
        ]  # fmt: skip
        for label, files, message in corpus:
            with self.subTest(label):
                self.assertRefused(files, message)

    def test_zip_total_size(self):
        """Members that each compress fine but unpack past the bound in all are refused as they are read."""
        members = [(f"F{n}.DBF", os.urandom(300 << 10)) for n in range(4)]
        with patch.object(tables, "ZIP_MAX_TOTAL", 1 << 20):
            self.assertRefused({"big.zip": self._zip(members)}, r"big\.zip unpacks to more than 1 MB")

    def test_xml_without_huge_tree(self):
        """A text node past libxml2's safety limit is refused, not parsed with huge_tree."""
        data = b'<Table name="SC101"><Row DESCR="' + b"a" * (10_000_001) + b'"/></Table>'
        self.assertRefused({"SC101.XML": data}, r"SC101\.XML is not a well-formed XML file")

    def test_report_cells_are_not_formulas(self):
        """A 1C value that Excel would run as a formula is written as text in the report."""
        hostile = [
            '=HYPERLINK("http://evil";"x")',
            "+7 912 345-67-89",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "+1+cmd|' /C calc'!A0",
        ]
        harmless = ["Иванов", "+79123456789", "-5", "-1,5"]
        rows = [("SC101", "1", "1", 1, "rejected", "DESCR", value, None, "test") for value in hostile + harmless]
        text = self.env["clinic.migration.issue"]._report_csv(rows).decode("utf-8-sig")
        cells = [row[6] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
        self.assertEqual(cells, ["'" + value for value in hostile] + harmless)

    def test_run_fails_cleanly(self):
        """A file damaged after the dry run: the scheduled job marks the import failed and writes no data."""
        wizard = self.wizard()
        wizard.action_dry_run()
        run = self.env["clinic.migration.run"].browse(wizard.action_import()["res_id"])
        run.attachment_ids.filtered(lambda a: a.name == "SC101.DBF").raw = self.files["SC101.DBF"][:-500]
        before = self.table_counts(WATCHED_TABLES[:-3])
        self.process(run)
        self.assertEqual(run.state, "failed")
        self.assertIn("SC101.DBF is truncated", run.error)
        self.assertEqual(self.table_counts(WATCHED_TABLES[:-3]), before)
        self.assertFalse(run.batch_ids)
