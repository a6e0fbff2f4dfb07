"""One loader for every FNSI reference book, fed with the JSON export of nsi.rosminzdrav.ru."""

import gzip
import io
import json
import logging
import os
import re
import zipfile
from collections import defaultdict
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import file_path

_logger = logging.getLogger(__name__)

SHIPPED_FOLDER = "clinic_base/data/fnsi"
# Fields every book owns; a model adds its own (such as parent_id) through _nsi_columns.
MANAGED_FIELDS = ("code", "name", "nsi_id", "active", "date_from", "date_to")
# Cyrillic capitals typed instead of Latin ones: the service book holds «А16.30.084» next to «A16.30.084».
CODE_HOMOGLYPHS = str.maketrans("АВСЕНКМОРТХ", "ABCEHKMOPTX")
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
TRUE_FLAGS = {"1", "true"}
FALSE_FLAGS = {"0", "false"}
PART_RE = re.compile(r"^(?P<book>.*)_part(?P<number>\d+)\.json(\.gz)?$", re.IGNORECASE)
PASSPORT_RE = re.compile(r"^(?P<book>.*)_passport\.json(\.gz)?$", re.IGNORECASE)


def _parse_date(value):
    """FNSI writes dates as 31.12.2020 or 31.12.2020 00:00; ISO is accepted for hand-made exports."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise ValueError(value)


def _row_id_key(values):
    """Sort key preferring, among rows sharing a code, the actual one, then the newest (highest row ID)."""
    nsi_id = values["nsi_id"] or ""
    return values["active"], int(nsi_id) if nsi_id.isdigit() else -1


class _ParentLinks:
    """Parent row IDs of an export, resolved to database ids as the new rows get created."""

    def __init__(self, refs, code_by_row_id, id_by_code, id_by_row_id):
        self.refs = refs  # code -> row ID of its parent in the export
        self.code_by_row_id = code_by_row_id
        self.id_by_code = id_by_code
        self.id_by_row_id = id_by_row_id

    def resolve(self, code):
        """Database id of the parent of ``code``: False without parent, None while the parent awaits creation."""
        reference = self.refs.get(code)
        if not reference:
            return False
        if reference in self.code_by_row_id:
            return self.id_by_code.get(self.code_by_row_id[reference])
        return self.id_by_row_id[reference]


class ClinicNsiLoader(models.AbstractModel):
    _name = "clinic.nsi.loader"
    _description = "FNSI reference book loader"

    @api.private
    @api.model
    def load_export(self, passport, rows, full=True):
        """Upsert the rows of one FNSI export into the book its passport names.

        :param dict passport: the ``*_passport.json`` content (oid, version, fields, publishDate, rowsCount)
        :param rows: iterable of rows, each a list of ``{"column": ..., "value": ...}`` cells
        :param bool full: the rows are the whole book: archive the codes missing from them
        :return: summary dict: created, updated, deactivated and unchanged counts, ``rejected`` (one dict per
            row left out: row position, row ID, code, reason) and ``warnings``
        """
        Book = self._get_book_model(passport).with_context(active_test=False)
        summary = {
            "oid": Book._nsi_oid,
            "model": Book._name,
            "book": passport.get("shortName") or passport.get("fullName") or Book._description,
            "version": str(passport.get("version") or ""),
            "full": full,
            "rows": 0,
            "created": 0,
            "updated": 0,
            "deactivated": 0,
            "unchanged": 0,
            "rejected": [],
            "warnings": [],
        }
        cell_rows = self._read_cells(rows, summary)
        expected = passport.get("rowsCount")
        if full and expected not in (None, "") and str(expected) != str(summary["rows"]):
            raise UserError(
                self.env._(
                    "The export of %(book)s holds %(rows)s rows but its passport announces %(expected)s: a part file "
                    "is missing. Add it, or untick the full export to load these rows without archiving the others.",
                    book=summary["book"],
                    rows=summary["rows"],
                    expected=expected,
                )
            )
        columns = self._map_columns(Book, passport, cell_rows, summary["book"])
        rows_by_code, seen_codes = self._validate_rows(Book, columns, cell_rows, summary)
        for values in rows_by_code.values():
            values["version"] = summary["version"] or False
        fetched = {"version", *MANAGED_FIELDS, *columns}
        existing = {record.code: record for record in Book.search_fetch([], list(fetched))}
        links = self._parent_links(Book, columns, rows_by_code, existing, summary)
        self._create_rows(Book, rows_by_code, existing, links, summary)
        self._update_rows(Book, rows_by_code, existing, links, summary)
        if full:
            self._archive_missing(Book, existing, seen_codes, passport, summary)
        return summary

    @api.private
    @api.model
    def load_shipped_books(self):
        """Fill the books from the copies shipped in data/fnsi, so that a fresh install works offline."""
        folder = file_path(SHIPPED_FOLDER)
        files = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json.gz"):
                with open(os.path.join(folder, name), "rb") as export_file:
                    files.append((name, export_file.read()))
        summaries = []
        for passport, rows in self._read_export_files(files):
            summary = self.load_export(passport, rows)
            _logger.info(
                "FNSI %s %s (%s): %s created, %s updated, %s archived, %s rejected",
                summary["oid"],
                summary["version"],
                summary["model"],
                summary["created"],
                summary["updated"],
                summary["deactivated"],
                len(summary["rejected"]),
            )
            summaries.append(summary)
        return summaries

    @api.model
    def _read_export_files(self, files):
        """Group uploaded files into exports: [(passport, rows)], the rows of all parts in part order.

        :param files: iterable of (file name, content bytes); a zip is opened, a gzip file decompressed
        :raise UserError: naming the file that is not part of a valid export
        """
        passports, parts = {}, []
        for name, content in self._expand_archives(files):
            data = self._parse_json(name, content)
            base = os.path.basename(name)
            if isinstance(data, dict) and isinstance(data.get("list"), list):
                match = PART_RE.match(base)
                parts.append((name, match and match["book"], int(match["number"]) if match else 0, data["list"]))
            elif isinstance(data, dict) and data.get("oid") and data.get("version"):
                match = PASSPORT_RE.match(base)
                passports[name] = (match["book"] if match else None, data)
            else:
                raise UserError(
                    self.env._(
                        "File %(file)s is not a valid FNSI export: it is neither a passport (with oid and version) "
                        "nor a part file (with a list of rows).",
                        file=name,
                    )
                )
        if not passports:
            raise UserError(
                self.env._(
                    "The passport file (…_passport.json) is missing: the loader needs it to know which book and "
                    "version the part files %(files)s hold.",
                    files=", ".join(name for name, *_rest in parts),
                )
            )
        rows_by_passport = defaultdict(list)
        for name, book, number, part_rows in parts:
            if len(passports) == 1:
                owner = next(iter(passports))
            else:
                owner = next((key for key, (prefix, _data) in passports.items() if prefix and prefix == book), None)
            if not owner:
                raise UserError(
                    self.env._(
                        "File %(file)s: no passport matches this part file; keep the names of the FNSI download "
                        "(<OID>_<version>_partN.json next to <OID>_<version>_passport.json).",
                        file=name,
                    )
                )
            rows_by_passport[owner].append((number, name, part_rows))
        exports = []
        for name, (_prefix, passport) in passports.items():
            if not rows_by_passport[name]:
                raise UserError(self.env._("File %(file)s: no part file with the rows of this passport.", file=name))
            parts_in_order = sorted(rows_by_passport[name], key=lambda part: part[:2])
            rows = [row for _number, _name, part_rows in parts_in_order for row in part_rows]
            exports.append((passport, rows))
        return exports

    @api.model
    def _expand_archives(self, files):
        """Yield (name, bytes) for every file, opening zips and decompressing gzip files."""
        for name, content in files:
            if content[:2] == b"\x1f\x8b":
                try:
                    content = gzip.decompress(content)
                except (OSError, EOFError) as error:
                    raise UserError(
                        self.env._(
                            "File %(file)s is not a valid gzip file: %(error)s",
                            file=name,
                            error=error,
                        )
                    ) from error
            if zipfile.is_zipfile(io.BytesIO(content)):
                try:
                    with zipfile.ZipFile(io.BytesIO(content)) as archive:
                        members = [
                            (f"{name}/{info.filename}", archive.read(info))
                            for info in archive.infolist()
                            if not info.is_dir()
                        ]
                except (zipfile.BadZipFile, OSError) as error:
                    raise UserError(
                        self.env._(
                            "File %(file)s is not a valid zip file: %(error)s",
                            file=name,
                            error=error,
                        )
                    ) from error
                yield from self._expand_archives(members)
            else:
                yield name, content

    @api.model
    def _parse_json(self, name, content):
        try:
            return json.loads(content)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "File %(file)s is not a valid FNSI export: it is not JSON (%(error)s).",
                    file=name,
                    error=error,
                )
            ) from error

    @api.model
    def _get_book_model(self, passport):
        """The concrete model whose _nsi_oid is the passport's OID."""
        if not isinstance(passport, dict):
            raise UserError(self.env._("The passport of the export is not a JSON object."))
        oid = passport.get("oid")
        for model_name, model_class in self.env.registry.items():
            if not model_class._abstract and getattr(model_class, "_nsi_oid", None) == oid:
                return self.env[model_name]
        raise UserError(
            self.env._(
                "The reference book %(oid)s (%(name)s) is not used by the clinic.",
                oid=oid,
                name=passport.get("shortName") or passport.get("fullName") or "?",
            )
        )

    @api.model
    def _map_columns(self, Book, passport, cell_rows, book_name):
        """Model field -> export column, the first candidate column the export has."""
        # The passport lists the book's columns; without that list, trust the rows.
        available = {column.get("field") for column in passport.get("fields") or () if isinstance(column, dict)}
        available = available or {column for _position, cells in cell_rows for column in cells}
        columns = {}
        for fname, candidates in Book._nsi_columns.items():
            column = next((candidate for candidate in candidates if candidate in available), None)
            if column:
                columns[fname] = column
            elif fname in ("code", "name"):
                raise UserError(
                    self.env._(
                        "The export of %(book)s has none of the columns %(columns)s for the field %(field)s.",
                        book=book_name,
                        columns=", ".join(candidates),
                        field=Book._fields[fname].string,
                    )
                )
        return columns

    @api.model
    def _read_cells(self, rows, summary):
        """[(position, {column: value})] of the rows; a row that is not a list of cells is rejected."""
        cell_rows = []
        for position, row in enumerate(rows, 1):
            summary["rows"] += 1
            try:
                cell_rows.append((position, {cell["column"]: cell["value"] for cell in row}))
            except (TypeError, KeyError, AttributeError):
                reason = self.env._("Not a list of column/value cells")
                summary["rejected"].append(self._rejection(position, {}, reason))
        return cell_rows

    @api.model
    def _validate_rows(self, Book, columns, cell_rows, summary):
        """({code: values} of the rows to load, codes seen in the export), rejecting bad and duplicate rows.

        A code seen only in a rejected row is still in the book: a full load must not archive it.
        """
        seen_codes = set()
        kept = {}
        for position, cells in cell_rows:
            values, reason = self._row_values(Book, columns, cells)
            if values["code"]:
                seen_codes.add(values["code"])
            if reason:
                summary["rejected"].append(self._rejection(position, values, reason))
                continue
            previous = kept.get(values["code"])
            if previous and _row_id_key(previous[1]) >= _row_id_key(values):
                dropped, kept_values = (position, values), previous[1]
            else:
                dropped, kept_values = previous, values
                kept[values["code"]] = (position, values)
            if dropped:
                reason = self.env._(
                    "Duplicate code %(code)s: row ID %(kept)s is kept", code=values["code"], kept=kept_values["nsi_id"]
                )
                summary["rejected"].append(self._rejection(dropped[0], dropped[1], reason))
        return {code: values for code, (_position, values) in kept.items()}, seen_codes

    @api.model
    def _row_values(self, Book, columns, cells):
        """(values, rejection reason or None) of one row: managed fields, typed, and the book's hook applied."""
        values = dict.fromkeys(MANAGED_FIELDS, False)
        values["active"] = True
        code = cells.get(columns["code"])
        values["code"] = " ".join(str(code).split()).translate(CODE_HOMOGLYPHS) if code is not None else False
        if not values["code"]:
            return values, self.env._("No code in column %(column)s", column=columns["code"])
        for fname, column in columns.items():
            if fname == "code":
                continue
            raw = cells.get(column)
            raw = str(raw).strip() if raw is not None else ""
            field_type = Book._fields[fname].type
            if field_type == "boolean":
                if raw and raw.lower() not in TRUE_FLAGS | FALSE_FLAGS:
                    return values, self.env._("Column %(column)s: %(value)r is not a flag", column=column, value=raw)
                values[fname] = raw.lower() not in FALSE_FLAGS
            elif field_type == "date":
                try:
                    values[fname] = _parse_date(raw[:19]) if raw else False
                except ValueError:
                    return values, self.env._("Column %(column)s: %(value)r is not a date", column=column, value=raw)
            else:
                values[fname] = raw or False
        if not values["name"]:
            return values, self.env._("No name in column %(column)s", column=columns["name"])
        return Book._nsi_prepare_values(values), None

    @api.model
    def _parent_links(self, Book, columns, rows_by_code, existing, summary):
        """Take the parent row IDs out of the rows.

        A parent found neither in the export nor in the book is dropped with a warning: the row itself is sound.
        """
        parent_field = Book._parent_name
        if parent_field not in columns:
            return _ParentLinks({}, {}, {}, {})
        links = _ParentLinks(
            {code: values.pop(parent_field) for code, values in rows_by_code.items()},
            {values["nsi_id"]: code for code, values in rows_by_code.items() if values["nsi_id"]},
            {code: record.id for code, record in existing.items()},
            {record.nsi_id: record.id for record in existing.values() if record.nsi_id},
        )
        for code, reference in list(links.refs.items()):
            if reference and reference not in links.code_by_row_id and reference not in links.id_by_row_id:
                summary["warnings"].append(
                    self.env._(
                        "Code %(code)s: its parent row ID %(parent)s is not in the book, loaded without parent",
                        code=code,
                        parent=reference,
                    )
                )
                links.refs[code] = False
        return links

    @api.model
    def _create_rows(self, Book, rows_by_code, existing, links, summary):
        """Batch-create the new codes, parents in an earlier batch than their children."""
        parent_field = Book._parent_name
        pending = [code for code in rows_by_code if code not in existing]
        while pending:
            ready, waiting = [], []
            for code in pending:
                parent_id = links.resolve(code)
                if parent_id is None:
                    waiting.append(code)
                elif parent_id:
                    ready.append((code, {**rows_by_code[code], parent_field: parent_id}))
                else:
                    ready.append((code, rows_by_code[code]))
            if not ready:
                summary["warnings"].append(
                    self.env._(
                        "Codes %(codes)s are each other's parents, loaded without parent",
                        codes=", ".join(waiting),
                    )
                )
                ready, waiting = [(code, rows_by_code[code]) for code in waiting], []
            records = Book.create([values for _code, values in ready])
            links.id_by_code.update(zip((code for code, _values in ready), records.ids))
            summary["created"] += len(records)
            pending = waiting

    @api.model
    def _update_rows(self, Book, rows_by_code, existing, links, summary):
        """Write what changed, one write per distinct set of new values; a new version alone is no change."""
        changes = defaultdict(list)
        for code, record in existing.items():
            values = rows_by_code.get(code)
            if values is None:
                continue
            if code in links.refs:
                values = {**values, Book._parent_name: links.resolve(code)}
            diff = {
                fname: value
                for fname, value in values.items()
                if fname != "code" and self._stored_value(record, fname) != value
            }
            if set(diff) - {"version"}:
                summary["updated"] += 1
            else:
                summary["unchanged"] += 1
            if diff:
                changes[tuple(sorted(diff.items()))].append(record.id)
        for diff, record_ids in changes.items():
            Book.browse(record_ids).write(dict(diff))

    @api.model
    def _archive_missing(self, Book, existing, seen_codes, passport, summary):
        """Archive the active codes a full export no longer holds, ending them on its publication date."""
        missing = Book.browse(
            record.id for code, record in existing.items() if code not in seen_codes and record.active
        )
        if missing:
            retired_on = self._passport_date(passport) or fields.Date.context_today(self)
            missing.filtered(lambda record: not record.date_to).write({"date_to": retired_on})
            missing.write({"active": False})
            summary["deactivated"] = len(missing)

    @api.model
    def _rejection(self, position, values, reason):
        return {
            "row": position,
            "nsi_id": values.get("nsi_id") or "",
            "code": values.get("code") or "",
            "reason": reason,
        }

    @api.model
    def _stored_value(self, record, fname):
        """A record's value in the form the loader computes it (ids for many2one, False for empty)."""
        value = record[fname]
        if isinstance(value, models.BaseModel):
            return value.id
        return value or False

    @api.model
    def _passport_date(self, passport):
        """Publication date of the export's version."""
        for key in ("publishDate", "lastUpdate"):
            try:
                return _parse_date(str(passport.get(key) or "")[:19])
            except ValueError:
                continue
        return False
