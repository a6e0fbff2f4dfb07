"""The 1C:Enterprise 7.7 data dictionary ``1Cv7.DD``: which SCnnn/DHnnn/DTnnn table and SPnnn column is what.

A block looks like::

    #==TABLE no 11     : Справочник Клиенты
    # Name    |Descr                       |Type|Length|Indexes
    T=SC167   |Справочник Клиенты          |SC167     |R
    # Name        |Descr               |Type|Length|Precision
    F=ID          |ID object           |C   |9     |0
    F=SP168       |(P)Телефон          |C   |30    |0

Descriptions are cut to about 20 characters, so the labels only pre-fill the
mapping a person then checks.
"""

import re

_TABLE_RE = re.compile(r"^#==TABLE\s+no\s+(\d+)\s*:\s*(.*)$")
_KINDS = (("SC", "catalog"), ("DH", "document"), ("DT", "document_lines"), ("1SJOURN", "journal"),
          ("1SCONST", "constants"))  # fmt: skip


def table_kind(name):
    """catalog, document, document_lines, journal, constants or other, from a 1C table name."""
    upper = name.upper()
    return next((kind for prefix, kind in _KINDS if upper.startswith(prefix)), "other")


def table_number(name):
    """167 for SC167 / DH167 / DT167, None for system tables."""
    match = re.match(r"^(?:SC|DH|DT)(\d+)$", name.upper())
    return int(match.group(1)) if match else None


def _label(descr):
    return re.sub(r"^\(P\)", "", descr.strip()).strip()


def parse_dd(text):
    """``{"prefix": str, "tables": {NAME: {"number", "title", "kind", "fields": {COLUMN: {...}}}}}``."""
    tables, prefix, current, title, number = {}, "", None, "", None
    for raw in text.splitlines():
        line = raw.strip()
        match = _TABLE_RE.match(line)
        if match:
            number, title, current = int(match.group(1)), match.group(2).strip(), None
            continue
        if line.startswith("PR="):
            prefix = line[3:].split("|")[0].strip()
        elif line.startswith("T="):
            parts = [part.strip() for part in line[2:].split("|")]
            name = parts[0].upper()
            current = tables[name] = {
                "number": number,
                "title": title or (parts[1] if len(parts) > 1 else name),
                "kind": table_kind(name),
                "fields": {},
            }
        elif line.startswith("F=") and current is not None:
            parts = [part.strip() for part in line[2:].split("|")] + ["", "", "0", "0"]
            current["fields"][parts[0].upper()] = {
                "label": _label(parts[1]),
                "type": parts[2][:1].upper(),
                "length": int(parts[3]) if parts[3].isdigit() else 0,
                "precision": int(parts[4]) if parts[4].isdigit() else 0,
            }
    return {"prefix": prefix, "tables": tables}


def write_dd(tables, prefix=""):
    """A ``1Cv7.DD`` text for ``{NAME: (title, [(column, label, type, length, precision)])}``."""
    lines = ["# 1Cv7 data dictionary", "#Prefix of the data base", "#      |Prefix", f"PR=    |{prefix}"]
    for number, (name, (title, columns)) in enumerate(tables.items(), 1):
        lines += [
            f"#==TABLE no {number:<6}: {title}",
            "# Name    |Descr                       |Type|Length|Indexes",
            f"T={name:<8}|{title[:28]:<28}|{name:<10}|R",
            "# Name        |Descr               |Type|Length|Precision",
        ]
        lines += [
            f"F={column:<12}|{label[:20]:<20}|{ftype:<4}|{length:<6}|{precision}"
            for column, label, ftype, length, precision in columns
        ]
        lines += ["# Index", "I=ID        |ID object                 |0     |ID"]
    return "\r\n".join(lines) + "\r\n"
