from odoo import api, models
from odoo.exceptions import UserError

from ..tools.dbf import SourceError
from ..tools.tables import Upload


class ClinicMigrationSource(models.AbstractModel):
    """Reading an upload of a 1C base, with the reasons a file is refused in the user's language."""

    _name = "clinic.migration.source"
    _description = "1C upload reader"

    @api.model
    def _error_texts(self):
        _ = self.env._
        return {
            "too_short": _("%(file)s is not a DBF table: %(size)s bytes, shorter than a DBF header."),
            "not_dbf": _("%(file)s is not a DBF table: its first byte %(byte)s is no dBASE/FoxPro version."),
            "bad_column": _(
                "%(file)s is not a DBF table: column %(number)s of its header («%(name)s», type «%(type)s») "
                "is not a DBF column."
            ),
            "damaged_header": _(
                "%(file)s has a damaged header: its columns take %(used)s bytes of a %(record)s-byte record."
            ),
            "truncated": _(
                "%(file)s is truncated: its header announces %(announced)s records, the file holds only "
                "%(complete)s complete ones. Copy the file again from the 1C folder."
            ),
            "damaged_record": _("%(file)s: record %(number)s is damaged (its deletion flag is neither blank nor *)."),
            "bad_zip": _("%(file)s is not a readable zip archive."),
            "zip_too_big": _(
                "%(file)s unpacks to more than %(limit)s MB: upload the 1C folder in several smaller archives."
            ),
            "zip_ratio": _(
                "%(file)s: %(member)s unpacks to more than %(ratio)s times its packed size; such an archive is "
                "refused as a zip bomb. Pack the 1C folder again."
            ),
            "zip_members": _(
                "%(file)s holds %(count)s files, more than %(limit)s: upload only the DBF tables, the data "
                "dictionary and the KLADR files."
            ),
            "unreadable_text": _(
                "%(file)s: its text reads neither as cp866, cp1251 nor utf-8 (share of Russian letters: %(scores)s). "
                "Export it again from 1C."
            ),
            "wrong_encoding": _(
                "%(file)s: the text does not read as %(encoding)s but as %(detected)s (share of Russian letters: "
                "%(scores)s). Choose %(detected)s or leave the encoding to detection."
            ),
            "empty_csv": _("%(file)s is an empty CSV file: no header line with the column names."),
            "csv_columns": _(
                "%(file)s, line %(line)s: %(values)s values for %(columns)s columns; check the quotes of that line."
            ),
            "bad_xml": _("%(file)s is not a well-formed XML file: %(error)s"),
            "duplicate_table": _("%(file)s: table %(table)s is also in %(other)s; upload each table once."),
        }

    @api.model
    def _source_error(self, exc):
        """The UserError to show for a SourceError, in the user's language."""
        template = self._error_texts().get(exc.code)
        return UserError(template % exc.params if template else str(exc))

    @api.model
    def _read_upload(self, files, encodings=None):
        """An Upload of ``files`` ([(name, bytes)]); a file that cannot be read stops everything with its reason."""
        if not files:
            raise UserError(self.env._("Upload the DBF files of the 1C database (or a zip of its folder) first."))
        try:
            return Upload(files, encodings)
        except SourceError as exc:
            raise self._source_error(exc) from exc

    @api.model
    def _rows(self, table, deleted=False):
        """The rows of a table (its DBF-deleted ones with ``deleted``); a record damaged deep inside the file stops
        the import with its reason."""
        try:
            yield from (table.deleted_rows() if deleted else table.rows())
        except SourceError as exc:
            raise self._source_error(exc) from exc
