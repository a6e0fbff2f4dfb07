from odoo.exceptions import UserError
from odoo.tests import tagged

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
