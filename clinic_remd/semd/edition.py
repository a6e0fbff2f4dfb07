"""Edition descriptions (data/editions/*.json): what a kind's document carries, read once per process."""

import functools
import json
import os

from odoo.tools.misc import file_path

EDITIONS_FOLDER = "clinic_remd/data/editions"
UNSHIPPED_CODES = "codes_unshipped.json"


@functools.cache
def editions():
    """Every edition description, keyed by (kind, edition)."""
    folder = file_path(EDITIONS_FOLDER)
    found = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json") and name != UNSHIPPED_CODES:
            with open(os.path.join(folder, name), encoding="utf-8") as edition_file:
                edition = json.load(edition_file)
            found[edition["kind"], edition["edition"]] = edition
    return found


def current(kind, on_date):
    """The edition of ``kind`` in force on ``on_date`` (the newest one started by then), or None."""
    candidates = [
        edition
        for (edition_kind, _number), edition in editions().items()
        if edition_kind == kind and edition["valid_from"] <= on_date.isoformat()
    ]
    return max(candidates, key=lambda edition: edition["valid_from"], default=None)


def sources(edition):
    """The visit's values the edition reads: its required ones and those of its entries."""
    found = set(edition.get("required", ()))
    pending = list(edition.get("sections", ()))
    while pending:
        section = pending.pop()
        found |= {entry["source"] for entry in section.get("entries", ()) if "source" in entry}
        pending.extend(section.get("sections", ()))
    return found


def schema_path(edition, key):
    """Absolute path of the edition's XSD (``xsd``) or schematron (``schematron``)."""
    return file_path(f"clinic_remd/data/{edition[key]}")


@functools.cache
def unshipped_codes():
    with open(file_path(f"{EDITIONS_FOLDER}/{UNSHIPPED_CODES}"), encoding="utf-8") as codes_file:
        return json.load(codes_file)


def unshipped_code(oid, code):
    """The coded element of ``code`` as codes_unshipped.json gives it, or None: the rows the books get at install,
    for building documents without a database (the golden documents)."""
    book = unshipped_codes().get(oid)
    if not book or code not in book["codes"]:
        return None
    return {
        "code": code,
        "codeSystem": oid,
        "codeSystemName": book["name"],
        "codeSystemVersion": book["version"],
        "displayName": book["codes"][code],
    }


def resolve(value, lookup, missing):
    """``value`` (an edition or a part of it) with every reference ``{"book": OID, "code": code}`` replaced by
    the coded element ``lookup(OID, code)`` gives; the other keys of a reference (a ``translation``) are kept,
    resolved too. A reference the books lack is appended to ``missing`` as ``OID:code``."""
    if isinstance(value, list):
        return [resolve(item, lookup, missing) for item in value]
    if not isinstance(value, dict):
        return value
    if "book" not in value:
        return {key: resolve(item, lookup, missing) for key, item in value.items()}
    resolved = {key: resolve(item, lookup, missing) for key, item in value.items() if key not in ("book", "code")}
    coded = lookup(value["book"], value["code"])
    if coded is None:
        missing.append(f"{value['book']}:{value['code']}")
        return None
    return {**coded, **resolved}
