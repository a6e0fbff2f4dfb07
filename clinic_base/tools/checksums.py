"""Checksums of Russian personal identifiers."""

import re

from stdnum.ru import inn as stdnum_inn


def clean_digits(value):
    return re.sub(r"\D", "", value or "")


def snils_is_valid(value):
    """SNILS control number (PFR rules): weights 9..1, sum mod 101, 100 -> 00.

    Numbers up to 001-001-998 were issued before the checksum and are not checked.
    """
    digits = clean_digits(value)
    if len(digits) != 11:
        return False
    body, control = digits[:9], int(digits[9:])
    if int(body) <= 1001998:
        return True
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1)))
    if total > 101:
        total %= 101
    expected = 0 if total in (100, 101) else total
    return expected == control


def format_snils(value):
    """``11223344595`` -> ``112-233-445 95``."""
    d = clean_digits(value)
    if len(d) != 11:
        return value
    return f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}"


def inn_is_valid(value):
    """INN of a person (12 digits) or an organisation (10 digits), checksum included."""
    return stdnum_inn.is_valid(clean_digits(value))


def ogrn_is_valid(value):
    """OGRN of an organisation (13 digits) or OGRNIP of an entrepreneur (15 digits): the last digit is the
    remainder of the number before it divided by 11 (by 13 for OGRNIP), taken mod 10."""
    digits = clean_digits(value)
    if len(digits) not in (13, 15) or value.strip() != digits:
        return False
    modulus = 11 if len(digits) == 13 else 13
    return int(digits[:-1]) % modulus % 10 == int(digits[-1])


def kpp_is_valid(value):
    """KPP: tax office code (4 digits), reason code (2 digits or capital Latin letters), serial (3 digits)."""
    return bool(re.fullmatch(r"\d{4}[\dA-Z]{2}\d{3}", (value or "").strip()))
