"""DBF tables as 1C:Enterprise 7.7 and the KLADR classifier write them (dBASE III / FoxPro).

Reading checks the header against the file so that a damaged or truncated table
stops the import with a message naming the file, instead of yielding half of it.
Every value comes back as text (C padding stripped on the right only, so that 1C's
right-aligned IDs keep their leading spaces); DBF-deleted records are counted and
skipped. Writing serves the tests and the benchmark, which build 1C databases.
"""

import codecs
import re
import struct
from datetime import date

# First byte of the dBASE III+ / FoxPro / Visual FoxPro family.
KNOWN_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB})
TEXT_TYPES = frozenset("CNFDL")
LIVE, DELETED = 0x20, 0x2A
ENCODINGS = ("cp866", "cp1251", "utf-8")
# Header byte 29 (language driver) for the encodings the writer knows; 1C usually leaves it 0.
LANGUAGE_DRIVERS = {"cp866": 0x26, "cp1251": 0xC9}
_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_RUSSIAN_RE = re.compile(r"[А-Яа-яЁё]")
# What a Russian text holds besides letters; anything else (box drawing, ®, €, replacement marks) is a sign
# of a wrong encoding.
_NEUTRAL_RE = re.compile(r"[\s\d.,;:!?()\[\]\"'«»/\\+*#№%&=_<>@-]")


class SourceError(ValueError):
    """An unreadable file. ``code`` says what is wrong and ``params`` (file name and figures) fill the message
    the Odoo side shows, translated; see ``clinic.migration.source``."""

    def __init__(self, code, **params):
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params


class DbfField:
    __slots__ = ("decimals", "length", "name", "offset", "type")

    def __init__(self, name, ftype, offset, length, decimals):
        self.name, self.type, self.offset, self.length, self.decimals = name, ftype, offset, length, decimals


class DbfTable:
    """One DBF file: its columns, its live records, the count of deleted ones."""

    def __init__(self, data, filename):
        self.filename = filename
        size = len(data)
        if size < 33:
            raise SourceError("too_short", file=filename, size=size)
        if data[0] not in KNOWN_VERSIONS:
            raise SourceError("not_dbf", file=filename, byte=f"0x{data[0]:02X}")
        self.record_count, self.header_length, self.record_length = struct.unpack("<IHH", data[4:12])
        self.language_driver = data[29]
        self.fields = self._read_fields(data)
        used = 1 + sum(field.length for field in self.fields)
        if used > self.record_length or self.header_length > size:
            raise SourceError("damaged_header", file=filename, used=used, record=self.record_length)
        expected = self.header_length + self.record_count * self.record_length
        if size < expected:
            complete = (size - self.header_length) // self.record_length
            raise SourceError("truncated", file=filename, announced=self.record_count, complete=complete)
        self._data = data
        self.deleted_count = sum(
            1 for start in range(self.header_length, expected, self.record_length) if data[start] == DELETED
        )

    def _read_fields(self, data):
        fields, offset, pos = [], 1, 32
        while pos < self.header_length and data[pos] != 0x0D:
            if pos + 32 > len(data):
                raise SourceError("truncated", file=self.filename, announced="?", complete=0)
            raw = data[pos : pos + 32]
            name = raw[:11].split(b"\0", 1)[0].decode("ascii", "replace").strip().upper()
            ftype = chr(raw[11]).upper()
            length, decimals = raw[16], raw[17]
            if ftype == "C":
                # FoxPro keeps the high byte of long character columns in the decimals byte.
                length, decimals = length + 256 * decimals, 0
            if not _NAME_RE.match(name) or not ftype.isalnum() or not length:
                raise SourceError("bad_column", file=self.filename, number=len(fields) + 1, name=name, type=ftype)
            fields.append(DbfField(name, ftype, offset, length, decimals))
            offset += length
            pos += 32
        if not fields:
            raise SourceError("bad_column", file=self.filename, number=1, name="", type="")
        return fields

    @property
    def columns(self):
        return [field.name for field in self.fields]

    def text_sample(self, limit=3000, prefer=("DESCR", "NAME")):
        """Raw bytes of the text columns of the first records, to tell the encoding apart."""
        fields = [f for f in self.fields if f.name in prefer and f.type == "C"] or [
            f for f in self.fields if f.type == "C"
        ]
        pieces = []
        for start in self._starts(limit):
            pieces.extend(self._data[start + f.offset : start + f.offset + f.length].rstrip(b" \0") for f in fields)
        # Plain ASCII (IDs, codes, digits) reads the same in every encoding: only the rest tells them apart.
        return b" ".join(piece for piece in pieces if not piece.isascii())

    def _starts(self, limit=None):
        count = self.record_count if limit is None else min(limit, self.record_count)
        return range(self.header_length, self.header_length + count * self.record_length, self.record_length)

    def rows(self, encoding, deleted=False):
        """Yield (record number, {column: text}) for every live record (or, with ``deleted``, every record
        carrying the DBF deletion flag), in file order."""
        codec = codecs.lookup(encoding).name
        data, fields = self._data, self.fields
        single_byte = codec not in ("utf-8", "utf-16", "utf-32")
        wanted = DELETED if deleted else LIVE
        for number, start in enumerate(self._starts(), 1):
            flag = data[start]
            if flag not in (LIVE, DELETED):
                raise SourceError("damaged_record", file=self.filename, number=number)
            if flag != wanted:
                continue
            record = data[start : start + self.record_length]
            if single_byte:
                text = record.decode(codec, "replace")
                yield number, {f.name: _value(f, text[f.offset : f.offset + f.length]) for f in fields}
            else:
                yield (
                    number,
                    {
                        f.name: _value(f, record[f.offset : f.offset + f.length].decode(codec, "replace"))
                        for f in fields
                    },
                )


def _value(field, text):
    if field.type == "C":
        return text.rstrip(" \0")
    if field.type in TEXT_TYPES:
        return text.strip(" \0")
    # Types 1C does not write (binary integers, memo pointers...): kept as printable text.
    return "".join(ch for ch in text if ch.isprintable()).strip()


def russian_share(text):
    """Share of Russian letters among the characters of a text that are not digits, spaces or punctuation."""
    meaningful = _NEUTRAL_RE.sub("", text)
    if not meaningful:
        return 1.0
    return len(_RUSSIAN_RE.findall(meaningful)) / len(meaningful)


def encoding_scores(sample):
    """{encoding: share of Russian letters} when the sample is decoded in each candidate encoding."""
    scores = {}
    for encoding in ENCODINGS:
        scores[encoding] = round(russian_share(sample.decode(encoding, "replace")), 3)
    return scores


def detect_encoding(sample, default="cp1251"):
    """(best encoding, scores); plain ASCII tells nothing and yields 1C's usual cp1251."""
    if not sample or sample.isascii():
        return default, {}
    scores = encoding_scores(sample)
    # Ties (short samples) go to the order of ENCODINGS after the default: cp1251, cp866, utf-8.
    order = [default, *[e for e in ENCODINGS if e != default]]
    best = max(order, key=lambda encoding: scores[encoding])
    return best, scores


# -- writing ---------------------------------------------------------------------------------


def _format(field, value, encoding):
    length = field[2]
    ftype = field[1]
    if value is None or value == "":
        return b" " * length
    if ftype == "D":
        text = value.strftime("%Y%m%d") if isinstance(value, date) else str(value)
        return text.encode("ascii").ljust(length)[:length]
    if ftype == "L":
        return (b"T" if value else b"F") if isinstance(value, bool) else str(value).encode("ascii")[:1]
    if ftype in "NF":
        decimals = field[3]
        text = f"{value:.{decimals}f}" if isinstance(value, int | float) else str(value)
        return text.encode("ascii").rjust(length)[:length]
    return str(value).encode(encoding).ljust(length)[:length]


def write_dbf(columns, rows, encoding="cp866", deleted=(), language_driver=0, today=None):
    """A DBF III table: ``columns`` are (name, type C/N/D/L, length, decimals), ``rows`` dicts by column name.

    Indexes in ``deleted`` are written with the DBF deletion flag.
    """
    today = today or date(2025, 1, 1)
    deleted = set(deleted)
    record_length = 1 + sum(column[2] for column in columns)
    header_length = 32 + 32 * len(columns) + 1
    header = struct.pack(
        "<B3BIHH20x", 0x03, today.year - 1900, today.month, today.day, len(rows), header_length, record_length
    )
    header = header[:29] + bytes([language_driver]) + header[30:]
    descriptors = b"".join(
        struct.pack("<11sc4xBB14x", name.encode("ascii"), ftype.encode("ascii"), length % 256 if ftype == "C"
                    else length, length // 256 if ftype == "C" else decimals)
        for name, ftype, length, decimals in columns
    )  # fmt: skip
    body = bytearray()
    for index, row in enumerate(rows):
        body.append(DELETED if index in deleted else LIVE)
        for column in columns:
            body += _format(column, row.get(column[0]), encoding)
    return header + descriptors + b"\r" + bytes(body) + b"\x1a"
