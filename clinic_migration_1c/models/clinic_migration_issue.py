import csv
import io
import re

from odoo import api, fields, models

from ..tools.sql import insert_values

ISSUE_KINDS = [
    ("rejected", "Rejected"),
    ("skipped", "Not imported"),
    ("normalized", "Changed by normalization"),
    ("flagged", "Kept as typed, check it"),
    ("merged", "Merged"),
    ("review", "Possible duplicate to review"),
    ("updated", "Updated from a newer export"),
    ("failed", "Failed while writing"),
]


class ClinicMigrationIssue(models.Model):
    """One line of the import report: a row rejected, a value changed or kept as typed, a merge."""

    _name = "clinic.migration.issue"
    _description = "Import report line"
    _order = "run_id, id"

    run_id = fields.Many2one(
        "clinic.migration.run", string="Import from 1C", required=True, ondelete="cascade", index=True
    )
    source_table = fields.Char(string="1C table", help="SCnnn, DHnnn... or the file name.")
    source_id = fields.Char(string="1C ID", help="ID of the row in 1C.")
    code = fields.Char(string="1C code", help="Card number, service code or document number in 1C.")
    label = fields.Char(string="Row", help="Name of the client or service, or the document.")
    kind = fields.Selection(ISSUE_KINDS, string="What happened", required=True, index=True)
    field = fields.Char(string="Field", help="The value concerned; empty when it is about the whole row.")
    value_before = fields.Char(string="Value in 1C", help="As it was typed in 1C.")
    value_after = fields.Char(string="Value imported", help="What Odoo keeps.")
    reason = fields.Char(string="Reason")

    @api.model
    def _bulk_create(self, run_id, issues):
        """Insert report lines in bulk: tuples of (table, 1C ID, 1C code, row, kind, field, value in 1C, value
        imported, reason), the columns of the CSV report."""
        if not issues:
            return
        self.env.flush_all()
        uid = self.env.uid
        insert_values(
            self.env.cr,
            "INSERT INTO clinic_migration_issue (run_id, source_table, source_id, code, label, kind, field, "
            "value_before, value_after, reason, create_uid, write_uid, create_date, write_date) VALUES %s",
            [(run_id, *issue, uid, uid) for issue in issues],
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
            "now() at time zone 'UTC')",
        )
        self.invalidate_model()

    @api.model
    def _report_writer(self):
        """A ReportCsv with the column titles and kinds in the user's language."""
        _ = self.env._
        header = [_("1C table"), _("1C ID"), _("1C code"), _("Row"), _("What happened"), _("Field"),
                  _("Value in 1C"), _("Value imported"), _("Reason")]  # fmt: skip
        return ReportCsv(header, dict(self._fields["kind"]._description_selection(self.env)))

    @api.model
    def _report_csv(self, rows):
        """CSV bytes Excel opens in Russian (UTF-8 with BOM, «;»); ``rows`` as for ``_bulk_create``."""
        report = self._report_writer()
        report.write(rows)
        return report.value()


# A cell starting with one of these is read by Excel and LibreOffice as a formula (CSV injection, OWASP); a plain
# signed number (a phone in E.164, a negative amount) is only a number and stays as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def csv_cell(value):
    """A value as a report cell: empty for None, text that would start a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER_RE.match(value):
        return f"'{value}"
    return value


class ReportCsv:
    """The import report written as it comes: UTF-8 with BOM and «;», so that Excel opens it in Russian."""

    def __init__(self, header, kinds):
        self.kinds = kinds
        self.buffer = io.StringIO()
        self.buffer.write("\ufeff")
        self.writer = csv.writer(self.buffer, delimiter=";", lineterminator="\r\n")
        self.writer.writerow(header)

    def write(self, rows):  # pylint: disable=method-required-super
        for row in rows:
            row = list(row)
            row[4] = self.kinds.get(row[4], row[4])
            row = [csv_cell(value) for value in row]
            self.writer.writerow(row)

    def value(self):
        return self.buffer.getvalue().encode("utf-8")
