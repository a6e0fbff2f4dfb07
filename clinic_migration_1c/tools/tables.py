"""An upload of a 1C 7.7 database: DBF tables (or CSV/XML exports of them), the data dictionary, KLADR files.

Files may come one by one or in zip archives (folders inside are flattened).
Each table is read in the encoding detected from its text (cp866, cp1251 or
utf-8, scored by the share of Russian letters) unless the caller overrides it;
an override that makes the text unreadable is refused with the scores.
"""

import csv
import io
import zipfile
from pathlib import PurePosixPath

from lxml import etree

from . import dbf
from .dbf import SourceError
from .dd import parse_dd

KLADR_TABLES = frozenset({"KLADR", "STREET", "SOCRBASE", "DOMA", "FLAT", "ALTNAMES", "NAMEMAP"})
# Index and metadata files of a 1C folder that carry no rows.
IGNORED_SUFFIXES = frozenset({".CDX", ".MDX", ".NTX", ".IDX", ".MD", ".TXT", ".LCK", ".DBA", ".INI", ".CFG"})
CSV_DELIMITERS = ";,\t|"
# An override this much less readable than the best encoding is a mistake.
READABILITY_GAP = 0.15
MIN_READABLE = 0.5
# Bounds of one zip archive, so that a zip bomb is refused before it fills the memory: what its members unpack
# to in all, how much more than their compressed size (1C tables padded with blanks compress ~20 times), and
# how many there are (a 1C folder holds a few hundred files).
ZIP_MAX_TOTAL = 1 << 30
ZIP_MAX_RATIO = 200
ZIP_MAX_MEMBERS = 5000
_CHUNK = 1 << 20


def _read_member(archive, info, budget, name):
    """The bytes of one member, read in chunks and stopped as soon as they pass the archive's budget or ratio
    (the sizes the archive declares are not trusted)."""
    ratio_cap = max(info.compress_size, 1) * ZIP_MAX_RATIO
    parts, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise SourceError("zip_too_big", file=name, limit=ZIP_MAX_TOTAL >> 20)
            if size > ratio_cap:
                raise SourceError("zip_ratio", file=name, member=info.filename, ratio=ZIP_MAX_RATIO)
            parts.append(chunk)
    return b"".join(parts)


def unpack(files):
    """[(name, bytes)] with the members of zip archives in place of the archives, within the ZIP_* bounds."""
    result = []
    for name, data in files:
        if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
                members = [info for info in archive.infolist() if not info.is_dir()]
                if len(members) > ZIP_MAX_MEMBERS:
                    raise SourceError("zip_members", file=name, count=len(members), limit=ZIP_MAX_MEMBERS)
                budget = ZIP_MAX_TOTAL
                for info in members:
                    content = _read_member(archive, info, budget, name)
                    budget -= len(content)
                    result.append((f"{name}/{info.filename}", content))
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise SourceError("bad_zip", file=name) from exc
        else:
            result.append((name, data))
    return result


def file_role(path):
    """dd, dbf, csv, xml, kladr or ignored, from the file name."""
    pure = PurePosixPath(path.replace("\\", "/"))
    stem, suffix = pure.stem.upper(), pure.suffix.upper()
    if pure.name.upper() in ("1CV7.DD", "1CV7.DDS"):
        return "dd"
    if suffix == ".DBF":
        return "kladr" if stem in KLADR_TABLES else "dbf"
    if suffix in (".CSV", ".XML"):
        return suffix[1:].lower()
    return "ignored"


def table_name(path):
    return PurePosixPath(path.replace("\\", "/")).stem.upper()


def _scores_text(scores):
    return ", ".join(f"{encoding} {share:.0%}" for encoding, share in scores.items())


def check_readable(filename, sample, encoding, detected, scores):
    """Refuse an encoding in which the sample's text is not Russian when another one reads it."""
    if not scores:
        return
    best = max(scores.values())
    if best < MIN_READABLE:
        raise SourceError("unreadable_text", file=filename, scores=_scores_text(scores))
    if scores[encoding] < best - READABILITY_GAP:
        raise SourceError("wrong_encoding", file=filename, encoding=encoding, detected=detected,
                          scores=_scores_text(scores))  # fmt: skip


class Table:
    """One 1C table from a DBF, CSV or XML file; ``rows()`` yields (row number, {column: text})."""

    def __init__(self, name, filename, fmt, columns, encoding, detected, scores, row_count, deleted_count, rows):
        self.name, self.filename, self.format = name, filename, fmt
        self.columns = columns
        self.encoding, self.detected_encoding, self.scores = encoding, detected, scores
        self.row_count, self.deleted_count = row_count, deleted_count
        self._rows = rows
        self._deleted_rows = None
        self.title = ""
        # Declared widths of the columns (DBF only): a value filling its column may have been cut.
        self.lengths = {}

    def rows(self):
        return self._rows()

    def deleted_rows(self):
        """Rows carrying the DBF deletion flag: never imported, but listed in the report."""
        return self._deleted_rows() if self._deleted_rows else iter(())

    def column(self, wanted):
        """The column name as the file spells it, matched case-insensitively; '' when absent."""
        wanted = (wanted or "").strip().upper()
        return next((column for column in self.columns if column.upper() == wanted), "")


def read_dbf(filename, data, encoding=None):
    table = dbf.DbfTable(data, filename)
    sample = table.text_sample()
    detected, scores = dbf.detect_encoding(sample)
    chosen = encoding or detected
    check_readable(filename, sample, chosen, detected, scores)
    # The rows are read lazily, so a large table is never held whole.
    result = Table(
        table_name(filename), filename, "dbf", table.columns, chosen, detected, scores, table.record_count
        - table.deleted_count, table.deleted_count, lambda: table.rows(chosen)
    )  # fmt: skip
    result.lengths = {field.name: field.length for field in table.fields}
    result._deleted_rows = lambda: table.rows(chosen, deleted=True)
    return result


def read_csv(filename, data, encoding=None):
    if data.startswith(b"\xef\xbb\xbf"):
        data, detected, scores = data[3:], "utf-8", {}
    else:
        detected, scores = dbf.detect_encoding(data[:65536])
    chosen = encoding or detected
    check_readable(filename, data[:65536], chosen, detected, scores)
    text = data.decode(chosen, "replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(cell.strip() for cell in records[0]):
        raise SourceError("empty_csv", file=filename)
    header = [cell.strip() for cell in records[0]]
    rows = []
    for number, record in enumerate(records[1:], 2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            raise SourceError("csv_columns", file=filename, line=number, values=len(record), columns=len(header))
        rows.append((number, dict(zip(header, (cell.strip() for cell in record)))))
    return Table(table_name(filename), filename, "csv", header, chosen, detected, scores, len(rows), 0,
                 lambda: iter(rows))  # fmt: skip


def _xml_row(element):
    row = {key.upper(): (value or "").strip() for key, value in element.attrib.items()}
    for child in element:
        if isinstance(child.tag, str):
            row[etree.QName(child).localname.upper()] = (child.text or "").strip()
    return row


def read_xml(filename, data):
    """Tables as ``<Table name="SC167"><Row ID="..." DESCR="..."/>...</Table>`` (values as attributes or
    child elements), one table per file or several under one root."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SourceError("bad_xml", file=filename, error=str(exc)) from exc
    containers = [child for child in root if isinstance(child.tag, str) and (child.get("name") or child.get("table"))]
    if not containers:
        containers = [root]
    tables = []
    for container in containers:
        name = (container.get("name") or container.get("table") or table_name(filename)).upper()
        rows = [(number, _xml_row(element)) for number, element in
                enumerate((e for e in container if isinstance(e.tag, str)), 1)]  # fmt: skip
        columns = list(dict.fromkeys(column for _number, row in rows for column in row))
        encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
        tables.append(Table(name, filename, "xml", columns, encoding, encoding, {}, len(rows), 0,
                            lambda rows=rows: iter(rows)))  # fmt: skip
    return tables


class Upload:
    """The tables, data dictionary and KLADR files of one upload; ``encodings`` overrides by file name."""

    def __init__(self, files, encodings=None):
        encodings = encodings or {}
        self.tables, self.kladr_files, self.ignored = {}, {}, []
        self.dd = None
        for path, data in unpack(files):
            role = file_role(path)
            if role == "dd":
                detected, _scores = dbf.detect_encoding(data[:65536])
                self.dd = parse_dd(data.decode(encodings.get(path) or detected, "replace"))
                self.dd_file = path
            elif role == "kladr":
                dbf.DbfTable(data, path)  # a damaged classifier file is refused now, not half-way through the import
                self.kladr_files[table_name(path)] = data
            elif role == "dbf":
                self._add(read_dbf(path, data, encodings.get(path)))
            elif role == "csv":
                self._add(read_csv(path, data, encodings.get(path)))
            elif role == "xml":
                for table in read_xml(path, data):
                    self._add(table)
            else:
                self.ignored.append(path)
        titles = self.dd["tables"] if self.dd else {}
        for name, table in self.tables.items():
            table.title = titles.get(name, {}).get("title", "")

    def _add(self, table):
        if table.name in self.tables:
            raise SourceError("duplicate_table", file=table.filename, table=table.name,
                              other=self.tables[table.name].filename)  # fmt: skip
        self.tables[table.name] = table

    def table(self, name):
        return self.tables.get((name or "").strip().upper())

    def label(self, table, column):
        """The data dictionary's description of a column ('' without a dictionary)."""
        if not self.dd:
            return ""
        fields = self.dd["tables"].get((table or "").upper(), {}).get("fields", {})
        return fields.get((column or "").upper(), {}).get("label", "")
